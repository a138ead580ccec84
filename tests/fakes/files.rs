//! Explore for file-based sources (the cloud-storage specs of `specs/catalog.json`): a small
//! tree of folders and CSV exports, a file's columns in the same shape a table's have, and a
//! preview of its 40 rows. Runs of dataflows reading a file count those rows.

use serde_json::{json, Value};

use crate::http::{Request, Response};
use crate::platform::flow_error;
use crate::specs;

/// Rows every file holds.
pub(crate) const FILE_ROWS: usize = 40;

/// Whether connections of `spec_id` explore as files.
pub(crate) fn is_file_source(spec_id: &str) -> bool {
    specs::other_sources().iter().any(|s| s["id"] == spec_id && s["attributes"]["category"] == "cloudStorage")
}

fn item(kind: &str, path: &str) -> Value {
    let name = path.rsplit('/').next().unwrap_or(path);
    let file = kind == "file";
    json!({ "type": kind, "name": name, "path": path, "canPreview": file, "canFetchSchema": file })
}

/// The items of a folder (`""` is the root), or `None` for a folder that does not exist.
fn folder(path: &str) -> Option<Vec<Value>> {
    Some(match path {
        "" => vec![item("folder", "exports"), item("folder", "archive")],
        "exports" => vec![
            item("file", "exports/customers-2026-11.csv"),
            item("file", "exports/customers-2026-12.csv"),
            item("folder", "exports/daily"),
        ],
        "exports/daily" => {
            vec![
                item("file", "exports/daily/customers-2026-12-01.csv"),
                item("file", "exports/daily/customers-2026-12-02.csv"),
            ]
        }
        "archive" => vec![item("file", "archive/customers-2026-10.csv")],
        _ => return None,
    })
}

fn is_file(path: &str) -> bool {
    let parent = path.rsplit_once('/').map_or("", |(parent, _)| parent);
    folder(parent).is_some_and(|items| items.iter().any(|i| i["path"] == path && i["type"] == "file"))
}

/// The columns of every file, as explore describes a table's.
pub(crate) fn columns() -> Vec<Value> {
    let column = |name: &str, kind: &str, format: Option<&str>| {
        let mut c = json!({ "name": name, "type": kind, "xdm": { "type": kind } });
        if let Some(format) = format {
            c["meta:xdmType"] = json!(format);
            c["xdm"]["format"] = json!(format);
        }
        c
    };
    vec![
        column("customer_id", "integer", None),
        column("email", "string", None),
        column("first_name", "string", None),
        column("last_name", "string", None),
        column("country", "string", None),
        column("updated_at", "string", Some("date-time")),
        column("spend", "number", None),
        column("opted_in", "boolean", None),
    ]
}

/// The 40 rows of every file.
pub(crate) fn rows() -> Vec<Value> {
    const FIRST: [&str; 8] = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus"];
    const LAST: [&str; 5] = ["Lovelace", "Hopper", "Turing", "Liskov", "Hamilton"];
    const COUNTRY: [&str; 4] = ["FR", "US", "DE", "JP"];
    (1..=FILE_ROWS)
        .map(|i| {
            json!({
                "customer_id": i, "email": format!("buyer{i}@example.org"),
                "first_name": FIRST[i % FIRST.len()], "last_name": LAST[i % LAST.len()],
                "country": if i % 10 == 0 { Value::Null } else { json!(COUNTRY[i % COUNTRY.len()]) },
                "updated_at": format!("2026-12-{:02}T09:{:02}:00Z", 1 + i % 28, i % 60),
                "spend": i as f64 * 7.25, "opted_in": i % 2 == 0,
            })
        })
        .collect()
}

/// `GET /connections/{id}/explore` for a file-based source.
pub(crate) fn explore(request: &Request) -> Response {
    let object = request.query("object").unwrap_or_default().trim_matches('/');
    match request.query("objectType").map(str::to_ascii_lowercase).as_deref() {
        Some("root") => Response::json(200, &json!(folder("").unwrap_or_default())),
        Some("folder") => match folder(object) {
            Some(items) => Response::json(200, &json!(items)),
            None => flow_error(404, 1101, "Resource not found", &format!("No folder '{object}'")),
        },
        Some("file") => {
            let format = match request.query("fileType") {
                Some(kind @ ("delimited" | "json" | "parquet")) => kind,
                Some(other) => {
                    return flow_error(400, 1400, "Bad Request", &format!("Unsupported fileType '{other}'"))
                }
                None => {
                    return flow_error(400, 1400, "Bad Request", "fileType is required for objectType file")
                }
            };
            if !is_file(object) {
                return flow_error(404, 1101, "Resource not found", &format!("No file '{object}'"));
            }
            let mut body = json!({ "format": format, "schema": { "columns": columns() } });
            if request.query("preview") == Some("true") {
                body["data"] = json!(rows());
            }
            Response::json(200, &body)
        }
        _ => flow_error(
            400,
            1400,
            "Bad Request",
            "objectType must be root, folder or file for a file-based source",
        ),
    }
}
