//! Data Prep's checks of a mapping set before anything is made: `POST /mappingSets/validate`
//! (each mapping's standing) and `POST /mappingSets/preview` (the explored rows run through
//! the mappings, as the XDM records that would land). The rows are the user's data: they are
//! sent, shown and dropped, never written or logged.

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::client::{parse, FlowClient, Service};
use super::error::FlowError;

/// The most rows a preview sends (Adobe's UI previews 100).
pub const MAX_PREVIEW_ROWS: usize = 100;
const MAX_ERRORS_PER_ROW: usize = 20;
const MAX_MESSAGE_CHARS: usize = 2_000;

/// One mapping's standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MappingCheck {
    pub ok: bool,
    pub errors: Vec<String>,
}

/// One row as it would land.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PreviewRecord {
    #[ts(type = "unknown")]
    pub data: Value,
    pub errors: Vec<String>,
}

impl FlowClient {
    /// Each mapping of `mapping_set` checked, in order.
    pub async fn validate_mappings(&self, mapping_set: &Value) -> Result<Vec<MappingCheck>, FlowError> {
        let url = self.service_url(Service::DataPrep, &["mappingSets", "validate"]);
        let body = serde_json::to_vec(mapping_set).unwrap_or_default();
        // A check changes nothing: sent once, like a read whose failure is shown.
        let answer: Value = parse(&self.once(Method::POST, url, Some(&body), None).await?)?;
        Ok(answer
            .get("validationResponse")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|entry| MappingCheck {
                ok: entry
                    .get("status")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.eq_ignore_ascii_case("success")),
                errors: messages(entry.get("errors")),
            })
            .collect())
    }

    /// `rows` (at most [`MAX_PREVIEW_ROWS`]) run through `mapping_set`.
    pub async fn preview_mappings(
        &self,
        mapping_set: &Value,
        rows: &[Value],
    ) -> Result<Vec<PreviewRecord>, FlowError> {
        let url = self.service_url(Service::DataPrep, &["mappingSets", "preview"]);
        let rows = &rows[..rows.len().min(MAX_PREVIEW_ROWS)];
        let body = serde_json::to_vec(&serde_json::json!({ "data": rows, "mappingSet": mapping_set }))
            .unwrap_or_default();
        let answer: Vec<Value> = parse(&self.once(Method::POST, url, Some(&body), None).await?)?;
        Ok(answer
            .into_iter()
            .take(MAX_PREVIEW_ROWS)
            .map(|mut entry| PreviewRecord {
                errors: messages(entry.get("errors")),
                data: entry.get_mut("data").map(Value::take).unwrap_or(Value::Null),
            })
            .collect())
    }
}

impl FlowClient {
    /// `GET /mappingSets/{id}`: the set as stored, for a new version made from it.
    pub async fn mapping_set(&self, id: &str) -> Result<Value, FlowError> {
        check_set_id(id)?;
        parse(&self.read(self.service_url(Service::DataPrep, &["mappingSets", id])).await?)
    }

    /// `GET /mappingSets/{id}?version=N`: the version a flow runs, which may not be the latest.
    pub async fn mapping_set_at(&self, id: &str, version: i64) -> Result<Value, FlowError> {
        check_set_id(id)?;
        let mut url = self.service_url(Service::DataPrep, &["mappingSets", id]);
        url.query_pairs_mut().append_pair("version", &version.to_string());
        parse(&self.read(url).await?)
    }

    /// `PUT /mappingSets/{id}` with a whole new body: a new version, which flows use only once
    /// their `Mapping` transformation names it. Returns that version.
    pub async fn new_mapping_version(&self, id: &str, body: &Value) -> Result<i64, FlowError> {
        check_set_id(id)?;
        let url = self.service_url(Service::DataPrep, &["mappingSets", id]);
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let answer: Value = parse(&self.once(Method::PUT, url, Some(&bytes), None).await?)?;
        answer.get("version").and_then(Value::as_i64).ok_or(FlowError::UnexpectedResponse {
            status: 200,
            detail: "no version in the new mapping set's answer".into(),
        })
    }
}

/// Mapping set ids are 32 hexadecimal digits; nothing else goes into the path.
fn check_set_id(id: &str) -> Result<(), FlowError> {
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(FlowError::InvalidId { what: "mapping set" });
    }
    Ok(())
}

/// Error entries as text: objects with a `message` (and a `code`), or plain strings.
fn messages(errors: Option<&Value>) -> Vec<String> {
    errors
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(MAX_ERRORS_PER_ROW)
        .filter_map(|e| match e {
            Value::String(s) => Some(s.clone()),
            other => {
                let message = other.get("message").and_then(Value::as_str)?;
                Some(match other.get("code").and_then(Value::as_str) {
                    Some(code) => format!("{message} ({code})"),
                    None => message.to_owned(),
                })
            }
        })
        .map(|m| m.chars().take(MAX_MESSAGE_CHARS).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_read_as_text_in_either_shape() {
        let errors = json!([{ "code": "MAPPER-3700-400", "message": "cannot convert" }, "plain"]);
        assert_eq!(messages(Some(&errors)), ["cannot convert (MAPPER-3700-400)", "plain"]);
        assert!(messages(Some(&Value::Null)).is_empty());
    }
}
