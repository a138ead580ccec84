//! The fake Catalog's datasets (`/data/foundation/catalog/dataSets`) in Catalog's own shapes:
//! lists are objects keyed by dataset id, and a create answers 201 with a bare array of
//! `"@/dataSets/{id}"`.

use serde_json::{json, Map, Value};

use super::{body, catalog_error, sandbox, text};
use crate::http::{Request, Response};
use crate::platform::{now_ms, State};

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 100;

pub(super) fn route(state: &mut State, request: &Request, segments: &[&str]) -> Response {
    match (request.method.as_str(), segments) {
        ("GET", ["dataSets"]) => list(state, request),
        ("GET", ["dataSets", id]) => one(state, request, id),
        ("POST", ["dataSets"]) => create(state, request),
        ("DELETE", ["dataSets", id]) => delete(state, request, id),
        _ => catalog_error(404, &format!("No such Catalog path: {}", request.path)),
    }
}

fn list(state: &State, request: &Request) -> Response {
    let sandbox = sandbox(request);
    let number = |name: &str, default: usize| match request.query(name).map(str::parse::<usize>) {
        None => Ok(default),
        Some(Ok(n)) => Ok(n),
        Some(Err(_)) => Err(catalog_error(400, &format!("{name} must be a whole number"))),
    };
    // Catalog serves at most 100 objects a request, however many are asked for.
    let limit = match number("limit", DEFAULT_LIMIT) {
        Ok(limit) => limit.clamp(1, MAX_LIMIT),
        Err(refused) => return refused,
    };
    let start = match number("start", 0) {
        Ok(start) => start,
        Err(refused) => return refused,
    };
    let properties: Option<Vec<&str>> =
        request.query("properties").map(|p| p.split(',').map(str::trim).filter(|p| !p.is_empty()).collect());
    let name = request.query("name");
    let mut answer = Map::new();
    let found = state
        .dataflow
        .datasets
        .iter()
        .filter(|d| d["sandboxName"] == sandbox.as_str())
        .filter(|d| name.is_none_or(|n| d["name"] == n));
    for dataset in found.skip(start).take(limit) {
        let id = dataset["id"].as_str().unwrap_or_default().to_owned();
        answer.insert(id, shown(dataset, properties.as_deref()));
    }
    Response::json(200, &Value::Object(answer))
}

/// A dataset as listed: without its id (the key), restricted to `properties` when asked.
fn shown(dataset: &Value, properties: Option<&[&str]>) -> Value {
    let mut fields = dataset.as_object().cloned().unwrap_or_default();
    fields.remove("id");
    if let Some(keep) = properties {
        fields.retain(|key, _| keep.contains(&key.as_str()));
    }
    Value::Object(fields)
}

fn one(state: &State, request: &Request, id: &str) -> Response {
    let sandbox = sandbox(request);
    match state.dataflow.datasets.iter().find(|d| d["id"] == id && d["sandboxName"] == sandbox.as_str()) {
        Some(dataset) => Response::json(200, &json!({ id: shown(dataset, None) })),
        None => catalog_error(404, &format!("Dataset {id} was not found")),
    }
}

fn create(state: &mut State, request: &Request) -> Response {
    let body = match body(request, catalog_error) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let sandbox = sandbox(request);
    let Some(name) = text(&body, "/name") else {
        return catalog_error(400, "name is required");
    };
    let schema_id = body.pointer("/schemaRef/id").and_then(Value::as_str).unwrap_or_default();
    let Some(schema) =
        state.dataflow.schemas.iter().find(|s| s["$id"] == schema_id && s["sandboxName"] == sandbox.as_str())
    else {
        return catalog_error(400, &format!("schemaRef.id '{schema_id}' is not a schema of this sandbox"));
    };
    let content_type = body.pointer("/schemaRef/contentType").and_then(Value::as_str).unwrap_or_default();
    if !content_type.starts_with("application/vnd.adobe.xed") {
        return catalog_error(400, "schemaRef.contentType must be application/vnd.adobe.xed+json;version=1");
    }
    if let Some(profile) = body.pointer("/tags/unifiedProfile") {
        // Sent as the string array the documentation's example sends, not as a boolean.
        let flags: Option<Vec<String>> = profile
            .as_array()
            .and_then(|a| a.iter().map(|f| f.as_str().map(|s| s.replace(' ', ""))).collect());
        let enabled = match flags.as_deref() {
            Some([flag]) if flag == "enabled:true" => true,
            Some([flag]) if flag == "enabled:false" => false,
            _ => return catalog_error(400, "tags.unifiedProfile must be [\"enabled: true\"]"),
        };
        let union = schema["meta:immutableTags"].as_array().is_some_and(|t| t.iter().any(|t| t == "union"));
        if enabled && !union {
            return catalog_error(400, "The dataset's schema is not enabled for Profile (no union tag)");
        }
    }
    let id = state.dataflow.hex(24);
    let now = now_ms();
    let mut dataset = json!({
        "id": id, "name": name, "description": body.get("description").cloned().unwrap_or(json!("")),
        "schemaRef": body["schemaRef"], "created": now, "updated": now,
        "createdUser": format!("{}@techacct.adobe.com", state.config.client_id), "imsOrg": state.config.org_id,
        "sandboxName": sandbox, "version": "1.0.0", "files": format!("@/dataSetFiles?dataSetId={id}"),
    });
    if let Some(tags) = body.get("tags") {
        dataset["tags"] = tags.clone();
    }
    state.dataflow.datasets.push(dataset);
    Response::json(201, &json!([format!("@/dataSets/{id}")]))
}

fn delete(state: &mut State, request: &Request, id: &str) -> Response {
    let sandbox = sandbox(request);
    let df = &mut state.dataflow;
    let used = df.target_connections.iter().any(|t| t["params"]["dataSetId"] == id);
    let Some(index) = df.datasets.iter().position(|d| d["id"] == id && d["sandboxName"] == sandbox.as_str())
    else {
        return catalog_error(404, &format!("Dataset {id} was not found"));
    };
    if used {
        return catalog_error(
            400,
            "The dataset is the target of a dataflow's target connection; delete that first",
        );
    }
    df.datasets.remove(index);
    Response::json(200, &json!([format!("@/dataSets/{id}")]))
}
