//! The shape of the source catalog: what the UI renders a form from, and what the request
//! builder turns the filled form into. These types are shared with the UI through ts-rs.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::adobe::flow::ExploreSupport;

/// One source Flow Connect can create connections for, such as Google BigQuery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Source {
    /// The connection spec id sent as `connectionSpec.id`.
    pub spec_id: String,
    /// Sent as `connectionSpec.version`.
    pub spec_version: String,
    /// The connection spec's own name, such as `google-big-query`.
    pub spec_key: String,
    pub display_name: String,
    pub category: String,
    pub description: String,
    pub auth_methods: Vec<AuthMethod>,
    /// Whether the auth methods were confirmed by the live connection spec or are the built-in
    /// fallback.
    #[serde(default)]
    pub origin: CatalogOrigin,
    /// How its connections can be explored.
    #[serde(default)]
    pub explore: ExploreSupport,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum CatalogOrigin {
    #[default]
    BuiltIn,
    Live,
}

/// One way to authenticate against a source, an entry of the spec's `authSpec[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuthMethod {
    /// Sent verbatim as `auth.specName`.
    pub spec_name: String,
    /// What the UI calls it.
    pub label: String,
    #[serde(default)]
    pub help: String,
    /// Sent as `auth.type` when set: only the BigQuery tutorial does this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub auth_type: Option<String>,
    pub params: Vec<Param>,
    /// Which consent fills its tokens, the one rule the window and the CLI follow. Computed
    /// from the source and the params by [`Source::assign_fields`], never read from a spec.
    #[serde(default)]
    pub consent: ConsentKind,
}

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
    /// The consent of `method` of the source `spec_id` (`spec_key`): a method with a client id
    /// and a refresh token gets the provider's consent when it names the access token URL,
    /// Google's when it is BigQuery's; any other (HubSpot, Zendesk, Google Ads, which merely
    /// name a refresh token) none, and its tokens are typed.
    pub fn of(spec_id: &str, spec_key: &str, method: &AuthMethod) -> Self {
        let has = |name: &str| method.params.iter().any(|p| p.name == name);
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

/// One credential in `auth.params`, or one member of a nested object in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Param {
    /// The exact key in `auth.params` (or in the object that holds it).
    pub name: String,
    /// The key of its value in the form: the name, or the dotted path of a nested member
    /// (`requestParameterOverride.accessTokenField`). Filled by [`Source::assign_fields`].
    #[serde(default)]
    pub field: String,
    pub label: String,
    #[serde(default)]
    pub help: String,
    #[serde(default)]
    pub placeholder: String,
    pub kind: ParamKind,
    #[serde(default)]
    pub required: bool,
    /// Masked in the UI, kept in the keychain, never written to a file or a log.
    #[serde(default)]
    pub secret: bool,
    /// Not shown in the form (the spec's `uiAttributes.hidden`); filled by the app or left out.
    #[serde(default)]
    pub hidden: bool,
    /// What the form starts with, as it is typed (`true`, `42`, `GET`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub default: Option<String>,
    /// The schema's own limits on the value.
    #[serde(default, skip_serializing_if = "Rules::is_empty")]
    #[ts(as = "Option<Rules>", optional)]
    pub rules: Rules,
}

/// JSON Schema limits of one value: `pattern`, `minLength`/`maxLength` for text,
/// `minimum`/`maximum` for numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Rules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub min_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub minimum: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub maximum: Option<f64>,
}

impl Rules {
    pub fn is_empty(&self) -> bool {
        *self == Rules::default()
    }
}

/// One shape a `oneOf`/`anyOf` property may take; the user picks one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Variant {
    pub label: String,
    pub params: Vec<Param>,
}

