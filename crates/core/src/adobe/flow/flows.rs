//! Flow specs and the flows made from them: the list of specs, one flow read whole, its
//! changes (`PATCH` with `If-Match`), enabling and disabling, and its runs.

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::client::{check_id, parse, FlowClient, MAX_PAGES};
use super::dataflows::{last_run, run, schedule, LastRun, Run};
use super::error::FlowError;
use super::model::{Created, Items, Links};

/// The Data Lake's target connection spec: every batch ingestion lands there.
pub const DATA_LAKE_SPEC: &str = "c604ff05-7f1a-43c0-8e18-33bf874cb11c";
/// Runs of one flow read at most.
const MAX_RUNS: usize = 100;

/// A flow spec, with what choosing it and filling its flow needs.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FlowSpec {
    pub id: String,
    pub name: String,
    pub source_spec_ids: Vec<String>,
    pub target_spec_ids: Vec<String>,
    pub is_source_flow: bool,
    /// `batch` or `streaming`.
    pub frequency: String,
    pub draft_supported: bool,
    /// Whether its `Copy` transformation (and so a delta column) is part of the flow.
    pub needs_delta_column: bool,
    /// `scheduleSpec.spec`, `optionSpec` and each transformation's `spec`: JSON Schemas.
    #[ts(type = "unknown")]
    pub schedule_schema: Value,
    #[ts(type = "unknown")]
    pub option_schema: Value,
    #[ts(type = "unknown")]
    pub transformation_schemas: Value,
}

/// The connections a flow reads from and writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowObject {
    Source,
    Target,
}

/// One flow, read whole.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FlowDetails {
    pub id: String,
    pub name: String,
    pub description: String,
    /// `enabled`, `disabled` or `draft`.
    pub state: String,
    pub etag: String,
    pub flow_spec_id: String,
    pub schedule: String,
    #[ts(type = "unknown")]
    pub schedule_params: Value,
    #[ts(type = "unknown")]
    pub transformations: Value,
    #[ts(type = "unknown")]
    pub options: Value,
    pub source_connection_ids: Vec<String>,
    pub target_connection_ids: Vec<String>,
    pub last_run: Option<LastRun>,
}

