//! Which consent fills a sign-in method's tokens: decided here once, from the catalog, for the
//! window and the CLI alike.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
}

/// BigQuery's connection spec id: the one source whose tokens Google's consent issues. The only
/// place a spec id is spelled out in code; tests name BigQuery through it.
pub const BIGQUERY_SPEC_ID: &str = "3c9b37f8-13a6-43d8-bad3-b863b941fedd";
const BIGQUERY_SPEC_KEY: &str = "google-big-query";
/// The scope BigQuery's consent asks for: read access to the project's data.
pub const BIGQUERY_SCOPE: &str = "https://www.googleapis.com/auth/bigquery";

impl ConsentKind {
    /// The consent of a method of the source `spec_id` (`spec_key`) whose top-level params are
    /// named `param_names`: a method with a client id
    /// and a refresh token gets the provider's consent when it names the access token URL,
    /// Google's when it is BigQuery's; any other (HubSpot, Zendesk, Google Ads, which merely
    /// name a refresh token) none, and its tokens are typed.
    pub fn of<'a>(spec_id: &str, spec_key: &str, param_names: impl Iterator<Item = &'a str> + Clone) -> Self {
        let has = |name: &str| param_names.clone().any(|p| p == name);
        if !has("refreshToken") || !has("clientId") {
            return Self::None;
        }
        if has("accessTokenUrl") {
            return Self::Rest;
        }
        if spec_id == BIGQUERY_SPEC_ID || spec_key == BIGQUERY_SPEC_KEY {
            return Self::Google { scope: BIGQUERY_SCOPE.to_owned() };
        }
        Self::None
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

        // Sources that merely name a refresh token: Google's consent is not theirs.
        for (id, name, names) in [
            (
                "d771e9c1-4f26-40dc-8617-ce58c4b53702",
                "google-adwords",
                &["clientCustomerID", "developerToken", "refreshToken", "clientId", "clientSecret"][..],
            ),
            (
                "cc6a4487-9e91-433e-a3a3-9cf6626c1806",
                "hubspot",
                &["clientId", "clientSecret", "accessToken", "refreshToken"][..],
            ),
        ] {
            let source = reconcile(None, &live(id, name, &[("Basic Authentication", names)]));
            assert_eq!(consents(&source), [("Basic Authentication", ConsentKind::None)], "{name}");
        }
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
