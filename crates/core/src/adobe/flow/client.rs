//! The Flow Service client: connections, connection specs and the sandbox list, with Adobe's
//! headers on every call, retries for reads, and creates that never make a duplicate.

use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, CONTENT_TYPE, IF_MATCH};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use super::error::FlowError;
use super::model::{
    Connection, ConnectionPage, Items, Links, Sandbox, SandboxList, TestOutcome, WireConnection,
};
use super::retry::{is_retryable_status, retry_after, RetryPolicy};
use crate::adobe::error::ApiError;
use crate::adobe::ims::{ImsError, ImsTokenProvider};

const FLOW_SERVICE_PATH: &str = "data/foundation/flowservice/";
const SANDBOX_MANAGEMENT_PATH: &str = "data/foundation/sandbox-management/";

/// The gateway's other services a dataflow needs, each under its own path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    SchemaRegistry,
    Catalog,
    DataPrep,
    Identity,
    /// Data Access: a batch's files and meta files (the row errors of a run).
    DataAccess,
}

impl Service {
    fn path(self) -> &'static str {
        match self {
            Service::SchemaRegistry => "data/foundation/schemaregistry/",
            Service::Catalog => "data/foundation/catalog/",
            Service::DataPrep => "data/foundation/conversion/",
            Service::Identity => "data/core/idnamespace/",
            Service::DataAccess => "data/foundation/export/",
        }
    }
}
/// Items per page when the client walks a whole list itself.
pub(super) const PAGE_SIZE: u32 = 100;
/// The most pages the client walks of one list: 10,000 connections. A service that keeps
/// handing out continuation tokens past that is not followed for ever.
pub(super) const MAX_PAGES: usize = 100;
/// Adobe's services usually store a create within seconds; a minute covers a slow one.
const DEFAULT_LOOKUP_WINDOW: Duration = Duration::from_secs(60);

/// Who the calls are made for: the `x-api-key`, `x-gw-ims-org-id` and `x-sandbox-name` headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformTarget {
    /// The credential's client ID.
    pub api_key: String,
    pub org_id: String,
    /// The sandbox's `name` (not its title), such as `prod`.
    pub sandbox: String,
}

/// A filter and position in `GET /connections`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Only connections of these connection specs; all when empty.
    pub spec_ids: Vec<String>,
    /// Only connections with exactly this name.
    pub name: Option<String>,
    pub limit: Option<u32>,
    pub continuation_token: Option<String>,
}

#[derive(Debug)]
pub struct FlowClient {
    http: reqwest::Client,
    /// The gateway, ending in `/`.
    root: Url,
    flow_base: Url,
    sandbox_base: Url,
    tokens: Arc<ImsTokenProvider>,
    target: PlatformTarget,
    pub(super) retry: RetryPolicy,
    /// How long a create whose answer was lost is looked for before it is sent again.
    pub(super) lookup_window: Duration,
}

pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: bytes::Bytes,
}

pub(super) enum AttemptError {
    /// The request never left: safe to send again.
    NotSent(String),
    /// It may or may not have reached the service.
    Ambiguous(String),
    Fatal(FlowError),
}

impl FlowClient {
    /// `platform` is the gateway, such as `https://platform.adobe.io`.
    pub fn new(
        http: reqwest::Client,
        platform: &Url,
        tokens: Arc<ImsTokenProvider>,
        target: PlatformTarget,
    ) -> Self {
        let mut root = platform.clone();
        if !root.path().ends_with('/') {
            let path = format!("{}/", root.path());
            root.set_path(&path);
        }
        let join = |path: &str| root.join(path).expect("a constant relative path joins onto any base URL");
        Self {
            flow_base: join(FLOW_SERVICE_PATH),
            sandbox_base: join(SANDBOX_MANAGEMENT_PATH),
            root: root.clone(),
            http,
            tokens,
            target,
            retry: RetryPolicy::default(),
            lookup_window: DEFAULT_LOOKUP_WINDOW,
        }
    }

