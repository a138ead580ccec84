//! Which consent fills a sign-in method's tokens: decided here once, from the catalog, for the
//! window and the CLI alike.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::oauth::providers::{self, Provider, RedirectPolicy, Scopes};

/// Which OAuth consent fills a sign-in method's tokens. Tagged (`{"kind": "google", "scope": …}`)
/// so the window reads the scope from here instead of keeping a copy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[ts(export)]
pub enum ConsentKind {
    /// The tokens are typed (or pasted) by hand.
    #[default]
    None,
    /// Google's consent: BigQuery only, since Google's tokens are for Google's APIs.
    Google {
        /// The scope the consent asks for, and the one its token must carry.
        scope: String,
    },
    /// The provider's own consent, at the access token URL the form holds: a REST API's.
    Rest,
    /// A provider of the table (`oauth::providers`: HubSpot, Zendesk, Square, …), its consent
    /// run by the engine.
    #[serde(rename_all = "camelCase")]
    Provider {
        /// The provider's id, sent back when the consent begins.
        id: String,
        /// What the window calls it.
        name: String,
        redirect: ProviderRedirect,
        /// The scopes asked for: fixed (shown) or suggested (the user's app decides).
        scopes: Vec<String>,
        scopes_fixed: bool,
    },
}

/// How the browser comes back from a provider's consent, for the window to explain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
#[ts(export)]
pub enum ProviderRedirect {
    /// Any free loopback port: nothing to register.
    AnyLoopback,
    /// This exact address, registered on the user's app beforehand.
    Registered { uri: String },
    /// An https address of the user's own; the address the browser ends on is pasted back.
    HttpsPaste,
}

impl ConsentKind {
    /// The table provider's consent kind.
    fn provider(provider: &Provider) -> Self {
        let (scopes, scopes_fixed) = match provider.scopes {
            Scopes::Fixed(fixed) => (fixed, true),
            Scopes::ChosenByUser { suggested } => (suggested, false),
            Scopes::NoScopes => (&[][..], true),
        };
        Self::Provider {
            id: provider.id.to_owned(),
            name: provider.display_name.to_owned(),
            redirect: match provider.redirect {
                RedirectPolicy::AnyLoopback => ProviderRedirect::AnyLoopback,
                RedirectPolicy::RegisteredLoopback { uri } => {
                    ProviderRedirect::Registered { uri: uri.to_owned() }
                }
                RedirectPolicy::HttpsOnlyPaste => ProviderRedirect::HttpsPaste,
            },
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            scopes_fixed,
        }
    }
}

pub use crate::oauth::providers::{BIGQUERY_SCOPE, BIGQUERY_SPEC_ID};
const BIGQUERY_SPEC_KEY: &str = "google-big-query";

