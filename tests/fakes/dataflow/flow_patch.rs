//! `PATCH /flows/{id}`: JSON Patch under `If-Match`, on the paths the update guide documents
//! (`/name`, `/description`, `/scheduleParams/…`, `/transformations/<index>`, `/options/…`).
//! The patched flow goes through the create checks again, and a start time that has passed
//! cannot move.

use serde_json::{json, Value};

use super::connections::new_etag;
use super::flow_checks::{check_options, start_time};
use super::flows::{check, index_of};
use super::{bad_flow, flow_not_found, sandbox};
use crate::http::{Request, Response};
use crate::platform::{flow_error, now_ms, State};

fn stale(if_match: &str, current: &Value) -> Response {
    let mut response = flow_error(412, 1404, "Precondition Failed", "Version not matching");
    response.body = json!({
        "type": "https://ns.adobe.com/aep/errors/FLOW-1404-412", "title": "Precondition Failed", "status": 412,
        "report": { "detailed-message": "Version not matching" },
        "errorMessage": format!("Supplied version=[{if_match}] does not match the current version on entity=[{current}]"),
    })
    .to_string()
    .into_bytes();
    response
}

pub(super) fn patch(state: &mut State, request: &Request, id: &str) -> Response {
    let Some(if_match) = request.header("if-match").map(str::to_owned) else {
        return flow_error(400, 1403, "Bad Request", "header 'If-Match' is missing");
    };
    let Ok(ops) = serde_json::from_slice::<Vec<Value>>(&request.body) else {
        return flow_error(400, 1455, "Bad Request", "The patch body must be a JSON-Patch array");
    };
    let Some(index) = index_of(state, request, id) else {
        return flow_not_found("Flow", id);
    };
    let current = state.lifecycle.flows[index].clone();
    if current["etag"] != if_match.as_str() {
        return stale(&if_match, &current["etag"]);
    }
    let mut flow = current.clone();
    for op in &ops {
        if let Err(reason) = apply(&mut flow, op) {
            return flow_error(400, 1455, "Bad Request", &reason);
        }
    }
    let (before, after) = (start_time(&current["scheduleParams"]), start_time(&flow["scheduleParams"]));
    let now_secs = i64::try_from(now_ms() / 1000).unwrap_or(i64::MAX);
    if before.is_some_and(|start| start < now_secs) && after != before {
        return bad_flow("The schedule's start time cannot be changed once it has passed");
    }
    let draft = flow["state"] == "draft";
    if let Err(reason) = check(state, &sandbox(request), &flow, draft) {
        return bad_flow(&reason);
    }
    if let Some(options) = flow.get("options").and_then(|o| check_options(o).ok()) {
        flow["options"] = options;
    }
    let etag = new_etag(state);
    let now = now_ms();
    flow["etag"] = json!(etag);
    flow["version"] = json!(etag);
    flow["updatedAt"] = json!(now);
    flow["lastOperation"] = json!({ "started": now, "updated": now, "operation": "update" });
    state.lifecycle.flows[index] = flow;
    Response::json(200, &json!({ "id": id, "etag": etag }))
}

/// One JSON Patch operation on the flow; `Err` names what Flow Service would refuse.
fn apply(flow: &mut Value, op: &Value) -> Result<(), String> {
    let kind = op["op"].as_str().unwrap_or_default().to_ascii_lowercase();
    let path = op["path"].as_str().unwrap_or_default();
    let value = || op.get("value").cloned().ok_or_else(|| format!("'{kind} {path}' needs a value"));
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or_default().split('/').collect();
    match (kind.as_str(), segments.as_slice()) {
        ("add" | "replace", [field @ ("name" | "description")]) => flow[*field] = value()?,
        ("remove", ["description"]) => flow["description"] = json!(""),
        ("add" | "replace", [whole @ ("scheduleParams" | "transformations" | "options")]) => {
            flow[*whole] = value()?
        }
        ("remove", ["options"]) => {
            if let Some(map) = flow.as_object_mut() {
                map.remove("options");
            }
        }
        (_, [parent @ ("scheduleParams" | "options"), key]) => {
            if !flow[*parent].is_object() {
                // A missing `/options` is made by its first key, as the documented example
                // adds `/options` and `/options/errorDiagnosticsEnabled` in one patch.
                flow[*parent] = json!({});
            }
            let Some(map) = flow[*parent].as_object_mut() else {
                return Err(format!("{parent} is not an object"));
            };
            match kind.as_str() {
                "add" => {
                    map.insert((*key).to_owned(), value()?);
                }
                "replace" if map.contains_key(*key) => {
                    map.insert((*key).to_owned(), value()?);
                }
                "remove" if map.remove(*key).is_some() => {}
                _ => return Err(format!("Cannot {kind} {path}: no such value")),
            }
        }
        (_, ["transformations", position]) => {
            let list = flow["transformations"].as_array_mut().ok_or("the flow has no transformations")?;
            let at = match *position {
                "-" if kind == "add" => list.len(),
                other => {
                    other.parse::<usize>().map_err(|_| format!("'{other}' is not a transformation index"))?
                }
            };
            match kind.as_str() {
                "add" if at <= list.len() => list.insert(at, value()?),
                "replace" if at < list.len() => list[at] = value()?,
                "remove" if at < list.len() => {
                    list.remove(at);
                }
                _ => {
                    return Err(format!("Cannot {kind} {path}: the flow has {} transformations", list.len()))
                }
            }
        }
        _ => return Err(format!("Unsupported patch operation '{kind}' on '{path}'")),
    }
    Ok(())
}
