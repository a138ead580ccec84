//! The rows a run could not ingest, as Data Access keeps them for the run's batch when its
//! dataflow has error diagnostics on: `GET /batches/{id}/meta?path=row_errors` lists the error
//! files, and each file (`?path=row_errors/{name}`) holds one JSON object per failed row, its
//! `_errors` beside the row's columns (or the unreadable text, `_corrupt_record`). The rows are
//! the user's data: they are read, shown and dropped, never written or logged. Everything is
//! bounded, since a batch of millions of rows can fail whole.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use super::client::{parse, FlowClient, Service};
use super::dataflows::RunError;
use super::error::FlowError;
use crate::http_body::MAX_BODY_BYTES;

/// Error files read of one batch, rows shown in all, and the longest text of a row.
pub const MAX_ROW_FILES: usize = 10;
pub const MAX_FAILED_ROWS: usize = 50;
const MAX_TEXT_CHARS: usize = 2_000;
const MAX_ERRORS_PER_ROW: usize = 20;
/// Batches of one run looked at; a run of a batch source writes one.
const ROW_ERRORS: &str = "row_errors";

/// Failed rows of a run, as many as are shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FailedRows {
    pub rows: Vec<FailedRow>,
    /// More rows may have failed than are shown: past 50 rows or 10 files, in a file too large
    /// to read, or in a part of a file that was not JSON.
    pub truncated: bool,
}

/// One row Adobe could not ingest, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FailedRow {
    /// The error file it was read from, such as `conversion_errors_0.json`.
    pub file: String,
    pub errors: Vec<RunError>,
    /// The row as one line: the text that could not be read, or its columns as JSON; at most
    /// 2,000 characters.
    pub record: Option<String>,
}

/// `GET /batches/{id}/meta?path=row_errors`.
#[derive(Deserialize)]
struct Listing {
    #[serde(default)]
    data: Vec<MetaFile>,
}

#[derive(Deserialize)]
struct MetaFile {
    #[serde(default)]
    name: String,
    /// Bytes, written as a string (`"1162"`).
    #[serde(default)]
    length: Value,
}

impl FlowClient {
    /// The failed rows of batch `batch_id`: at most 50, from its first 10 error files. None
    /// when the batch has no row errors (Data Access answers 404 for a meta path that is not
    /// there, as for a dataflow without error diagnostics).
    pub async fn failed_rows(&self, batch_id: &str) -> Result<FailedRows, FlowError> {
        check_batch_id(batch_id)?;
        let listing: Listing = match self.read(self.meta_url(batch_id, ROW_ERRORS)).await {
            Ok(reply) => parse(&reply)?,
            Err(FlowError::Api(e)) if e.status == 404 => return Ok(FailedRows::default()),
            Err(e) => return Err(e),
        };
        let mut found = FailedRows::default();
        let files: Vec<&MetaFile> = listing.data.iter().filter(|f| is_file_name(&f.name)).collect();
        found.truncated = files.len() > MAX_ROW_FILES || files.len() < listing.data.len();
        for file in files.into_iter().take(MAX_ROW_FILES) {
            if found.rows.len() >= MAX_FAILED_ROWS {
                found.truncated = true;
                break;
            }
            // A file past the body cap would be refused after downloading 16 MiB of it.
            let length = file.length.as_u64().or_else(|| file.length.as_str().and_then(|s| s.parse().ok()));
            if length.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
                found.truncated = true;
                continue;
            }
            let url = self.meta_url(batch_id, &format!("{ROW_ERRORS}/{}", file.name));
            // The file is served as it was written (JSON lines), whatever type the service names.
            let reply = self.read_as(url, "application/json, */*").await?;
            found.truncated |= read_rows(&file.name, &reply.body, &mut found.rows);
        }
        Ok(found)
    }

    fn meta_url(&self, batch_id: &str, path: &str) -> url::Url {
        let mut url = self.service_url(Service::DataAccess, &["batches", batch_id, "meta"]);
        url.query_pairs_mut().append_pair("path", path);
        url
    }
}

/// Batch ids go into the URL path: Catalog writes them as 26 uppercase letters and digits
/// (`01EFZ7W203PEKSAMVJC3X99VHQ`), older ones as UUIDs. Nothing else is let through.
fn check_batch_id(id: &str) -> Result<(), FlowError> {
    let fits = !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if fits {
        Ok(())
    } else {
        Err(FlowError::InvalidId { what: "batch" })
    }
}

