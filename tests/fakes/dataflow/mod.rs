//! What the fake models after a base connection exists, after the reference's dataflow facts:
//! source and target connections, flow specs, flows, drafts and runs (Flow Service), schemas,
//! field groups and descriptors (Schema Registry), datasets (Catalog), identity namespaces
//! (Identity Service), mapping sets (Data Prep) and a run's failed rows (Data Access). Every
//! object lives in one sandbox and is checked the way the real service checks it, refusing in
//! that service's error shape.

use std::collections::HashSet;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::gateway::sandbox_header;
use crate::http::{Request, Response};
use crate::platform::{flow_error, nonce, now_ms, FakeConfig, State};

mod catalog;
mod connections;
mod data_access;
mod data_prep;
mod descriptors;
mod expression;
mod field_groups;
mod flow_checks;
mod flow_patch;
mod flow_specs;
mod flows;
mod identity;
mod mapper;
mod runs;
mod schema_registry;
#[cfg(test)]
pub(crate) mod smoke_api;
#[cfg(test)]
mod smoke_tests;
mod xdm;

pub(crate) use runs::{view_flows, view_run};

const SCHEMA: &str = "/data/foundation/schemaregistry";
const CATALOG: &str = "/data/foundation/catalog";
const PREP: &str = "/data/foundation/conversion";
const IDENTITY: &str = "/data/core/idnamespace/identities";
const EXPORT: &str = "/data/foundation/export";

/// The Data Lake target connection spec, the only target the ingestion flow specs name.
pub(crate) const DATA_LAKE: &str = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";

/// The objects of the services after Flow Service's base connections; source connections,
/// flows and runs stay in the lifecycle model, whose health listings read them too.
#[derive(Debug, Default)]
pub(crate) struct Dataflow {
    pub(crate) target_connections: Vec<Value>,
    /// Tenant classes; the global ones are fixed (`xdm::global_classes`).
    pub(crate) classes: Vec<Value>,
    pub(crate) field_groups: Vec<Value>,
    pub(crate) schemas: Vec<Value>,
    pub(crate) descriptors: Vec<Value>,
    pub(crate) datasets: Vec<Value>,
    /// The newest version of each mapping set.
    pub(crate) mapping_sets: Vec<Value>,
    /// Every version of every mapping set, since a flow keeps the version it names.
    pub(crate) mapping_versions: Vec<Value>,
    /// Ids of the objects every sandbox starts with, which `/__fake/dataflow-objects` skips.
    pub(crate) seeded: HashSet<String>,
    /// `(code, message)` the next run to start fails with.
    pub(crate) next_run_failure: Option<(String, String)>,
    counter: u64,
}

impl Dataflow {
    /// Every sandbox of the config with its seeded schemas and datasets.
    pub(crate) fn new(config: &FakeConfig) -> Self {
        let mut dataflow = Self::default();
        for (sandbox, ..) in &config.sandboxes {
            xdm::seed(&mut dataflow, config, sandbox);
        }
        dataflow
    }

    /// `len` fresh hex digits (at most 64), for the ids Adobe writes as bare hex.
    pub(crate) fn hex(&mut self, len: usize) -> String {
        self.counter += 1;
        hex_of(&format!("{}-{}-{}", self.counter, nonce(), now_ms()), len)
    }
}

