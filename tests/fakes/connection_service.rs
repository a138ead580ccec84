//! The connection endpoints of the fake Flow Service: create (checked against the spec),
//! list with filters and pages, `PATCH` with `If-Match` (of the name, the description, the
//! auth params whole or one of them), delete (refused while dataflows use it), and explore,
//! which the lifecycle model answers once the source takes the credentials.

use serde_json::{json, Value};

use crate::http::{Request, Response};
use crate::lifecycle::{matches, property_filters};
use crate::platform::{flow_error, now_ms, uuid_like, State, FLOW};
use crate::spec_service;

pub(crate) fn create(state: &mut State, request: &Request) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        return flow_error(400, 1405, "Bad Request", "Request body is empty or is not valid JSON");
    };
    if let Err(refused) = spec_service::check_create(&state.config, &body) {
        return refused;
    }
    let sandbox = request.header("x-sandbox-name").unwrap_or_default().to_owned();
    let connection = new_connection(state, &sandbox, &body);
    let (id, etag) = (connection["id"].clone(), connection["etag"].clone());
    state.connections.push(connection);
    Response::json(201, &json!({ "id": id, "etag": etag }))
        .with_header("location", &format!("{FLOW}/connections/{}", id.as_str().unwrap_or_default()))
}

pub(crate) fn new_connection(state: &mut State, sandbox: &str, body: &Value) -> Value {
    state.counter += 1;
    let id = uuid_like(state.counter);
    let etag = format!("\"{}\"", uuid_like(state.counter.wrapping_mul(7919)));
    let now = now_ms();
    json!({
        "id": id, "name": body["name"], "description": body.get("description").cloned().unwrap_or(json!("")),
        "createdAt": now, "updatedAt": now, "createdBy": format!("{}@techacct.adobe.com", state.config.client_id),
        "updatedBy": format!("{}@techacct.adobe.com", state.config.client_id),
        "createdClient": state.config.client_id, "updatedClient": state.config.client_id,
        "sandboxId": format!("{sandbox}-id"), "sandboxName": sandbox, "imsOrgId": state.config.org_id,
        "connectionSpec": body["connectionSpec"], "state": "enabled", "auth": body["auth"],
        "version": etag, "etag": etag,
    })
}

