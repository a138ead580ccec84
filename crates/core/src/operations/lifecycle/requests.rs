//! What the lifecycle door is asked: one request type per operation, the same struct for the
//! window (deserialized from the UI, exported to TypeScript) and the command line.

use crate::adobe::flow::Place;
use crate::catalog::FormValues;
use crate::secrets::credentials::StoredSecrets;
use crate::store::origins::TokenIssue;

/// One folder (or the root) of a connection's source, from `start` where the source pages.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExploreRequest {
    pub account_id: String,
    pub sandbox: String,
    pub connection_id: String,
    /// The connection's source, whose catalog entry says how it is explored.
    pub spec_id: String,
    pub place: Place,
    #[serde(default)]
    #[ts(optional)]
    pub start: Option<u32>,
}

/// A table's columns, and its first rows when `preview` is set.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TableRequest {
    pub account_id: String,
    pub sandbox: String,
    pub connection_id: String,
    pub path: String,
    pub preview: bool,
    /// For a file: how to read it (`delimited`, `json` or `parquet`); a table when left out.
    #[serde(default)]
    #[ts(optional)]
    pub file_type: Option<String>,
}

/// The dataflows of the listed connections.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SummariesRequest {
    pub account_id: String,
    pub sandbox: String,
    pub connection_ids: Vec<String>,
}

/// The renew form of a connection of the source `spec_id`.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OpenRenewRequest {
    pub account_id: String,
    pub sandbox: String,
    pub connection_id: String,
    pub spec_id: String,
}

/// New credentials for a connection, sent with the etag the form was opened with.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RenewRequest {
    pub account_id: String,
    pub sandbox: String,
    pub connection_id: String,
    pub etag: String,
    pub spec_id: String,
    pub spec_name: String,
    #[ts(type = "Record<string, string>")]
    pub values: FormValues,
    #[serde(default)]
    #[ts(optional)]
    pub stored: Option<StoredSecrets>,
    /// Also put the new secrets into this profile.
    #[serde(default)]
    #[ts(optional)]
    pub update_profile: Option<String>,
    /// The new refresh token's issue, when a consent made it.
    #[serde(default)]
    #[ts(optional)]
    pub token: Option<TokenIssue>,
}

/// A profile, by id: whose refresh token's standing is asked for.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfileTokenRequest {
    pub profile_id: String,
}

/// The refresh token a consent put into a profile, by its issue.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RecordProfileTokenRequest {
    pub profile_id: String,
    pub token: TokenIssue,
}

/// A token the form holds (from a consent just now).
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TokenStatusRequest {
    pub token: TokenIssue,
}

/// An OAuth client marked (or unmarked) as in Google's Testing status.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TestingClientRequest {
    pub client_id: String,
    pub testing: bool,
}
