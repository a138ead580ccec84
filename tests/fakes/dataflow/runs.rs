//! Dataflow runs. A run is stored with its plan (when it started, how it ends, its record
//! counts) and shown as of the moment it is read: `pending` for its first second, then
//! `inProgress`, then `success` or `failed` once `FakeConfig::run_ms` has passed. No task runs
//! in the background. Record counts come from the rows the fake's explore shows for the
//! source, mapped with the flow's mapping set exactly as a Data Prep preview would; the rows
//! that fail are kept for Data Access when the flow has error diagnostics on.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::connections::{new_etag, new_id};
use super::data_prep::compile_set;
use super::mapper::{map_row, TRANSFORM_ERROR};
use super::{bad_flow, flow_not_found, integer, sandbox};
use crate::files;
use crate::http::{Request, Response};
use crate::lifecycle;
use crate::platform::{now_ms, State};

/// Rows a run reads when the fake does not know the source's data.
const UNKNOWN_ROWS: usize = 40;
/// How long a run stays `pending` at most.
const PENDING_MS: u64 = 1_000;

/// The rows the flow's source holds, when the fake knows them.
fn source_rows(state: &State, flow: &Value) -> Option<Vec<Value>> {
    let source_id = flow["sourceConnectionIds"].get(0)?;
    let source = state.lifecycle.source_connections.iter().find(|s| s["id"] == *source_id)?;
    match source["data"]["format"].as_str()? {
        "tabular" => {
            let table = source["params"]["tableName"].as_str()?;
            lifecycle::table(table, state.lifecycle.tables).map(|(_, rows)| rows)
        }
        _ if files::is_file_source(source["connectionSpec"]["id"].as_str()?) => Some(files::rows()),
        _ => None,
    }
}

/// The input records of a run of `flow`, and the rows among them the mapping fails, each
/// with its errors.
fn mapped_rows(state: &State, flow: &Value) -> (usize, Vec<(Value, Vec<Value>)>) {
    let Some(rows) = source_rows(state, flow) else { return (UNKNOWN_ROWS, Vec::new()) };
    let sandbox = flow["sandboxName"].as_str().unwrap_or_default();
    let transformations = flow["transformations"].as_array().into_iter().flatten();
    let mapping = transformations.clone().find(|t| t["name"] == "Mapping").map(|t| &t["params"]);
    let df = &state.dataflow;
    let set = mapping.and_then(|params| {
        let id = params["mappingId"].as_str()?;
        let version = params.get("mappingVersion").and_then(integer);
        let mut versions = df.mapping_versions.iter().filter(|m| m["id"] == id);
        match version {
            Some(version) => versions.find(|m| m["version"] == version),
            None => versions.next_back(),
        }
    });
    let Some(compiled) = set.and_then(|set| compile_set(df, sandbox, set).ok()) else {
        return (rows.len(), Vec::new());
    };
    let failed = rows
        .iter()
        .filter_map(|row| {
            let errors = map_row(&compiled, row).1;
            (!errors.is_empty()).then(|| (row.clone(), errors))
        })
        .collect();
    (rows.len(), failed)
}

