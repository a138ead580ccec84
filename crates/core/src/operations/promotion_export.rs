//! Export as code: a sandbox's connections and their dataflows written as a manifest, read
//! from the live objects (the connection, each flow, its source and target connections and the
//! mapping version it runs). No secret is read: each secret field becomes a reference to the
//! profile the connection was made from, when Flow Connect knows it and the profile keeps that
//! field, else `{consent: true}` for a token a consent gets (run again where the manifest is
//! applied), else an `env:` placeholder to fill in. A target dataset becomes a variable of the
//! exported environment holding its name (which a dataset of that name in another sandbox
//! answers to), so the file can be given other values for stage and prod.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use ts_rs::TS;

use super::promotion::Promotion;
use super::promotion_consent::filled_by_consent;
use super::renew;
use crate::adobe::flow::{FlowClient, FlowObject, ListQuery};
use crate::catalog::secrets::secret_fields_of;
use crate::dataflows::manage::{rows_of, running_mapping};
use crate::operations::failure::{ErrorCode, Failure};
use crate::promotion::MANIFEST_VERSION;

/// The most connections one export reads.
const MAX_CONNECTIONS: usize = 1_000;

/// A sandbox's connections (all, or those named) to export.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExportRequest {
    pub account_id: String,
    pub sandbox: String,
    /// Names or ids; every connection of the sandbox when empty.
    #[serde(default)]
    pub connections: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExportedManifest {
    /// The manifest, as YAML.
    pub manifest: String,
    /// The `env:` placeholders to fill before applying (secrets no profile holds).
    pub placeholders: Vec<String>,
}

impl Promotion<'_> {
    pub async fn export(&self, request: &ExportRequest) -> Result<ExportedManifest, Failure> {
        let ops = self.ops;
        let client = ops.client_for(&request.account_id, &request.sandbox).await?;
        let mut listed = Vec::new();
        let mut token = None;
        while listed.len() < MAX_CONNECTIONS {
            let query = ListQuery {
                spec_ids: Vec::new(),
                name: None,
                limit: Some(100),
                continuation_token: token.take(),
            };
            let page = client.list_connections(&query).await?;
            listed.extend(page.items);
            token = page.continuation_token;
            if token.is_none() {
                break;
            }
        }
        if !request.connections.is_empty() {
            for wanted in &request.connections {
                if !listed.iter().any(|c| c.id == *wanted || c.name == *wanted) {
                    return Err(Failure::new(
                        ErrorCode::NotFound,
                        format!("The sandbox “{}” has no connection named “{wanted}”.", request.sandbox),
                    ));
                }
            }
            listed.retain(|c| request.connections.iter().any(|w| *w == c.id || *w == c.name));
        }
        let mut vars = BTreeMap::new();
        let mut placeholders = Vec::new();
        let mut connections = Vec::new();
        for connection in listed {
            let source = ops.catalog().live_source(&client, &connection.connection_spec.id).await?;
            let (read, params) = client.connection_with_params(&connection.id).await?;
            let method = read.auth_spec_name.clone().unwrap_or_default();
            let values = renew::known_values(&source, &method, &params);
            let secret = secret_fields_of(&source);
            let profile = match ops.origins.origin(&connection.id).await.and_then(|o| o.profile_id) {
                Some(id) => ops.profiles.profile(&id).await,
                None => None,
            };
            let mut secrets = Map::new();
            let fields = source.auth_method(&method).map(|m| m.all_params()).unwrap_or_default();
            let consented = filled_by_consent(&source, &method);
            for param in fields.iter().filter(|p| secret.contains(&p.field) || p.secret) {
                let reference = match &profile {
                    Some(p) if p.secret_fields.contains(&param.field) => json!({ "profile": p.name }),
                    // A token is got again where the connection goes, not carried there.
                    _ if consented.contains(&param.field.as_str()) => json!({ "consent": true }),
                    _ => {
                        let var = format!("{}_{}", upper_snake(&connection.name), upper_snake(&param.field));
                        placeholders.push(format!("env:{var} ({} of “{}”)", param.field, connection.name));
                        json!(format!("env:{var}"))
                    }
                };
                secrets.insert(param.field.clone(), reference);
            }
            let dataflows = self.export_flows(&client, &connection.id, &mut vars).await?;
            let mut entry = json!({
                "name": connection.name,
                "source": connection.connection_spec.id,
                "method": method,
                "values": values,
                "secrets": secrets,
            });
            if !read.description.trim().is_empty() {
                entry["description"] = json!(read.description.trim());
            }
            if !dataflows.is_empty() {
                entry["dataflows"] = json!(dataflows);
            }
            connections.push(entry);
        }
        let manifest = json!({
            "version": MANIFEST_VERSION,
            "environments": { request.sandbox.clone(): { "sandbox": request.sandbox, "vars": vars } },
            "connections": connections,
        });
        let manifest = serde_yaml_ng::to_string(&manifest).map_err(|e| {
            Failure::new(ErrorCode::Storage, format!("The manifest could not be written ({e})."))
        })?;
        Ok(ExportedManifest { manifest, placeholders })
    }

    /// A connection's dataflows as plans without `connectionId`; each target dataset's id
    /// becomes a variable of the environment.
    async fn export_flows(
        &self,
        client: &FlowClient,
        connection_id: &str,
        vars: &mut BTreeMap<String, String>,
    ) -> Result<Vec<Value>, Failure> {
        let mut flows = Vec::new();
        for flow in client.flows_of_connection(connection_id).await? {
            let Some(source_id) = flow.source_connection_ids.first() else { continue };
            let Some(target_id) = flow.target_connection_ids.first() else { continue };
            let source = client.flow_object(FlowObject::Source, source_id).await?;
            let target = client.flow_object(FlowObject::Target, target_id).await?;
            let dataset = target.pointer("/params/dataSetId").and_then(Value::as_str).unwrap_or_default();
            // By name, which a dataset of the same name in another sandbox also answers to; the
            // id when the name cannot be read.
            let named = match client.dataset(dataset).await {
                Ok(found) if !found.name.is_empty() => found.name,
                _ => dataset.to_owned(),
            };
            let var = format!("DATASET_{}", upper_snake(&flow.name));
            vars.insert(var.clone(), named);
            let mut plan = json!({
                "name": flow.name,
                "source": source_plan(&source),
                "target": { "kind": "existing", "datasetId": format!("${{env.{var}}}") },
                "schedule": schedule_plan(&flow.schedule_params),
            });
            let description = strip_marker(&flow.description);
            if !description.is_empty() {
                plan["description"] = json!(description);
            }
            // The delta column, from the flow's `Copy` transformation.
            let delta = flow.transformations.as_array().into_iter().flatten().find_map(|t| {
                (t.get("name").and_then(Value::as_str) == Some("Copy"))
                    .then(|| t.pointer("/params/deltaColumn/name").and_then(Value::as_str))
                    .flatten()
            });
            if let Some(delta) = delta {
                plan["deltaColumn"] = json!(delta);
            }
            if let Some((set_id, version)) = running_mapping(&flow) {
                let set = match version {
                    Some(v) => client.mapping_set_at(&set_id, v).await?,
                    None => client.mapping_set(&set_id).await?,
                };
                plan["mappings"] = json!(rows_of(&set));
            }
            flows.push(plan);
        }
        Ok(flows)
    }
}

