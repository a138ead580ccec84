//! The connection spec endpoints of the fake Flow Service, and the check every create goes
//! through: the auth params must validate against the auth spec's JSON Schema (types,
//! required, enums, patterns, formats, checked by the `jsonschema` crate) and hold no key the
//! spec does not name, as Flow Service answers with `400`; a private key must also be readable
//! (`credentials`).

use serde_json::{json, Value};

use crate::http::{Request, Response};
use crate::specs;
use crate::FakeConfig;

/// What the fake lists: every spec, then the generated ones a benchmark asked for.
fn listed(config: &FakeConfig) -> Vec<Value> {
    let mut all = specs::all_specs(&config.rest_oauth_spec_name);
    all.extend(specs::large_specs(config.extra_specs));
    all
}

/// The spec with this id, as listed.
pub fn spec_of(config: &FakeConfig, spec_id: &str) -> Option<Value> {
    listed(config).into_iter().find(|s| s["id"] == spec_id)
}

/// The connection as `GET /connections` shows it: secret params (`format: password` in its
/// auth spec) come back masked, never as the value stored.
pub fn masked(config: &FakeConfig, connection: &Value) -> Value {
    let mut shown = connection.clone();
    let spec_id = connection.pointer("/connectionSpec/id").and_then(Value::as_str).unwrap_or_default();
    let spec_name = connection.pointer("/auth/specName").cloned().unwrap_or(Value::Null);
    let schema = spec_of(config, spec_id).and_then(|spec| {
        spec["authSpec"].as_array()?.iter().find(|a| a["name"] == spec_name).map(|a| a["spec"].clone())
    });
    if let (Some(schema), Some(params)) = (schema, shown.pointer_mut("/auth/params")) {
        mask(&schema, params);
    }
    shown
}

fn mask(schema: &Value, params: &mut Value) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else { return };
    for (key, property) in properties {
        let Some(value) = params.get_mut(key) else { continue };
        if property["format"] == "password" {
            *value = json!("****");
        } else if value.is_object() {
            mask(property, value);
        }
    }
}

/// Items per page of `GET /connectionSpecs` when the caller sets no smaller limit: small, so
/// that every client walks several pages.
const PAGE: usize = 8;

/// `GET /connectionSpecs`, paged with `limit` and `continuationToken`, filtered by
/// `property=name==…` or `property=id==…`.
pub fn list(config: &FakeConfig, request: &Request) -> Response {
    let mut specs = listed(config);
    for property in request.query_all("property") {
        if let Some((key, value)) = property.split_once("==") {
            specs.retain(|s| s[key].as_str() == Some(value.trim_matches('"')));
        }
    }
    let limit = request.query("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(PAGE).clamp(1, PAGE);
    let start = match request.query("continuationToken") {
        None => 0,
        Some(token) => match token.strip_prefix("specs-").and_then(|n| n.parse::<usize>().ok()) {
            Some(start) if start <= specs.len() => start,
            _ => return super::platform::flow_error(400, 1401, "Bad Request", "Invalid continuation token"),
        },
    };
    let end = (start + limit).min(specs.len());
    let links = if end < specs.len() {
        json!({ "next": { "href": format!("/connectionSpecs?continuationToken=specs-{end}") } })
    } else {
        json!({})
    };
    Response::json(200, &json!({ "items": specs[start..end], "_links": links }))
}

/// `GET /connectionSpecs/{id}`.
pub fn one(config: &FakeConfig, id: &str) -> Response {
    match listed(config).into_iter().find(|s| s["id"] == *id) {
        Some(spec) => Response::json(200, &json!({ "items": [spec] })),
        None => super::platform::flow_error(
            404,
            1101,
            "Resource not found",
            &format!("Connection spec {id} not found"),
        ),
    }
}

/// Why a create body does not fit its connection spec, as Flow Service reports it.
pub fn check_create(config: &FakeConfig, body: &Value) -> Result<(), Response> {
    let bad = |code: u16, message: &str| super::platform::flow_error(400, code, "Bad Request", message);
    let spec_id = body.pointer("/connectionSpec/id").and_then(Value::as_str).unwrap_or_default();
    let specs = listed(config);
    let Some(spec) = specs.iter().find(|s| s["id"] == spec_id) else {
        return Err(bad(1413, &format!("Invalid connection spec ID '{spec_id}'")));
    };
    let version = spec["version"].as_str().unwrap_or("1.0");
    if body.pointer("/connectionSpec/version").and_then(Value::as_str) != Some(version) {
        return Err(bad(1413, &format!("Invalid connection spec version; this spec has version {version}")));
    }
    if body.get("name").and_then(Value::as_str).is_none_or(|n| n.trim().is_empty()) {
        return Err(bad(1405, "The connection name is required"));
    }
    let spec_name = body.pointer("/auth/specName").and_then(Value::as_str).unwrap_or_default();
    let Some(auth_spec) = spec["authSpec"].as_array().and_then(|a| a.iter().find(|a| a["name"] == spec_name))
    else {
        return Err(bad(
            1415,
            &format!("The auth spec '{spec_name}' could not be found for the connection spec ID {spec_id}"),
        ));
    };
    let params = body.pointer("/auth/params").cloned().unwrap_or_else(|| json!({}));
    let schema = &auth_spec["spec"];
    let named = |key: &str| {
        schema["properties"].get(key).is_some()
            || schema["required"].as_array().is_some_and(|r| r.iter().any(|n| n == key))
    };
    if let Some(unknown) = params.as_object().and_then(|p| p.keys().find(|k| !named(k))) {
        return Err(bad(1400, &format!("auth.params has an unknown property '{unknown}'")));
    }
    if let Some(reason) = schema_errors(schema, &params) {
        return Err(bad(1400, &format!("auth.params does not match the auth spec: {reason}")));
    }
    crate::credentials::check_params(spec_id, spec_name, &params).map_err(|reason| bad(1400, &reason))
}

/// What the JSON Schema validator finds wrong with `params`, paths only (never the values,
/// which may be secrets).
pub fn schema_errors(schema: &Value, params: &Value) -> Option<String> {
    let validator = match jsonschema::options().should_validate_formats(true).build(schema) {
        Ok(validator) => validator,
        Err(error) => return Some(format!("the spec's schema does not compile ({error})")),
    };
    let errors: Vec<String> = validator
        .iter_errors(params)
        .map(|e| format!("{} fails at '{}'", e.schema_path(), e.instance_path()))
        .collect();
    (!errors.is_empty()).then(|| errors.join("; "))
}