/// Starts a run of the flow at `index` now; returns its id and etag.
pub(super) fn start(state: &mut State, index: usize) -> (String, String) {
    let flow = state.lifecycle.flows[index].clone();
    let failure = state.dataflow.next_run_failure.take();
    let (outcome, input, failed, errors) = match failure {
        Some((code, message)) => ("failed", 0, Vec::new(), json!([{ "code": code, "message": message }])),
        None => {
            let (input, failed) = mapped_rows(state, &flow);
            ("success", input, failed, json!([]))
        }
    };
    // Data Access keeps the failed rows only for a flow with error diagnostics on.
    let diagnostics = flow.pointer("/options/errorDiagnosticsEnabled") == Some(&Value::Bool(true));
    let row_errors = if diagnostics { super::data_access::error_file(&failed) } else { Value::Null };
    let (id, etag) = (new_id(state), new_etag(state));
    let now = now_ms();
    let dataset = state
        .dataflow
        .target_connections
        .iter()
        .find(|t| flow["targetConnectionIds"].get(0).is_some_and(|id| t["id"] == *id))
        .map(|t| t["params"]["dataSetId"].clone())
        .unwrap_or(Value::Null);
    let batch = state.dataflow.hex(26).to_uppercase();
    state.lifecycle.runs.push(json!({
        "id": id, "flowId": flow["id"], "sandboxName": flow["sandboxName"], "createdAt": now, "updatedAt": now,
        "etag": etag,
        "_plan": {
            "startedAt": now, "outcome": outcome, "input": input, "failed": failed.len(), "errors": errors,
            "dataSetId": dataset, "batchId": batch, "rowErrors": row_errors,
        },
    }));
    (id, etag)
}

/// Starts the flow's first run, unless it has one or is a streaming flow (which has none).
pub(super) fn start_first(state: &mut State, index: usize) {
    let flow = &state.lifecycle.flows[index];
    let streaming = super::flow_specs::flow_spec_of(flow["flowSpec"]["id"].as_str().unwrap_or_default())
        .is_some_and(|spec| spec["attributes"]["frequency"] == "streaming");
    let has_run = state.lifecycle.runs.iter().any(|r| r["flowId"] == flow["id"]);
    if !streaming && !has_run {
        start(state, index);
    }
}

/// Whether the run has ended and written its batch by `now`.
pub(super) fn wrote_batch(run: &Value, now: u64, run_ms: u64) -> bool {
    let plan = &run["_plan"];
    let started = plan["startedAt"].as_u64().unwrap_or(0);
    now.saturating_sub(started) >= run_ms && plan["outcome"] != "failed"
}

/// A run as it stands at `now`; runs made without a plan (the health model's) as stored.
pub(crate) fn view_run(run: &Value, now: u64, run_ms: u64) -> Value {
    let Some(plan) = run.get("_plan") else { return run.clone() };
    let mut shown = run.clone();
    if let Some(map) = shown.as_object_mut() {
        map.remove("_plan");
    }
    let started = plan["startedAt"].as_u64().unwrap_or(0);
    let elapsed = now.saturating_sub(started);
    let done = elapsed >= run_ms;
    let status = if done {
        plan["outcome"].as_str().unwrap_or("success")
    } else if elapsed < PENDING_MS.min(run_ms) {
        "pending"
    } else {
        "inProgress"
    };
    let failed_run = done && status == "failed";
    let errors = if failed_run { plan["errors"].clone() } else { json!([]) };
    let (input, failed) = if done {
        (plan["input"].as_u64().unwrap_or(0), plan["failed"].as_u64().unwrap_or(0))
    } else {
        (0, 0)
    };
    let mut duration = json!({ "startedAtUTC": started });
    if done {
        duration["completedAtUTC"] = json!(started + run_ms);
        shown["updatedAt"] = json!(started + run_ms);
    }
    let mut status_summary = json!({ "status": status, "errors": errors });
    let mut promotion = json!({ "status": status, "errors": [] });
    if done && failed > 0 {
        // Partial ingestion: the run succeeds and names the rows Data Prep could not map.
        let extensions = json!({ "errors": [{
            "code": TRANSFORM_ERROR, "message": "Mapper Transform Error", "recordCount": failed,
        }] });
        promotion["extensions"] = extensions.clone();
        status_summary["extensions"] = extensions;
    }
    let records = json!({ "inputRecordCount": input, "outputRecordCount": input - failed, "failedRecordCount": failed });
    shown["metrics"] = json!({
        "durationSummary": duration,
        "sizeSummary": { "inputBytes": input * 180, "outputBytes": (input - failed) * 240 },
        "recordSummary": records,
        "fileSummary": { "inputFileCount": u64::from(done && !failed_run), "outputFileCount": u64::from(done && !failed_run) },
        "statusSummary": status_summary,
    });
    shown["activities"] = json!([
        { "id": "copyActivity", "name": "Copy Activity", "durationSummary": duration,
          "recordSummary": records, "statusSummary": { "status": status, "errors": errors } },
        { "id": "promotionActivity", "name": "Promotion Activity", "durationSummary": duration,
          "recordSummary": records, "statusSummary": promotion },
    ]);
    if done && !failed_run {
        shown["targetInfo"] =
            json!([{ "id": plan["dataSetId"], "reference": { "type": "Batch", "ids": [plan["batchId"]] } }]);
    }
    shown
}

