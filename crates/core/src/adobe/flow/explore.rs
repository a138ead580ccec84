//! `GET /connections/{id}/explore`: the source's objects (folders, tables, files), a table's
//! columns and a preview of its first rows. Everything read here stays in memory: explore
//! results are the user's data and are never written to disk or logged.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::client::{check_id, parse, FlowClient};
use super::error::FlowError;

/// Objects per page when the source pages its explore results.
pub const EXPLORE_PAGE: u32 = 1_000;
/// The most objects one listing keeps: a folder of 100,000 tables is cut, and says so.
const MAX_OBJECTS: usize = 100_000;
/// The most rows and columns of a preview, and the longest cell kept (the UI truncates long
/// values on screen and shows the whole one on demand).
const MAX_ROWS: usize = 100;
const MAX_COLUMNS: usize = 500;
const MAX_CELL_CHARS: usize = 16_384;
const MAX_NAME_CHARS: usize = 1_024;

/// How a source can be explored, from its connection spec's `exploreSpec` and attributes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExploreSupport {
    pub kind: ExploreKind,
    /// `attributes.uiAttributes.apiFeatures.explorePaginationSupported`.
    #[serde(default)]
    pub paged: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ExploreKind {
    /// Tables, perhaps in folders (databases, CRMs).
    Tabular,
    /// Folders and files (cloud storage).
    Files,
    /// A REST resource: exploring it needs the source's own parameters (`sourceParams`).
    Resource,
    /// The spec says nothing: the root is tried, and a refusal explained.
    #[default]
    Unknown,
}

impl ExploreSupport {
    /// Reads the spec's `exploreSpec.type` (`Tabular`, `FileSystem`, `Resource`) and the
    /// pagination flag.
    pub fn from_spec(explore_type: Option<&str>, attributes: &serde_json::Map<String, Value>) -> Self {
        let kind = match explore_type.map(str::to_ascii_lowercase).as_deref() {
            Some("tabular" | "table") => ExploreKind::Tabular,
            Some("filesystem" | "file" | "files" | "folder") => ExploreKind::Files,
            Some("resource" | "rest") => ExploreKind::Resource,
            _ => ExploreKind::Unknown,
        };
        let paged = attributes
            .get("uiAttributes")
            .and_then(|ui| ui.pointer("/apiFeatures/explorePaginationSupported"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        Self { kind, paged }
    }
}

/// Where to look: the root, or a folder's path.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "at", content = "path")]
#[ts(export)]
pub enum Place {
    Root,
    Folder(String),
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExploreItem {
    /// `table`, `folder` or `file`, lower-cased (the service writes `Folder` and `File` too).
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub can_preview: bool,
    #[serde(default)]
    pub can_fetch_schema: bool,
}

/// What a listing came to.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "outcome")]
#[ts(export)]
pub enum Listing {
    Objects {
        items: Vec<ExploreItem>,
        /// Where the next page starts, when the source pages and there is more.
        #[ts(type = "number | null")]
        next_start: Option<u32>,
        /// Objects left out past the cap.
        truncated: bool,
    },
    /// The source is explored with its own parameters (a REST API's resource and query), which
    /// this screen does not ask for.
    NeedsParameters { message: String },
    /// The service could not explore this connection; `renew` when the reason is expired or
    /// revoked credentials, which "Update credentials" mends.
    Unavailable { message: String, renew: bool },
}

/// One column of a table or file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Column {
    pub name: String,
    /// The source's type, such as `string`.
    #[serde(rename = "type")]
    pub column_type: String,
    /// The XDM type the platform maps it to (`meta:xdmType`, or `xdm.format`/`xdm.type`).
    #[ts(type = "string | null")]
    pub xdm_type: Option<String>,
}

/// A table's structure and, when asked for, its first rows: cells line up with `columns`,
/// `null` where the source has none.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TableDetails {
    pub format: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Option<String>>>,
    /// Whether rows or columns past the caps were left out.
    pub truncated: bool,
}

#[derive(Debug, Deserialize)]
struct WireDetails {
    #[serde(default)]
    format: String,
    #[serde(default)]
    schema: WireSchema,
    #[serde(default)]
    data: Vec<Value>,
}

#[derive(Debug, Default, Deserialize)]
struct WireSchema {
    #[serde(default)]
    columns: Vec<Value>,
}

impl FlowClient {
    /// Lists the objects at `place`. With `paged`, one page from `start`; otherwise the whole
    /// answer. A service that refuses is answered with a reason, not an error dump.
    pub async fn explore(
        &self,
        id: &str,
        support: ExploreSupport,
        place: &Place,
        start: u32,
    ) -> Result<Listing, FlowError> {
        check_id(id, "connection")?;
        if support.kind == ExploreKind::Resource {
            return Ok(Listing::NeedsParameters {
                message: "This source is explored through its own API resources, which need the source's parameters (sourceParams). Set it up in Experience Platform's sources workspace to see its data.".into(),
            });
        }
        let mut url = self.flow_url(&["connections", id, "explore"]);
        {
            let mut pairs = url.query_pairs_mut();
            match place {
                Place::Root => pairs.append_pair("objectType", "root"),
                Place::Folder(path) => pairs.append_pair("objectType", "folder").append_pair("object", path),
            };
            if support.paged {
                pairs
                    .append_pair("start", &start.to_string())
                    .append_pair("limit", &EXPLORE_PAGE.to_string());
            }
        }
        let reply = match self.read(url).await {
            Ok(reply) => reply,
            Err(e) => return refusal(e),
        };
        let raw: Vec<Value> = parse(&reply)?;
        let page_len = raw.len();
        let truncated = page_len > MAX_OBJECTS;
        let items: Vec<ExploreItem> = raw
            .into_iter()
            .take(MAX_OBJECTS)
            .filter_map(|v| serde_json::from_value::<ExploreItem>(v).ok())
            .map(tidy_item)
            .collect();
        let next_start =
            (support.paged && page_len as u32 >= EXPLORE_PAGE).then(|| start.saturating_add(page_len as u32));
        Ok(Listing::Objects { items, next_start, truncated })
    }

