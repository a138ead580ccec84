//! The XDM model behind the fake Schema Registry: the three global classes and their fields,
//! the resolved schema (the class's fields merged with its field groups', as
//! `application/vnd.adobe.xed-full+json` returns it), field lookup by path, and the schemas
//! and datasets every sandbox starts with.

use serde_json::{json, Map, Value};

use super::{hex_of, Dataflow};
use crate::platform::{now_ms, FakeConfig};

pub(crate) const PROFILE: &str = "https://ns.adobe.com/xdm/context/profile";
pub(crate) const EVENT: &str = "https://ns.adobe.com/xdm/context/experienceevent";
pub(crate) const ACCOUNT: &str = "https://ns.adobe.com/xdm/context/account";
const RECORD: &str = "https://ns.adobe.com/xdm/data/record";
const TIME_SERIES: &str = "https://ns.adobe.com/xdm/data/time-series";

fn leaf(kind: &str, title: &str) -> Value {
    json!({ "type": kind, "title": title })
}

fn object(title: &str, properties: Value) -> Value {
    json!({ "type": "object", "title": title, "properties": properties })
}

fn class(id: &str, title: &str, extends: &str, properties: Value, required: &[&str]) -> Value {
    let alt = format!("_{}", id.trim_start_matches("https://ns.adobe.com/").replace('/', "."));
    json!({
        "$id": id, "title": title, "version": "1.0", "meta:altId": alt, "meta:extends": [extends],
        "meta:resourceType": "classes", "type": "object", "properties": properties, "required": required,
    })
}

/// The global classes Flow Connect offers, with the fields a resolved schema shows.
pub(crate) fn global_classes() -> Vec<Value> {
    let id = || leaf("string", "Identifier");
    vec![
        class(
            PROFILE,
            "XDM Individual Profile",
            RECORD,
            json!({
                "_id": id(),
                "personalEmail": object("Personal email", json!({ "address": leaf("string", "Address") })),
                "person": object("Person", json!({ "name": object("Full name", json!({
                    "firstName": leaf("string", "First name"), "lastName": leaf("string", "Last name"),
                })) })),
                "identityMap": leaf("object", "Identity map"),
            }),
            &[],
        ),
        class(
            EVENT,
            "XDM ExperienceEvent",
            TIME_SERIES,
            json!({
                "_id": id(),
                "timestamp": { "type": "string", "format": "date-time", "title": "Timestamp" },
                "eventType": leaf("string", "Event type"),
            }),
            &["timestamp"],
        ),
        class(
            ACCOUNT,
            "XDM Business Account",
            RECORD,
            json!({ "_id": id(), "accountName": leaf("string", "Account name") }),
            &[],
        ),
    ]
}

/// A class of the sandbox by `$id`: a global one or a tenant class made there.
pub(crate) fn class_of(df: &Dataflow, sandbox: &str, id: &str) -> Option<Value> {
    global_classes()
        .into_iter()
        .find(|c| c["$id"] == id)
        .or_else(|| df.classes.iter().find(|c| c["$id"] == id && c["sandboxName"] == sandbox).cloned())
}

/// The fields a field group adds: its definitions' `properties`, merged.
pub(crate) fn group_properties(group: &Value) -> Result<Map<String, Value>, String> {
    let mut merged = Map::new();
    for part in group["allOf"].as_array().into_iter().flatten() {
        let Some(name) = part["$ref"].as_str().and_then(|r| r.strip_prefix("#/definitions/")) else {
            continue;
        };
        if let Some(properties) = group["definitions"][name]["properties"].as_object() {
            merge(&mut merged, properties, "")?;
        }
    }
    Ok(merged)
}

/// Merges `from` into `into`; two leaves of different types at one path conflict, as the
/// registry refuses such a schema.
pub(crate) fn merge(
    into: &mut Map<String, Value>,
    from: &Map<String, Value>,
    at: &str,
) -> Result<(), String> {
    for (key, field) in from {
        let path = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
        match into.get_mut(key) {
            None => {
                into.insert(key.clone(), field.clone());
            }
            Some(existing) => {
                if existing["type"] != field["type"] {
                    return Err(format!("Field '{path}' is defined with two different types"));
                }
                if let (Some(mine), Some(theirs)) = (
                    existing.get_mut("properties").and_then(Value::as_object_mut),
                    field["properties"].as_object(),
                ) {
                    merge(mine, theirs, &path)?;
                }
            }
        }
    }
    Ok(())
}

/// The schema as `xed-full` shows it: the class's fields and its field groups' merged.
pub(crate) fn resolve(df: &Dataflow, schema: &Value) -> Result<Value, String> {
    let sandbox = schema["sandboxName"].as_str().unwrap_or_default();
    let class_id = schema["meta:class"].as_str().unwrap_or_default();
    let class = class_of(df, sandbox, class_id).ok_or_else(|| format!("Unknown class {class_id}"))?;
    let mut properties = class["properties"].as_object().cloned().unwrap_or_default();
    for group_id in refs(schema).filter(|r| *r != class_id) {
        let group = df
            .field_groups
            .iter()
            .find(|g| g["$id"] == group_id && g["sandboxName"] == sandbox)
            .ok_or_else(|| format!("Unknown field group {group_id}"))?;
        merge(&mut properties, &group_properties(group)?, "")?;
    }
    let mut resolved = json!({
        "$id": schema["$id"], "meta:altId": schema["meta:altId"], "title": schema["title"],
        "description": schema.get("description").cloned().unwrap_or(json!("")),
        "version": schema["version"], "type": "object", "meta:class": class_id,
        "meta:extends": schema["meta:extends"], "properties": properties,
    });
    if class["required"].as_array().is_some_and(|r| !r.is_empty()) {
        resolved["required"] = class["required"].clone();
    }
    if let Some(tags) = schema.get("meta:immutableTags") {
        resolved["meta:immutableTags"] = tags.clone();
    }
    Ok(resolved)
}