/// Every flow as it stands now: `lastRunDetails` follows its newest run.
pub(crate) fn view_flows(state: &State) -> Vec<Value> {
    let (now, run_ms) = (now_ms(), state.config.run_ms);
    let mut newest: HashMap<&str, &Value> = HashMap::new();
    for run in &state.lifecycle.runs {
        if let Some(flow) = run["flowId"].as_str() {
            newest.insert(flow, run);
        }
    }
    state
        .lifecycle
        .flows
        .iter()
        .map(|flow| {
            let mut flow = flow.clone();
            if let Some(run) = flow["id"].as_str().and_then(|id| newest.get(id)) {
                let run = view_run(run, now, run_ms);
                let duration = &run["metrics"]["durationSummary"];
                let mut details = json!({
                    "id": run["id"], "state": run["metrics"]["statusSummary"]["status"],
                    "startedAtUTC": duration["startedAtUTC"],
                });
                if let Some(completed) = duration.get("completedAtUTC") {
                    details["completedAtUTC"] = completed.clone();
                }
                flow["lastRunDetails"] = details;
            }
            flow
        })
        .collect()
}

fn views(state: &State) -> Vec<Value> {
    let (now, run_ms) = (now_ms(), state.config.run_ms);
    state.lifecycle.runs.iter().map(|run| view_run(run, now, run_ms)).collect()
}

pub(super) fn list(state: &State, request: &Request) -> Response {
    lifecycle::list("runs", &views(state), &sandbox(request), request)
}

pub(super) fn one(state: &State, request: &Request, id: &str) -> Response {
    let sandbox = sandbox(request);
    match views(state).into_iter().find(|r| r["id"] == id && r["sandboxName"] == sandbox.as_str()) {
        Some(run) => Response::json(200, &json!({ "items": [run] })),
        None => flow_not_found("Run", id),
    }
}

/// `POST /runs`: an on-demand run, only for a flow scheduled `once`.
pub(super) fn create(state: &mut State, request: &Request) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        return bad_flow("Request body is empty or is not valid JSON");
    };
    let sandbox = sandbox(request);
    let flow_id = body["flowId"].as_str().unwrap_or_default();
    let Some(index) =
        state.lifecycle.flows.iter().position(|f| f["id"] == flow_id && f["sandboxName"] == sandbox.as_str())
    else {
        return flow_not_found("Flow", flow_id);
    };
    let flow = &state.lifecycle.flows[index];
    if flow["state"] == "draft" {
        return bad_flow("A draft flow cannot run; publish it first");
    }
    if flow["scheduleParams"]["frequency"] != "once" {
        return bad_flow("Only a flow scheduled once can be run on demand");
    }
    if let Some(asked) = body.pointer("/params/deltaColumn/name") {
        let copy = flow["transformations"].as_array().into_iter().flatten().find(|t| t["name"] == "Copy");
        let current = copy.and_then(|c| c.pointer("/params/deltaColumn/name"));
        if current.is_some_and(|current| current != asked) {
            return bad_flow(
                "The delta column is the flow's Copy transformation's and cannot be changed by a run",
            );
        }
    }
    let (id, etag) = start(state, index);
    Response::json(201, &json!({ "items": [{ "id": id, "etag": etag }] }))
}
