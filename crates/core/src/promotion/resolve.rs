//! A manifest resolved for one environment: its `${env.NAME}` references replaced by the
//! environment's values, each connection's values checked to hold nothing secret (by the
//! source's own secret fields, and by name for a source this Flow Connect does not know), and
//! each dataflow read as the plan `dataflow create` takes.

use std::collections::BTreeMap;

use serde_json::Value;

use super::manifest::{Environment, Manifest, SecretRef};
use super::ManifestError;
use crate::catalog::secrets::names_a_secret;
use crate::dataflows::plan::DataflowPlan;

/// A manifest for one environment.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedManifest {
    pub environment: String,
    pub sandbox: String,
    pub org: Option<String>,
    pub connections: Vec<ResolvedConnection>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedConnection {
    pub key: String,
    pub name: String,
    pub source: String,
    pub method: String,
    pub description: String,
    /// Not secret, by form field, as text.
    pub values: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, SecretRef>,
    /// Each with an empty `connection_id`, filled once the connection exists.
    pub dataflows: Vec<DataflowPlan>,
}

/// `manifest` for `environment`; `secret_fields` gives a source's secret fields when the
/// source is known.
pub fn resolve(
    manifest: &Manifest,
    environment: &str,
    secret_fields: impl Fn(&str) -> Option<Vec<String>>,
) -> Result<ResolvedManifest, ManifestError> {
    // By its name, else by its sandbox; a manifest without environments is for any sandbox.
    let bare;
    let (environment, env) = match manifest.environments.get_key_value(environment) {
        Some((name, env)) => (name.as_str(), env),
        None => match manifest.environments.iter().find(|(_, e)| e.sandbox == environment) {
            Some((name, env)) => (name.as_str(), env),
            None if manifest.environments.is_empty() => {
                bare = Environment { sandbox: environment.to_owned(), org: None, vars: BTreeMap::new() };
                (environment, &bare)
            }
            None => return Err(ManifestError::UnknownEnvironment(environment.to_owned())),
        },
    };
    let mut connections = Vec::new();
    for (i, entry) in manifest.connections.iter().enumerate() {
        let here = |what: &str| format!("connections[{i}] (“{}”).{what}", entry.name);
        let secret = secret_fields(&entry.source);
        let mut values = BTreeMap::new();
        for (field, value) in &entry.values {
            let at = here(&format!("values.{field}"));
            let is_secret = match &secret {
                Some(fields) => fields.contains(field),
                None => names_a_secret(field),
            };
            if is_secret || entry.secrets.contains_key(field) {
                return Err(ManifestError::SecretValue { at });
            }
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Null => continue,
                other => other.to_string(),
            };
            values.insert(field.clone(), substitute(&text, env, environment, &at)?);
        }
        let mut dataflows = Vec::new();
        for (j, flow) in entry.dataflows.iter().enumerate() {
            let at = here(&format!("dataflows[{j}]"));
            let mut flow = substitute_all(flow, env, environment, &at)?;
            let Value::Object(fields) = &mut flow else {
                return Err(ManifestError::Invalid {
                    at,
                    message: "a dataflow is a mapping of its plan's fields".into(),
                });
            };
            if fields.contains_key("connectionId") {
                return Err(ManifestError::Invalid {
                    at,
                    message:
                        "connectionId is the connection's, given by where the dataflow is listed: remove it"
                            .into(),
                });
            }
            fields.insert("connectionId".into(), Value::String(String::new()));
            let plan: DataflowPlan = serde_json::from_value(flow)
                .map_err(|e| ManifestError::Invalid { at, message: e.to_string() })?;
            dataflows.push(plan);
        }
        connections.push(ResolvedConnection {
            key: entry.key().to_owned(),
            name: substitute(&entry.name, env, environment, &here("name"))?,
            source: entry.source.trim().to_owned(),
            method: entry.method.clone(),
            description: substitute(&entry.description, env, environment, &here("description"))?,
            values,
            secrets: entry.secrets.clone(),
            dataflows,
        });
    }
    Ok(ResolvedManifest {
        environment: environment.to_owned(),
        sandbox: env.sandbox.clone(),
        org: env.org.clone(),
        connections,
    })
}

