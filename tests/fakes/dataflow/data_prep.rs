//! The fake Data Prep API (`/data/foundation/conversion`): mapping sets in the reference
//! dialect (`outputSchema` + `sourceType`/`source`/`destination`), created with **200**,
//! versioned by `PUT`, listed as `{data, _page}` only with both `limit` and `start`, and
//! checked by `validate` and `preview` with the same rules a run applies.

use serde_json::{json, Value};

use super::mapper::{compile, map_row, target_properties, Compiled};
use super::{body, prep_error, sandbox, Dataflow};
use crate::http::{Request, Response};
use crate::platform::{now_ms, State};

/// Rows a preview takes at most.
const MAX_PREVIEW_ROWS: usize = 100;

pub(super) fn route(state: &mut State, request: &Request, segments: &[&str]) -> Response {
    match (request.method.as_str(), segments) {
        ("POST", ["mappingSets", "validate"]) => validate(state, request),
        ("POST", ["mappingSets", "preview"]) => preview(state, request),
        ("POST", ["mappingSets"]) => create(state, request),
        ("GET", ["mappingSets"]) => list(state, request),
        ("GET", ["mappingSets", id]) => one(state, request, id),
        ("GET", ["mappingSets", id, "mappings"]) => match find(&state.dataflow, &sandbox(request), id) {
            Some(set) => Response::json(200, &set["mappings"]),
            None => prep_error(404, &format!("Mapping set {id} was not found")),
        },
        ("PUT", ["mappingSets", id]) => update(state, request, id),
        ("DELETE", ["mappingSets", id]) => delete(state, request, id),
        _ => prep_error(404, &format!("No such Data Prep path: {}", request.path)),
    }
}

fn find<'a>(df: &'a Dataflow, sandbox: &str, id: &str) -> Option<&'a Value> {
    df.mapping_sets.iter().find(|m| m["id"] == id && m["sandboxName"] == sandbox)
}

/// Every mapping of a set compiled against its schema, or the first reason Data Prep refuses
/// the set.
pub(crate) fn compile_set(df: &Dataflow, sandbox: &str, set: &Value) -> Result<Vec<Compiled>, String> {
    let properties = target_properties(df, sandbox, set)?;
    let mappings = set["mappings"].as_array().ok_or("mappings must be an array")?;
    mappings
        .iter()
        .enumerate()
        .map(|(i, mapping)| {
            compile(mapping, &properties).map_err(|(_, message)| format!("mappings[{i}]: {message}"))
        })
        .collect()
}

/// The stored form: the body as sent, each mapping also under Adobe's other field names.
fn stored(body: &Value, id: &str, version: u64, created: u64, sandbox: &str) -> Value {
    let mut set = body.clone();
    let mappings: Vec<Value> = set["mappings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let mut m = m.clone();
            m["sourceAttribute"] = m["source"].clone();
            m["destinationXdmPath"] = m["destination"].clone();
            m
        })
        .collect();
    set["mappings"] = json!(mappings);
    set["xdmSchema"] = set.pointer("/outputSchema/schemaRef/id").cloned().unwrap_or(Value::Null);
    for (key, value) in [
        ("id", json!(id)),
        ("version", json!(version)),
        ("createdDate", json!(created)),
        ("modifiedDate", json!(now_ms())),
        ("createdBy", json!("fake")),
        ("modifiedBy", json!("fake")),
        ("sandboxName", json!(sandbox)),
    ] {
        set[key] = value;
    }
    set
}

fn receipt(set: &Value) -> Value {
    json!({
        "id": set["id"], "version": set["version"], "createdDate": set["createdDate"],
        "modifiedDate": set["modifiedDate"], "createdBy": set["createdBy"], "modifiedBy": set["modifiedBy"],
    })
}

fn checked_body(state: &State, request: &Request) -> Result<Value, Response> {
    let body = body(request, prep_error)?;
    compile_set(&state.dataflow, &sandbox(request), &body).map_err(|reason| prep_error(400, &reason))?;
    Ok(body)
}

fn create(state: &mut State, request: &Request) -> Response {
    let body = match checked_body(state, request) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let id = state.dataflow.hex(32);
    let set = stored(&body, &id, 0, now_ms(), &sandbox(request));
    state.dataflow.mapping_versions.push(set.clone());
    state.dataflow.mapping_sets.push(set.clone());
    // Data Prep answers a create with 200, not 201.
    Response::json(200, &receipt(&set))
}

