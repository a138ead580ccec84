//! What the fake Flow Service models after a connection is made: exploring it (a tree of
//! folders and tables, columns with XDM types, previews with nulls and long strings, pages
//! where the spec says explore pages), the source connections and dataflows made on it, their
//! runs, and credentials that stop working (a revoked refresh token) until a `PATCH` replaces
//! them. Explore answers are generated from the path, so 10,000 tables cost nothing to hold.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{Request, Response};
use crate::platform::flow_error;

/// Tables in the `analytics` folder unless a test asks for more.
const DEFAULT_TABLES: usize = 12;

#[derive(Debug)]
pub struct Lifecycle {
    pub source_connections: Vec<Value>,
    pub flows: Vec<Value>,
    pub runs: Vec<Value>,
    /// Connections whose credentials the source refuses, with the error it gives.
    pub broken: HashMap<String, (String, String)>,
    pub tables: usize,
    /// Whether the root lists the `analytics` tables itself, beside the folders.
    pub tables_at_root: bool,
    /// When set, the `sales` folder also lists `wide_{N}`: a table of N columns (benchmarks).
    pub wide_columns: usize,
    counter: u64,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self {
            source_connections: Vec::new(),
            flows: Vec::new(),
            runs: Vec::new(),
            broken: HashMap::new(),
            tables: DEFAULT_TABLES,
            tables_at_root: false,
            wide_columns: 0,
            counter: 0,
        }
    }
}

/// `POST /__fake/flows`: dataflows reading from a connection.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewFlows {
    pub connection_id: String,
    #[serde(default = "one")]
    pub count: usize,
    #[serde(default)]
    pub name: Option<String>,
}

/// `POST /__fake/fail`: the source refuses the connection's credentials from now on, and the
/// last run of each of its dataflows failed with this error.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    pub connection_id: String,
    pub code: String,
    pub message: String,
}

fn one() -> usize {
    1
}

impl Lifecycle {
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    fn next_id(&mut self, salt: u64) -> String {
        self.counter += 1;
        let n = self.counter;
        format!("{:08x}-{:04x}-4{:03x}-9{:03x}-{:012x}", salt as u32, n & 0xffff, n & 0xfff, salt & 0xfff, n)
    }

    /// Makes `count` dataflows on the connection, each through its own source connection, each
    /// with one successful run.
    pub fn add_flows(&mut self, sandbox: &str, new: &NewFlows) -> Vec<String> {
        let mut ids = Vec::new();
        for i in 1..=new.count {
            let source_id = self.next_id(0x5c);
            self.source_connections.push(json!({
                "id": source_id, "name": format!("Source connection {i}"), "baseConnectionId": new.connection_id,
                "sandboxName": sandbox, "params": { "tableName": format!("sales.table_{i}") },
            }));
            let flow_id = self.next_id(0xf1);
            let run_id = self.next_id(0x70);
            let name = match (&new.name, new.count) {
                (Some(name), 1) => name.clone(),
                (Some(name), _) => format!("{name} {i}"),
                (None, _) => format!("Dataflow {i}"),
            };
            let started = now_ms() - 3_600_000;
            let (target_id, etag) = (self.next_id(0x7c), self.next_id(0xe7));
            self.flows.push(json!({
                "id": flow_id, "name": name, "state": "enabled", "sandboxName": sandbox,
                "flowSpec": { "id": "14518937-270c-4525-bdec-c2ba7cce3860", "version": "1.0" },
                "sourceConnectionIds": [source_id], "targetConnectionIds": [target_id],
                "scheduleParams": { "startTime": started / 1000, "frequency": "minute", "interval": 15 },
                "lastRunDetails": { "id": run_id, "state": "success", "startedAtUTC": started, "completedAtUTC": started + 60_000 },
                "etag": format!("\"{etag}\""),
            }));
            self.runs.push(run(&run_id, &flow_id, sandbox, started, "success", &[]));
            ids.push(flow_id);
        }
        ids
    }

