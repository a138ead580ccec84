//! Dataflows of the fake Flow Service: `POST /flows` (also as a draft) with the checks Adobe
//! applies (a known flow spec, connections of specs it takes, schedule, transformations and
//! options), read and listed with `lastRunDetails` as of now, published, enabled, disabled and
//! deleted. Flows join the lifecycle model's list, so health listings see them.

use serde_json::{json, Value};

use super::connections::{is_draft, new_etag, stamp};
use super::flow_checks::{check_options, check_schedule, check_transformations};
use super::flow_specs::flow_spec_of;
use super::runs::{start_first, view_flows};
use super::{bad_flow, flow_not_found, sandbox, text};
use crate::http::{Request, Response};
use crate::lifecycle;
use crate::platform::{flow_error, now_ms, State, FLOW};

/// The connections `ids` names, each of this sandbox and of a spec the flow spec takes.
fn connections<'a>(
    all: &'a [Value],
    ids: &Value,
    sandbox: &str,
    field: &str,
    allowed: &Value,
) -> Result<Vec<&'a Value>, String> {
    let ids = ids
        .as_array()
        .filter(|ids| !ids.is_empty())
        .ok_or_else(|| format!("{field} must be a non-empty array"))?;
    let allowed: Vec<&str> = allowed.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    ids.iter()
        .map(|id| {
            let found = all
                .iter()
                .find(|c| c["id"] == *id && c["sandboxName"] == sandbox)
                .ok_or_else(|| format!("{field}: {id} is not a connection of this sandbox"))?;
            let spec = found["connectionSpec"]["id"].as_str().unwrap_or_default();
            if !allowed.contains(&spec) {
                return Err(format!(
                    "{field}: connection {id} has connection spec {spec}, which this flow spec does not take ({})",
                    allowed.join(", ")
                ));
            }
            Ok(found)
        })
        .collect()
}

/// Everything Flow Service checks in a flow; `draft` relaxes what a draft may leave out.
pub(super) fn check(state: &State, sandbox: &str, flow: &Value, draft: bool) -> Result<(), String> {
    let spec_id = text(flow, "/flowSpec/id").ok_or("flowSpec.id is required")?;
    let spec =
        flow_spec_of(spec_id).ok_or_else(|| format!("flowSpec.id {spec_id} is not a known flow spec"))?;
    if draft && spec["attributes"]["isDraftModeSupported"] != true {
        return Err(format!("Flow spec {} does not support drafts", spec["name"]));
    }
    text(flow, "/name").ok_or("name is required")?;
    let sources = connections(
        &state.lifecycle.source_connections,
        &flow["sourceConnectionIds"],
        sandbox,
        "sourceConnectionIds",
        &spec["sourceConnectionSpecIds"],
    )?;
    let targets = connections(
        &state.dataflow.target_connections,
        &flow["targetConnectionIds"],
        sandbox,
        "targetConnectionIds",
        &spec["targetConnectionSpecIds"],
    )?;
    if !draft {
        if let Some(pending) = sources.iter().chain(&targets).find(|c| c["state"] == "draft") {
            return Err(format!("Connection {} is still a draft; publish it first", pending["id"]));
        }
    }
    match flow.get("transformations") {
        Some(list) => check_transformations(&state.dataflow, sandbox, &spec, list, &sources, !draft)?,
        None if !draft => return Err("transformations is required".into()),
        None => {}
    }
    let streaming = spec["attributes"]["frequency"] == "streaming";
    match flow.get("scheduleParams") {
        Some(params) => check_schedule(params)?,
        None if !draft && !streaming => return Err("scheduleParams is required".into()),
        None => {}
    }
    if let Some(options) = flow.get("options") {
        check_options(options)?;
    }
    Ok(())
}

/// `inheritedAttributes`: the flow's connections with their specs and base connections.
fn inherited(state: &State, flow: &Value) -> Value {
    let find =
        |all: &[Value], id: &Value| all.iter().find(|c| c["id"] == *id).cloned().unwrap_or(Value::Null);
    let ids = |field: &str| flow[field].as_array().cloned().unwrap_or_default();
    let sources: Vec<Value> = ids("sourceConnectionIds")
        .iter()
        .map(|id| {
            let source = find(&state.lifecycle.source_connections, id);
            let base = find(&state.connections, &source["baseConnectionId"]);
            json!({
                "id": id, "connectionSpec": source["connectionSpec"],
                "baseConnection": { "id": source["baseConnectionId"], "connectionSpec": base["connectionSpec"] },
            })
        })
        .collect();
    let targets: Vec<Value> = ids("targetConnectionIds")
        .iter()
        .map(|id| json!({ "id": id, "connectionSpec": find(&state.dataflow.target_connections, id)["connectionSpec"] }))
        .collect();
    json!({ "sourceConnections": sources, "targetConnections": targets })
}

