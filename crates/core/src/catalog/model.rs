//! The shape of the source catalog: what the UI renders a form from, and what the request
//! builder turns the filled form into. These types are shared with the UI through ts-rs.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::consent::ConsentKind;
use crate::adobe::flow::ExploreSupport;
use crate::oauth::client_check::check_for;

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
    /// The provider a client-credentials sign-in can be checked at before create (Salesforce's
    /// "OAuth2 Client Credential"), by the same rule as the consent: computed, never read.
    #[serde(default)]
    pub credential_check: Option<CredentialCheck>,
    /// Key material made here for it (a Snowflake key pair, a signed JWT), by the same rule:
    /// computed, never read.
    #[serde(default)]
    pub key_material: Option<crate::keys::KeyMaterial>,
    /// The field of a client secret made with an end date at its provider (Entra, Salesforce,
    /// OneTrust): the form offers to record that date for the expiry radar. None for a method
    /// whose secret sits beside a consent's tokens, whose end the consent already tracks.
    #[serde(default)]
    pub client_secret_field: Option<String>,
    /// A token minted here with client credentials (OneTrust), by the same kind of rule.
    #[serde(default)]
    pub minted_token: Option<crate::oauth::client_mint::MintedToken>,
}

/// A check before create a method offers: at which provider, and whether it asks for the
/// Entra tenant (typed for the check only, as `oauth::client_check::TENANT_VALUE`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CredentialCheck {
    pub provider: String,
    pub asks_tenant: bool,
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
            method.consent =
                ConsentKind::of(&self.spec_id, &self.spec_key, method.params.iter().map(|p| p.name.as_str()));
            method.credential_check = check_for(&self.spec_id, method.params.iter().map(|p| p.name.as_str()))
                .map(|c| CredentialCheck { provider: c.provider.to_owned(), asks_tenant: c.asks_tenant() });
            method.key_material =
                crate::keys::material_for(&self.spec_id, method.params.iter().map(|p| p.name.as_str()));
            method.minted_token = crate::oauth::client_mint::mint_for(
                &self.spec_id,
                method.params.iter().map(|p| p.name.as_str()),
            )
            .map(|m| crate::oauth::client_mint::MintedToken {
                provider: m.provider.to_owned(),
                token_field: m.token.to_owned(),
            });
            method.client_secret_field = (method.consent == ConsentKind::None)
                .then(|| {
                    method
                        .params
                        .iter()
                        .find(|p| CLIENT_SECRETS.contains(&p.name.as_str()))
                        .map(|p| p.field.clone())
                })
                .flatten();
        }
        self
    }
}

/// The params that hold a client secret an identity provider gives an end date.
const CLIENT_SECRETS: [&str; 2] = ["clientSecret", "servicePrincipalKey"];

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
