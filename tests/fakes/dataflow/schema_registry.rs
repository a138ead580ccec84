//! The fake Schema Registry (`/data/foundation/schemaregistry`): the tenant id, classes and
//! schemas (field groups and descriptors have their own files), with the registry's
//! refusals: a class or field group it does not know, a duplicate schema title, an `Accept`
//! without the major version, and `meta:immutableTags` changed once set.

use serde_json::{json, Map, Value};

use super::field_groups::{create_group, delete_group, matches_id};
use super::xdm::{self, class_of, refs, resolve, schema_index};
use super::{body, decode, descriptors, sandbox, text, xdm_error, Dataflow};
use crate::http::{Request, Response};
use crate::platform::State;

/// Items per page of a list that names no `limit`.
const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 300;

pub(super) fn route(state: &mut State, request: &Request, segments: &[&str]) -> Response {
    let method = request.method.as_str();
    // An id is the URL-encoded `$id` (one segment) or, sent unencoded, several.
    let id = || decode(&segments.get(2..).unwrap_or_default().join("/"));
    match (method, segments) {
        ("GET", ["stats"]) => stats(state, request),
        ("GET", [scope @ ("global" | "tenant"), "classes"]) => {
            let classes = classes(state, request, scope);
            list(classes, request)
        }
        ("GET", [scope @ ("global" | "tenant"), "classes", _, ..]) => {
            let found = classes(state, request, scope).into_iter().find(|c| matches_id(c, &id()));
            one(found, request)
        }
        ("POST", ["tenant", "fieldgroups"]) => create_group(state, request),
        ("GET", ["tenant", "fieldgroups"]) => {
            list(of_sandbox(&state.dataflow.field_groups, request), request)
        }
        ("GET", ["tenant", "fieldgroups", _, ..]) => {
            let groups = of_sandbox(&state.dataflow.field_groups, request);
            one(groups.into_iter().find(|g| matches_id(g, &id())), request)
        }
        ("DELETE", ["tenant", "fieldgroups", _, ..]) => delete_group(state, request, &id()),
        ("POST", ["tenant", "schemas"]) => create_schema(state, request),
        ("GET", ["tenant", "schemas"]) => list(of_sandbox(&state.dataflow.schemas, request), request),
        ("GET", ["tenant", "schemas", _, ..]) => one_schema(state, request, &id()),
        ("PATCH", ["tenant", "schemas", _, ..]) => patch_schema(state, request, &id()),
        ("DELETE", ["tenant", "schemas", _, ..]) => delete_schema(state, request, &id()),
        ("POST", ["tenant", "descriptors"]) => descriptors::create(state, request),
        ("GET", ["tenant", "descriptors"]) => descriptors::list(state, request),
        ("GET", ["tenant", "descriptors", _, ..]) => descriptors::one(state, request, &id()),
        ("DELETE", ["tenant", "descriptors", _, ..]) => descriptors::delete(state, request, &id()),
        _ => xdm_error(404, &format!("No such Schema Registry path: {}", request.path)),
    }
}

fn of_sandbox(items: &[Value], request: &Request) -> Vec<Value> {
    let sandbox = sandbox(request);
    items.iter().filter(|i| i["sandboxName"] == sandbox.as_str()).cloned().collect()
}

fn classes(state: &State, request: &Request, scope: &str) -> Vec<Value> {
    match scope {
        "global" => xdm::global_classes(),
        _ => of_sandbox(&state.dataflow.classes, request),
    }
}

fn stats(state: &State, request: &Request) -> Response {
    let df = &state.dataflow;
    let count = |items: &[Value]| of_sandbox(items, request).len();
    Response::json(
        200,
        &json!({
            "imsOrg": state.config.org_id, "tenantId": state.config.tenant_id,
            "counts": {
                "schemas": count(&df.schemas), "mixins": count(&df.field_groups), "datatypes": 0,
                "classes": count(&df.classes), "unions": 0,
            },
            "recentlyCreatedResources": [], "recentlyUpdatedResources": [], "classUsage": {},
        }),
    )
}

