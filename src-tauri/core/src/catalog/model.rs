//! The shape of the source catalog: what the UI renders a form from, and what the request
//! builder turns the filled form into. These types are shared with the UI through ts-rs.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
}

/// One credential in `auth.params`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Param {
    /// The exact key in `auth.params`.
    pub name: String,
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
}

/// What kind of value a param holds; this decides the input and its validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
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
}