impl ConsentKind {
    /// The consent of a method of the source `spec_id` (`spec_key`) whose top-level params are
    /// named `param_names`: a method with a client id and a refresh token gets the REST API
    /// provider's consent when it names the access token URL, Google's when it is BigQuery's;
    /// another gets the consent of the table's provider that serves its spec and whose params
    /// it holds (HubSpot, Zendesk, Google Ads, …), or none, and its tokens are typed.
    pub fn of<'a>(spec_id: &str, spec_key: &str, param_names: impl Iterator<Item = &'a str> + Clone) -> Self {
        let has = |name: &str| param_names.clone().any(|p| p == name);
        if has("refreshToken") && has("clientId") {
            if has("accessTokenUrl") {
                return Self::Rest;
            }
            if spec_id == BIGQUERY_SPEC_ID || spec_key == BIGQUERY_SPEC_KEY {
                return Self::Google { scope: BIGQUERY_SCOPE.to_owned() };
            }
        }
        // The table's other providers, each for the sources it serves and by the params the
        // method holds. BigQuery and the REST API keep their own flows above.
        match providers::matching_params(spec_id, param_names) {
            Some(provider) if !matches!(provider.id, "google-bigquery" | "generic-rest") => {
                Self::provider(provider)
            }
            _ => Self::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::adobe::flow::ConnectionSpec;
    use crate::catalog::{builtin_source, builtin_sources, reconcile};
    use crate::catalog::{AuthMethod, Source};

    fn consents(source: &Source) -> Vec<(&str, ConsentKind)> {
        source.auth_methods.iter().map(|m| (m.spec_name.as_str(), m.consent.clone())).collect()
    }

    /// A live spec as `GET /connectionSpecs` lists it, with string properties of these names.
    fn live(id: &str, name: &str, methods: &[(&str, &[&str])]) -> ConnectionSpec {
        let auth_spec: Vec<serde_json::Value> = methods
            .iter()
            .map(|(method, names)| {
                let properties: serde_json::Map<String, serde_json::Value> =
                    names.iter().map(|n| ((*n).to_owned(), json!({ "type": "string" }))).collect();
                json!({ "name": method, "type": "oauth2", "spec": { "type": "object", "properties": properties } })
            })
            .collect();
        serde_json::from_value(json!({ "id": id, "name": name, "authSpec": auth_spec })).expect("a spec")
    }

    #[test]
    fn the_built_in_sources_get_the_consent_their_tokens_need() {
        let all: Vec<(&str, Vec<(&str, ConsentKind)>)> =
            builtin_sources().iter().map(|s| (s.spec_key.as_str(), consents(s))).collect();
        assert_eq!(
            all,
            [
                (
                    "google-big-query",
                    vec![
                        ("Basic Authentication", ConsentKind::Google { scope: BIGQUERY_SCOPE.to_owned() }),
                        ("Service Authentication", ConsentKind::None)
                    ]
                ),
                ("oracle", vec![("ConnectionString", ConsentKind::None)]),
                (
                    "generic-rest-api",
                    vec![
                        ("oAuth2RefreshCode", ConsentKind::Rest),
                        ("Basic Authentication", ConsentKind::None)
                    ]
                ),
                ("service-now", vec![("Basic Authentication", ConsentKind::None)]),
            ]
        );
    }

    /// The live specs of the reference corpus (`connection-specs/`), their properties as listed.
    #[test]
    fn live_specs_get_the_same_rule() {
        let bigquery_id = BIGQUERY_SPEC_ID;
        let bigquery = reconcile(
            builtin_source(bigquery_id),
            &live(
                bigquery_id,
                "google-big-query",
                &[("Basic Authentication", &["project", "clientId", "clientSecret", "refreshToken"])],
            ),
        );
        assert_eq!(
            consents(&bigquery),
            [("Basic Authentication", ConsentKind::Google { scope: BIGQUERY_SCOPE.to_owned() })]
        );

        let rest_id = "4e98f16f-87d6-4ef0-bdc6-7a2b0fe76e62";
        let rest_names: &[&str] = &[
            "host",
            "authorizationTestUrl",
            "clientId",
            "clientSecret",
            "accessToken",
            "refreshToken",
            "expirationDate",
            "accessTokenUrl",
            "requestParameterOverride",
        ];
        let rest = reconcile(
            builtin_source(rest_id),
            &live(
                rest_id,
                "generic-rest-extension",
                &[
                    ("OAuth2 Refresh Code", rest_names),
                    ("Basic Authentication", &["host", "username", "password"]),
                ],
            ),
        );
        assert_eq!(
            consents(&rest),
            [("OAuth2 Refresh Code", ConsentKind::Rest), ("Basic Authentication", ConsentKind::None)]
        );
        // A REST spec that lists no client id or refresh token has nothing a consent could fill.
        let bare = reconcile(
            None,
            &live(
                "c4b4d052-0aa6-46e0-9970-5088a8b05327",
                "generic-rest-extension",
                &[("OAuth2 Refresh Code", &["host", "authorizationTestUrl", "accessToken"])],
            ),
        );
        assert_eq!(consents(&bare), [("OAuth2 Refresh Code", ConsentKind::None)]);

        // Sources whose tokens another provider of the table issues: Google's BigQuery consent
        // is not theirs, their own provider's is, found by spec and params, never by the name.
        for (id, name, names, provider) in [
            (
                "d771e9c1-4f26-40dc-8617-ce58c4b53702",
                "google-adwords",
                &["clientCustomerID", "developerToken", "refreshToken", "clientId", "clientSecret"][..],
                "google-ads",
            ),
            (
                "cc6a4487-9e91-433e-a3a3-9cf6626c1806",
                "hubspot",
                &["clientId", "clientSecret", "accessToken", "refreshToken"][..],
                "hubspot",
            ),
        ] {
            let source = reconcile(None, &live(id, name, &[("Basic Authentication", names)]));
            let [(_, ConsentKind::Provider { id, .. })] = &consents(&source)[..] else {
                panic!("{name}: {:?}", consents(&source));
            };
            assert_eq!(id, provider, "{name}");
        }
        // HubSpot's params under another source's spec are not HubSpot's.
        let other = reconcile(
            None,
            &live(
                "0a27232b-0000-0000-0000-000000000000",
                "some-crm",
                &[("Basic Authentication", &["clientId", "clientSecret", "accessToken", "refreshToken"])],
            ),
        );
        assert_eq!(consents(&other), [("Basic Authentication", ConsentKind::None)]);
        // A registered-redirect provider tells the window the exact address to register.
        let hubspot = ConsentKind::of(
            "cc6a4487-9e91-433e-a3a3-9cf6626c1806",
            "hubspot",
            ["clientId", "clientSecret", "accessToken", "refreshToken"].into_iter(),
        );
        let ConsentKind::Provider { redirect, scopes_fixed, .. } = hubspot else { panic!("{hubspot:?}") };
        assert_eq!(redirect, ProviderRedirect::Registered { uri: "http://localhost:47615/callback".into() });
        assert!(!scopes_fixed, "HubSpot's scopes are the app's");
    }

    #[test]
    fn the_consent_is_sent_to_the_window_and_never_read_from_a_spec() {
        let bigquery = builtin_source(BIGQUERY_SPEC_ID).expect("BigQuery");
        let sent = serde_json::to_value(&bigquery.auth_methods[0]).expect("serializes");
        assert_eq!(sent["consent"], json!({"kind": "google", "scope": BIGQUERY_SCOPE}));
        let mut forged = sent.clone();
        forged["consent"] = json!({"kind": "rest"});
        forged["params"] = json!([]);
        let method: AuthMethod = serde_json::from_value(forged).expect("deserializes");
        let source = Source { auth_methods: vec![method], ..bigquery.clone() }.assign_fields();
        assert_eq!(source.auth_methods[0].consent, ConsentKind::None);
    }
}
