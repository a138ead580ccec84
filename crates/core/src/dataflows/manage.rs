//! Changing a dataflow that exists: its schedule (checked against its flow spec, and never a
//! start time that has passed, which Adobe refuses to move), and a new version of its mapping
//! set wired to the flow's own `Mapping` transformation, wherever it sits in the list.

use serde::Serialize;
use serde_json::{json, Value};
use ts_rs::TS;

use super::checks::{self, PlanError};
use super::plan::{MappingRow, SchedulePlan, SourceType};
use crate::adobe::flow::{FlowDetails, FlowSpec};

/// The JSON Patch that takes `current`'s schedule to `wanted`, or why it cannot.
pub fn reschedule(
    current: &FlowDetails,
    wanted: &SchedulePlan,
    spec: &FlowSpec,
    now_s: i64,
) -> Result<Value, PlanError> {
    let current_start = current.schedule_params.get("startTime").and_then(number);
    // The start stays where it is unless another is asked for.
    let start = wanted.start_time.or(current_start).unwrap_or(now_s);
    let asked = SchedulePlan { start_time: Some(start), ..wanted.clone() };
    let params = checks::schedule_params(&asked, spec, now_s)?;
    if let Some(was) = current_start.filter(|was| *was != start) {
        if was <= now_s {
            return Err(PlanError::Invalid {
                field: "schedule.startTime".into(),
                message: "The first run's start time has passed, so Adobe does not let it move: keep it, or make a new dataflow.".into(),
            });
        }
    }
    // The whole schedule is replaced: `once` has no interval or backfill, which a replace of
    // single keys could leave behind.
    let wire: serde_json::Map<String, Value> = params
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), Value::String(v.as_str().map_or_else(|| v.to_string(), str::to_owned))))
        .collect();
    Ok(json!([{ "op": "replace", "path": "/scheduleParams", "value": wire }]))
}

/// The index of the flow's `Mapping` transformation and its mapping set's id. Never assumed to
/// be the first: a table source's flow has `Copy` first.
pub fn mapping_of(flow: &FlowDetails) -> Option<(usize, String)> {
    flow.transformations.as_array()?.iter().enumerate().find_map(|(i, t)| {
        (t.get("name").and_then(Value::as_str) == Some("Mapping"))
            .then(|| t.pointer("/params/mappingId").and_then(Value::as_str).map(|id| (i, id.to_owned())))
            .flatten()
    })
}

/// The JSON Patch that points the flow's `Mapping` transformation at `version` of `id`.
pub fn remap(index: usize, id: &str, version: i64) -> Value {
    json!([{
        "op": "replace",
        "path": format!("/transformations/{index}"),
        "value": { "name": "Mapping", "params": { "mappingId": id, "mappingVersion": version.to_string() } },
    }])
}

/// The mapping set and version the flow runs now (its `Mapping` transformation's).
pub fn running_mapping(flow: &FlowDetails) -> Option<(String, Option<i64>)> {
    let (index, id) = mapping_of(flow)?;
    let version = flow.transformations.pointer(&format!("/{index}/params/mappingVersion")).and_then(number);
    Some((id, version))
}

/// The mappings a flow runs now, to be edited into a new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FlowMapping {
    pub mapping_set_id: String,
    /// The version the flow's `Mapping` transformation names; empty when it names none.
    pub version: String,
    pub rows: Vec<MappingRow>,
}

/// The most rows a mapping set is read back with: more than any table's columns (500).
const MAX_ROWS: usize = 2_000;