    /// A table's columns (`objectType=table&object={path}`), with its first rows when
    /// `preview` is set.
    pub async fn table_details(
        &self,
        id: &str,
        path: &str,
        preview: bool,
    ) -> Result<TableDetails, FlowError> {
        self.object_details(id, path, None, preview).await
    }

    /// A file's columns as the service reads it in `file_type` (`delimited`, `json` or
    /// `parquet`), with its first rows when `preview` is set.
    pub async fn file_details(
        &self,
        id: &str,
        path: &str,
        file_type: &str,
        preview: bool,
    ) -> Result<TableDetails, FlowError> {
        if !matches!(file_type, "delimited" | "json" | "parquet") {
            return Err(FlowError::UnexpectedResponse {
                status: 0,
                detail: format!(
                    "“{file_type}” is not a file type Flow Service explores (delimited, json, parquet)"
                ),
            });
        }
        self.object_details(id, path, Some(file_type), preview).await
    }

    async fn object_details(
        &self,
        id: &str,
        path: &str,
        file_type: Option<&str>,
        preview: bool,
    ) -> Result<TableDetails, FlowError> {
        check_id(id, "connection")?;
        let mut url = self.flow_url(&["connections", id, "explore"]);
        match file_type {
            None => url.query_pairs_mut().append_pair("objectType", "table").append_pair("object", path),
            Some(kind) => url
                .query_pairs_mut()
                .append_pair("objectType", "file")
                .append_pair("object", path)
                .append_pair("fileType", kind),
        };
        if preview {
            url.query_pairs_mut().append_pair("preview", "true");
        }
        let reply = self.read(url).await?;
        let wire: WireDetails = parse(&reply)?;
        Ok(details(wire))
    }
}

/// A refusal the user can act on, told apart from failures worth an error (sign-in, network).
fn refusal(error: FlowError) -> Result<Listing, FlowError> {
    match &error {
        FlowError::Api(api) if matches!(api.status, 400 | 404 | 405 | 422 | 501) => {
            let reason = api.message.trim_end_matches('.');
            let lower = reason.to_lowercase();
            if lower.contains("sourceparams") {
                return Ok(Listing::NeedsParameters {
                    message: format!(
                        "Experience Platform needs this source's own parameters to explore it ({reason})."
                    ),
                });
            }
            let renew = ["invalid_grant", "expired", "revoked", "credential", "unauthori"]
                .iter()
                .any(|w| lower.contains(w));
            let message = if renew {
                format!("The source refused this connection's credentials ({reason}). Update its credentials, then explore again.")
            } else if matches!(api.status, 404 | 405 | 501) {
                format!("Experience Platform does not explore connections of this source ({reason}). Its data can still be brought in by a dataflow.")
            } else {
                format!("Experience Platform could not explore this connection ({reason}).")
            };
            Ok(Listing::Unavailable { message, renew })
        }
        _ => Err(error),
    }
}

fn tidy_item(mut item: ExploreItem) -> ExploreItem {
    item.kind = item.kind.to_ascii_lowercase();
    item.name = clip(&item.name, MAX_NAME_CHARS);
    item.path = clip(&item.path, MAX_NAME_CHARS * 4);
    item
}

fn details(wire: WireDetails) -> TableDetails {
    let mut truncated = wire.schema.columns.len() > MAX_COLUMNS || wire.data.len() > MAX_ROWS;
    let columns: Vec<Column> = wire
        .schema
        .columns
        .iter()
        .take(MAX_COLUMNS)
        .map(|c| {
            let text = |pointer: &str| c.pointer(pointer).and_then(Value::as_str).map(str::to_owned);
            Column {
                name: clip(&text("/name").unwrap_or_default(), MAX_NAME_CHARS),
                column_type: text("/type").unwrap_or_default(),
                xdm_type: text("/meta:xdmType").or_else(|| text("/xdm/format")).or_else(|| text("/xdm/type")),
            }
        })
        .collect();
    let rows = wire
        .data
        .iter()
        .take(MAX_ROWS)
        .map(|row| {
            columns
                .iter()
                .map(|column| match row.get(&column.name) {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(clip_cell(s, &mut truncated)),
                    Some(other) => Some(clip_cell(&other.to_string(), &mut truncated)),
                })
                .collect()
        })
        .collect();
    TableDetails { format: wire.format, columns, rows, truncated }
}

fn clip_cell(text: &str, truncated: &mut bool) -> String {
    if text.chars().count() > MAX_CELL_CHARS {
        *truncated = true;
    }
    clip(text, MAX_CELL_CHARS)
}

fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => text[..end].to_owned(),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_spec_says_how_to_explore() {
        let paged = json!({ "uiAttributes": { "apiFeatures": { "explorePaginationSupported": true } } });
        let support = ExploreSupport::from_spec(Some("Tabular"), paged.as_object().unwrap());
        assert_eq!(support, ExploreSupport { kind: ExploreKind::Tabular, paged: true });
        let none = serde_json::Map::new();
        assert_eq!(ExploreSupport::from_spec(Some("Resource"), &none).kind, ExploreKind::Resource);
        assert_eq!(ExploreSupport::from_spec(None, &none), ExploreSupport::default());
    }

    #[test]
    fn cells_line_up_with_columns_and_nulls_stay_null() {
        let wire: WireDetails = serde_json::from_value(json!({
            "format": "flat",
            "schema": { "columns": [
                { "name": "id", "type": "integer", "xdm": { "type": "integer" } },
                { "name": "seen", "type": "string", "meta:xdmType": "date-time" },
                { "name": "note", "type": "string" },
            ]},
            "data": [ { "id": 1, "seen": null, "note": "x".repeat(MAX_CELL_CHARS + 5) }, { "note": "b", "id": 2 } ],
        }))
        .unwrap();
        let details = details(wire);
        assert_eq!(details.columns[0].xdm_type.as_deref(), Some("integer"));
        assert_eq!(details.columns[1].xdm_type.as_deref(), Some("date-time"));
        assert_eq!(details.rows[0][0].as_deref(), Some("1"));
        assert_eq!(details.rows[0][1], None);
        assert_eq!(details.rows[0][2].as_ref().map(|s| s.len()), Some(MAX_CELL_CHARS));
        assert_eq!(details.rows[1], vec![Some("2".into()), None, Some("b".into())]);
        assert!(details.truncated);
    }
}
