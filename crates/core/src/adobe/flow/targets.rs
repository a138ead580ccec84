//! Where a dataflow lands: the Schema Registry (the tenant, the classes, a schema's fields),
//! Catalog datasets and Identity Service namespaces. Reads only; creates go through `chain`.

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::chain::{XED_FULL, XED_ID};
use super::client::{parse, FlowClient, Service};
use super::error::FlowError;

/// Datasets per Catalog page, and the most pages walked (10,000 datasets).
const DATASET_PAGE: usize = 100;
const MAX_DATASET_PAGES: usize = 100;
/// The most fields a schema's tree is read to, and its deepest nesting.
pub const MAX_SCHEMA_FIELDS: usize = 20_000;
const MAX_DEPTH: usize = 16;

/// An XDM class a new schema can be built on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct XdmClass {
    pub id: String,
    pub title: String,
    /// `record` or `time-series`: what the class extends.
    pub behavior: String,
}

/// One leaf (or object) of a schema, by its dot path, as mappings name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SchemaField {
    pub path: String,
    /// `string`, `integer`, `number`, `boolean`, `date-time`, `date`, `object`, `array`.
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
}

/// A schema with its fields, flattened.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SchemaTree {
    pub id: String,
    pub title: String,
    pub class_id: String,
    /// Whether it is enabled for Profile (the irreversible `union` tag).
    pub profile: bool,
    pub fields: Vec<SchemaField>,
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DatasetSummary {
    pub id: String,
    pub name: String,
    pub schema_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IdentityNamespace {
    pub code: String,
    pub name: String,
}

impl FlowClient {
    /// The org's tenant id, under which every custom field sits (`_{tenant}`).
    pub async fn tenant_id(&self) -> Result<String, FlowError> {
        let stats: Value = parse(&self.read(self.service_url(Service::SchemaRegistry, &["stats"])).await?)?;
        stats
            .get("tenantId")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .map(str::to_owned)
            .ok_or(FlowError::UnexpectedResponse { status: 200, detail: "no tenantId in /stats".into() })
    }

    /// The global and the tenant's classes that are records or time series.
    pub async fn xdm_classes(&self) -> Result<Vec<XdmClass>, FlowError> {
        let mut classes = Vec::new();
        for container in ["global", "tenant"] {
            let url = self.service_url(Service::SchemaRegistry, &[container, "classes"]);
            let listing: Value = parse(&self.read_as(url, XED_ID).await?)?;
            for class in listing.get("results").and_then(Value::as_array).into_iter().flatten() {
                let extends: Vec<&str> = class
                    .get("meta:extends")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                let behavior = if extends.iter().any(|e| e.ends_with("/data/time-series")) {
                    "time-series"
                } else if extends.iter().any(|e| e.ends_with("/data/record")) {
                    "record"
                } else {
                    continue;
                };
                let text = |k: &str| class.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
                classes.push(XdmClass { id: text("$id"), title: text("title"), behavior: behavior.into() });
            }
        }
        Ok(classes)
    }

    /// A schema, resolved, with its fields flattened to dot paths.
    pub async fn schema_tree(&self, schema_id: &str) -> Result<SchemaTree, FlowError> {
        let url = self.service_url(Service::SchemaRegistry, &["tenant", "schemas", schema_id]);
        let full: Value = parse(&self.read_as(url, XED_FULL).await?)?;
        let text = |k: &str| full.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
        let mut fields = Vec::new();
        let mut truncated = false;
        if let Some(properties) = full.get("properties").and_then(Value::as_object) {
            flatten("", properties, 0, &mut fields, &mut truncated);
        }
        let profile = full
            .get("meta:immutableTags")
            .and_then(Value::as_array)
            .is_some_and(|tags| tags.iter().any(|t| t == "union"));
        Ok(SchemaTree {
            id: text("$id"),
            title: text("title"),
            class_id: text("meta:class"),
            profile,
            fields,
            truncated,
        })
    }

    /// Marks a schema for Profile: the `union` tag, which can never be removed.
    pub async fn enable_schema_for_profile(&self, schema_id: &str) -> Result<(), FlowError> {
        let url = self.service_url(Service::SchemaRegistry, &["tenant", "schemas", schema_id]);
        let body = serde_json::json!([{ "op": "add", "path": "/meta:immutableTags", "value": ["union"] }]);
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        self.once(Method::PATCH, url, Some(&bytes), None).await.map(drop)
    }

    /// The sandbox's datasets, with the schema each uses, every page up to 10,000.
    pub async fn datasets(&self) -> Result<Vec<DatasetSummary>, FlowError> {
        let mut all = Vec::new();
        for page in 0..MAX_DATASET_PAGES {
            let mut url = self.service_url(Service::Catalog, &["dataSets"]);
            url.query_pairs_mut()
                .append_pair("limit", &DATASET_PAGE.to_string())
                .append_pair("start", &(page * DATASET_PAGE).to_string())
                .append_pair("properties", "name,schemaRef");
            let found: serde_json::Map<String, Value> = parse(&self.read(url).await?)?;
            let count = found.len();
            all.extend(found.into_iter().map(|(id, v)| dataset(id, &v)));
            if count < DATASET_PAGE {
                break;
            }
        }
        Ok(all)
    }

    /// One dataset, or `NotFound`.
    pub async fn dataset(&self, id: &str) -> Result<DatasetSummary, FlowError> {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(FlowError::InvalidId { what: "dataset" });
        }
        let found: serde_json::Map<String, Value> =
            parse(&self.read(self.service_url(Service::Catalog, &["dataSets", id])).await?)?;
        found
            .into_iter()
            .next()
            .map(|(id, v)| dataset(id, &v))
            .ok_or(FlowError::UnexpectedResponse { status: 200, detail: "an empty dataset answer".into() })
    }

    /// Identity Service's namespaces, for a primary identity.
    pub async fn identity_namespaces(&self) -> Result<Vec<IdentityNamespace>, FlowError> {
        let listing: Vec<Value> =
            parse(&self.read(self.service_url(Service::Identity, &["identities"])).await?)?;
        Ok(listing
            .iter()
            .filter(|n| {
                n.get("status").and_then(Value::as_str).is_none_or(|s| s.eq_ignore_ascii_case("active"))
            })
            .map(|n| {
                let text = |k: &str| n.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
                IdentityNamespace { code: text("code"), name: text("name") }
            })
            .filter(|n| !n.code.is_empty())
            .collect())
    }
}

