//! Schema Registry field groups (`/tenant/fieldgroups`): created only with custom fields
//! under the tenant namespace (`_{TENANT_ID}`), of types and formats the registry knows, for
//! classes it knows; deleted only when no schema uses them.

use serde_json::{json, Value};

use super::xdm::{class_of, group_properties, refs};
use super::{body, sandbox, text, xdm_error, Dataflow};
use crate::http::{Request, Response};
use crate::platform::State;

pub(super) fn matches_id(item: &Value, id: &str) -> bool {
    item["$id"] == id || item["meta:altId"] == id
}

const LEAF_TYPES: [&str; 6] = ["string", "integer", "number", "boolean", "object", "array"];
const STRING_FORMATS: [&str; 4] = ["date-time", "date", "uri", "email"];

/// A field of a custom field group: a known type, and formats only on strings.
fn check_field(path: &str, field: &Value) -> Result<(), String> {
    let kind = field["type"].as_str().ok_or_else(|| format!("Field '{path}' has no type"))?;
    if !LEAF_TYPES.contains(&kind) {
        return Err(format!("Field '{path}' has the unsupported type '{kind}'"));
    }
    if let Some(format) = field.get("format") {
        let allowed = kind == "string" && format.as_str().is_some_and(|f| STRING_FORMATS.contains(&f));
        if !allowed {
            return Err(format!("Field '{path}' has a format its type does not take: {format}"));
        }
    }
    if let Some(children) = field.get("properties") {
        let children =
            children.as_object().ok_or_else(|| format!("'{path}.properties' must be an object"))?;
        for (key, child) in children {
            check_field(&format!("{path}.{key}"), child)?;
        }
    }
    if let Some(items) = field.get("items") {
        check_field(&format!("{path}[]"), items)?;
    }
    Ok(())
}

fn check_group(df: &Dataflow, sandbox: &str, tenant: &str, group: &Value) -> Result<(), String> {
    text(group, "/title").ok_or("title is required")?;
    let extends = group["meta:intendedToExtend"].as_array().filter(|e| !e.is_empty());
    for class in extends.ok_or("meta:intendedToExtend must list the classes it extends")? {
        let id = class.as_str().unwrap_or_default();
        class_of(df, sandbox, id)
            .ok_or_else(|| format!("meta:intendedToExtend names an unknown class {class}"))?;
    }
    let parts = group["allOf"].as_array().filter(|a| !a.is_empty()).ok_or("allOf is required")?;
    let mut definitions = 0;
    for part in parts {
        let reference = part["$ref"].as_str().ok_or("each allOf entry must be a $ref")?;
        let Some(name) = reference.strip_prefix("#/definitions/") else {
            return Err(format!("allOf references {reference}, which is not one of its definitions"));
        };
        let definition = &group["definitions"][name];
        let properties = definition["properties"]
            .as_object()
            .ok_or_else(|| format!("definitions.{name} is missing or has no properties"))?;
        let namespace = format!("_{tenant}");
        for (key, field) in properties {
            if *key != namespace {
                return Err(format!(
                    "Custom field '{key}' must sit under the tenant namespace '{namespace}'"
                ));
            }
            check_field(key, field)?;
        }
        definitions += 1;
    }
    if definitions == 0 {
        return Err("allOf must reference one of the field group's definitions".into());
    }
    group_properties(group).map(|_| ())
}

pub(super) fn create_group(state: &mut State, request: &Request) -> Response {
    let mut group = match body(request, xdm_error) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let (sandbox, tenant) = (sandbox(request), state.config.tenant_id.clone());
    if let Err(reason) = check_group(&state.dataflow, &sandbox, &tenant, &group) {
        return xdm_error(400, &reason);
    }
    let hex = state.dataflow.hex(32);
    let id = format!("https://ns.adobe.com/{tenant}/mixins/{hex}");
    for (key, value) in [
        ("$id", json!(id)),
        ("meta:altId", json!(format!("_{tenant}.mixins.{hex}"))),
        ("version", json!("1.0")),
        ("type", json!("object")),
        ("meta:resourceType", json!("mixins")),
        ("meta:tenantNamespace", json!(format!("_{tenant}"))),
        ("sandboxName", json!(sandbox)),
    ] {
        group[key] = value;
    }
    state.dataflow.field_groups.push(group.clone());
    Response::json(201, &group)
}

pub(super) fn delete_group(state: &mut State, request: &Request, id: &str) -> Response {
    let sandbox = sandbox(request);
    let df = &mut state.dataflow;
    let Some(index) =
        df.field_groups.iter().position(|g| g["sandboxName"] == sandbox.as_str() && matches_id(g, id))
    else {
        return xdm_error(404, &format!("Field group {id} was not found"));
    };
    let group_id = df.field_groups[index]["$id"].as_str().unwrap_or_default().to_owned();
    if df.schemas.iter().any(|s| refs(s).any(|r| r == group_id)) {
        return xdm_error(400, "The field group is used by a schema; delete the schema first");
    }
    df.field_groups.remove(index);
    Response::empty(204)
}