    /// The connection's credentials stop working, and its dataflows' last runs fail.
    pub fn fail(&mut self, failure: Failure) {
        let sources: Vec<String> = self
            .source_connections
            .iter()
            .filter(|s| s["baseConnectionId"] == failure.connection_id.as_str())
            .filter_map(|s| s["id"].as_str().map(str::to_owned))
            .collect();
        let errors = [(failure.code.as_str(), failure.message.as_str())];
        let started = now_ms() - 60_000;
        let mut new_runs = Vec::new();
        for flow in &mut self.flows {
            let reads = flow["sourceConnectionIds"]
                .as_array()
                .is_some_and(|ids| ids.iter().any(|id| sources.iter().any(|s| id == s.as_str())));
            if !reads {
                continue;
            }
            self.counter += 1;
            let run_id = format!("{:08x}-0000-4000-a000-{:012x}", 0xfa, self.counter);
            flow["lastRunDetails"] = json!({ "id": run_id, "state": "failed", "startedAtUTC": started, "completedAtUTC": started + 5_000 });
            let sandbox = flow["sandboxName"].as_str().unwrap_or_default().to_owned();
            new_runs.push(run(
                &run_id,
                flow["id"].as_str().unwrap_or_default(),
                &sandbox,
                started,
                "failed",
                &errors,
            ));
        }
        self.runs.extend(new_runs);
        self.broken.insert(failure.connection_id, (failure.code, failure.message));
    }

    /// New credentials were patched in: the source takes them again.
    pub fn renewed(&mut self, connection_id: &str) {
        self.broken.remove(connection_id);
    }

    /// `GET /connections/{id}/explore` for a connection of a spec that pages its explore
    /// results (`paged`) or not.
    pub fn explore(&self, connection_id: &str, paged: bool, request: &Request) -> Response {
        if let Some((code, message)) = self.broken.get(connection_id) {
            return flow_error(400, 1400, "Bad Request", &format!("{code}: {message}"));
        }
        let object = request.query("object").unwrap_or_default();
        match request.query("objectType").map(str::to_ascii_lowercase).as_deref() {
            Some("root") => {
                let mut all = root();
                if self.tables_at_root {
                    all.extend(analytics(self.tables));
                }
                self.objects(&all, paged, request)
            }
            Some("folder") => match object {
                "sales" => self.objects(&sales(self.wide_columns), paged, request),
                "analytics" => self.objects(&analytics(self.tables), paged, request),
                _ => flow_error(404, 1101, "Resource not found", &format!("No folder '{object}'")),
            },
            Some("table") => match table(object, self.tables) {
                Some((columns, rows)) => {
                    let mut body = json!({ "format": "flat", "schema": { "columns": columns } });
                    if request.query("preview") == Some("true") {
                        body["data"] = json!(rows);
                    }
                    Response::json(200, &body)
                }
                None => flow_error(404, 1101, "Resource not found", &format!("No table '{object}'")),
            },
            Some("rest") if request.query("sourceParams").is_none() => {
                flow_error(400, 1400, "Bad Request", "sourceParams is required for objectType rest")
            }
            _ => flow_error(400, 1400, "Bad Request", "objectType must be root, folder, table, file or rest"),
        }
    }

    fn objects(&self, all: &[Value], paged: bool, request: &Request) -> Response {
        if !paged {
            return Response::json(200, &json!(all));
        }
        let start = request.query("start").and_then(|s| s.parse::<usize>().ok()).unwrap_or(0);
        let limit =
            request.query("limit").and_then(|s| s.parse::<usize>().ok()).unwrap_or(100).clamp(1, 1_000);
        let page: Vec<&Value> = all.iter().skip(start).take(limit).collect();
        Response::json(200, &json!(page))
    }

    /// Why the source refuses the connection's credentials since a failure, if it does (for
    /// `/test`).
    pub fn refusal(&self, connection_id: &str) -> Option<String> {
        self.broken.get(connection_id).map(|(code, message)| format!("{code}: {message}"))
    }
}

/// The `property` filters of a list request, as Flow Service reads them: `field==a,b`, each
/// one a condition all items must meet.
pub(crate) fn property_filters(request: &Request) -> Result<Vec<(String, Vec<String>)>, Response> {
    request
        .query_all("property")
        .map(|property| match property.split_once("==") {
            // `name=="CRMToAEP"`: the documented examples quote the value.
            Some((field, values)) => {
                Ok((field.to_owned(), values.split(',').map(|v| v.trim_matches('"').to_owned()).collect()))
            }
            None => Err(flow_error(
                400,
                1400,
                "Bad Request",
                &format!("Unsupported property filter '{property}'"),
            )),
        })
        .collect()
}

