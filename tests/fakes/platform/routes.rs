//! How the fake answers each request: its control routes (`/__fake/…`) first, then the request
//! is recorded, a fault injected for it applies, and Adobe's routes (IMS, the gateway, sandbox
//! management, Flow Service, and the dataflow model's Schema Registry, Catalog, Identity
//! Service and Data Prep) answer.

use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::connection_service::{
    create, delete, explore, list, new_connection, sandbox_of, update, with_connection,
};
use crate::credentials::Registry;
use crate::dataflow::Dataflow;
use crate::gateway::{gateway, ims_token, sandbox_header, sandboxes};
use crate::http::{Outcome, Request, Response};
use crate::lifecycle::{Failure, NewFlows};
use crate::spec_service;

use super::{flow_error, lock, Fault, FaultAction, Recorded, State, FLOW};

const SANDBOXES: &str = "/data/foundation/sandbox-management/";
const CONTROL: &str = "/__fake";

pub(super) fn handle(shared: &Mutex<State>, request: Request) -> Outcome {
    let mut state = lock(shared);
    if request.path.starts_with(CONTROL) {
        return Outcome::Respond(control(&mut state, &request));
    }
    let at_ms = u64::try_from(state.started.elapsed().as_millis()).unwrap_or(u64::MAX);
    state.requests.push(Recorded {
        method: request.method.clone(),
        path: request.path.clone(),
        query: request.query.clone(),
        headers: request.headers.clone(),
        body: String::from_utf8_lossy(&request.body).into_owned(),
        at_ms,
    });
    let now = std::time::Instant::now();
    let (ready, waiting): (Vec<_>, Vec<_>) =
        std::mem::take(&mut state.processing).into_iter().partition(|(at, _)| *at <= now);
    state.processing = waiting;
    state.connections.extend(ready.into_iter().map(|(_, c)| c));
    let fault = take_fault(&mut state, &request);
    match fault {
        Some(FaultAction::Status { status, retry_after, body }) => {
            let mut response = Response::json(status, &body.unwrap_or_else(|| gateway_status_body(status)));
            if let Some(after) = retry_after {
                response = response.with_header("retry-after", &after);
            }
            return Outcome::Respond(response);
        }
        Some(FaultAction::DropBeforeHandling) => return Outcome::Drop,
        Some(FaultAction::SameNameMeanwhile { stored }) => {
            create_as_someone_else(&mut state, &request);
            if !stored {
                return Outcome::Drop;
            }
        }
        _ => {}
    }
    let stored_before = state.connections.len();
    let response = route(&mut state, &request);
    match fault {
        Some(FaultAction::Delay { ms }) => Outcome::Delay(Duration::from_millis(ms), response),
        Some(FaultAction::DropAfterHandling | FaultAction::SameNameMeanwhile { .. }) => Outcome::Drop,
        Some(FaultAction::AnswerAfterHandling { status, body }) => {
            Outcome::Respond(Response::raw(status, "application/json", body.into_bytes()))
        }
        Some(FaultAction::StoreLater { ms }) => {
            let later: Vec<Value> = state.connections.drain(stored_before..).collect();
            let at = now + Duration::from_millis(ms);
            state.processing.extend(later.into_iter().map(|c| (at, c)));
            Outcome::Delay(Duration::from_millis(ms * 2), Response::json(504, &gateway_status_body(504)))
        }
        _ => Outcome::Respond(response),
    }
}

/// Stores a copy of the create's body as another client's connection: same name and source,
/// its own description, no marker of the request's.
fn create_as_someone_else(state: &mut State, request: &Request) {
    let Ok(mut body) = serde_json::from_slice::<Value>(&request.body) else { return };
    body["description"] = json!("Made by a teammate at the same moment");
    let sandbox = request.header("x-sandbox-name").unwrap_or_default().to_owned();
    let connection = new_connection(state, &sandbox, &body);
    state.connections.push(connection);
}

fn take_fault(state: &mut State, request: &Request) -> Option<FaultAction> {
    let index = state.faults.iter().position(|f| f.method == request.method && f.path == request.path)?;
    let fault = &mut state.faults[index];
    let action = fault.action.clone();
    fault.times = fault.times.saturating_sub(1);
    if fault.times == 0 {
        state.faults.remove(index);
    }
    Some(action)
}

fn gateway_status_body(status: u16) -> Value {
    match status {
        429 => json!({ "error_code": "429001", "message": "Too many requests" }),
        _ => json!({ "error_code": format!("{status}050"), "message": "Service unavailable" }),
    }
}

/// `POST /__fake/seed`: connections of one source to add to a sandbox.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Seed {
    spec_id: String,
    spec_name: String,
    sandbox: String,
    names: Vec<String>,
}