/// A list as the registry answers it: `xed-id` summaries or whole objects, filtered by
/// `property=field==value`, paged by `limit` and `start` (an offset here).
fn list(items: Vec<Value>, request: &Request) -> Response {
    let accept = request.header("accept").unwrap_or_default();
    let summaries = accept.contains("application/vnd.adobe.xed-id+json");
    if !summaries && !accept.contains("application/vnd.adobe.xed") {
        return xdm_error(
            406,
            "Accept must be application/vnd.adobe.xed-id+json or application/vnd.adobe.xed+json",
        );
    }
    let mut filters = Vec::new();
    for property in request.query_all("property") {
        let Some((field, value)) = property.split_once("==") else {
            return xdm_error(400, &format!("Unsupported property filter '{property}'"));
        };
        filters.push((field.to_owned(), value.trim_matches('"').to_owned()));
    }
    let found: Vec<Value> = items
        .into_iter()
        .filter(|item| {
            filters.iter().all(|(field, value)| item[field.as_str()].as_str() == Some(value.as_str()))
        })
        .collect();
    let limit = match request.query("limit").map(str::parse::<usize>) {
        None => DEFAULT_LIMIT,
        Some(Ok(limit)) if (1..=MAX_LIMIT).contains(&limit) => limit,
        Some(_) => return xdm_error(400, &format!("limit must be a number from 1 to {MAX_LIMIT}")),
    };
    let start = match request.query("start").map(str::parse::<usize>) {
        None => 0,
        Some(Ok(start)) => start,
        Some(Err(_)) => return xdm_error(400, "start must be a number"),
    };
    let results: Vec<Value> = found
        .iter()
        .skip(start)
        .take(limit)
        .map(|item| if summaries { summary(item) } else { shown(item) })
        .collect();
    let next = (start + limit < found.len()).then(|| (start + limit).to_string());
    let mut answer = json!({ "results": results, "_page": { "count": results.len(), "next": next } });
    if let Some(next) = &next {
        answer["_links"] =
            json!({ "next": { "href": format!("{}?start={next}&limit={limit}", request.path) } });
    }
    Response::json(200, &answer)
}

/// What `xed-id` shows of an item.
fn summary(item: &Value) -> Value {
    let mut short = Map::new();
    for key in
        ["$id", "meta:altId", "version", "title", "meta:class", "meta:extends", "meta:intendedToExtend"]
    {
        if let Some(value) = item.get(key) {
            short.insert(key.to_owned(), value.clone());
        }
    }
    Value::Object(short)
}

/// A stored item as the registry shows it, without the class's resolved-only fields.
fn shown(item: &Value) -> Value {
    let mut item = item.clone();
    if item["meta:resourceType"] == "classes" {
        if let Some(map) = item.as_object_mut() {
            map.remove("properties");
            map.remove("required");
        }
    }
    item
}

/// Which form a single-item `Accept` asks for: `Ok(true)` for `xed-full` (resolved).
fn full_form(request: &Request) -> Result<bool, Response> {
    let accept = request.header("accept").unwrap_or_default();
    if !accept.contains("application/vnd.adobe.xed") {
        return Err(xdm_error(406, "Accept must be an application/vnd.adobe.xed… type with ;version="));
    }
    // The registry needs the major version of the resource to return.
    if !accept.contains("version=") {
        return Err(xdm_error(406, "The Accept header must name a version, such as ;version=1"));
    }
    Ok(accept.contains("xed-full"))
}

fn one(found: Option<Value>, request: &Request) -> Response {
    let full = match full_form(request) {
        Ok(full) => full,
        Err(refused) => return refused,
    };
    match found {
        Some(item) if full => Response::json(200, &item),
        Some(item) => Response::json(200, &shown(&item)),
        None => xdm_error(404, "The requested resource was not found"),
    }
}