/// `a.b==x` on a nested field, `list[]==x` on any member of an array.
pub(crate) fn matches(item: &Value, field: &str, values: &[String]) -> bool {
    let (path, array) = match field.strip_suffix("[]") {
        Some(path) => (path, true),
        None => (field, false),
    };
    let target = path.split('.').try_fold(item, |v, key| v.get(key));
    let hit = |v: &Value| match v {
        Value::String(s) => values.iter().any(|x| x == s),
        other => {
            let text = other.to_string();
            values.contains(&text)
        }
    };
    match (target, array) {
        (Some(Value::Array(list)), true) => list.iter().any(hit),
        (Some(value), false) => hit(value),
        _ => false,
    }
}

/// A Flow Service list of `items` (already shown as the service shows them) in the sandbox,
/// with `property` filters (`a.b==x,y`, `list[]==x,y`), `orderby=-createdAt`, and pages of
/// `limit` with a `continuationToken`.
pub(crate) fn list(what: &str, items: &[Value], sandbox: &str, request: &Request) -> Response {
    let filters = match property_filters(request) {
        Ok(filters) => filters,
        Err(refused) => return refused,
    };
    let mut found: Vec<&Value> = items
        .iter()
        .filter(|item| item["sandboxName"] == sandbox)
        .filter(|item| filters.iter().all(|(field, values)| matches(item, field, values)))
        .collect();
    if request.query("orderby") == Some("-createdAt") {
        found.sort_by_key(|item| std::cmp::Reverse(item["createdAt"].as_i64().unwrap_or(0)));
    }
    let limit = request.query("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(20).clamp(1, 100);
    let start =
        request.query("continuationToken").and_then(|t| t.strip_prefix("at-")?.parse().ok()).unwrap_or(0);
    let page: Vec<&Value> = found.iter().skip(start).take(limit).copied().collect();
    let mut body = json!({ "items": page });
    if start + limit < found.len() {
        let mut next = url::form_urlencoded::Serializer::new(String::new());
        next.append_pair("continuationToken", &format!("at-{}", start + limit));
        for property in request.query_all("property") {
            next.append_pair("property", property);
        }
        body["_links"] = json!({ "next": { "href": format!("/{what}?{}", next.finish()) } });
    }
    Response::json(200, &body)
}

fn run(id: &str, flow_id: &str, sandbox: &str, started: i64, status: &str, errors: &[(&str, &str)]) -> Value {
    let errors: Vec<Value> =
        errors.iter().map(|(code, message)| json!({ "code": code, "message": message })).collect();
    json!({
        "id": id, "flowId": flow_id, "sandboxName": sandbox, "createdAt": started, "updatedAt": started + 5_000,
        "etag": format!("\"{id}\""),
        "metrics": {
            "durationSummary": { "startedAtUTC": started, "completedAtUTC": started + 5_000 },
            "recordSummary": { "inputRecordCount": if errors.is_empty() { 120 } else { 0 }, "outputRecordCount": if errors.is_empty() { 120 } else { 0 }, "failedRecordCount": 0 },
            "statusSummary": { "status": status, "errors": errors },
        },
        "activities": [ { "id": "copyActivity", "statusSummary": { "status": status, "errors": errors } } ],
    })
}

fn item(kind: &str, name: &str, path: &str) -> Value {
    let table = kind == "table";
    json!({ "type": kind, "name": name, "path": path, "canPreview": table, "canFetchSchema": table })
}

fn root() -> Vec<Value> {
    vec![item("folder", "analytics", "analytics"), item("folder", "sales", "sales")]
}

fn sales(wide_columns: usize) -> Vec<Value> {
    let mut tables =
        vec![item("table", "customers", "sales.customers"), item("table", "orders", "sales.orders")];
    if wide_columns > 0 {
        let name = format!("wide_{wide_columns}");
        tables.push(item("table", &name, &format!("sales.{name}")));
    }
    tables
}

fn analytics(tables: usize) -> Vec<Value> {
    (1..=tables)
        .map(|i| item("table", &format!("events_{i:05}"), &format!("analytics.events_{i:05}")))
        .collect()
}

/// The columns and rows of a table: sales tables are small and realistic; analytics tables
/// are 50 columns by 100 rows, and `sales.wide_{N}` is N columns (at most 1,000) by 100 rows.
pub(crate) fn table(path: &str, tables: usize) -> Option<(Vec<Value>, Vec<Value>)> {
    let column = |name: &str, kind: &str, xdm: Option<&str>| {
        let mut c = json!({ "name": name, "type": kind, "xdm": { "type": kind } });
        if let Some(xdm) = xdm {
            c["meta:xdmType"] = json!(xdm);
            c["xdm"]["format"] = json!(xdm);
        }
        c
    };
    match path {
        "sales.customers" | "sales.orders" => {
            let columns = vec![
                column("id", "integer", None),
                column("email", "string", None),
                column("signed_up", "string", Some("date-time")),
                column("lifetime_value", "number", None),
                column("active", "boolean", None),
                column("region", "string", None),
                column("notes", "string", None),
            ];
            let rows = (1..=25)
                .map(|i| {
                    json!({
                        "id": i, "email": format!("customer{i}@example.com"),
                        "signed_up": format!("2026-0{}-1{}T08:30:00Z", 1 + i % 9, i % 10),
                        // Row 7 holds text in the number column, as exports from spreadsheets do:
                        // a mapping of it to a number field fails that one row.
                        "lifetime_value": if i == 7 { json!("n/a") } else { json!(f64::from(i) * 12.5) },
                        "active": i % 3 != 0,
                        "region": if i % 4 == 0 { Value::Null } else { json!(["EMEA", "AMER", "APAC"][i as usize % 3]) },
                        "notes": if i == 2 { json!(format!("Prefers email. {}", "Long account history. ".repeat(30))) } else { Value::Null },
                    })
                })
                .collect();
            Some((columns, rows))
        }
        _ => {
            // A wide table's columns are named as the fake's wide schema's fields are, so its
            // mappings are proposed by name as a real table's would be.
            let wide = path.starts_with("sales.wide_");
            let width = match path.strip_prefix("sales.wide_") {
                Some(width) => width.parse::<usize>().ok().filter(|w| (1..=1_000).contains(w))?,
                None => {
                    let n: usize = path.strip_prefix("analytics.events_")?.parse().ok()?;
                    if n == 0 || n > tables {
                        return None;
                    }
                    50
                }
            };
            // Its last column is the timestamp a table source's dataflow reads new rows by.
            let name = |c: usize| match (wide, c + 1 == width) {
                (true, true) => "updated_at".to_owned(),
                (true, false) => format!("field{c:05}"),
                (false, _) => format!("col_{c:02}"),
            };
            let kinds = [
                ("string", None),
                ("integer", None),
                ("number", None),
                ("boolean", None),
                ("string", Some("date-time")),
            ];
            // A wide table's types cycle as the wide schema's do (string, integer, number), so
            // every column has its field.
            let cycle = if wide { 3 } else { kinds.len() };
            let columns: Vec<Value> = (0..width)
                .map(|c| {
                    let (kind, xdm) = if wide && c + 1 == width { kinds[4] } else { kinds[c % cycle] };
                    column(&name(c), kind, xdm)
                })
                .collect();
            let rows = (0..100)
                .map(|r| {
                    let mut row = serde_json::Map::new();
                    for c in 0..width {
                        let value = match (r + c) % 11 {
                            0 => Value::Null,
                            _ => match if wide && c + 1 == width { 4 } else { c % cycle } {
                                0 => json!(format!("value {r}-{c}")),
                                1 => json!(r * c),
                                2 => json!(r as f64 / 4.0),
                                3 => json!(r % 2 == 0),
                                _ => json!(format!("2026-11-{:02}T10:00:00Z", 1 + r % 28)),
                            },
                        };
                        row.insert(name(c), value);
                    }
                    Value::Object(row)
                })
                .collect();
            Some((columns, rows))
        }
    }
}

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis(),
    )
    .unwrap_or(0)
}