fn update(state: &mut State, request: &Request, id: &str) -> Response {
    let sandbox = sandbox(request);
    let Some(current) = find(&state.dataflow, &sandbox, id).cloned() else {
        return prep_error(404, &format!("Mapping set {id} was not found"));
    };
    let body = match checked_body(state, request) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let version = current["version"].as_u64().unwrap_or(0) + 1;
    let created = current["createdDate"].as_u64().unwrap_or_else(now_ms);
    let set = stored(&body, id, version, created, &sandbox);
    let df = &mut state.dataflow;
    df.mapping_versions.push(set.clone());
    if let Some(slot) =
        df.mapping_sets.iter_mut().find(|m| m["id"] == id && m["sandboxName"] == sandbox.as_str())
    {
        *slot = set.clone();
    }
    Response::json(200, &receipt(&set))
}

fn list(state: &State, request: &Request) -> Response {
    // Both are required, unlike Flow Service's lists.
    let (Some(limit), Some(start)) = (request.query("limit"), request.query("start")) else {
        return prep_error(400, "limit and start are both required");
    };
    let (Ok(limit), Ok(start)) = (limit.parse::<usize>(), start.parse::<usize>()) else {
        return prep_error(400, "limit and start must be whole numbers");
    };
    let sandbox = sandbox(request);
    let mut found: Vec<&Value> =
        state.dataflow.mapping_sets.iter().filter(|m| m["sandboxName"] == sandbox.as_str()).collect();
    // Newest first; among sets made in the same millisecond, the later one first.
    found.reverse();
    found.sort_by_key(|m| std::cmp::Reverse(m["createdDate"].as_u64().unwrap_or(0)));
    let page: Vec<&Value> = found.into_iter().skip(start).take(limit.max(1)).collect();
    Response::json(200, &json!({ "data": page, "_page": { "count": page.len(), "limit": limit } }))
}

fn one(state: &State, request: &Request, id: &str) -> Response {
    let sandbox = sandbox(request);
    let df = &state.dataflow;
    let found = match request.query("version").map(str::parse::<u64>) {
        None => find(df, &sandbox, id),
        Some(Ok(version)) => df
            .mapping_versions
            .iter()
            .find(|m| m["id"] == id && m["sandboxName"] == sandbox.as_str() && m["version"] == version),
        Some(Err(_)) => return prep_error(400, "version must be a whole number"),
    };
    match found {
        Some(set) => Response::json(200, set),
        None => prep_error(404, &format!("Mapping set {id} was not found")),
    }
}

fn delete(state: &mut State, request: &Request, id: &str) -> Response {
    let sandbox = sandbox(request);
    let df = &mut state.dataflow;
    if find(df, &sandbox, id).is_none() {
        return prep_error(404, &format!("Mapping set {id} was not found"));
    }
    let other = |m: &Value| !(m["id"] == id && m["sandboxName"] == sandbox.as_str());
    df.mapping_sets.retain(other);
    df.mapping_versions.retain(other);
    Response::empty(204)
}

/// `POST /mappingSets/validate`: one verdict per mapping, in order.
fn validate(state: &State, request: &Request) -> Response {
    let set = match body(request, prep_error) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let properties = match target_properties(&state.dataflow, &sandbox(request), &set) {
        Ok(properties) => properties,
        Err(reason) => return prep_error(400, &reason),
    };
    let Some(mappings) = set["mappings"].as_array() else {
        return prep_error(400, "mappings must be an array");
    };
    let verdicts: Vec<Value> = mappings
        .iter()
        .map(|mapping| match compile(mapping, &properties) {
            Ok(_) => json!({ "status": "SUCCESS", "errors": null }),
            Err((code, message)) => {
                json!({ "status": "FAILED", "errors": [{ "code": code, "message": message }] })
            }
        })
        .collect();
    Response::json(200, &json!({ "validationResponse": verdicts }))
}

/// `POST /mappingSets/preview`: each row mapped to XDM, with the values that did not convert.
fn preview(state: &State, request: &Request) -> Response {
    let body = match body(request, prep_error) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let Some(rows) = body["data"].as_array() else {
        return prep_error(400, "data must be an array of rows");
    };
    if rows.len() > MAX_PREVIEW_ROWS {
        return prep_error(400, &format!("A preview takes at most {MAX_PREVIEW_ROWS} rows"));
    }
    if rows.iter().any(|row| !row.is_object()) {
        return prep_error(400, "Each row of data must be an object of column values");
    }
    let compiled = match compile_set(&state.dataflow, &sandbox(request), &body["mappingSet"]) {
        Ok(compiled) => compiled,
        Err(reason) => return prep_error(400, &reason),
    };
    let mapped: Vec<Value> = rows
        .iter()
        .map(|row| {
            let (data, errors) = map_row(&compiled, row);
            json!({ "data": data, "errors": if errors.is_empty() { Value::Null } else { json!(errors) } })
        })
        .collect();
    Response::json(200, &json!(mapped))
}