/// An error file's name goes into the `path` of the next request: a plain file name only, so
/// that a listing can never send the client elsewhere in the batch.
fn is_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The rows of one error file added to `rows` until there are [`MAX_FAILED_ROWS`]; whether
/// some were left out. The objects are read one after the other, whatever whitespace is
/// between them (JSON lines, or pretty-printed as in Adobe's docs); a line that is not JSON is
/// skipped.
fn read_rows(file: &str, body: &[u8], rows: &mut Vec<FailedRow>) -> bool {
    let mut left_out = false;
    let mut at = 0;
    while at < body.len() {
        let mut stream = serde_json::Deserializer::from_slice(&body[at..]).into_iter::<Map<String, Value>>();
        match stream.next() {
            None => break,
            Some(Ok(object)) => {
                at += stream.byte_offset();
                if rows.len() >= MAX_FAILED_ROWS {
                    return true;
                }
                rows.push(failed_row(file, object));
            }
            Some(Err(_)) => {
                left_out = true;
                at += stream.byte_offset();
                match body[at..].iter().position(|b| *b == b'\n') {
                    Some(end) => at += end + 1,
                    None => break,
                }
            }
        }
    }
    left_out
}

fn failed_row(file: &str, mut object: Map<String, Value>) -> FailedRow {
    let errors = object
        .remove("_errors")
        .and_then(|e| match e {
            Value::Array(list) => Some(list),
            _ => None,
        })
        .unwrap_or_default()
        .iter()
        .map(|e| RunError { code: cut(&text(e.get("code"))), message: cut(&text(e.get("message"))) })
        .filter(|e| !e.code.is_empty() || !e.message.is_empty())
        .take(MAX_ERRORS_PER_ROW)
        .collect();
    object.remove("_filename");
    let record = match object.remove("_corrupt_record") {
        Some(Value::String(raw)) if !raw.is_empty() => Some(cut(&raw.replace(['\r', '\n'], " "))),
        _ if object.is_empty() || object.values().all(Value::is_null) => None,
        _ => Some(cut(&Value::Object(object).to_string())),
    };
    FailedRow { file: file.to_owned(), errors, record }
}

/// A string, or a number written as one (`1401`).
fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn cut(text: &str) -> String {
    text.chars().take(MAX_TEXT_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_read_with_their_errors_and_record_in_either_shape() {
        let body = concat!(
            r#"{"id":7,"email":"c7@example.com","lifetime_value":"n/a","_errors":[{"code":"MAPPER-3700-400","message":"cannot convert lifetime_value to number"}],"_filename":"conversion_errors_0.json"}"#,
            "\n",
            "not json at all\n",
            "{\n  \"_corrupt_record\": \"{missingQuotes: v1}\\nsecond line\",\n  \"_errors\": [{ \"code\": 1401, \"message\": \"Row is corrupted\" }],\n  \"_filename\": \"parsing_errors_0.json\"\n}\n",
        );
        let mut rows = Vec::new();
        assert!(
            read_rows("conversion_errors_0.json", body.as_bytes(), &mut rows),
            "the bad line is left out"
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].errors[0].code, "MAPPER-3700-400");
        assert_eq!(
            rows[0].record.as_deref(),
            Some(r#"{"id":7,"email":"c7@example.com","lifetime_value":"n/a"}"#)
        );
        assert_eq!(rows[1].errors[0], RunError { code: "1401".into(), message: "Row is corrupted".into() });
        assert_eq!(rows[1].record.as_deref(), Some("{missingQuotes: v1} second line"), "one line");
        assert_eq!(rows[1].file, "conversion_errors_0.json");
    }

    #[test]
    fn rows_and_texts_are_bounded() {
        let long = "x".repeat(5_000);
        let line = json!({ "note": long, "_errors": [{ "code": "C", "message": long }] }).to_string();
        let body = vec![line; MAX_FAILED_ROWS + 5].join("\n");
        let mut rows = Vec::new();
        assert!(read_rows("f.json", body.as_bytes(), &mut rows), "rows past the cap are left out");
        assert_eq!(rows.len(), MAX_FAILED_ROWS);
        assert_eq!(rows[0].errors[0].message.chars().count(), MAX_TEXT_CHARS);
        assert_eq!(rows[0].record.as_ref().map(|r| r.chars().count()), Some(MAX_TEXT_CHARS));
        // Exactly full, nothing more: nothing left out.
        let mut rows = Vec::new();
        let exact = vec![r#"{"a":1}"#; MAX_FAILED_ROWS].join("\n");
        assert!(!read_rows("f.json", exact.as_bytes(), &mut rows));
        assert_eq!(rows.len(), MAX_FAILED_ROWS);
    }

    #[test]
    fn only_batch_ids_and_plain_file_names_go_into_requests() {
        assert!(check_batch_id("01EFZ7W203PEKSAMVJC3X99VHQ").is_ok());
        assert!(check_batch_id("af838510-2233-11ea-acf0-f3edfcded2d2").is_ok());
        for bad in ["", "..", "a/b", "%2e%2e", "01EF?x", &"A".repeat(65)] {
            assert!(check_batch_id(bad).is_err(), "{bad}");
        }
        assert!(is_file_name("conversion_errors_0.json"));
        for bad in ["", "../input_files", ".hidden", "a/b.json", "a b.json"] {
            assert!(!is_file_name(bad), "{bad}");
        }
    }
}