/// What kind of value a param holds; this decides the input and its validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export)]
pub enum ParamKind {
    Text,
    /// An absolute `http://` or `https://` URL.
    Url,
    /// A host name or IP address, without scheme or port.
    Host,
    /// A TCP port, 1 to 65535.
    Port,
    MultiLine,
    /// A date such as a token's expiry.
    Date,
    /// The content of a file the user picks; the app Base64-encodes it before sending.
    FileBase64 {
        accept: String,
    },
    /// An ADO.NET-style connection string composed from the parts, each `Key=Value`.
    ConnectionString {
        parts: Vec<ConnectionStringPart>,
    },
    Email,
    /// A whole number, sent as a JSON number.
    Integer,
    /// Any number, sent as a JSON number.
    Number,
    /// A check box, sent as `true` or `false`.
    Boolean,
    /// One of the schema's `enum` values. When `json` is set the options are JSON texts
    /// (numbers, say) and the value is sent as that JSON; otherwise as the string itself.
    Choice {
        options: Vec<String>,
        #[serde(default)]
        json: bool,
    },
    /// An array of strings, typed one per line.
    List,
    /// A nested object: its members are fields of their own.
    Group {
        params: Vec<Param>,
    },
    /// A `oneOf`/`anyOf` of objects: the value of this field is the chosen variant's index,
    /// and the members of that variant are fields of their own. A param with an empty name
    /// stands for the auth spec itself being a choice: its members go straight into
    /// `auth.params`.
    Variants {
        variants: Vec<Variant>,
    },
    /// A construct the form engine does not render: typed as raw JSON and sent as parsed.
    Json {
        /// Why the field is raw JSON, for its help text.
        reason: String,
    },
}

/// One `Key=Value` pair of a composed connection string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionStringPart {
    /// The form field's name, such as `userId`.
    pub field: String,
    /// The key written into the string, such as `User Id`.
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub help: String,
    pub kind: PartKind,
    #[serde(default)]
    pub secret: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum PartKind {
    Text,
    Host,
    Port,
}

/// Why a value was refused, shown next to its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl Source {
    pub fn auth_method(&self, spec_name: &str) -> Option<&AuthMethod> {
        self.auth_methods.iter().find(|m| m.spec_name == spec_name)
    }

    /// Gives every param its form key: its name at the top, `parent.name` below a group or a
    /// variant choice.
    /// Also decides each method's consent ([`ConsentKind::of`]).
    pub fn assign_fields(mut self) -> Self {
        for method in &mut self.auth_methods {
            assign(&mut method.params, "");
            method.consent = ConsentKind::of(&self.spec_id, &self.spec_key, method);
        }
        self
    }
}

/// The form key of the member `name` below the field `parent` (empty at the top).
fn member_field(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// The form key of the variant choice that stands for a whole auth spec.
pub const VARIANT_FIELD: &str = "~variant";

fn assign(params: &mut [Param], parent: &str) {
    for param in params {
        param.field =
            if param.name.is_empty() { VARIANT_FIELD.to_owned() } else { member_field(parent, &param.name) };
        // The members of a whole-spec choice sit at the top, like the spec's own properties.
        let below = if param.name.is_empty() { parent.to_owned() } else { param.field.clone() };
        match &mut param.kind {
            ParamKind::Group { params } => assign(params, &below),
            ParamKind::Variants { variants } => {
                for variant in variants {
                    assign(&mut variant.params, &below);
                }
            }
            _ => {}
        }
    }
}

impl AuthMethod {
    /// Every param, members of groups and variants included, depth first.
    pub fn all_params(&self) -> Vec<&Param> {
        let mut out = Vec::new();
        walk(&self.params, &mut out);
        out
    }
}

fn walk<'a>(params: &'a [Param], out: &mut Vec<&'a Param>) {
    for param in params {
        out.push(param);
        match &param.kind {
            ParamKind::Group { params } => walk(params, out),
            ParamKind::Variants { variants } => variants.iter().for_each(|v| walk(&v.params, out)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::adobe::flow::ConnectionSpec;
    use crate::catalog::{builtin_source, builtin_sources, reconcile};

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
