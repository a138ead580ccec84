//! One process that plays Adobe IMS, Flow Service, sandbox management and the services a
//! dataflow needs (Schema Registry, Catalog, Identity Service, Data Prep), checking requests
//! the way the reference says the real services do, recording each one for assertions, and
//! injecting faults on request.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use crate::connection_service::{new_connection, sandbox_of};
use crate::credentials::Registry;
use crate::dataflow::Dataflow;
use crate::http::{self, Response};
use crate::lifecycle::{Failure, Lifecycle, NewFlows};

mod accessors;
mod registrations;
mod routes;

pub(crate) const FLOW: &str = "/data/foundation/flowservice";

/// What the fake accepts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FakeConfig {
    pub client_id: String,
    pub client_secret: String,
    pub org_id: String,
    /// `(name, title, state, type, isDefault)`.
    pub sandboxes: Vec<(String, String, String, String, bool)>,
    pub token_lifetime_secs: u64,
    /// The Generic REST OAuth spec name the live spec reports.
    pub rest_oauth_spec_name: String,
    /// Whether `GET /connections/{id}/test` exists; when not, clients must explore the root.
    pub offer_test_endpoint: bool,
    /// Connections per page when the request names no limit.
    pub default_page_size: usize,
    /// Large generated source specs listed after the others, for benchmarks.
    pub extra_specs: usize,
    /// The org's Schema Registry tenant: custom fields live under `_{tenant_id}`.
    pub tenant_id: String,
    /// How long a dataflow run takes from its start to `success` or `failed`.
    pub run_ms: u64,
    /// Leaves of the seeded `Wide events` schema; none (and no such schema) when 0.
    pub wide_schema_fields: usize,
}

impl Default for FakeConfig {
    fn default() -> Self {
        let sandbox = |name: &str, title: &str, state: &str, kind: &str, default: bool| {
            (name.to_owned(), title.to_owned(), state.to_owned(), kind.to_owned(), default)
        };
        Self {
            client_id: "fake-client-id".into(),
            client_secret: "fake-client-secret".into(),
            org_id: "FAKE0RG000000000@AdobeOrg".into(),
            sandboxes: vec![
                sandbox("prod", "Production", "active", "production", true),
                sandbox("dev-marketing", "Marketing development", "active", "development", false),
                sandbox("old-test", "Old test", "deleted", "development", false),
            ],
            token_lifetime_secs: 86_399,
            rest_oauth_spec_name: "oAuth2RefreshCode".into(),
            offer_test_endpoint: true,
            default_page_size: 100,
            extra_specs: 0,
            tenant_id: "acmecorp".into(),
            run_ms: 3_000,
            wide_schema_fields: 0,
        }
    }
}

/// A request as the fake saw it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Milliseconds since the fake started.
    pub at_ms: u64,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// A fault for the next `times` requests matching `method` and `path`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    pub method: String,
    /// The exact path, such as `/data/foundation/flowservice/connections`.
    pub path: String,
    pub action: FaultAction,
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum FaultAction {
    /// Answer with this status (and body), without handling the request.
    Status {
        status: u16,
        #[serde(default)]
        retry_after: Option<String>,
        #[serde(default)]
        body: Option<Value>,
    },
    /// Handle the request, then wait before answering.
    Delay { ms: u64 },
    /// Handle the request (a create is stored), then close the connection without answering.
    DropAfterHandling,
    /// Close the connection without handling the request.
    DropBeforeHandling,
    /// Handle the request (a create is stored), then answer `status` with `body` as raw text,
    /// which need not be JSON: a 500 after the work was done, or a 2xx with a broken body.
    AnswerAfterHandling { status: u16, body: String },
    /// A create the service is still processing: it appears in listings only `ms` later,
    /// and the gateway gives up on it first, answering 504 after `ms * 2`.
    StoreLater { ms: u64 },
    /// While this create is in flight, someone else (a teammate, a CI job, the other Flow
    /// Connect process) creates a connection of the same source and name, with their own
    /// description; it is listed before this one. This create is then stored when `stored`,
    /// and its answer is lost either way (the connection is closed).
    SameNameMeanwhile { stored: bool },
}

#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: FakeConfig,
    pub(crate) started: std::time::Instant,
    pub(crate) requests: Vec<Recorded>,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) tokens: HashMap<String, std::time::Instant>,
    pub(crate) connections: Vec<Value>,
    /// Creates still being processed, and when each becomes visible.
    pub(crate) processing: Vec<(std::time::Instant, Value)>,
    pub(crate) in_use: Vec<String>,
    pub(crate) lifecycle: Lifecycle,
    /// Target connections, schemas, datasets and mapping sets; source connections, flows and
    /// runs are in `lifecycle`.
    pub(crate) dataflow: Dataflow,
    /// What the sources behind Flow Service know: Snowflake users' keys, the Salesforce
    /// connected app's certificate.
    pub(crate) credentials: Registry,
    pub(crate) counter: u64,
}