/// The rows of a mapping set as Data Prep answers it. A row of a kind this app does not edit
/// (or without a source or a destination) is left out rather than guessed at.
pub fn rows_of(set: &Value) -> Vec<MappingRow> {
    set.get("mappings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(MAX_ROWS)
        .filter_map(|m| {
            let source_type = match m.get("sourceType").and_then(Value::as_str)? {
                "ATTRIBUTE" => SourceType::Attribute,
                "EXPRESSION" => SourceType::Expression,
                "STATIC" => SourceType::Static,
                _ => return None,
            };
            Some(MappingRow {
                source_type,
                source: m.get("source").and_then(Value::as_str)?.to_owned(),
                destination: m.get("destination").and_then(Value::as_str)?.to_owned(),
            })
        })
        .collect()
}

fn number(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(schedule: Value, transformations: Value) -> FlowDetails {
        FlowDetails {
            id: "f".into(),
            name: "n".into(),
            description: String::new(),
            state: "enabled".into(),
            etag: "\"1\"".into(),
            flow_spec_id: "s".into(),
            schedule: String::new(),
            schedule_params: schedule,
            transformations,
            options: Value::Null,
            source_connection_ids: Vec::new(),
            target_connection_ids: Vec::new(),
            last_run: None,
        }
    }

    fn spec() -> FlowSpec {
        FlowSpec {
            id: "s".into(),
            name: "CRMToAEP".into(),
            source_spec_ids: Vec::new(),
            target_spec_ids: Vec::new(),
            is_source_flow: true,
            frequency: "batch".into(),
            draft_supported: false,
            needs_delta_column: true,
            schedule_schema: json!({ "type": "object", "properties": { "interval": { "type": "integer", "minimum": 1 } } }),
            option_schema: Value::Null,
            transformation_schemas: Value::Null,
        }
    }

    #[test]
    fn a_passed_start_time_never_moves_but_the_rest_of_the_schedule_does() {
        let current = flow(json!({ "startTime": "1000", "frequency": "hour", "interval": "1" }), Value::Null);
        let hourly = |start| SchedulePlan {
            frequency: "hour".into(),
            interval: Some(2),
            start_time: start,
            backfill: None,
        };
        let ops = reschedule(&current, &hourly(None), &spec(), 5_000).expect("kept start");
        assert_eq!(ops[0]["value"], json!({ "startTime": "1000", "frequency": "hour", "interval": "2" }));
        let moved = reschedule(&current, &hourly(Some(9_000)), &spec(), 5_000).unwrap_err();
        assert!(moved.to_string().contains("has passed"), "{moved}");
        let later = flow(json!({ "startTime": 9_000, "frequency": "hour", "interval": 1 }), Value::Null);
        assert!(
            reschedule(&later, &hourly(Some(10_000)), &spec(), 5_000).is_ok(),
            "a start still ahead moves"
        );
    }

    #[test]
    fn the_mapping_is_found_wherever_it_sits() {
        let transformations = json!([
            { "name": "Copy", "params": { "deltaColumn": { "name": "d" } } },
            { "name": "Mapping", "params": { "mappingId": "m1", "mappingVersion": "0" } },
        ]);
        assert_eq!(mapping_of(&flow(Value::Null, transformations)), Some((1, "m1".into())));
        assert_eq!(remap(1, "m1", 3)[0]["path"], "/transformations/1");
        assert_eq!(mapping_of(&flow(Value::Null, json!([]))), None);
        let runs = flow(
            Value::Null,
            json!([{ "name": "Mapping", "params": { "mappingId": "m1", "mappingVersion": "2" } }]),
        );
        assert_eq!(running_mapping(&runs), Some(("m1".into(), Some(2))));
    }

    #[test]
    fn a_mapping_set_reads_back_as_rows_leaving_out_what_is_not_a_row() {
        let set = json!({ "mappings": [
            { "sourceType": "ATTRIBUTE", "source": "email", "destination": "personalEmail.address" },
            { "sourceType": "EXPRESSION", "source": "lower(email)", "destination": "_acme.key" },
            { "sourceType": "STATIC", "source": "web", "destination": "_acme.channel" },
            { "sourceType": "LOOKUP", "source": "x", "destination": "y" },
            { "sourceType": "ATTRIBUTE", "source": "id" },
        ] });
        let rows = rows_of(&set);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].source_type, SourceType::Expression);
        assert_eq!(rows[2].destination, "_acme.channel");
        assert!(rows_of(&json!({})).is_empty());
    }
}
