//! Data Access's meta files of a batch (`GET /export/batches/{id}/meta?path=…`), after the
//! reference's error-diagnostics page: a run's batch exists once the run has ended without
//! failing, and when its flow had error diagnostics on and rows failed the mapping,
//! `path=row_errors` lists one `conversion_errors_0.json`, whose JSON lines are the failed
//! rows (their columns, `_errors` and `_filename`). Otherwise the path is not there (404).

use serde_json::{json, Value};

use super::runs::wrote_batch;
use super::sandbox;
use crate::http::{Request, Response};
use crate::platform::{nonce, now_ms, State};

const ROW_ERRORS: &str = "row_errors";
const ERROR_FILE: &str = "conversion_errors_0.json";

/// The error file of a run's failed rows, each with its errors; `null` when none failed (no
/// file is written then).
pub(super) fn error_file(failed: &[(Value, Vec<Value>)]) -> Value {
    if failed.is_empty() {
        return Value::Null;
    }
    let lines: Vec<String> = failed
        .iter()
        .map(|(row, errors)| {
            let mut line = row.clone();
            line["_errors"] = json!(errors);
            line["_filename"] = json!(ERROR_FILE);
            line.to_string()
        })
        .collect();
    json!(lines.join("\n") + "\n")
}

/// The answer for a path under `/data/foundation/export`; the gateway and sandbox checks ran.
pub(super) fn route(state: &State, request: &Request, segments: &[&str]) -> Response {
    match (request.method.as_str(), segments) {
        ("GET", ["batches", batch, "meta"]) => meta(state, request, batch),
        _ => export_error(404, &format!("No such path: {}", request.path)),
    }
}

fn meta(state: &State, request: &Request, batch: &str) -> Response {
    let sandbox = sandbox(request);
    let (now, run_ms) = (now_ms(), state.config.run_ms);
    let Some(run) = state.lifecycle.runs.iter().find(|r| {
        r["_plan"]["batchId"] == batch && r["sandboxName"] == sandbox.as_str() && wrote_batch(r, now, run_ms)
    }) else {
        return export_error(404, &format!("Batch {batch} was not found"));
    };
    let file = run["_plan"]["rowErrors"].as_str();
    let path = request.query("path").unwrap_or_default();
    match (path.trim_end_matches('/'), file) {
        (ROW_ERRORS, Some(file)) => {
            let host = request.header("host").unwrap_or("platform.adobe.io");
            let href = format!(
                "http://{host}/data/foundation/export/batches/{batch}/meta?path={ROW_ERRORS}%2F{ERROR_FILE}"
            );
            Response::json(
                200,
                &json!({
                    "data": [{ "name": ERROR_FILE, "length": file.len().to_string(), "_links": { "self": { "href": href } } }],
                    "_page": { "limit": 100, "count": 1 },
                }),
            )
        }
        (path, Some(file)) if path == format!("{ROW_ERRORS}/{ERROR_FILE}") => {
            Response::raw(200, "application/octet-stream", file.as_bytes().to_vec())
        }
        (path, _) => export_error(404, &format!("Path {path} was not found in batch {batch}")),
    }
}

/// Adobe's problem-details error body, as Catalog answers too.
fn export_error(status: u16, detail: &str) -> Response {
    let title = if status == 404 { "Not Found" } else { "Bad Request" };
    Response::json(
        status,
        &json!({
            "type": format!("http://ns.adobe.com/aep/errors/EXPORT-1{status}-{status}"),
            "title": title, "status": status, "detail": detail,
            "report": { "requestId": format!("fake-export-{}", nonce()) },
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::super::smoke_api::Api;
    use crate::FakeConfig;

    #[tokio::test]
    async fn an_unknown_batch_is_not_found_and_a_request_without_the_headers_is_refused() {
        let api = Api::start(FakeConfig::default()).await;
        let path = "/data/foundation/export/batches/01EFZ7W203PEKSAMVJC3X99VHQ/meta?path=row_errors";
        let (status, body) = api.get(path).await;
        assert_eq!(status, 404);
        assert_eq!((body["status"].as_u64(), body["title"].as_str()), (Some(404), Some("Not Found")));
        assert!(body["detail"].as_str().is_some_and(|d| d.contains("01EFZ7W203PEKSAMVJC3X99VHQ")), "{body}");
        let bare = reqwest::get(format!("{}{path}", api.fake.url())).await.expect("an answer");
        assert_eq!(bare.status().as_u16(), 403, "the gateway's checks come first");
        let body: serde_json::Value = bare.json().await.expect("JSON");
        assert_eq!(body["error_code"], "403010");
    }
}