impl FlowClient {
    /// Every flow spec of the org, page after page.
    pub async fn flow_specs(&self) -> Result<Vec<FlowSpec>, FlowError> {
        let mut specs = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = self.flow_url(&["flowSpecs"]);
            if let Some(token) = &token {
                url.query_pairs_mut().append_pair("continuationToken", token);
            }
            let page: Items<Value> = parse(&self.read(url).await?)?;
            specs.extend(page.items.iter().map(flow_spec));
            token = Links::continuation_token(page.links);
            if token.is_none() {
                break;
            }
        }
        Ok(specs)
    }

    /// `GET /flows/{id}`.
    pub async fn flow(&self, id: &str) -> Result<FlowDetails, FlowError> {
        check_id(id, "dataflow")?;
        let reply = self.read(self.flow_url(&["flows", id])).await?;
        let items: Items<Value> = parse(&reply)?;
        let item = items.items.into_iter().next().ok_or(FlowError::UnexpectedResponse {
            status: reply.status.as_u16(),
            detail: "an empty items list".into(),
        })?;
        Ok(flow_details(&item))
    }

    /// `GET /sourceConnections/{id}` or `GET /targetConnections/{id}` (`kind`), as Flow Service
    /// gives it.
    pub async fn flow_object(&self, kind: FlowObject, id: &str) -> Result<Value, FlowError> {
        let (path, what) = match kind {
            FlowObject::Source => ("sourceConnections", "source connection"),
            FlowObject::Target => ("targetConnections", "target connection"),
        };
        check_id(id, what)?;
        let reply = self.read(self.flow_url(&[path, id])).await?;
        let items: Items<Value> = parse(&reply)?;
        items.items.into_iter().next().ok_or(FlowError::UnexpectedResponse {
            status: reply.status.as_u16(),
            detail: "an empty items list".into(),
        })
    }

    /// `PATCH /flows/{id}` with JSON Patch `ops`, `If-Match` carrying `etag` as given.
    pub async fn patch_flow(&self, id: &str, etag: &str, ops: &Value) -> Result<Created, FlowError> {
        check_id(id, "dataflow")?;
        let body = serde_json::to_vec(ops).unwrap_or_default();
        parse(&self.once(Method::PATCH, self.flow_url(&["flows", id]), Some(&body), Some(etag)).await?)
    }

    /// `POST /flows/{id}/action?op=enable|disable`.
    pub async fn set_flow_enabled(&self, id: &str, enabled: bool) -> Result<(), FlowError> {
        check_id(id, "dataflow")?;
        let mut url = self.flow_url(&["flows", id, "action"]);
        url.query_pairs_mut().append_pair("op", if enabled { "enable" } else { "disable" });
        self.once(Method::POST, url, Some(b"{}"), None).await.map(drop)
    }

    /// The flows reading from source connections on base connection `connection_id`.
    pub async fn flows_of_connection(&self, connection_id: &str) -> Result<Vec<FlowDetails>, FlowError> {
        check_id(connection_id, "connection")?;
        let sources =
            self.list_all(&["sourceConnections"], &format!("baseConnectionId=={connection_id}")).await?;
        let ids: Vec<String> =
            sources.iter().filter_map(|s| s.get("id").and_then(Value::as_str)).map(str::to_owned).collect();
        let mut flows = Vec::new();
        for chunk in ids.chunks(40) {
            let filter = format!("sourceConnectionIds[]=={}", chunk.join(","));
            for flow in self.list_all(&["flows"], &filter).await? {
                let details = flow_details(&flow);
                if !flows.iter().any(|f: &FlowDetails| f.id == details.id) {
                    flows.push(details);
                }
            }
        }
        Ok(flows)
    }

    /// The flows named exactly `name`.
    /// The dataflows reading from any of `connection_ids`, each with the connection it reads
    /// from: the source connections listed by `baseConnectionId` and the flows by
    /// `sourceConnectionIds`, forty ids to a filter, instead of two lists per connection.
    pub async fn flows_of_connections(
        &self,
        connection_ids: &[String],
    ) -> Result<Vec<(String, FlowDetails)>, FlowError> {
        let mut base_of: Vec<(String, String)> = Vec::new();
        for chunk in connection_ids.chunks(40) {
            for id in chunk {
                check_id(id, "connection")?;
            }
            let filter = format!("baseConnectionId=={}", chunk.join(","));
            for source in self.list_all(&["sourceConnections"], &filter).await? {
                let id = source.get("id").and_then(Value::as_str);
                let base = source.get("baseConnectionId").and_then(Value::as_str);
                if let (Some(id), Some(base)) = (id, base) {
                    base_of.push((id.to_owned(), base.to_owned()));
                }
            }
        }
        let sources: Vec<String> = base_of.iter().map(|(id, _)| id.clone()).collect();
        let mut flows: Vec<(String, FlowDetails)> = Vec::new();
        for chunk in sources.chunks(40) {
            let filter = format!("sourceConnectionIds[]=={}", chunk.join(","));
            for flow in self.list_all(&["flows"], &filter).await? {
                let details = flow_details(&flow);
                if flows.iter().any(|(_, f)| f.id == details.id) {
                    continue;
                }
                let base = details
                    .source_connection_ids
                    .iter()
                    .find_map(|s| base_of.iter().find(|(id, _)| id == s).map(|(_, b)| b.clone()));
                if let Some(base) = base {
                    flows.push((base, details));
                }
            }
        }
        Ok(flows)
    }

    pub async fn flows_named(&self, name: &str) -> Result<Vec<FlowDetails>, FlowError> {
        if name.contains(',') {
            return Ok(self
                .list_all(&["flows"], "")
                .await?
                .iter()
                .map(flow_details)
                .filter(|f| f.name == name)
                .collect());
        }
        Ok(self
            .list_all(&["flows"], &format!("name=={name}"))
            .await?
            .iter()
            .map(flow_details)
            .filter(|f| f.name == name)
            .collect())
    }

    /// The runs of a flow, newest first.
    pub async fn runs_of(&self, flow_id: &str) -> Result<Vec<Run>, FlowError> {
        check_id(flow_id, "dataflow")?;
        let mut url = self.flow_url(&["runs"]);
        url.query_pairs_mut()
            .append_pair("property", &format!("flowId=={flow_id}"))
            .append_pair("orderby", "-createdAt")
            .append_pair("limit", &MAX_RUNS.to_string());
        let page: Items<Value> = parse(&self.read(url).await?)?;
        Ok(page.items.iter().take(MAX_RUNS).map(run).collect())
    }

    /// `DELETE /{collection}/{id}` for a flow or a source or target connection.
    pub async fn delete_flow(&self, id: &str) -> Result<(), FlowError> {
        self.delete_made(super::ChainObject::Flow, id).await
    }

    /// Every item of a Flow Service list, `filter` (a `property` value) applied when given.
    pub(super) async fn list_all(&self, path: &[&str], filter: &str) -> Result<Vec<Value>, FlowError> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = self.flow_url(path);
            {
                let mut pairs = url.query_pairs_mut();
                if !filter.is_empty() {
                    pairs.append_pair("property", filter);
                }
                pairs.append_pair("limit", "100");
                if let Some(token) = &token {
                    pairs.append_pair("continuationToken", token);
                }
            }
            let page: Items<Value> = parse(&self.read(url).await?)?;
            items.extend(page.items);
            token = Links::continuation_token(page.links);
            if token.is_none() {
                break;
            }
        }
        Ok(items)
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

