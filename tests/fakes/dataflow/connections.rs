//! Source and target connections of the fake Flow Service: created (also as drafts) with the
//! checks the reference describes for table, file and REST bodies and for the Data Lake
//! target, listed, read, published and deleted (refused while a flow uses them). Source
//! connections join the lifecycle model's list, so health listings see them.

use serde_json::{json, Value};

use super::{bad_flow, flow_not_found, sandbox, text, DATA_LAKE};
use crate::files::is_file_source;
use crate::http::{Request, Response};
use crate::lifecycle;
use crate::platform::{flow_error, now_ms, uuid_like, State, FLOW};

const FILE_FORMATS: [&str; 3] = ["delimited", "json", "parquet"];
const ENCODINGS: [&str; 2] = ["UTF-8", "ISO-8859-1"];
const COMPRESSIONS: [&str; 6] = ["bzip2", "gzip", "deflate", "zipDeflate", "tarGzip", "tar"];

pub(super) fn new_id(state: &mut State) -> String {
    state.counter += 1;
    uuid_like(state.counter)
}

pub(super) fn new_etag(state: &mut State) -> String {
    state.counter += 1;
    format!("\"{}\"", uuid_like(state.counter.wrapping_mul(7919)))
}

/// The fields Flow Service adds to every object it stores.
pub(super) fn stamp(state: &mut State, object: &mut Value, sandbox: &str, draft: bool) {
    let (id, etag, now) = (new_id(state), new_etag(state), now_ms());
    let by = format!("{}@techacct.adobe.com", state.config.client_id);
    for (key, value) in [
        ("id", json!(id)),
        ("createdAt", json!(now)),
        ("updatedAt", json!(now)),
        ("createdBy", json!(by)),
        ("updatedBy", json!(by)),
        ("createdClient", json!(state.config.client_id)),
        ("updatedClient", json!(state.config.client_id)),
        ("sandboxId", json!(format!("{sandbox}-id"))),
        ("sandboxName", json!(sandbox)),
        ("imsOrgId", json!(state.config.org_id)),
        ("state", json!(if draft { "draft" } else { "enabled" })),
        ("etag", json!(etag)),
        ("version", json!(etag)),
    ] {
        object[key] = value;
    }
    if object.get("description").is_none() {
        object["description"] = json!("");
    }
}

pub(super) fn is_draft(request: &Request) -> bool {
    request.query("mode").is_some_and(|m| m.eq_ignore_ascii_case("draft"))
}

fn check_source(state: &State, sandbox: &str, body: &Value) -> Result<(), String> {
    text(body, "/name").ok_or("name is required")?;
    let spec_id = text(body, "/connectionSpec/id").ok_or("connectionSpec.id is required")?;
    let base_id = text(body, "/baseConnectionId").ok_or("baseConnectionId is required")?;
    let base = state
        .connections
        .iter()
        .find(|c| c["id"] == base_id && c["sandboxName"] == sandbox)
        .ok_or_else(|| format!("baseConnectionId {base_id} is not a connection of this sandbox"))?;
    if base.pointer("/connectionSpec/id").and_then(Value::as_str) != Some(spec_id) {
        return Err(format!(
            "connectionSpec.id {spec_id} differs from the base connection's spec {}",
            base["connectionSpec"]["id"]
        ));
    }
    let format = text(body, "/data/format").ok_or("data.format is required")?;
    let files = is_file_source(spec_id);
    match format {
        "tabular" if files => Err("A file-based source reads delimited, json or parquet, not tabular".into()),
        "tabular" => check_table(&body["params"]),
        "delimited" | "parquet" => check_file(body),
        "json" if files => check_file(body),
        // REST sources (Sources SDK) send their own params, `{}` for some.
        "json" => match body.get("params") {
            None | Some(Value::Object(_)) => Ok(()),
            Some(_) => Err("params must be an object".into()),
        },
        other => Err(format!(
            "data.format must be tabular, {} (lowercase), not '{other}'",
            FILE_FORMATS.join(", ")
        )),
    }
}

fn check_table(params: &Value) -> Result<(), String> {
    text(params, "/tableName").ok_or("params.tableName is required for a tabular source")?;
    let columns = params["columns"].as_array().filter(|c| !c.is_empty());
    for column in columns.ok_or("params.columns must be a non-empty array")? {
        if text(column, "/name").is_none() || !column["type"].is_string() {
            return Err(format!("Each of params.columns needs a name and a type: {column}"));
        }
    }
    Ok(())
}

fn check_file(body: &Value) -> Result<(), String> {
    let params = &body["params"];
    text(params, "/path").ok_or("params.path is required for a file-based source")?;
    if !matches!(params["type"].as_str(), Some("file" | "folder")) {
        return Err("params.type must be file or folder".into());
    }
    if params.get("recursive").is_some_and(|r| !r.is_boolean()) {
        return Err("params.recursive must be a boolean".into());
    }
    let properties = &body["data"]["properties"];
    if let Some(delimiter) = properties.get("columnDelimiter") {
        if delimiter.as_str().is_none_or(|d| d.chars().count() != 1) {
            return Err("data.properties.columnDelimiter must be a single character".into());
        }
    }
    let one_of = |key: &str, allowed: &[&str]| match properties.get(key) {
        Some(value) if value.as_str().is_none_or(|v| !allowed.contains(&v)) => {
            Err(format!("data.properties.{key} must be one of {}", allowed.join(", ")))
        }
        _ => Ok(()),
    };
    one_of("encoding", &ENCODINGS)?;
    one_of("compressionType", &COMPRESSIONS)
}