/// The source of a plan, from the source connection Flow Service holds.
fn source_plan(source: &Value) -> Value {
    let params = source.get("params").cloned().unwrap_or(Value::Null);
    let format = source.pointer("/data/format").and_then(Value::as_str).unwrap_or("tabular");
    if format.eq_ignore_ascii_case("tabular") {
        let columns: Vec<Value> = params
            .get("columns")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| {
                let name = c.get("name")?.as_str()?;
                let mut column = json!({ "name": name, "type": c.get("type").and_then(Value::as_str).unwrap_or("string") });
                if let Some(xdm) = c.get("meta:xdmType").and_then(Value::as_str) {
                    column["xdmType"] = json!(xdm);
                }
                Some(column)
            })
            .collect();
        return json!({ "kind": "table", "path": params.get("tableName").cloned().unwrap_or(json!("")), "columns": columns });
    }
    let properties = source.pointer("/data/properties").cloned().unwrap_or(json!({}));
    let mut file_format = json!({ "format": format });
    for (from, to) in
        [("columnDelimiter", "delimiter"), ("encoding", "encoding"), ("compressionType", "compression")]
    {
        if let Some(v) = properties.get(from) {
            file_format[to] = v.clone();
        }
    }
    json!({
        "kind": "files",
        "path": params.get("path").cloned().unwrap_or(json!("")),
        "objectType": params.get("type").cloned().unwrap_or(json!("folder")),
        "recursive": params.get("recursive").cloned().unwrap_or(json!(false)),
        "format": file_format,
    })
}

/// The schedule, without its start time: a promoted dataflow starts when it is applied.
fn schedule_plan(params: &Value) -> Value {
    let text = |name: &str| {
        params
            .get(name)
            .and_then(|v| v.as_str().map(str::to_owned).or_else(|| v.as_i64().map(|n| n.to_string())))
    };
    let frequency = text("frequency").unwrap_or_else(|| "once".into());
    let mut plan = json!({ "frequency": frequency });
    if frequency != "once" {
        if let Some(interval) = text("interval").and_then(|i| i.parse::<u32>().ok()) {
            plan["interval"] = json!(interval);
        }
    }
    plan
}

/// A description without the marker Flow Connect put in it when it made the objects.
fn strip_marker(description: &str) -> String {
    match description.find("[flow-connect dataflow ") {
        Some(at) => description[..at].trim().to_owned(),
        None => description.trim().to_owned(),
    }
}

/// `Salesforce CRM` → `SALESFORCE_CRM`, `clientSecret` → `CLIENT_SECRET`.
fn upper_snake(text: &str) -> String {
    let mut out = String::new();
    let mut last_lower = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && last_lower {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
            last_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
            last_lower = false;
        }
    }
    out.trim_end_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_variables_and_markers_come_off() {
        assert_eq!(upper_snake("Salesforce CRM"), "SALESFORCE_CRM");
        assert_eq!(upper_snake("clientSecret"), "CLIENT_SECRET");
        assert_eq!(upper_snake("Orders → Profile (v2)"), "ORDERS_PROFILE_V2");
        assert_eq!(strip_marker("Daily orders [flow-connect dataflow 0123456789abcdef]"), "Daily orders");
        assert_eq!(
            schedule_plan(&json!({ "frequency": "hour", "interval": "2", "startTime": "1" })),
            json!({ "frequency": "hour", "interval": 2 })
        );
    }
}