fn flow_spec(item: &Value) -> FlowSpec {
    let text = |p: &str| item.pointer(p).and_then(Value::as_str).unwrap_or_default().to_owned();
    // Older copies write `transformationSpec` (singular).
    let transformations = item
        .get("transformationSpecs")
        .or_else(|| item.get("transformationSpec"))
        .cloned()
        .unwrap_or(Value::Null);
    let needs_delta_column = transformations
        .as_array()
        .is_some_and(|list| list.iter().any(|t| t.get("name").and_then(Value::as_str) == Some("Copy")));
    FlowSpec {
        id: text("/id"),
        name: text("/name"),
        source_spec_ids: strings(item.get("sourceConnectionSpecIds")),
        target_spec_ids: strings(item.get("targetConnectionSpecIds")),
        is_source_flow: item.pointer("/attributes/isSourceFlow").and_then(Value::as_bool).unwrap_or(false),
        frequency: text("/attributes/frequency"),
        draft_supported: item
            .pointer("/attributes/isDraftModeSupported")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        needs_delta_column,
        schedule_schema: item.pointer("/scheduleSpec/spec").cloned().unwrap_or(Value::Null),
        // Served bare, or wrapped like `scheduleSpec` (`{name, spec}`).
        option_schema: item
            .pointer("/optionSpec/spec")
            .or_else(|| item.get("optionSpec"))
            .cloned()
            .unwrap_or(Value::Null),
        transformation_schemas: transformations,
    }
}

pub(super) fn flow_details(item: &Value) -> FlowDetails {
    let text = |p: &str| item.pointer(p).and_then(Value::as_str).unwrap_or_default().to_owned();
    FlowDetails {
        id: text("/id"),
        name: text("/name"),
        description: text("/description"),
        state: text("/state"),
        etag: text("/etag"),
        flow_spec_id: text("/flowSpec/id"),
        schedule: schedule(item),
        schedule_params: item.get("scheduleParams").cloned().unwrap_or(Value::Null),
        transformations: item.get("transformations").cloned().unwrap_or(Value::Null),
        options: item.get("options").cloned().unwrap_or(Value::Null),
        source_connection_ids: strings(item.get("sourceConnectionIds")),
        target_connection_ids: strings(item.get("targetConnectionIds")),
        last_run: last_run(item),
    }
}