    /// How long a create whose answer was lost is looked for before it is sent again.
    pub fn with_lookup_window(mut self, window: Duration) -> Self {
        self.lookup_window = window;
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn target(&self) -> &PlatformTarget {
        &self.target
    }

    /// Where creates go, for the request preview.
    pub fn connections_url(&self) -> Url {
        self.flow_url(&["connections"])
    }

    /// One page of `GET /connections`.
    pub async fn list_connections(&self, query: &ListQuery) -> Result<ConnectionPage, FlowError> {
        let reply = self.read(self.list_url(query)).await?;
        let page: Items<WireConnection> = parse(&reply)?;
        let continuation_token = Links::continuation_token(page.links);
        Ok(ConnectionPage {
            items: page.items.into_iter().map(Connection::from).collect(),
            continuation_token,
        })
    }

    /// One page of `GET /connections`, each connection with its `auth.params` as Flow Service
    /// lists them (secrets masked or left out by the service): what a plan compares, read in
    /// one request per page instead of one per connection. The params are only for
    /// the renewal form's reading of known values, which keeps what is not secret.
    pub(crate) async fn list_connections_with_params(
        &self,
        query: &ListQuery,
    ) -> Result<(Vec<(Connection, Value)>, Option<String>), FlowError> {
        let reply = self.read(self.list_url(query)).await?;
        let page: Items<Value> = parse(&reply)?;
        let token = Links::continuation_token(page.links);
        let mut items = Vec::new();
        for mut item in page.items {
            let params = item.pointer_mut("/auth/params").map(Value::take).unwrap_or(Value::Null);
            let connection: WireConnection = serde_json::from_value(item).map_err(|e| {
                FlowError::UnexpectedResponse { status: reply.status.as_u16(), detail: e.to_string() }
            })?;
            items.push((Connection::from(connection), params));
        }
        Ok((items, token))
    }

    fn list_url(&self, query: &ListQuery) -> Url {
        let mut url = self.flow_url(&["connections"]);
        {
            let mut pairs = url.query_pairs_mut();
            if !query.spec_ids.is_empty() {
                pairs.append_pair("property", &format!("connectionSpec.id=={}", query.spec_ids.join(",")));
            }
            if let Some(name) = &query.name {
                pairs.append_pair("property", &format!("name=={name}"));
            }
            if let Some(limit) = query.limit {
                pairs.append_pair("limit", &limit.to_string());
            }
            if let Some(token) = &query.continuation_token {
                pairs.append_pair("continuationToken", token);
            }
        }
        url
    }

    /// `GET /connections/{id}`, which wraps the one connection in `items`.
    pub async fn get_connection(&self, id: &str) -> Result<Connection, FlowError> {
        check_id(id, "connection")?;
        let reply = self.read(self.flow_url(&["connections", id])).await?;
        let items: Items<WireConnection> = parse(&reply)?;
        first(items.items, reply.status).map(Connection::from)
    }

    /// `GET /connections/{id}/test`, or exploring the root where the test is not offered.
    pub async fn test_connection(&self, id: &str) -> Result<TestOutcome, FlowError> {
        check_id(id, "connection")?;
        match self.read(self.flow_url(&["connections", id, "test"])).await {
            Ok(reply) => {
                let answer: serde_json::Value = parse(&reply)?;
                Ok(if answer.get("result").and_then(serde_json::Value::as_bool) == Some(true) {
                    TestOutcome::Passed
                } else {
                    TestOutcome::Failed
                })
            }
            Err(FlowError::Api(e)) if matches!(e.status, 404 | 405 | 501) => {
                let mut url = self.flow_url(&["connections", id, "explore"]);
                url.query_pairs_mut().append_pair("objectType", "root");
                self.read(url).await.map(|_| TestOutcome::Explored)
            }
            Err(e) => Err(e),
        }
    }

    /// The sandboxes the signed-in credential may use (`GET /sandbox-management/`), which
    /// unlike the admin listing needs no Sandbox Administration permission.
    pub async fn sandboxes(&self) -> Result<Vec<Sandbox>, FlowError> {
        let reply = self.read(self.sandbox_base.clone()).await?;
        let list: SandboxList = parse(&reply)?;
        Ok(list.sandboxes)
    }

    pub(super) fn flow_url(&self, segments: &[&str]) -> Url {
        let mut url = self.flow_base.clone();
        url.path_segments_mut().expect("an http(s) base URL").pop_if_empty().extend(segments);
        url
    }

    /// `segments` under one of the gateway's other services.
    pub(super) fn service_url(&self, service: Service, segments: &[&str]) -> Url {
        let mut url =
            self.root.join(service.path()).expect("a constant relative path joins onto any base URL");
        url.path_segments_mut().expect("an http(s) base URL").pop_if_empty().extend(segments);
        url
    }

    /// A read: retried on rate limits, gateway errors and network failures.
    pub(super) async fn read(&self, url: Url) -> Result<Reply, FlowError> {
        self.read_as(url, "application/json").await
    }

    /// A read asking for `accept` (the Schema Registry's versioned media types).
    pub(super) async fn read_as(&self, url: Url, accept: &str) -> Result<Reply, FlowError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (wait, failure) = match self.attempt_as(Method::GET, url.clone(), None, None, accept).await {
                Ok(reply) if reply.status.is_success() => return Ok(reply),
                Ok(reply) if is_retryable_status(reply.status.as_u16()) => {
                    (retry_after(&reply.headers), FlowError::Api(api_error(&reply)))
                }
                Ok(reply) => return Err(FlowError::Api(api_error(&reply))),
                Err(AttemptError::NotSent(reason) | AttemptError::Ambiguous(reason)) => {
                    (None, FlowError::Network { reason })
                }
                Err(AttemptError::Fatal(e)) => return Err(e),
            };
            match self.retry.delay(attempt, wait) {
                Some(delay) if attempt < self.retry.max_attempts => {
                    tracing::debug!(attempt, ?delay, "retrying a read");
                    tokio::time::sleep(delay).await;
                }
                _ => return Err(failure),
            }
        }
    }

    /// A write other than a create: sent once (the token refresh aside).
    pub(super) async fn once(
        &self,
        method: Method,
        url: Url,
        body: Option<&[u8]>,
        if_match: Option<&str>,
    ) -> Result<Reply, FlowError> {
        match self.attempt(method, url, body, if_match).await {
            Ok(reply) if reply.status.is_success() => Ok(reply),
            Ok(reply) => Err(FlowError::Api(api_error(&reply))),
            Err(AttemptError::NotSent(reason) | AttemptError::Ambiguous(reason)) => {
                Err(FlowError::Network { reason })
            }
            Err(AttemptError::Fatal(e)) => Err(e),
        }
    }

    /// One request with Adobe's headers. A 401 fetches a new token and sends once more.
    pub(super) async fn attempt(
        &self,
        method: Method,
        url: Url,
        body: Option<&[u8]>,
        if_match: Option<&str>,
    ) -> Result<Reply, AttemptError> {
        self.attempt_as(method, url, body, if_match, "application/json").await
    }

    pub(super) async fn attempt_as(
        &self,
        method: Method,
        url: Url,
        body: Option<&[u8]>,
        if_match: Option<&str>,
        accept: &str,
    ) -> Result<Reply, AttemptError> {
        let mut refreshed = false;
        loop {
            let token = self.tokens.access_token().await.map_err(|e| AttemptError::Fatal(e.into()))?;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, format!("Bearer {}", token.expose()))
                .header("x-api-key", &self.target.api_key)
                .header("x-gw-ims-org-id", &self.target.org_id)
                .header(ACCEPT, accept);
            if !self.target.sandbox.is_empty() {
                request = request.header("x-sandbox-name", &self.target.sandbox);
            }
            if let Some(etag) = if_match {
                request = request.header(IF_MATCH, etag);
            }
            if let Some(body) = body {
                request = request.header(CONTENT_TYPE, "application/json").body(body.to_vec());
            }
            let response = request.send().await.map_err(|e| {
                let connect = e.is_connect();
                let reason = e.without_url().to_string();
                if connect {
                    AttemptError::NotSent(reason)
                } else {
                    AttemptError::Ambiguous(reason)
                }
            })?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = crate::http_body::read_capped(response)
                .await
                .map_err(|e| AttemptError::Ambiguous(e.to_string()))?;
            if status == StatusCode::UNAUTHORIZED && !refreshed {
                refreshed = true;
                if self.tokens.invalidate(&token).await {
                    continue;
                }
                return Err(AttemptError::Fatal(ImsError::PastedTokenRejected.into()));
            }
            return Ok(Reply { status, headers, body });
        }
    }
}