/// A running fake; dropping it stops the server.
#[derive(Debug)]
pub struct FakePlatform {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl Drop for FakePlatform {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakePlatform {
    pub async fn start(config: FakeConfig) -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    pub async fn start_on(addr: SocketAddr, config: FakeConfig) -> std::io::Result<Self> {
        let dataflow = Dataflow::new(&config);
        let state = Arc::new(Mutex::new(State {
            config,
            started: std::time::Instant::now(),
            requests: Vec::new(),
            faults: VecDeque::new(),
            tokens: HashMap::new(),
            connections: Vec::new(),
            processing: Vec::new(),
            in_use: Vec::new(),
            lifecycle: Lifecycle::default(),
            dataflow,
            credentials: Registry::default(),
            counter: 0,
        }));
        let shared = Arc::clone(&state);
        let (addr, task) = http::serve(addr, move |request| {
            let outcome = routes::handle(&shared, request);
            async move { outcome }
        })
        .await?;
        Ok(Self { addr, state, task })
    }

    /// `http://127.0.0.1:PORT`, the value for both `FLOW_CONNECT_PLATFORM_URL` and
    /// `FLOW_CONNECT_IMS_URL`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn config(&self) -> FakeConfig {
        lock(&self.state).config.clone()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.state).requests.clone()
    }

    /// Stored connections, auth params included, as a test wants to see them.
    pub fn connections(&self) -> Vec<Value> {
        lock(&self.state).connections.clone()
    }

    pub fn inject(&self, fault: Fault) {
        lock(&self.state).faults.push_back(fault);
    }

    /// Makes every issued token invalid, as if they had expired.
    pub fn expire_tokens(&self) {
        lock(&self.state).tokens.clear();
    }

    /// Marks a connection as used by a dataflow, so deleting it fails.
    pub fn mark_in_use(&self, id: &str) {
        lock(&self.state).in_use.push(id.to_owned());
    }

    /// Adds `count` dataflows reading from the connection, each with a successful run.
    pub fn add_flows(&self, connection_id: &str, count: usize) -> Vec<String> {
        let mut state = lock(&self.state);
        let sandbox = sandbox_of(&state, connection_id);
        let new = NewFlows { connection_id: connection_id.to_owned(), count, name: None };
        state.lifecycle.add_flows(&sandbox, &new)
    }

    /// The source refuses the connection's credentials until a PATCH replaces them, and the
    /// last run of each of its dataflows failed with `code` and `message`.
    pub fn fail(&self, connection_id: &str, code: &str, message: &str) {
        let failure =
            Failure { connection_id: connection_id.into(), code: code.into(), message: message.into() };
        lock(&self.state).lifecycle.fail(failure);
    }

    /// How many tables the `analytics` folder of every connection holds.
    pub fn set_tables(&self, tables: usize) {
        lock(&self.state).lifecycle.tables = tables;
    }

    /// Adds connections of `spec_id` in `sandbox` with exactly these names, as if made by
    /// another tool; returns their ids in order.
    pub fn seed_named(&self, spec_id: &str, sandbox: &str, names: &[&str]) -> Vec<String> {
        let mut state = lock(&self.state);
        names
            .iter()
            .map(|name| {
                let connection = new_connection(
                    &mut state,
                    sandbox,
                    &json!({
                        "name": name,
                        "auth": { "specName": "Basic Authentication", "params": {} },
                        "connectionSpec": { "id": spec_id, "version": "1.0" },
                    }),
                );
                let id = connection["id"].as_str().unwrap_or_default().to_owned();
                state.connections.push(connection);
                id
            })
            .collect()
    }

    /// Adds `count` connections of `spec_id` in `sandbox`, named `{prefix} 0001` and so on.
    pub fn seed_connections(&self, spec_id: &str, sandbox: &str, prefix: &str, count: usize) {
        let mut state = lock(&self.state);
        for i in 1..=count {
            let connection = new_connection(
                &mut state,
                sandbox,
                &json!({
                    "name": format!("{prefix} {i:04}"),
                    "auth": { "specName": "Basic Authentication", "params": {} },
                    "connectionSpec": { "id": spec_id, "version": "1.0" },
                }),
            );
            state.connections.push(connection);
        }
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Flow Service's RFC-7807-like error body.
pub(crate) fn flow_error(status: u16, code: u16, title: &str, message: &str) -> Response {
    let request_id = format!("fake-request-{}", nonce());
    Response::json(
        status,
        &json!({
            "type": format!("https://ns.adobe.com/aep/errors/FLOW-{code}-{status}"),
            "title": title, "status": status,
            "report": { "detailed-message": message, "request-id": request_id, "type": "connections" },
        }),
    )
    .with_header("x-request-id", &request_id)
}

pub(crate) fn uuid_like(n: u64) -> String {
    let x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ nonce();
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        x >> 32,
        (x >> 16) & 0xffff,
        x & 0xfff,
        n & 0xfff,
        n & 0xffff_ffff_ffff
    )
}

pub(crate) fn nonce() -> u64 {
    u64::from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().subsec_nanos())
}

pub(crate) fn now_ms() -> u64 {
    u64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis()).unwrap_or(0)
}