fn check_target(state: &State, sandbox: &str, body: &Value) -> Result<(), String> {
    if body.pointer("/connectionSpec/id").and_then(Value::as_str) != Some(DATA_LAKE) {
        return Err(format!("connectionSpec.id must be the Data Lake spec {DATA_LAKE}"));
    }
    let dataset_id = body.pointer("/params/dataSetId").and_then(Value::as_str).unwrap_or_default();
    let dataset = state
        .dataflow
        .datasets
        .iter()
        .find(|d| d["id"] == dataset_id && d["sandboxName"] == sandbox)
        .ok_or_else(|| format!("invalid dataset id '{dataset_id}'"))?;
    let schema_id = text(body, "/data/schema/id").ok_or("data.schema.id is required")?;
    if dataset["schemaRef"]["id"] != schema_id {
        return Err(format!("data.schema.id {schema_id} is not the schema of dataset {dataset_id}"));
    }
    text(body, "/data/schema/version").ok_or("data.schema.version is required")?;
    Ok(())
}

/// `POST /sourceConnections` and `POST /targetConnections`, with `?mode=draft`.
pub(super) fn create(state: &mut State, request: &Request, kind: &str) -> Response {
    let Ok(mut body) = serde_json::from_slice::<Value>(&request.body) else {
        return flow_error(400, 1405, "Bad Request", "Request body is empty or is not valid JSON");
    };
    let sandbox = sandbox(request);
    let checked = match kind {
        "sourceConnections" => check_source(state, &sandbox, &body),
        _ => check_target(state, &sandbox, &body),
    };
    if let Err(reason) = checked {
        return bad_flow(&reason);
    }
    stamp(state, &mut body, &sandbox, is_draft(request));
    let (id, etag) = (body["id"].clone(), body["etag"].clone());
    let location = format!("{FLOW}/{kind}/{}", id.as_str().unwrap_or_default());
    match kind {
        "sourceConnections" => state.lifecycle.source_connections.push(body),
        _ => state.dataflow.target_connections.push(body),
    }
    Response::json(201, &json!({ "id": id, "etag": etag })).with_header("location", &location)
}

fn items<'a>(state: &'a State, kind: &str) -> &'a [Value] {
    match kind {
        "sourceConnections" => &state.lifecycle.source_connections,
        _ => &state.dataflow.target_connections,
    }
}

fn items_mut<'a>(state: &'a mut State, kind: &str) -> &'a mut Vec<Value> {
    match kind {
        "sourceConnections" => &mut state.lifecycle.source_connections,
        _ => &mut state.dataflow.target_connections,
    }
}

pub(super) fn list(state: &State, request: &Request, kind: &str) -> Response {
    lifecycle::list(kind, items(state, kind), &sandbox(request), request)
}

pub(super) fn one(state: &State, request: &Request, kind: &str, id: &str) -> Response {
    let sandbox = sandbox(request);
    match items(state, kind).iter().find(|c| c["id"] == id && c["sandboxName"] == sandbox.as_str()) {
        Some(found) => Response::json(200, &json!({ "items": [found] })),
        None => flow_not_found(noun(kind), id),
    }
}

fn noun(kind: &str) -> &'static str {
    if kind == "sourceConnections" {
        "Source connection"
    } else {
        "Target connection"
    }
}

pub(super) fn delete(state: &mut State, request: &Request, kind: &str, id: &str) -> Response {
    let sandbox = sandbox(request);
    let Some(index) =
        items(state, kind).iter().position(|c| c["id"] == id && c["sandboxName"] == sandbox.as_str())
    else {
        return flow_not_found(noun(kind), id);
    };
    let field = if kind == "sourceConnections" { "sourceConnectionIds" } else { "targetConnectionIds" };
    let used = state
        .lifecycle
        .flows
        .iter()
        .any(|f| f[field].as_array().is_some_and(|ids| ids.iter().any(|i| i == id)));
    if used {
        return flow_error(
            400,
            1418,
            "Bad Request",
            &format!("{} {id} cannot be deleted because it is used in one or more flows", noun(kind)),
        );
    }
    items_mut(state, kind).remove(index);
    Response::empty(204)
}

/// `POST /{kind}/{id}/action?op=publish`: a draft becomes an enabled connection.
pub(super) fn action(state: &mut State, request: &Request, kind: &str, id: &str) -> Response {
    if !request.query("op").is_some_and(|op| op.eq_ignore_ascii_case("publish")) {
        return bad_flow("op must be publish for a connection");
    }
    let sandbox = sandbox(request);
    let etag = new_etag(state);
    let Some(found) =
        items_mut(state, kind).iter_mut().find(|c| c["id"] == id && c["sandboxName"] == sandbox.as_str())
    else {
        return flow_not_found(noun(kind), id);
    };
    if found["state"] != "draft" {
        return bad_flow(&format!("{} {id} is not a draft", noun(kind)));
    }
    found["state"] = json!("enabled");
    found["etag"] = json!(etag);
    found["version"] = json!(etag);
    found["updatedAt"] = json!(now_ms());
    Response::json(200, &json!({ "id": id, "etag": etag }))
}
