//! The dataflows that read from a connection, and how their runs went: the source
//! connections made on it (`GET /sourceConnections`), the flows that use those
//! (`GET /flows`), and the latest runs of the failing ones (`GET /runs`). Ids are batched
//! into one `property` filter per request, so a connection with 20 dataflows takes three.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::client::{check_id, parse, FlowClient, MAX_PAGES};
use super::error::FlowError;
use super::model::{Items, Links};

/// Ids per `property` filter: 40 UUIDs keep a URL under 2 KB.
const IDS_PER_REQUEST: usize = 40;
const LIST_LIMIT: &str = "100";
/// Error messages kept per run, and their longest.
const MAX_ERRORS: usize = 20;
const MAX_MESSAGE_CHARS: usize = 2_000;

/// The dataflows of one connection, and how many requests finding them took.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionHealth {
    pub flows: Vec<Dataflow>,
    pub requests: u32,
}

/// One dataflow, with its last run.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Dataflow {
    pub id: String,
    pub name: String,
    /// `enabled` or `disabled`.
    pub state: String,
    /// How often it runs, such as "every 15 minutes", or "once".
    pub schedule: String,
    #[ts(type = "number | null")]
    pub schedule_start: Option<i64>,
    pub last_run: Option<LastRun>,
    /// The last failed run's details, when the last run failed.
    pub failed_run: Option<Run>,
}

/// `lastRunDetails` of a flow.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LastRun {
    pub id: Option<String>,
    /// `success`, `failed`, `inProgress`…
    pub state: String,
    pub failed: bool,
    #[ts(type = "number | null")]
    pub started_at: Option<i64>,
    #[ts(type = "number | null")]
    pub completed_at: Option<i64>,
}

/// A run of `GET /runs`: its status summary, record counts and error messages.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Run {
    pub id: String,
    pub status: String,
    #[ts(type = "number | null")]
    pub started_at: Option<i64>,
    #[ts(type = "number | null")]
    pub completed_at: Option<i64>,
    #[ts(type = "number | null")]
    pub input_records: Option<u64>,
    /// Rows written to the dataset.
    #[ts(type = "number | null")]
    pub output_records: Option<u64>,
    #[ts(type = "number | null")]
    pub failed_records: Option<u64>,
    pub errors: Vec<RunError>,
    /// The Catalog batches the run wrote, where its failed rows are kept; none until it has
    /// written one. Optional for TypeScript: runs made in the UI's tests have none.
    #[ts(optional, as = "Option<Vec<String>>")]
    pub batch_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunError {
    pub code: String,
    pub message: String,
}

/// For the connections screen: how many dataflows each connection has and how many of them
/// last failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FlowSummary {
    pub connection_id: String,
    pub flows: u32,
    pub failing: u32,
}

impl FlowClient {
    /// The dataflows reading from connection `id`, each with its last run and, for a failed
    /// one, the errors of that run. At most three requests when everything fits a page.
    pub async fn connection_health(&self, id: &str) -> Result<ConnectionHealth, FlowError> {
        check_id(id, "connection")?;
        let mut requests = 0;
        let sources = self.source_connections(&[id.to_owned()], &mut requests).await?;
        let source_ids: Vec<String> = sources.into_keys().collect();
        let wire = self.flows_of(&source_ids, &mut requests).await?;
        let failing: Vec<String> =
            wire.iter().filter(|f| last_run(f).is_some_and(|r| r.failed)).map(|f| text(f, "/id")).collect();
        let mut runs = self.latest_runs(&failing, &mut requests).await?;
        let flows = wire
            .iter()
            .map(|flow| {
                let id = text(flow, "/id");
                let last_run = last_run(flow);
                let failed_run = last_run.as_ref().filter(|r| r.failed).and_then(|_| runs.remove(&id));
                Dataflow {
                    name: text(flow, "/name"),
                    state: text(flow, "/state"),
                    schedule: schedule(flow),
                    schedule_start: flow.pointer("/scheduleParams/startTime").and_then(number),
                    last_run,
                    failed_run,
                    id,
                }
            })
            .collect();
        Ok(ConnectionHealth { flows, requests })
    }

