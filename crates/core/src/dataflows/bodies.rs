//! The request bodies of a dataflow's chain, as Adobe documents them (reference
//! `dataflow-facts.md`), each object's description carrying the dataflow's marker.

use serde_json::{json, Map, Value};

use super::plan::{DataflowPlan, MappingRow, SourcePlan};
use crate::adobe::flow::{FlowSpec, SchemaField, DATA_LAKE_SPEC};

/// The content type a dataset names its schema with.
const XED: &str = "application/vnd.adobe.xed+json;version=1";
/// The content type target connections and mapping sets name the schema with.
const XED_FULL: &str = "application/vnd.adobe.xed-full+json;version=1";

/// The user's description followed by the marker.
pub fn described(description: &str, marker: &str) -> String {
    if description.trim().is_empty() {
        marker.to_owned()
    } else {
        format!("{} {marker}", description.trim())
    }
}

/// A field group holding `fields` (dot paths under `_{tenant}`) for `class_id`.
pub fn field_group(title: &str, class_id: &str, fields: &[SchemaField], marker: &str) -> Value {
    let mut root = Map::new();
    for field in fields {
        let mut node = &mut root;
        let parts: Vec<&str> = field.path.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let entry = node
                .entry((*part).to_owned())
                .or_insert_with(|| json!({ "type": "object", "properties": {} }));
            if last {
                *entry = leaf(field);
                break;
            }
            node = entry
                .get_mut("properties")
                .and_then(Value::as_object_mut)
                .expect("an object made just above");
        }
    }
    json!({
        "title": title,
        "description": described("Fields of the dataflow's source columns.", marker),
        "type": "object",
        "meta:intendedToExtend": [class_id],
        "definitions": { "columns": { "properties": root } },
        "allOf": [ { "$ref": "#/definitions/columns" } ],
    })
}

fn leaf(field: &SchemaField) -> Value {
    let mut leaf = match field.kind.as_str() {
        "date-time" | "date" => json!({ "type": "string", "format": field.kind }),
        "integer" | "number" | "boolean" => json!({ "type": field.kind }),
        _ => json!({ "type": "string" }),
    };
    if !field.title.is_empty() {
        leaf["title"] = json!(field.title);
    }
    leaf
}

pub fn schema(title: &str, class_id: &str, field_group_id: &str, marker: &str) -> Value {
    json!({
        "type": "object",
        "title": title,
        "description": described("Made by Flow Connect for a dataflow.", marker),
        "allOf": [ { "$ref": class_id }, { "$ref": field_group_id } ],
    })
}

/// A primary identity on the field at `path` (dot path) in namespace `namespace`.
pub fn identity_descriptor(schema_id: &str, path: &str, namespace: &str) -> Value {
    json!({
        "@type": "xdm:descriptorIdentity",
        "xdm:sourceSchema": schema_id,
        "xdm:sourceVersion": 1,
        "xdm:sourceProperty": format!("/{}", path.replace('.', "/")),
        "xdm:namespace": namespace,
        "xdm:property": "xdm:code",
        "xdm:isPrimary": true,
    })
}

pub fn dataset(name: &str, schema_id: &str, profile: bool, marker: &str) -> Value {
    let mut body = json!({
        "name": name,
        "description": described("Made by Flow Connect for a dataflow.", marker),
        "schemaRef": { "id": schema_id, "contentType": XED },
    });
    if profile {
        // Documented as a boolean, sent as this string array (reference §3.2).
        body["tags"] = json!({ "unifiedProfile": ["enabled: true"] });
    }
    body
}