fn dataset(id: String, value: &Value) -> DatasetSummary {
    let text = |p: &str| value.pointer(p).and_then(Value::as_str).unwrap_or_default().to_owned();
    DatasetSummary { id, name: text("/name"), schema_id: text("/schemaRef/id") }
}

/// Every field under `properties`, objects included, depth first in the schema's order.
fn flatten(
    prefix: &str,
    properties: &serde_json::Map<String, Value>,
    depth: usize,
    out: &mut Vec<SchemaField>,
    truncated: &mut bool,
) {
    for (name, field) in properties {
        if out.len() >= MAX_SCHEMA_FIELDS || depth >= MAX_DEPTH {
            *truncated = true;
            return;
        }
        let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
        let kind = field.get("type").and_then(Value::as_str).unwrap_or("object");
        let kind = match (kind, field.get("format").and_then(Value::as_str)) {
            ("string", Some(format @ ("date-time" | "date"))) => format,
            (kind, _) => kind,
        };
        let title = field.get("title").and_then(Value::as_str).unwrap_or_default().to_owned();
        out.push(SchemaField { path: path.clone(), kind: kind.to_owned(), title });
        if let Some(children) = field.get("properties").and_then(Value::as_object) {
            flatten(&path, children, depth + 1, out, truncated);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_schema_flattens_to_dot_paths_with_formats() {
        let properties = json!({
            "_acme": { "type": "object", "properties": {
                "email": { "type": "string" },
                "joined": { "type": "string", "format": "date-time" },
            }},
            "person": { "type": "object", "properties": { "name": { "type": "object", "properties": {
                "firstName": { "type": "string", "title": "First name" } } } } },
        });
        let mut fields = Vec::new();
        let mut truncated = false;
        flatten("", properties.as_object().unwrap(), 0, &mut fields, &mut truncated);
        let paths: Vec<(&str, &str)> = fields.iter().map(|f| (f.path.as_str(), f.kind.as_str())).collect();
        assert!(paths.contains(&("_acme.joined", "date-time")));
        assert!(paths.contains(&("person.name.firstName", "string")));
        assert!(!truncated);
    }
}