    /// For each of `ids`, its dataflows and how many last failed: two requests per 40
    /// connections, whatever the number of flows.
    pub async fn flow_summaries(&self, ids: &[String]) -> Result<Vec<FlowSummary>, FlowError> {
        for id in ids {
            check_id(id, "connection")?;
        }
        let mut requests = 0;
        let sources = self.source_connections(ids, &mut requests).await?;
        let source_ids: Vec<String> = sources.keys().cloned().collect();
        let flows = self.flows_of(&source_ids, &mut requests).await?;
        let mut summary: BTreeMap<&str, (u32, u32)> = ids.iter().map(|id| (id.as_str(), (0, 0))).collect();
        for flow in &flows {
            let failed = last_run(flow).is_some_and(|r| r.failed);
            let mut bases: Vec<&str> = flow
                .get("sourceConnectionIds")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter_map(|sc| sources.get(sc).map(String::as_str))
                .collect();
            bases.sort_unstable();
            bases.dedup();
            for base in bases {
                if let Some(entry) = summary.get_mut(base) {
                    entry.0 += 1;
                    entry.1 += u32::from(failed);
                }
            }
        }
        Ok(summary
            .into_iter()
            .map(|(id, (flows, failing))| FlowSummary { connection_id: id.to_owned(), flows, failing })
            .collect())
    }

    /// Source connection id → base connection id, for the source connections on `bases`.
    async fn source_connections(
        &self,
        bases: &[String],
        requests: &mut u32,
    ) -> Result<HashMap<String, String>, FlowError> {
        let mut found = HashMap::new();
        for chunk in bases.chunks(IDS_PER_REQUEST) {
            let filter = format!("baseConnectionId=={}", chunk.join(","));
            for item in self.walk(&["sourceConnections"], &[("property", &filter)], requests).await? {
                let (id, base) = (text(&item, "/id"), text(&item, "/baseConnectionId"));
                if !id.is_empty() {
                    found.insert(id, base);
                }
            }
        }
        Ok(found)
    }

    async fn flows_of(&self, source_ids: &[String], requests: &mut u32) -> Result<Vec<Value>, FlowError> {
        let mut flows: Vec<Value> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for chunk in source_ids.chunks(IDS_PER_REQUEST) {
            let filter = format!("sourceConnectionIds[]=={}", chunk.join(","));
            for flow in self.walk(&["flows"], &[("property", &filter)], requests).await? {
                // A flow reading from source connections of two chunks is listed once.
                if seen.insert(text(&flow, "/id")) {
                    flows.push(flow);
                }
            }
        }
        Ok(flows)
    }

    /// The newest run of each of `flow_ids`, newest first as the service orders them.
    async fn latest_runs(
        &self,
        flow_ids: &[String],
        requests: &mut u32,
    ) -> Result<HashMap<String, Run>, FlowError> {
        let mut latest = HashMap::new();
        for chunk in flow_ids.chunks(IDS_PER_REQUEST) {
            let filter = format!("flowId=={}", chunk.join(","));
            let query = [("property", filter.as_str()), ("orderby", "-createdAt")];
            // One page is enough: it is ordered newest first and every flow here has a run.
            for item in self.page(&["runs"], &query, None, requests).await?.items {
                let flow = text(&item, "/flowId");
                latest.entry(flow).or_insert_with(|| run(&item));
            }
        }
        Ok(latest)
    }

    /// Every item of a list, page after page.
    async fn walk(
        &self,
        path: &[&str],
        query: &[(&str, &str)],
        requests: &mut u32,
    ) -> Result<Vec<Value>, FlowError> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self.page(path, query, token.as_deref(), requests).await?;
            items.extend(page.items);
            token = Links::continuation_token(page.links);
            if token.is_none() {
                break;
            }
        }
        Ok(items)
    }

    async fn page(
        &self,
        path: &[&str],
        query: &[(&str, &str)],
        token: Option<&str>,
        requests: &mut u32,
    ) -> Result<Items<Value>, FlowError> {
        let mut url = self.flow_url(path);
        {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in query {
                pairs.append_pair(key, value);
            }
            pairs.append_pair("limit", LIST_LIMIT);
            if let Some(token) = token {
                pairs.append_pair("continuationToken", token);
            }
        }
        *requests += 1;
        parse(&self.read(url).await?)
    }
}

fn text(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .chars()
        .take(MAX_MESSAGE_CHARS)
        .collect()
}

/// The most batches of one run whose failed rows are read: a run writes one per dataset.
const MAX_BATCHES: usize = 20;

/// The Catalog batches a run wrote (`targetInfo[].reference` of type `Batch`): where its row
/// errors are kept.
fn batch_ids(run: &Value) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for target in run.get("targetInfo").and_then(Value::as_array).into_iter().flatten() {
        let Some(reference) = target.get("reference") else { continue };
        if !reference.get("type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("batch")) {
            continue;
        }
        for id in
            reference.get("ids").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
        {
            if ids.len() < MAX_BATCHES && !id.is_empty() && !ids.iter().any(|known| known == id) {
                ids.push(id.to_owned());
            }
        }
    }
    ids
}