/// Ids go into URL paths: only Adobe's UUIDs are let through, so a value from the UI can
/// never reach another path of the service.
pub(super) fn check_id(id: &str, what: &'static str) -> Result<(), FlowError> {
    match uuid::Uuid::try_parse(id) {
        Ok(parsed) if parsed.hyphenated().to_string() == id.to_ascii_lowercase() => Ok(()),
        _ => Err(FlowError::InvalidId { what }),
    }
}

pub(super) fn api_error(reply: &Reply) -> ApiError {
    let request_id = ["x-request-id", "x-adobe-request-id"]
        .iter()
        .find_map(|h| reply.headers.get(*h).and_then(|v| v.to_str().ok()))
        .map(str::to_owned);
    ApiError::from_body(reply.status.as_u16(), &reply.body, request_id)
}

pub(super) fn parse<T: DeserializeOwned>(reply: &Reply) -> Result<T, FlowError> {
    serde_json::from_slice(&reply.body)
        .map_err(|e| FlowError::UnexpectedResponse { status: reply.status.as_u16(), detail: e.to_string() })
}

pub(super) fn first<T>(items: Vec<T>, status: StatusCode) -> Result<T, FlowError> {
    items.into_iter().next().ok_or(FlowError::UnexpectedResponse {
        status: status.as_u16(),
        detail: "an empty items list".into(),
    })
}

/// The HTTP client: the system's TLS, no redirects, a bounded time per request.
pub fn http_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10).min(timeout))
        .timeout(timeout)
        .user_agent(concat!("FlowConnect/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the TLS backend is compiled in")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_uuids_go_into_paths() {
        assert!(check_id("5bd2c6a2-6e39-4a55-9f6a-3c4d29c1a7b0", "x").is_ok());
        assert!(check_id("3C9B37F8-13A6-43D8-BAD3-B863B941FEDD", "x").is_ok());
        for bad in ["", "../sandboxes", "3c9b37f8", "3c9b37f813a643d8bad3b863b941fedd", "a/b", "%2e%2e"] {
            assert!(check_id(bad, "x").is_err(), "{bad}");
        }
    }
}