fn one_schema(state: &State, request: &Request, id: &str) -> Response {
    let full = match full_form(request) {
        Ok(full) => full,
        Err(refused) => return refused,
    };
    let df = &state.dataflow;
    let Some(index) = schema_index(df, &sandbox(request), id) else {
        return xdm_error(404, &format!("Schema {id} was not found"));
    };
    if !full {
        return Response::json(200, &df.schemas[index]);
    }
    match resolve(df, &df.schemas[index]) {
        Ok(resolved) => Response::json(200, &resolved),
        Err(reason) => xdm_error(400, &reason),
    }
}

/// The class and field groups a schema's `allOf` names, checked against the sandbox.
fn check_schema_refs(df: &Dataflow, sandbox: &str, schema: &Value) -> Result<String, String> {
    let mut class = None;
    let mut groups = Vec::new();
    for reference in refs(schema) {
        if class_of(df, sandbox, reference).is_some() {
            if class.replace(reference).is_some() {
                return Err("allOf must reference exactly one class".into());
            }
        } else if let Some(group) =
            df.field_groups.iter().find(|g| g["$id"] == reference && g["sandboxName"] == sandbox)
        {
            groups.push(group);
        } else {
            return Err(format!(
                "allOf references {reference}, which is neither a class nor a field group of this sandbox"
            ));
        }
    }
    let class = class.ok_or("allOf must reference a class")?;
    for group in groups {
        let extends = group["meta:intendedToExtend"].as_array().into_iter().flatten();
        if !extends.clone().any(|c| c == class) {
            return Err(format!("Field group '{}' is not intended to extend {class}", group["title"]));
        }
    }
    Ok(class.to_owned())
}

fn create_schema(state: &mut State, request: &Request) -> Response {
    let body = match body(request, xdm_error) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let (sandbox, tenant) = (sandbox(request), state.config.tenant_id.clone());
    let Some(title) = text(&body, "/title") else {
        return xdm_error(400, "title is required");
    };
    let df = &state.dataflow;
    if df.schemas.iter().any(|s| s["sandboxName"] == sandbox.as_str() && s["title"] == title) {
        return xdm_error(409, &format!("A schema titled '{title}' already exists in this sandbox"));
    }
    let class = match check_schema_refs(df, &sandbox, &body) {
        Ok(class) => class,
        Err(reason) => return xdm_error(400, &reason),
    };
    let hex = state.dataflow.hex(32);
    let extends: Vec<&str> = refs(&body).collect();
    let schema = json!({
        "$id": format!("https://ns.adobe.com/{tenant}/schemas/{hex}"), "meta:altId": format!("_{tenant}.schemas.{hex}"),
        "title": title, "description": body.get("description").cloned().unwrap_or(json!("")), "version": "1.0",
        "type": "object", "meta:class": class, "meta:extends": extends, "allOf": body["allOf"],
        "meta:resourceType": "schemas", "sandboxName": sandbox,
    });
    if let Err(reason) = resolve(&state.dataflow, &schema) {
        return xdm_error(400, &reason);
    }
    state.dataflow.schemas.push(schema.clone());
    Response::json(201, &schema)
}