/// The `$ref`s of an `allOf`.
pub(crate) fn refs(item: &Value) -> impl Iterator<Item = &str> {
    item["allOf"].as_array().into_iter().flatten().filter_map(|part| part["$ref"].as_str())
}

/// The field at `path` (segments) of resolved `properties`.
pub(crate) fn field_at<'a, 'b>(
    properties: &'a Value,
    mut path: impl Iterator<Item = &'b str>,
) -> Option<&'a Value> {
    let first = properties.get(path.next()?)?;
    path.try_fold(first, |field, key| field["properties"].get(key))
}

/// The schema of the sandbox named by `$id` or `meta:altId`.
pub(crate) fn schema_index(df: &Dataflow, sandbox: &str, id: &str) -> Option<usize> {
    df.schemas.iter().position(|s| s["sandboxName"] == sandbox && (s["$id"] == id || s["meta:altId"] == id))
}

/// Stores a field group, schema and dataset titled `title` in `sandbox`, with ids that stay
/// the same across resets, and marks them as seeded.
fn seed_one(df: &mut Dataflow, config: &FakeConfig, sandbox: &str, title: &str, class: &str, fields: Value) {
    let tenant = &config.tenant_id;
    let hex = |kind: &str, len| hex_of(&format!("{sandbox}/{title}/{kind}"), len);
    let (group_hex, schema_hex, dataset_id) = (hex("group", 32), hex("schema", 32), hex("dataset", 24));
    let group_id = format!("https://ns.adobe.com/{tenant}/mixins/{group_hex}");
    let schema_id = format!("https://ns.adobe.com/{tenant}/schemas/{schema_hex}");
    let created = now_ms();
    df.field_groups.push(json!({
        "$id": group_id, "meta:altId": format!("_{tenant}.mixins.{group_hex}"), "title": format!("{title} fields"),
        "version": "1.0", "type": "object", "meta:resourceType": "mixins", "meta:intendedToExtend": [class],
        "definitions": { "fields": { "properties": { format!("_{tenant}"): { "type": "object", "properties": fields } } } },
        "allOf": [{ "$ref": "#/definitions/fields" }], "sandboxName": sandbox,
    }));
    df.schemas.push(json!({
        "$id": schema_id, "meta:altId": format!("_{tenant}.schemas.{schema_hex}"), "title": title,
        "description": "", "version": "1.0", "type": "object", "meta:class": class, "meta:resourceType": "schemas",
        "meta:extends": [class, group_id], "allOf": [{ "$ref": class }, { "$ref": group_id }], "sandboxName": sandbox,
    }));
    df.datasets.push(json!({
        "id": dataset_id, "name": title, "description": "", "created": created, "updated": created,
        "schemaRef": { "id": schema_id, "contentType": "application/vnd.adobe.xed+json;version=1" },
        "imsOrg": config.org_id, "sandboxName": sandbox, "version": "1.0.0",
    }));
    df.seeded.extend([group_id, schema_id, dataset_id]);
}

/// The schemas and datasets every sandbox starts with: `Loyalty members`, and `Wide events`
/// when the config asks for a wide schema.
pub(crate) fn seed(df: &mut Dataflow, config: &FakeConfig, sandbox: &str) {
    let loyalty = json!({ "loyalty": object("Loyalty", json!({
        "memberId": leaf("string", "Member ID"), "tier": leaf("string", "Tier"),
        "points": leaf("integer", "Points"),
        "joined": { "type": "string", "format": "date-time", "title": "Joined" },
    })) });
    seed_one(df, config, sandbox, "Loyalty members", PROFILE, loyalty);
    if config.wide_schema_fields > 0 {
        seed_one(df, config, sandbox, "Wide events", EVENT, wide_fields(config.wide_schema_fields));
    }
}

/// `count` leaves, 50 to an object and 10 objects to a section, cycling through string,
/// integer and number: a tree as deep and wide as a real event schema's.
fn wide_fields(count: usize) -> Value {
    let kinds = ["string", "integer", "number"];
    let mut sections = Map::new();
    for i in 0..count {
        let (section, group) = (format!("section{:03}", i / 500), format!("group{:02}", (i / 50) % 10));
        let section = sections.entry(section.clone()).or_insert_with(|| object(&section, json!({})));
        let groups = &mut section["properties"];
        if groups.get(&group).is_none() {
            groups[&group] = object(&group, json!({}));
        }
        groups[&group]["properties"][format!("field{i:05}")] = leaf(kinds[i % 3], &format!("Field {i}"));
    }
    Value::Object(sections)
}