fn control(state: &mut State, request: &Request) -> Response {
    if let Some(response) = crate::dataflow::control(state, request, &request.path[CONTROL.len()..]) {
        return response;
    }
    if let Some(response) = crate::credentials::control(state, request, &request.path[CONTROL.len()..]) {
        return response;
    }
    match (request.method.as_str(), &request.path[CONTROL.len()..]) {
        ("GET", "/requests") => Response::json(200, &json!(state.requests)),
        ("GET", "/connections") => Response::json(200, &json!(state.connections)),
        ("GET", "/config") => Response::json(200, &json!(state.config)),
        ("POST", "/faults") => match serde_json::from_slice::<Fault>(&request.body) {
            Ok(fault) => {
                state.faults.push_back(fault);
                Response::empty(204)
            }
            Err(e) => Response::json(400, &json!({ "message": e.to_string() })),
        },
        ("POST", "/flows") => match serde_json::from_slice::<NewFlows>(&request.body) {
            Ok(new) => {
                let sandbox = sandbox_of(state, &new.connection_id);
                Response::json(200, &json!(state.lifecycle.add_flows(&sandbox, &new)))
            }
            Err(e) => Response::json(400, &json!({ "message": e.to_string() })),
        },
        ("POST", "/fail") => match serde_json::from_slice::<Failure>(&request.body) {
            Ok(failure) => {
                state.lifecycle.fail(failure);
                Response::empty(204)
            }
            Err(e) => Response::json(400, &json!({ "message": e.to_string() })),
        },
        ("POST", "/tables") => match serde_json::from_slice::<Value>(&request.body) {
            Ok(body) => {
                state.lifecycle.tables = body["tables"].as_u64().unwrap_or(12) as usize;
                state.lifecycle.tables_at_root = body["atRoot"].as_bool().unwrap_or(false);
                state.lifecycle.wide_columns = body["wideColumns"].as_u64().unwrap_or(0) as usize;
                Response::empty(204)
            }
            Err(e) => Response::json(400, &json!({ "message": e.to_string() })),
        },
        // Connections made as if by another tool, for screens that need a realistic sandbox.
        ("POST", "/seed") => match serde_json::from_slice::<Seed>(&request.body) {
            Ok(seed) => {
                let ids: Vec<String> = seed
                    .names
                    .iter()
                    .map(|name| {
                        let connection = new_connection(
                            state,
                            &seed.sandbox,
                            &json!({
                                "name": name,
                                "auth": { "specName": seed.spec_name, "params": {} },
                                "connectionSpec": { "id": seed.spec_id, "version": "1.0" },
                            }),
                        );
                        let id = connection["id"].as_str().unwrap_or_default().to_owned();
                        state.connections.push(connection);
                        id
                    })
                    .collect();
                Response::json(200, &json!(ids))
            }
            Err(e) => Response::json(400, &json!({ "message": e.to_string() })),
        },
        ("POST", "/reset") => {
            state.lifecycle.reset();
            state.requests.clear();
            state.faults.clear();
            state.connections.clear();
            state.processing.clear();
            state.in_use.clear();
            state.dataflow = Dataflow::new(&state.config);
            state.credentials = Registry::default();
            Response::empty(204)
        }
        _ => Response::json(404, &json!({ "message": "unknown control path" })),
    }
}

fn route(state: &mut State, request: &Request) -> Response {
    let method = request.method.as_str();
    if request.path == "/ims/token/v3" {
        return match method {
            "POST" => ims_token(state, request),
            _ => Response::json(405, &json!({ "error": "invalid_request", "error_description": "use POST" })),
        };
    }
    if let Err(response) = gateway(state, request) {
        return response;
    }
    if request.path == SANDBOXES && method == "GET" {
        return sandboxes(state, request);
    }
    // Schema Registry, Catalog, Identity Service and Data Prep.
    if let Some(response) = crate::dataflow::route(state, request) {
        return response;
    }
    let Some(rest) = request.path.strip_prefix(FLOW) else {
        return not_found("path", &request.path);
    };
    if let Err(response) = sandbox_header(state, request) {
        return response;
    }
    let segments: Vec<&str> = rest.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("POST", ["connections"]) => create(state, request),
        ("GET", ["connections"]) => list(state, request),
        ("GET", ["connections", id]) => {
            let config = state.config.clone();
            with_connection(state, id, |c| {
                Response::json(200, &json!({ "items": [spec_service::masked(&config, c)] }))
            })
        }
        ("PATCH", ["connections", id]) => update(state, request, id),
        ("DELETE", ["connections", id]) => delete(state, id),
        ("GET", ["connections", id, "test"]) if state.config.offer_test_endpoint => {
            with_connection(state, id, |connection| crate::credentials::test(state, connection))
        }
        ("GET", ["connections", id, "explore"]) => explore(state, request, id),
        ("GET", ["connectionSpecs"]) => spec_service::list(&state.config, request),
        ("GET", ["connectionSpecs", id]) => spec_service::one(&state.config, id),
        // Source and target connections, flow specs, flows and runs.
        _ => crate::dataflow::flow_service(state, request, &segments)
            .unwrap_or_else(|| not_found("path", &request.path)),
    }
}

fn not_found(what: &str, value: &str) -> Response {
    flow_error(404, 1101, "Resource not found", &format!("No such {what}: {value}"))
}
