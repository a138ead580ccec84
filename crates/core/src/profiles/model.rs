//! What a profile holds, what the form sends to save one, and what is shared on export.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog::{AuthMethod, FormValues, ParamKind, Source};
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

/// The fields of `method` whose values are secrets: secret params, and the secret parts of a
/// connection string (a pasted whole string counts as secret too).
pub fn secret_fields(method: &AuthMethod) -> Vec<String> {
    let mut fields = Vec::new();
    for param in method.all_params() {
        if let ParamKind::ConnectionString { parts } = &param.kind {
            fields.push(param.field.clone());
            fields.extend(parts.iter().filter(|p| p.secret).map(|p| p.field.clone()));
        } else if param.secret {
            fields.push(param.field.clone());
        }
    }
    fields
}

/// The fields secret in any of `source`'s sign-in methods. A form keeps the values of every
/// method (switching keeps what was typed), so a key file typed for one method must stay a
/// secret when the profile is saved with another.
pub fn source_secret_fields(source: &Source) -> Vec<String> {
    let mut fields: Vec<String> = source.auth_methods.iter().flat_map(secret_fields).collect();
    fields.sort();
    fields.dedup();
    fields
}

/// Whether a field's name says it holds a secret, whatever a spec says of it. Used where no
/// spec can be trusted to mark it (an imported file), so that a secret is never taken as a
/// plain value: password, secret, token, private key, connection string, SAS.
pub fn looks_secret(name: &str) -> bool {
    let name: String =
        name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    [
        "password",
        "passwd",
        "passphrase",
        "secret",
        "token",
        "privatekey",
        "sshkey",
        "apikey",
        "connectionstring",
        "keyfile",
    ]
    .iter()
    .any(|word| name.contains(word))
        || name.starts_with("sas")
        || name.ends_with("sas")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_recognised() {
        for name in [
            "password",
            "clientSecret",
            "refreshToken",
            "private_key",
            "connectionString",
            "sasToken",
            "keyFileContent",
        ] {
            assert!(looks_secret(name), "{name}");
        }
        for name in ["host", "username", "projectId", "endpoint", "clientId", "database"] {
            assert!(!looks_secret(name), "{name}");
        }
    }

    #[test]
    fn every_method_s_secrets_count() {
        let bigquery =
            crate::catalog::builtin_source("3c9b37f8-13a6-43d8-bad3-b863b941fedd").expect("BigQuery");
        assert_eq!(source_secret_fields(bigquery), ["clientSecret", "keyFileContent", "refreshToken"]);
        let oracle = crate::catalog::builtin_source("d6b52d86-f0f8-475f-89d4-ce54c8527328").expect("Oracle");
        assert_eq!(source_secret_fields(oracle), ["connectionString", "password"]);
    }
}