fn number(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

fn is_failure(state: &str) -> bool {
    let state = state.to_ascii_lowercase();
    state.contains("fail") || state == "error"
}

pub(super) fn last_run(flow: &Value) -> Option<LastRun> {
    let details = flow.get("lastRunDetails").filter(|d| d.is_object())?;
    let state = text(details, "/state");
    Some(LastRun {
        id: Some(text(details, "/id")).filter(|id| !id.is_empty()),
        failed: is_failure(&state),
        state,
        started_at: details.get("startedAtUTC").and_then(number),
        completed_at: details.get("completedAtUTC").and_then(number),
    })
}

/// "every 15 minutes", "every hour", "once", from `scheduleParams`.
pub(super) fn schedule(flow: &Value) -> String {
    let Some(params) = flow.get("scheduleParams").filter(|p| p.is_object()) else {
        return "not scheduled".into();
    };
    let frequency = text(params, "/frequency").to_ascii_lowercase();
    let interval = params.get("interval").and_then(number).unwrap_or(1);
    match frequency.as_str() {
        "once" | "" => "once".into(),
        unit => {
            let unit = unit.trim_end_matches('s');
            if interval == 1 {
                format!("every {unit}")
            } else {
                format!("every {interval} {unit}s")
            }
        }
    }
}

pub(super) fn run(item: &Value) -> Run {
    let summary = item.pointer("/metrics/statusSummary").cloned().unwrap_or(Value::Null);
    let mut errors: Vec<RunError> = Vec::new();
    let mut add = |list: Option<&Value>| {
        for error in list.and_then(Value::as_array).into_iter().flatten() {
            let found = RunError { code: text(error, "/code"), message: text(error, "/message") };
            if errors.len() < MAX_ERRORS && !found.message.is_empty() && !errors.contains(&found) {
                errors.push(found);
            }
        }
    };
    add(summary.get("errors"));
    add(summary.pointer("/extensions/errors"));
    for activity in item.get("activities").and_then(Value::as_array).into_iter().flatten() {
        add(activity.pointer("/statusSummary/errors"));
        add(activity.pointer("/statusSummary/extensions/errors"));
    }
    Run {
        id: text(item, "/id"),
        status: text(&summary, "/status"),
        started_at: item.pointer("/metrics/durationSummary/startedAtUTC").and_then(number),
        completed_at: item.pointer("/metrics/durationSummary/completedAtUTC").and_then(number),
        input_records: item.pointer("/metrics/recordSummary/inputRecordCount").and_then(Value::as_u64),
        output_records: item.pointer("/metrics/recordSummary/outputRecordCount").and_then(Value::as_u64),
        failed_records: item.pointer("/metrics/recordSummary/failedRecordCount").and_then(Value::as_u64),
        errors,
        batch_ids: batch_ids(item),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_run_gathers_its_errors_once() {
        let item = json!({
            "id": "r1", "flowId": "f1",
            "metrics": {
                "durationSummary": { "startedAtUTC": 10, "completedAtUTC": 20 },
                "recordSummary": { "inputRecordCount": 0, "failedRecordCount": 0 },
                "statusSummary": { "status": "failed", "errors": [
                    { "code": "CONNECTOR-1001-500", "message": "invalid_grant: Token has been expired or revoked." }
                ]},
            },
            "activities": [ { "statusSummary": { "errors": [
                { "code": "CONNECTOR-1001-500", "message": "invalid_grant: Token has been expired or revoked." },
                { "code": "X", "message": "second" },
            ]}}],
        });
        let run = run(&item);
        assert_eq!(run.status, "failed");
        assert_eq!(run.errors.len(), 2);
        assert_eq!((run.started_at, run.completed_at), (Some(10), Some(20)));
    }

    #[test]
    fn schedules_read_as_words() {
        let every =
            |f: &str, i: i64| schedule(&json!({ "scheduleParams": { "frequency": f, "interval": i } }));
        assert_eq!(every("minute", 15), "every 15 minutes");
        assert_eq!(every("hour", 1), "every hour");
        assert_eq!(every("once", 0), "once");
        assert_eq!(schedule(&json!({})), "not scheduled");
    }

    #[test]
    fn a_run_names_its_batches() {
        let run = json!({ "targetInfo": [
            { "id": "ds", "reference": { "type": "Batch", "ids": ["01A", "01B", "01A"] } },
            { "id": "x", "reference": { "type": "Other", "ids": ["no"] } },
        ]});
        assert_eq!(batch_ids(&run), ["01A", "01B"]);
        assert!(batch_ids(&json!({})).is_empty());
    }
}