/// `text` with each `${env.NAME}` replaced by the environment's value.
fn substitute(text: &str, env: &Environment, environment: &str, at: &str) -> Result<String, ManifestError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${env.") {
        out.push_str(&rest[..start]);
        let after = &rest[start + "${env.".len()..];
        let Some(end) = after.find('}') else {
            return Err(ManifestError::Invalid {
                at: at.to_owned(), message: "an unclosed ${env.…}".into()
            });
        };
        let name = &after[..end];
        let value = env.vars.get(name).ok_or_else(|| ManifestError::UnknownVariable {
            at: at.to_owned(),
            name: name.to_owned(),
            environment: environment.to_owned(),
        })?;
        out.push_str(value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn substitute_all(
    value: &Value,
    env: &Environment,
    environment: &str,
    at: &str,
) -> Result<Value, ManifestError> {
    Ok(match value {
        Value::String(s) => Value::String(substitute(s, env, environment, at)?),
        Value::Array(items) => Value::Array(
            items.iter().map(|v| substitute_all(v, env, environment, at)).collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), substitute_all(v, env, environment, at)?)))
                .collect::<Result<_, ManifestError>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    const MANIFEST: &str = r#"
version: 1
environments:
  dev: { sandbox: dev, vars: { PROJECT: acme-dev, DATASET: Sales dev } }
  prod: { sandbox: prod, vars: { PROJECT: acme-prod, DATASET: Sales } }
connections:
  - name: BigQuery marketing
    source: 3c9b37f8-13a6-43d8-bad3-b863b941fedd
    method: Basic Authentication
    values: { project: "${env.PROJECT}", clientId: 1234.apps.googleusercontent.com }
    secrets:
      clientSecret: { profile: BigQuery marketing }
      refreshToken: { profile: BigQuery marketing }
    dataflows:
      - name: Orders to ${env.DATASET}
        source: { kind: table, path: sales.orders, columns: [{ name: id, type: string }] }
        target: { kind: existing, datasetId: "5f0c" }
        schedule: { frequency: hour, interval: 1 }
"#;

    fn bigquery_secrets(source: &str) -> Option<Vec<String>> {
        (source == "3c9b37f8-13a6-43d8-bad3-b863b941fedd")
            .then(|| vec!["clientSecret".to_owned(), "refreshToken".to_owned()])
    }

    #[test]
    fn one_file_resolves_for_each_environment() {
        let manifest = parse(MANIFEST).expect("parsed");
        let dev = resolve(&manifest, "dev", bigquery_secrets).expect("dev");
        let prod = resolve(&manifest, "prod", bigquery_secrets).expect("prod");
        assert_eq!((dev.sandbox.as_str(), prod.sandbox.as_str()), ("dev", "prod"));
        assert_eq!(dev.connections[0].values["project"], "acme-dev");
        assert_eq!(prod.connections[0].values["project"], "acme-prod");
        assert_eq!(prod.connections[0].dataflows[0].name, "Orders to Sales");
        assert_eq!(prod.connections[0].dataflows[0].connection_id, "");
        assert!(matches!(
            resolve(&manifest, "stage", bigquery_secrets),
            Err(ManifestError::UnknownEnvironment(_))
        ));
    }

    #[test]
    fn a_secret_in_the_values_or_an_unknown_variable_is_refused() {
        let leaked = MANIFEST.replace("clientId: 1234", "clientSecret: GOCSPX-leaked, clientId: 1234");
        let refused = resolve(&parse(&leaked).expect("parsed"), "dev", bigquery_secrets).unwrap_err();
        assert_eq!(
            refused,
            ManifestError::SecretValue {
                at: "connections[0] (“BigQuery marketing”).values.clientSecret".into()
            }
        );
        // A source Flow Connect does not know: a field named like a secret is refused all the same.
        let unknown =
            leaked.replace("3c9b37f8-13a6-43d8-bad3-b863b941fedd", "00000000-0000-0000-0000-000000000000");
        assert!(matches!(
            resolve(&parse(&unknown).expect("parsed"), "dev", bigquery_secrets),
            Err(ManifestError::SecretValue { .. })
        ));
        let typo = MANIFEST.replace("${env.PROJECT}", "${env.PROJET}");
        assert!(matches!(
            resolve(&parse(&typo).expect("parsed"), "dev", bigquery_secrets),
            Err(ManifestError::UnknownVariable { name, .. }) if name == "PROJET"
        ));
    }
}
