//! What the connections door is asked: one request type per operation, the same struct for the
//! window (deserialized from the UI, exported to TypeScript) and the command line.

use crate::catalog::FormValues;
use crate::secrets::credentials::StoredSecrets;
use crate::store::origins::{MintedCredential, Origin, SignedCredential, TokenIssue, TokenStatus};

/// A filled form (or a profile), ready to become `POST /connections`.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionRequest {
    pub account_id: String,
    pub sandbox: String,
    pub spec_id: String,
    pub spec_name: String,
    pub name: String,
    pub description: String,
    #[ts(type = "Record<string, string>")]
    pub values: FormValues,
    /// Secret fields held in the keychain (a consent's tokens, a profile's secrets); a value
    /// typed into the form wins over the stored one.
    #[serde(default)]
    #[ts(optional)]
    pub stored: Option<StoredSecrets>,
    /// The user saw that the sandbox already has a connection of this source with this name,
    /// and wants a second one.
    #[serde(default)]
    #[ts(optional)]
    pub allow_duplicate: Option<bool>,
    /// The profile the form was opened from, recorded as the connection's origin.
    #[serde(default)]
    #[ts(optional)]
    pub profile_id: Option<String>,
    /// The refresh token's issue, when a consent in this form made it.
    #[serde(default)]
    #[ts(optional)]
    pub token: Option<TokenIssue>,
    /// The JWT signed in this form (`connections().sign_jwt`), recorded for its renewal.
    #[serde(default)]
    #[ts(optional)]
    pub signed: Option<SignedCredential>,
    /// When the client secret ends, as the user entered it, to remind before then.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub secret_expires_at: Option<i64>,
    /// The access token minted in this form with client credentials (`connections().mint_token`).
    #[serde(default)]
    #[ts(optional)]
    pub minted: Option<MintedCredential>,
}

/// One connection of a sandbox, by id: what test, delete and health are asked about.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionTarget {
    pub account_id: String,
    pub sandbox: String,
    pub connection_id: String,
}

/// The connections of a sandbox, optionally of one source only, from a position in the list.
#[derive(Debug, Clone, Default, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ListRequest {
    pub account_id: String,
    pub sandbox: String,
    /// Only this source's connections; none or an empty one means every source.
    #[serde(default)]
    pub spec_id: Option<String>,
    /// Where the previous page ended.
    #[serde(default)]
    pub continuation_token: Option<String>,
}

/// A new name, sent with the etag the connection was listed with.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RenameRequest {
    pub account_id: String,
    pub sandbox: String,
    pub connection_id: String,
    pub etag: String,
    pub name: String,
}

/// An account's sandbox: whose connections' origins are asked for.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SandboxRequest {
    pub account_id: String,
    pub sandbox: String,
}

/// A connection's origin, with its token's standing.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OriginView {
    pub origin: Origin,
    pub token: Option<TokenStatus>,
}