pub(crate) fn list(state: &State, request: &Request) -> Response {
    let sandbox = request.header("x-sandbox-name").unwrap_or_default();
    if request.query("count") == Some("true") && request.query("limit").is_some() {
        return flow_error(400, 1401, "Bad Request", "limit and count cannot be used together");
    }
    let filters = match property_filters(request) {
        Ok(filters) => filters,
        Err(refused) => return refused,
    };
    let matching: Vec<&Value> = state
        .connections
        .iter()
        .filter(|c| c["sandboxName"] == sandbox)
        .filter(|c| filters.iter().all(|(field, values)| matches(c, field, values)))
        .collect();
    if request.query("count") == Some("true") {
        return Response::json(200, &json!({ "count": matching.len() }));
    }
    let limit = request
        .query("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(state.config.default_page_size)
        .max(1);
    let offset = match request.query("continuationToken") {
        None => 0,
        Some(token) => match decode_token(token) {
            Some(offset) => offset,
            None => return flow_error(400, 1400, "Bad Request", "Invalid continuation token"),
        },
    };
    let page: Vec<Value> =
        matching.iter().skip(offset).take(limit).map(|c| spec_service::masked(&state.config, c)).collect();
    let mut body = json!({ "items": page });
    if offset + limit < matching.len() {
        let mut next = url::form_urlencoded::Serializer::new(String::new());
        next.append_pair("continuationToken", &encode_token(offset + limit));
        next.append_pair("limit", &limit.to_string());
        for property in request.query_all("property") {
            next.append_pair("property", property);
        }
        body["_links"] = json!({ "next": { "href": format!("/connections?{}", next.finish()) } });
    }
    Response::json(200, &body)
}

pub(crate) fn with_connection(state: &State, id: &str, f: impl FnOnce(&Value) -> Response) -> Response {
    match state.connections.iter().find(|c| c["id"] == id) {
        Some(connection) => f(connection),
        None => flow_error(404, 1101, "Resource not found", &format!("Connection {id} not found")),
    }
}

pub(crate) fn update(state: &mut State, request: &Request, id: &str) -> Response {
    let Some(if_match) = request.header("if-match").map(str::to_owned) else {
        return flow_error(400, 1403, "Bad Request", "header 'If-Match' is missing");
    };
    let Ok(ops) = serde_json::from_slice::<Vec<Value>>(&request.body) else {
        return flow_error(400, 1455, "Bad Request", "The patch body must be a JSON-Patch array");
    };
    // The auth params the patch leaves are checked as a create's are.
    if let Some(connection) = state.connections.iter().find(|c| c["id"] == id) {
        if let Some(params) = patched_params(connection, &ops) {
            let body = json!({
                "name": connection["name"], "connectionSpec": connection["connectionSpec"],
                "auth": { "specName": connection["auth"]["specName"], "params": params },
            });
            if let Err(refused) = spec_service::check_create(&state.config, &body) {
                return refused;
            }
        }
    }
    state.counter += 1;
    let new_etag = format!("\"{}\"", uuid_like(state.counter.wrapping_mul(104_729)));
    let renews = ops.iter().any(|op| op["path"].as_str().is_some_and(|p| auth_param(p).is_some()));
    let Some(connection) = state.connections.iter_mut().find(|c| c["id"] == id) else {
        return flow_error(404, 1101, "Resource not found", &format!("Connection {id} not found"));
    };
    if connection["etag"] != if_match.as_str() {
        let mut response = flow_error(412, 1404, "Precondition Failed", "Version not matching");
        response.body = json!({
            "type": "https://ns.adobe.com/aep/errors/FLOW-1404-412", "title": "Precondition Failed", "status": 412,
            "report": { "detailed-message": "Version not matching" },
            "errorMessage": format!("Supplied version=[{if_match}] does not match the current version on entity=[{}]", connection["etag"]),
        })
        .to_string()
        .into_bytes();
        return response;
    }
    for op in &ops {
        let kind = op["op"].as_str().unwrap_or_default().to_ascii_lowercase();
        let path = op["path"].as_str().unwrap_or_default();
        match (kind.as_str(), path) {
            ("replace" | "add", "/name" | "/description") => connection[&path[1..]] = op["value"].clone(),
            ("remove", "/description") => connection["description"] = json!(""),
            (kind, path)
                if matches!(
                    (kind, auth_param(path)),
                    ("replace" | "add", Some(_)) | ("remove", Some(Some(_)))
                ) =>
            {
                if let Some(params) = patched_params(connection, std::slice::from_ref(op)) {
                    connection["auth"]["params"] = params;
                }
            }
            _ => {
                return flow_error(
                    400,
                    1455,
                    "Bad Request",
                    &format!("Invalid patch instruction {kind} {path}"),
                )
            }
        }
    }
    connection["etag"] = json!(new_etag);
    connection["version"] = json!(new_etag);
    connection["updatedAt"] = json!(now_ms());
    if renews {
        state.lifecycle.renewed(id);
    }
    Response::json(200, &json!({ "id": id, "etag": new_etag }))
}

/// Which auth params a patch path names: `Some(None)` for `/auth/params` whole, `Some(Some(name))`
/// for `/auth/params/{name}` (a JSON Pointer token, `~1` and `~0` unescaped), `None` otherwise.
fn auth_param(path: &str) -> Option<Option<String>> {
    let rest = path.strip_prefix("/auth/params")?;
    if rest.is_empty() {
        return Some(None);
    }
    let name = rest.strip_prefix('/').filter(|name| !name.is_empty() && !name.contains('/'))?;
    Some(Some(name.replace("~1", "/").replace("~0", "~")))
}

/// The connection's auth params after `ops`, or `None` when they touch none. Replacing or
/// adding `/auth/params` sets them all; `/auth/params/{name}` sets (or, `remove`, drops) one.
fn patched_params(connection: &Value, ops: &[Value]) -> Option<Value> {
    let mut params = connection.pointer("/auth/params").cloned().unwrap_or_else(|| json!({}));
    let mut touched = false;
    for op in ops {
        let kind = op["op"].as_str().unwrap_or_default().to_ascii_lowercase();
        let Some(target) = op["path"].as_str().and_then(auth_param) else { continue };
        touched = true;
        if !params.is_object() {
            params = json!({});
        }
        match (kind.as_str(), target) {
            ("replace" | "add", None) => params = op["value"].clone(),
            ("replace" | "add", Some(name)) => params[name] = op["value"].clone(),
            ("remove", Some(name)) => {
                if let Some(object) = params.as_object_mut() {
                    object.remove(&name);
                }
            }
            _ => {}
        }
    }
    touched.then_some(params)
}

pub(crate) fn delete(state: &mut State, id: &str) -> Response {
    let has_flows = state.lifecycle.source_connections.iter().any(|s| s["baseConnectionId"] == id);
    if has_flows || state.in_use.iter().any(|used| used == id) {
        return flow_error(
            400,
            1418,
            "Bad Request",
            &format!("Connection {id} cannot be deleted because the base connection is being used in one or more flows"),
        );
    }
    let before = state.connections.len();
    state.connections.retain(|c| c["id"] != id);
    if state.connections.len() == before {
        return flow_error(404, 1101, "Resource not found", &format!("Connection {id} not found"));
    }
    Response::empty(204)
}

pub(crate) fn explore(state: &State, request: &Request, id: &str) -> Response {
    let Some(connection) = state.connections.iter().find(|c| c["id"] == id) else {
        return flow_error(404, 1101, "Resource not found", &format!("Connection {id} not found"));
    };
    if let Some(reason) = crate::credentials::refusal(&state.credentials, connection) {
        return flow_error(400, 1400, "Bad Request", &reason);
    }
    let spec_id = connection.pointer("/connectionSpec/id").and_then(Value::as_str).unwrap_or_default();
    if crate::files::is_file_source(spec_id) {
        if let Some((code, message)) = state.lifecycle.broken.get(id) {
            return flow_error(400, 1400, "Bad Request", &format!("{code}: {message}"));
        }
        return crate::files::explore(request);
    }
    let paged = spec_service::spec_of(&state.config, spec_id)
        .and_then(|s| s.pointer("/attributes/uiAttributes/apiFeatures/explorePaginationSupported")?.as_bool())
        .unwrap_or(false);
    state.lifecycle.explore(id, paged, request)
}

/// The sandbox a connection is in.
pub(crate) fn sandbox_of(state: &State, connection_id: &str) -> String {
    let found = state.connections.iter().find(|c| c["id"] == connection_id);
    found.and_then(|c| c["sandboxName"].as_str()).unwrap_or("prod").to_owned()
}

fn encode_token(offset: usize) -> String {
    format!("ct{:x}", offset ^ 0x5a5a)
}

fn decode_token(token: &str) -> Option<usize> {
    usize::from_str_radix(token.strip_prefix("ct")?, 16).ok().map(|n| n ^ 0x5a5a)
}
