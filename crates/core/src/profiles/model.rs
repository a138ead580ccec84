//! What a profile holds, what the form sends to save one, and what is shared on export.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog::FormValues;
use crate::secrets::credentials::StoredSecrets;

/// A saved profile. It never holds a secret value: `secret_fields` names the fields whose
/// values are in the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub spec_id: String,
    pub spec_name: String,
    /// The source's display name, so listing needs no catalog.
    pub source_name: String,
    pub connection_name: String,
    #[serde(default)]
    pub description: String,
    /// The non-secret values, by field.
    #[ts(type = "Record<string, string>")]
    pub values: BTreeMap<String, String>,
    pub secret_fields: Vec<String>,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub sandbox: Option<String>,
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub updated_at: u64,
    #[ts(type = "number")]
    pub last_used_at: u64,
}

impl Profile {
    /// The keychain set holding this profile's secrets.
    pub fn secret_set(&self) -> String {
        format!("profile/{}", self.id)
    }

    pub(crate) fn matches(&self, query: &str) -> bool {
        let query = query.trim().to_lowercase();
        query.is_empty()
            || [&self.name, &self.source_name, &self.connection_name]
                .iter()
                .any(|text| text.to_lowercase().contains(&query))
    }
}

/// The form, as sent to "Save profile" or "Save as".
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfileDraft {
    /// The profile being edited; `None` saves a new one.
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    pub spec_id: String,
    pub spec_name: String,
    pub source_name: String,
    pub connection_name: String,
    #[serde(default)]
    pub description: String,
    #[ts(type = "Record<string, string>")]
    pub values: FormValues,
    #[serde(default)]
    #[ts(optional)]
    pub stored: Option<StoredSecrets>,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub sandbox: Option<String>,
}

/// A profile opened into the form: its values, where its secrets are, and which of them the
/// keychain no longer has (or never had, for an imported profile): the user is asked for those.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OpenedProfile {
    pub profile: Profile,
    pub stored: StoredSecrets,
    pub missing: Vec<String>,
}

/// A profile as exported for a team: no id, no account, no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedProfile {
    pub name: String,
    pub spec_id: String,
    pub spec_name: String,
    pub source_name: String,
    pub connection_name: String,
    #[serde(default)]
    pub description: String,
    pub values: BTreeMap<String, String>,
    /// The secrets the profile needs; whoever imports it enters them.
    #[serde(default)]
    pub secret_fields: Vec<String>,
}
