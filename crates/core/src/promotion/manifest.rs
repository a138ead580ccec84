//! The manifest's format, version 1 (documented in the README; its JSON Schema is
//! `docs/manifest.schema.json`):
//!
//! ```yaml
//! version: 1
//! environments:
//!   dev:  { sandbox: dev,  vars: { PROJECT: acme-dev } }
//!   prod: { sandbox: prod, vars: { PROJECT: acme-prod } }
//! connections:
//!   - name: BigQuery marketing
//!     source: 3c9b37f8-13a6-43d8-bad3-b863b941fedd
//!     method: Basic Authentication
//!     values: { project: "${env.PROJECT}", clientId: 1234.apps.googleusercontent.com }
//!     secrets:
//!       clientSecret: { profile: BigQuery marketing }
//!       refreshToken: env:BQ_REFRESH_TOKEN
//!     dataflows: [ … the fields of `dataflow plan --from`, without connectionId … ]
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ManifestError;

pub const MANIFEST_VERSION: u32 = 1;
/// A manifest is read whole; past this it is refused, not read.
pub const MAX_MANIFEST_BYTES: usize = 1024 * 1024;
const MAX_CONNECTIONS: usize = 1_000;
const MAX_DATAFLOWS: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    pub version: u32,
    #[serde(default)]
    pub environments: BTreeMap<String, Environment>,
    #[serde(default)]
    pub connections: Vec<ConnectionEntry>,
}

/// Where an environment lives and the values its `${env.NAME}` references take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Environment {
    pub sandbox: String,
    /// The IMS org, when the environment is in another org than the default account's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
}

/// One connection and its dataflows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectionEntry {
    /// What ties the entry to the object it made, across renames; the name when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub name: String,
    /// The connection spec's id.
    pub source: String,
    /// The sign-in method (`auth.specName`).
    pub method: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The values that are not secret, by form field.
    #[serde(default)]
    pub values: BTreeMap<String, Value>,
    /// Where each secret field's value comes from.
    #[serde(default)]
    pub secrets: BTreeMap<String, SecretRef>,
    /// Each is a dataflow plan (`dataflow plan --from`) without its `connectionId`.
    #[serde(default)]
    pub dataflows: Vec<Value>,
}

impl ConnectionEntry {
    pub fn key(&self) -> &str {
        self.key.as_deref().unwrap_or(&self.name)
    }
}

/// Where a secret comes from, never what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SecretRef {
    /// `env:VAR` or `file:PATH`.
    Text(String),
    /// `{profile: NAME}`: the profile's keychain entry of the same field.
    Profile { profile: String },
    /// `{consent: true}`: a consent is run when the connection is made.
    Consent { consent: bool },
}

/// Where a [`SecretRef::Text`] points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextRef<'a> {
    Env(&'a str),
    File(&'a str),
}

impl SecretRef {
    /// The reference a text names; anything else is a value, which the manifest refuses.
    pub fn text(text: &str) -> Option<TextRef<'_>> {
        if let Some(var) = text.strip_prefix("env:") {
            let plain = !var.is_empty() && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            return plain.then_some(TextRef::Env(var));
        }
        text.strip_prefix("file:").filter(|p| !p.trim().is_empty()).map(TextRef::File)
    }
}

/// Reads a manifest from YAML (or JSON, which YAML reads too), refusing what is too large, of
/// another version, or holding a secret value in its `secrets`.
pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
    if text.len() > MAX_MANIFEST_BYTES {
        return Err(ManifestError::TooLarge { max: MAX_MANIFEST_BYTES });
    }
    // The version first, so a newer file says so instead of failing on a field it added.
    let raw: Value = serde_yaml_ng::from_str(text).map_err(|e| ManifestError::Unreadable(e.to_string()))?;
    let version = raw.get("version").and_then(Value::as_u64).unwrap_or(0);
    if version != u64::from(MANIFEST_VERSION) {
        return Err(ManifestError::Version { found: u32::try_from(version).unwrap_or(u32::MAX) });
    }
    let manifest: Manifest =
        serde_json::from_value(raw).map_err(|e| ManifestError::Unreadable(e.to_string()))?;
    if manifest.connections.len() > MAX_CONNECTIONS {
        return Err(ManifestError::Invalid {
            at: "connections".into(),
            message: format!("at most {MAX_CONNECTIONS} connections per manifest"),
        });
    }
    let mut keys = std::collections::BTreeSet::new();
    for (i, connection) in manifest.connections.iter().enumerate() {
        if !keys.insert(connection.key().to_owned()) {
            return Err(ManifestError::DuplicateKey(connection.key().to_owned()));
        }
        if connection.dataflows.len() > MAX_DATAFLOWS {
            return Err(ManifestError::Invalid {
                at: format!("connections[{i}].dataflows"),
                message: format!("at most {MAX_DATAFLOWS} dataflows per connection"),
            });
        }
        for (field, reference) in &connection.secrets {
            let at = || format!("connections[{i}] (“{}”).secrets.{field}", connection.name);
            match reference {
                SecretRef::Text(text) if SecretRef::text(text).is_none() => {
                    return Err(ManifestError::SecretValue { at: at() })
                }
                SecretRef::Consent { consent: false } => {
                    return Err(ManifestError::Invalid {
                        at: at(),
                        message: "consent: false names no source for the secret".into(),
                    })
                }
                _ => {}
            }
        }
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
version: 1
environments:
  dev: { sandbox: dev, vars: { PROJECT: acme-dev } }
connections:
  - name: BigQuery marketing
    source: 3c9b37f8-13a6-43d8-bad3-b863b941fedd
    method: Basic Authentication
    values: { project: "${env.PROJECT}", clientId: 1234.apps.googleusercontent.com }
    secrets:
      clientSecret: { profile: BigQuery marketing }
      refreshToken: env:BQ_REFRESH_TOKEN
"#;

    #[test]
    fn a_manifest_names_its_secrets_sources() {
        let manifest = parse(EXAMPLE).expect("parsed");
        let connection = &manifest.connections[0];
        assert_eq!(connection.key(), "BigQuery marketing");
        assert_eq!(
            connection.secrets["clientSecret"],
            SecretRef::Profile { profile: "BigQuery marketing".into() }
        );
        assert_eq!(SecretRef::text("env:BQ_REFRESH_TOKEN"), Some(TextRef::Env("BQ_REFRESH_TOKEN")));
        assert_eq!(SecretRef::text("file:/run/secrets/token"), Some(TextRef::File("/run/secrets/token")));
    }

    #[test]
    fn a_secret_value_is_refused_with_the_field_named() {
        let leaked = EXAMPLE.replace("env:BQ_REFRESH_TOKEN", "1//0gLeakedRefreshToken");
        let refused = parse(&leaked).unwrap_err();
        assert_eq!(
            refused,
            ManifestError::SecretValue {
                at: "connections[0] (“BigQuery marketing”).secrets.refreshToken".into()
            }
        );
        assert!(!refused.to_string().contains("Leaked"), "the value is not repeated");
        assert!(matches!(
            parse(&EXAMPLE.replace("version: 1", "version: 2")),
            Err(ManifestError::Version { found: 2 })
        ));
        assert!(matches!(parse(&format!("{EXAMPLE}    extra: 1\n")), Err(ManifestError::Unreadable(_))));
        assert!(matches!(parse(&"#".repeat(MAX_MANIFEST_BYTES + 1)), Err(ManifestError::TooLarge { .. })));
    }
}