/// `PATCH /tenant/schemas/{id}`: `meta:immutableTags` (once, after a primary identity),
/// `title`, `description`, and field groups added with `/allOf/-`.
fn patch_schema(state: &mut State, request: &Request, id: &str) -> Response {
    let Ok(ops) = serde_json::from_slice::<Vec<Value>>(&request.body) else {
        return xdm_error(400, "The body must be a JSON Patch array");
    };
    let sandbox = sandbox(request);
    let df = &state.dataflow;
    let Some(index) = schema_index(df, &sandbox, id) else {
        return xdm_error(404, &format!("Schema {id} was not found"));
    };
    let mut schema = df.schemas[index].clone();
    for op in &ops {
        let (kind, path) = (op["op"].as_str().unwrap_or_default(), op["path"].as_str().unwrap_or_default());
        let outcome = match (kind, path) {
            (_, p) if p.starts_with("/meta:immutableTags") => {
                immutable_tags(df, &mut schema, kind, p, &op["value"])
            }
            ("add" | "replace", "/title") => match op["value"].as_str().filter(|t| !t.trim().is_empty()) {
                Some(title)
                    if df.schemas.iter().enumerate().any(|(i, s)| {
                        i != index && s["sandboxName"] == sandbox.as_str() && s["title"] == title
                    }) =>
                {
                    return xdm_error(
                        409,
                        &format!("A schema titled '{title}' already exists in this sandbox"),
                    )
                }
                Some(title) => {
                    schema["title"] = json!(title);
                    Ok(())
                }
                None => Err("title must be a non-empty string".into()),
            },
            ("add" | "replace", "/description") => {
                schema["description"] = op["value"].clone();
                Ok(())
            }
            ("add", "/allOf/-") => add_group(df, &sandbox, &mut schema, &op["value"]),
            _ => Err(format!("The registry does not accept '{kind} {path}' here")),
        };
        if let Err(reason) = outcome {
            return xdm_error(400, &reason);
        }
    }
    let minor =
        schema["version"].as_str().and_then(|v| v.split_once('.')?.1.parse::<u32>().ok()).unwrap_or(0);
    schema["version"] = json!(format!("1.{}", minor + 1));
    state.dataflow.schemas[index] = schema.clone();
    Response::json(200, &schema)
}

fn immutable_tags(
    df: &Dataflow,
    schema: &mut Value,
    kind: &str,
    path: &str,
    value: &Value,
) -> Result<(), String> {
    if let Some(current) = schema.get("meta:immutableTags") {
        if kind == "add" && path == "/meta:immutableTags" && value == current {
            return Ok(());
        }
        return Err("meta:immutableTags is immutable: once set it cannot be removed or replaced".into());
    }
    if kind != "add" || path != "/meta:immutableTags" {
        return Err(format!("Cannot {kind} {path}: the schema has no meta:immutableTags"));
    }
    if value != &json!(["union"]) {
        return Err("meta:immutableTags takes [\"union\"]".into());
    }
    let primary = df.descriptors.iter().any(|d| {
        d["xdm:sourceSchema"] == schema["$id"]
            && d["@type"] == "xdm:descriptorIdentity"
            && d["xdm:isPrimary"] == true
    });
    if !primary {
        return Err("A schema enabled for Profile needs a primary identity descriptor first".into());
    }
    schema["meta:immutableTags"] = value.clone();
    Ok(())
}

fn add_group(df: &Dataflow, sandbox: &str, schema: &mut Value, value: &Value) -> Result<(), String> {
    let mut candidate = schema.clone();
    let allof = candidate["allOf"].as_array_mut().ok_or("the schema has no allOf")?;
    allof.push(value.clone());
    check_schema_refs(df, sandbox, &candidate)?;
    resolve(df, &candidate)?;
    if let (Some(extends), Some(reference)) =
        (candidate["meta:extends"].as_array_mut(), value["$ref"].as_str())
    {
        extends.push(json!(reference));
    }
    *schema = candidate;
    Ok(())
}

fn delete_schema(state: &mut State, request: &Request, id: &str) -> Response {
    let sandbox = sandbox(request);
    let df = &mut state.dataflow;
    let Some(index) = schema_index(df, &sandbox, id) else {
        return xdm_error(404, &format!("Schema {id} was not found"));
    };
    let schema_id = df.schemas[index]["$id"].clone();
    if df.datasets.iter().any(|d| d["schemaRef"]["id"] == schema_id) {
        return xdm_error(400, "The schema is used by a dataset; delete the dataset first");
    }
    df.schemas.remove(index);
    // Its descriptors describe nothing once it is gone.
    df.descriptors.retain(|d| d["xdm:sourceSchema"] != schema_id);
    Response::empty(204)
}