pub(super) fn create(state: &mut State, request: &Request) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        return flow_error(400, 1405, "Bad Request", "Request body is empty or is not valid JSON");
    };
    let (sandbox, draft) = (sandbox(request), is_draft(request));
    if let Err(reason) = check(state, &sandbox, &body, draft) {
        return bad_flow(&reason);
    }
    let mut flow = json!({});
    for key in [
        "name",
        "description",
        "flowSpec",
        "sourceConnectionIds",
        "targetConnectionIds",
        "transformations",
        "scheduleParams",
        "options",
    ] {
        if let Some(value) = body.get(key) {
            flow[key] = value.clone();
        }
    }
    if let Some(options) = body.get("options").and_then(|o| check_options(o).ok()) {
        flow["options"] = options;
    }
    stamp(state, &mut flow, &sandbox, draft);
    let id = flow["id"].as_str().unwrap_or_default().to_owned();
    flow["inheritedAttributes"] = inherited(state, &flow);
    flow["runs"] = json!(format!("/flows/{id}/runs"));
    let now = now_ms();
    flow["lastOperation"] = json!({ "started": now, "updated": now, "operation": "create" });
    let etag = flow["etag"].clone();
    state.lifecycle.flows.push(flow);
    if !draft {
        start_first(state, state.lifecycle.flows.len() - 1);
    }
    Response::json(201, &json!({ "id": id, "etag": etag }))
        .with_header("location", &format!("{FLOW}/flows/{id}"))
}

pub(super) fn list(state: &State, request: &Request) -> Response {
    lifecycle::list("flows", &view_flows(state), &sandbox(request), request)
}

pub(super) fn one(state: &State, request: &Request, id: &str) -> Response {
    let sandbox = sandbox(request);
    match view_flows(state).into_iter().find(|f| f["id"] == id && f["sandboxName"] == sandbox.as_str()) {
        Some(flow) => Response::json(200, &json!({ "items": [flow] })),
        None => flow_not_found("Flow", id),
    }
}

pub(super) fn index_of(state: &State, request: &Request, id: &str) -> Option<usize> {
    let sandbox = sandbox(request);
    state.lifecycle.flows.iter().position(|f| f["id"] == id && f["sandboxName"] == sandbox.as_str())
}

pub(super) fn delete(state: &mut State, request: &Request, id: &str) -> Response {
    let Some(index) = index_of(state, request, id) else {
        return flow_not_found("Flow", id);
    };
    state.lifecycle.flows.remove(index);
    // Its runs go with it, so a later flow's health never shows them.
    state.lifecycle.runs.retain(|r| r["flowId"] != id);
    Response::empty(204)
}

/// `POST /flows/{id}/action?op=publish|enable|disable` (any case).
pub(super) fn action(state: &mut State, request: &Request, id: &str) -> Response {
    let op = request.query("op").unwrap_or_default().to_ascii_lowercase();
    let Some(index) = index_of(state, request, id) else {
        return flow_not_found("Flow", id);
    };
    let flow = state.lifecycle.flows[index].clone();
    let draft = flow["state"] == "draft";
    let new_state = match op.as_str() {
        "publish" if !draft => return bad_flow(&format!("Flow {id} is not a draft")),
        "publish" => {
            if let Err(reason) = check(state, &sandbox(request), &flow, false) {
                return bad_flow(&format!("The draft cannot be published: {reason}"));
            }
            "enabled"
        }
        "enable" | "disable" if draft => return bad_flow(&format!("Flow {id} is a draft; publish it first")),
        "enable" => "enabled",
        "disable" => "disabled",
        _ => return bad_flow("op must be publish, enable or disable"),
    };
    let etag = new_etag(state);
    let now = now_ms();
    let flow = &mut state.lifecycle.flows[index];
    flow["state"] = json!(new_state);
    flow["etag"] = json!(etag);
    flow["version"] = json!(etag);
    flow["updatedAt"] = json!(now);
    flow["lastOperation"] = json!({ "started": now, "updated": now, "operation": op });
    if new_state == "enabled" {
        start_first(state, index);
    }
    Response::json(200, &json!({ "id": id, "etag": etag }))
}