pub fn source_connection(plan: &DataflowPlan, spec_id: &str, marker: &str) -> Value {
    let (data, params) = match &plan.source {
        SourcePlan::Table { path, columns } => {
            let columns: Vec<Value> = columns
                .iter()
                .map(|c| {
                    let kind = super::mapping::xdm_kind(c);
                    let mut column = json!({ "name": c.name, "type": if c.column_type.is_empty() { "string" } else { c.column_type.as_str() } });
                    match kind {
                        "date-time" | "date" => {
                            column["meta:xdmType"] = json!(kind);
                            column["xdm"] = json!({ "type": "string", "format": kind });
                        }
                        other => column["xdm"] = json!({ "type": other }),
                    }
                    column
                })
                .collect();
            (json!({ "format": "tabular" }), json!({ "tableName": path, "columns": columns }))
        }
        SourcePlan::Files { path, object_type, recursive, format, .. } => {
            let mut properties = Map::new();
            if let Some(d) = &format.delimiter {
                properties.insert("columnDelimiter".into(), json!(d));
            }
            if let Some(e) = &format.encoding {
                properties.insert("encoding".into(), json!(e));
            }
            if let Some(c) = &format.compression {
                properties.insert("compressionType".into(), json!(c));
            }
            let mut data = json!({ "format": format.format.to_ascii_lowercase() });
            if !properties.is_empty() {
                data["properties"] = Value::Object(properties);
            }
            (data, json!({ "path": path, "type": object_type, "recursive": recursive }))
        }
    };
    json!({
        "name": format!("{} source", plan.name),
        "description": described(&plan.description, marker),
        "baseConnectionId": plan.connection_id,
        "data": data,
        "params": params,
        "connectionSpec": { "id": spec_id, "version": "1.0" },
    })
}

pub fn target_connection(plan: &DataflowPlan, dataset_id: &str, schema_id: &str, marker: &str) -> Value {
    json!({
        "name": format!("{} target", plan.name),
        "description": described(&plan.description, marker),
        "data": { "schema": { "id": schema_id, "version": XED_FULL } },
        "params": { "dataSetId": dataset_id },
        "connectionSpec": { "id": DATA_LAKE_SPEC, "version": "1.0" },
    })
}

/// The mapping set in the reference dialect (`outputSchema`, `sourceType`).
pub fn mapping_set(schema_id: &str, rows: &[MappingRow]) -> Value {
    let mappings: Vec<Value> = rows
        .iter()
        .map(|r| json!({ "sourceType": r.source_type.wire(), "source": r.source, "destination": r.destination }))
        .collect();
    json!({
        "outputSchema": { "schemaRef": { "id": schema_id, "contentType": XED_FULL } },
        "mappings": mappings,
    })
}

/// The flow. Schedule values go as the tutorials send them (strings); they were checked as
/// the spec types them.
#[allow(clippy::too_many_arguments)]
pub fn flow(
    plan: &DataflowPlan,
    spec: &FlowSpec,
    source_id: &str,
    target_id: &str,
    mapping: (&str, i64),
    schedule: &Value,
    options: &Value,
    delta: Option<&Value>,
    marker: &str,
) -> Value {
    let mut transformations = Vec::new();
    if let Some(delta) = delta {
        transformations.push(json!({ "name": "Copy", "params": delta }));
    }
    transformations.push(json!({
        "name": "Mapping",
        "params": { "mappingId": mapping.0, "mappingVersion": mapping.1.to_string() },
    }));
    let schedule: Map<String, Value> = schedule
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), Value::String(v.as_str().map_or_else(|| v.to_string(), str::to_owned))))
        .collect();
    json!({
        "name": plan.name,
        "description": described(&plan.description, marker),
        "flowSpec": { "id": spec.id, "version": "1.0" },
        "sourceConnectionIds": [source_id],
        "targetConnectionIds": [target_id],
        "transformations": transformations,
        "scheduleParams": schedule,
        "options": options,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_group_nests_the_tenant_s_fields() {
        let fields = [
            SchemaField { path: "_acme.email".into(), kind: "string".into(), title: "email".into() },
            SchemaField { path: "_acme.joined".into(), kind: "date-time".into(), title: String::new() },
        ];
        let body = field_group("Columns", "https://ns.adobe.com/xdm/context/profile", &fields, "[m]");
        let tenant = &body["definitions"]["columns"]["properties"]["_acme"];
        assert_eq!(tenant["type"], "object");
        assert_eq!(tenant["properties"]["joined"], json!({ "type": "string", "format": "date-time" }));
        assert_eq!(body["allOf"][0]["$ref"], "#/definitions/columns");
        assert!(body["description"].as_str().unwrap().ends_with("[m]"));
    }
}
