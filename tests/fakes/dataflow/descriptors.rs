//! Schema Registry descriptors: identity descriptors only, which is what a dataflow needs
//! (the primary identity that Profile asks for before a schema takes the `union` tag).

use serde_json::{json, Value};

use super::identity::namespaces;
use super::xdm::{field_at, resolve, schema_index};
use super::{body, sandbox, xdm_error};
use crate::http::{Request, Response};
use crate::platform::State;

fn check(state: &State, sandbox: &str, descriptor: &Value) -> Result<(), String> {
    if descriptor["@type"] != "xdm:descriptorIdentity" {
        return Err(format!(
            "The fake registry takes only xdm:descriptorIdentity, not {}",
            descriptor["@type"]
        ));
    }
    let df = &state.dataflow;
    let schema_id = descriptor["xdm:sourceSchema"].as_str().unwrap_or_default();
    let index = schema_index(df, sandbox, schema_id)
        .ok_or_else(|| format!("xdm:sourceSchema {schema_id} is not a schema of this sandbox"))?;
    if descriptor["xdm:sourceVersion"] != 1 {
        return Err("xdm:sourceVersion must be 1".into());
    }
    let path = descriptor["xdm:sourceProperty"].as_str().unwrap_or_default();
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or_default().split('/').collect();
    let resolved = resolve(df, &df.schemas[index])?;
    let field = field_at(&resolved["properties"], segments.iter().copied())
        .ok_or_else(|| format!("xdm:sourceProperty '{path}' is not a field of the schema"))?;
    // An identity is a string field, as Identity Service keys its graph on text.
    if field["type"] != "string" {
        return Err(format!("xdm:sourceProperty '{path}' must be a string field to be an identity"));
    }
    let namespace = descriptor["xdm:namespace"].as_str().unwrap_or_default();
    if !namespaces().iter().any(|n| n["code"].as_str().is_some_and(|c| c.eq_ignore_ascii_case(namespace))) {
        return Err(format!("xdm:namespace '{namespace}' is not an identity namespace code"));
    }
    let primary = match descriptor.get("xdm:isPrimary") {
        None => false,
        Some(Value::Bool(primary)) => *primary,
        Some(other) => return Err(format!("xdm:isPrimary must be a boolean, not {other}")),
    };
    let schema = &df.schemas[index]["$id"];
    let taken = df.descriptors.iter().any(|d| d["xdm:sourceSchema"] == *schema && d["xdm:isPrimary"] == true);
    if primary && taken {
        return Err("The schema already has a primary identity descriptor".into());
    }
    Ok(())
}

pub(super) fn create(state: &mut State, request: &Request) -> Response {
    let mut descriptor = match body(request, xdm_error) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let sandbox = sandbox(request);
    if let Err(reason) = check(state, &sandbox, &descriptor) {
        return xdm_error(400, &reason);
    }
    // The schema as named may be its alt id; the descriptor keeps its `$id`.
    let df = &state.dataflow;
    let schema_id = schema_index(df, &sandbox, descriptor["xdm:sourceSchema"].as_str().unwrap_or_default())
        .map(|i| df.schemas[i]["$id"].clone())
        .unwrap_or_default();
    descriptor["xdm:sourceSchema"] = schema_id;
    if descriptor.get("xdm:isPrimary").is_none() {
        descriptor["xdm:isPrimary"] = json!(false);
    }
    descriptor["@id"] = json!(state.dataflow.hex(40));
    descriptor["meta:containerId"] = json!("tenant");
    descriptor["sandboxName"] = json!(sandbox);
    state.dataflow.descriptors.push(descriptor.clone());
    Response::json(201, &descriptor)
}

pub(super) fn list(state: &State, request: &Request) -> Response {
    let sandbox = sandbox(request);
    let found: Vec<&Value> =
        state.dataflow.descriptors.iter().filter(|d| d["sandboxName"] == sandbox.as_str()).collect();
    let ids = request.header("accept").is_some_and(|a| a.contains("xdm-link+json"));
    let results: Vec<Value> =
        found.iter().map(|d| if ids { d["@id"].clone() } else { (*d).clone() }).collect();
    Response::json(200, &json!({ "xdm:descriptorIdentity": results }))
}

pub(super) fn one(state: &State, request: &Request, id: &str) -> Response {
    let sandbox = sandbox(request);
    match state.dataflow.descriptors.iter().find(|d| d["@id"] == id && d["sandboxName"] == sandbox.as_str()) {
        Some(descriptor) => Response::json(200, descriptor),
        None => xdm_error(404, &format!("Descriptor {id} was not found")),
    }
}

pub(super) fn delete(state: &mut State, request: &Request, id: &str) -> Response {
    let sandbox = sandbox(request);
    let descriptors = &mut state.dataflow.descriptors;
    let before = descriptors.len();
    descriptors.retain(|d| !(d["@id"] == id && d["sandboxName"] == sandbox.as_str()));
    if descriptors.len() == before {
        return xdm_error(404, &format!("Descriptor {id} was not found"));
    }
    Response::empty(204)
}