/// `len` hex digits derived from `seed`: seeded objects keep their ids across resets.
pub(crate) fn hex_of(seed: &str, len: usize) -> String {
    let digest: String = Sha256::digest(seed.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    digest[..len.min(digest.len())].to_owned()
}

/// The answer for a path of Schema Registry, Catalog, Identity Service, Data Prep or Data
/// Access, or `None` when the path is none of theirs. The caller has passed the gateway's
/// checks.
pub(crate) fn route(state: &mut State, request: &Request) -> Option<Response> {
    let (service, rest) = [SCHEMA, CATALOG, PREP, IDENTITY, EXPORT]
        .into_iter()
        .find_map(|prefix| Some((prefix, request.path.strip_prefix(prefix)?)))?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    // These services need the sandbox header as Flow Service does.
    if let Err(refused) = sandbox_header(state, request) {
        return Some(refused);
    }
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    Some(match service {
        SCHEMA => schema_registry::route(state, request, &segments),
        CATALOG => catalog::route(state, request, &segments),
        PREP => data_prep::route(state, request, &segments),
        EXPORT => data_access::route(state, request, &segments),
        _ => identity::route(request, &segments),
    })
}

/// The Flow Service paths this model answers (after the caller's sandbox check), or `None`.
pub(crate) fn flow_service(state: &mut State, request: &Request, segments: &[&str]) -> Option<Response> {
    let method = request.method.as_str();
    Some(match (method, segments) {
        ("GET", ["flowSpecs"]) => flow_specs::list(request),
        ("GET", ["flowSpecs", id]) => flow_specs::one(id),
        ("POST", [kind @ ("sourceConnections" | "targetConnections")]) => {
            connections::create(state, request, kind)
        }
        ("GET", [kind @ ("sourceConnections" | "targetConnections")]) => {
            connections::list(state, request, kind)
        }
        ("GET", [kind @ ("sourceConnections" | "targetConnections"), id]) => {
            connections::one(state, request, kind, id)
        }
        ("DELETE", [kind @ ("sourceConnections" | "targetConnections"), id]) => {
            connections::delete(state, request, kind, id)
        }
        ("POST", [kind @ ("sourceConnections" | "targetConnections"), id, "action"]) => {
            connections::action(state, request, kind, id)
        }
        ("POST", ["flows"]) => flows::create(state, request),
        ("GET", ["flows"]) => flows::list(state, request),
        ("GET", ["flows", id]) => flows::one(state, request, id),
        ("PATCH", ["flows", id]) => flow_patch::patch(state, request, id),
        ("DELETE", ["flows", id]) => flows::delete(state, request, id),
        ("POST", ["flows", id, "action"]) => flows::action(state, request, id),
        ("GET", ["runs"]) => runs::list(state, request),
        ("GET", ["runs", id]) => runs::one(state, request, id),
        ("POST", ["runs"]) => runs::create(state, request),
        _ => return None,
    })
}

/// The fake's own routes for this model: object counts and the next run's failure.
pub(crate) fn control(state: &mut State, request: &Request, path: &str) -> Option<Response> {
    match (request.method.as_str(), path) {
        ("GET", "/dataflow-objects") => Some(Response::json(200, &counts(state, request.query("sandbox")))),
        ("POST", "/next-run") => Some(match serde_json::from_slice::<Value>(&request.body) {
            Ok(body) => match (body["code"].as_str(), body["message"].as_str()) {
                (Some(code), Some(message)) => {
                    state.dataflow.next_run_failure = Some((code.to_owned(), message.to_owned()));
                    Response::empty(204)
                }
                _ => Response::json(400, &json!({ "message": "code and message are required strings" })),
            },
            Err(e) => Response::json(400, &json!({ "message": e.to_string() })),
        }),
        _ => None,
    }
}

/// How many objects of each kind exist beyond the seeded ones, in one sandbox or all.
pub(crate) fn counts(state: &State, sandbox: Option<&str>) -> Value {
    let seeded = &state.dataflow.seeded;
    let count = |items: &[Value], key: &str| {
        items
            .iter()
            .filter(|item| sandbox.is_none_or(|s| item["sandboxName"] == s))
            .filter(|item| !item[key].as_str().is_some_and(|id| seeded.contains(id)))
            .count()
    };
    let df = &state.dataflow;
    json!({
        "sourceConnections": count(&state.lifecycle.source_connections, "id"),
        "targetConnections": count(&df.target_connections, "id"),
        "flows": count(&state.lifecycle.flows, "id"),
        "mappingSets": count(&df.mapping_sets, "id"),
        "datasets": count(&df.datasets, "id"),
        "schemas": count(&df.schemas, "$id"),
        "fieldGroups": count(&df.field_groups, "$id"),
        "descriptors": count(&df.descriptors, "@id"),
    })
}

/// The request's sandbox; the sandbox check has run, so the header is there.
pub(crate) fn sandbox(request: &Request) -> String {
    request.header("x-sandbox-name").unwrap_or_default().to_owned()
}

/// The request body as JSON, or the service's 400.
pub(crate) fn body(request: &Request, refuse: fn(u16, &str) -> Response) -> Result<Value, Response> {
    serde_json::from_slice(&request.body)
        .map_err(|e| refuse(400, &format!("The request body is empty or is not valid JSON ({e})")))
}

/// A Flow Service 400 about the request's content.
pub(crate) fn bad_flow(message: &str) -> Response {
    flow_error(400, 1400, "Bad Request", message)
}

pub(crate) fn flow_not_found(what: &str, id: &str) -> Response {
    flow_error(404, 1101, "Resource not found", &format!("{what} {id} not found"))
}

/// Schema Registry's error body (the same shape the gateway's content-type refusal has).
pub(crate) fn xdm_error(status: u16, detail: &str) -> Response {
    let title = match status {
        404 => "NotFoundError",
        406 => "NotAcceptableError",
        409 => "ConflictError",
        _ => "BadRequestError",
    };
    Response::json(
        status,
        &json!({
            "type": "/placeholder/type/uri", "status": status, "title": title, "detail": detail,
            "report": { "registryRequestId": format!("fake-registry-{}", nonce()) },
        }),
    )
}

/// Catalog's error body.
pub(crate) fn catalog_error(status: u16, detail: &str) -> Response {
    let code = if status == 404 { 1404 } else { 1401 };
    let title = if status == 404 { "Not Found" } else { "Bad Request" };
    Response::json(
        status,
        &json!({
            "type": format!("http://ns.adobe.com/aep/errors/CAT-{code}-{status}"),
            "title": title, "status": status, "detail": detail,
            "report": { "requestId": format!("fake-catalog-{}", nonce()) },
        }),
    )
}

/// Data Prep's error body.
pub(crate) fn prep_error(status: u16, message: &str) -> Response {
    let title = if status == 404 { "Not Found" } else { "Bad Request" };
    Response::json(
        status,
        &json!({
            "type": format!("https://ns.adobe.com/aep/errors/MAPPER-{status}"),
            "title": title, "status": status, "message": message, "detail": message,
        }),
    )
}

/// A decimal integer given as a JSON number or as a string, as the tutorials send them.
pub(crate) fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A number given as a JSON number or as a numeric string.
pub(crate) fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// A boolean given as JSON or as the string `true`/`false`.
pub(crate) fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A non-empty string field.
pub(crate) fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// Percent-decodes a path segment (`https%3A%2F%2Fns.adobe.com…`).
pub(crate) fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
