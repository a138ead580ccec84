//! The flow specs the fake Flow Service lists (`GET /flowSpecs`), written after the
//! reference's §6.1: the three ingestion specs Adobe documents, a fourth batch spec that also
//! takes Snowflake (so one source can match two specs and the user must choose), and the
//! streaming spec, each with its option, schedule, transformation and run schemas.

use serde_json::{json, Value};

use super::{flow_not_found, DATA_LAKE};
use crate::http::{Request, Response};
use crate::lifecycle::{matches, property_filters};
use crate::specs;

pub(crate) const CRM_TO_AEP: &str = "14518937-270c-4525-bdec-c2ba7cce3860";
pub(crate) const CLOUD_STORAGE_TO_AEP: &str = "9753525b-82c7-4dce-8a9b-5ccfce2b9876";
pub(crate) const REST_STORAGE_TO_AEP: &str = "6499120c-0b15-42dc-936e-847ea3c24d72";
pub(crate) const CRM_WITH_RECORD_TYPE: &str = "8a0c6b1e-4b8d-4f2a-9d3c-5e7f1a2b3c4d";
pub(crate) const STREAMING: &str = "c1a19761-d2c7-4702-b9fa-fe91f0613e81";

const PROVIDER: &str = "0ed90a81-07f4-4586-8190-b40eccef1c5a";
const SNOWFLAKE: &str = crate::credentials::SNOWFLAKE_SPEC;
const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";

const TABLE_SOURCES: [&str; 9] = [
    specs::BIGQUERY,
    specs::ORACLE,
    specs::SERVICENOW,
    "74a1c565-4e59-48d7-9d67-7c03b8a13137", // PostgreSQL
    "26d738e0-8963-47ea-aadf-c60de735468a", // MySQL
    "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5", // Salesforce
    SNOWFLAKE,
    "38ad80fe-8b06-4938-94f4-d4ee80266b07", // Dynamics
    "d771e9c1-4f26-40dc-8617-ce58c4b53702", // Google Ads
];
const FILE_SOURCES: [&str; 5] = [
    "ecadc60c-7455-4d87-84dc-2a0e293d997b", // Amazon S3
    "4c10e202-c428-4796-9208-5f1f5732b1cf", // Azure Blob
    "b7bf2577-4520-42c9-bae9-cad01560f7bc", // SFTP
    "32e8f412-cdf7-464c-9885-78184cb113fd", // Google Cloud Storage
    "b3ba5556-48be-44b7-8b85-ff2b69b46dc4", // ADLS Gen2
];
const REST_SOURCES: [&str; 2] = [specs::GENERIC_REST, "e9c2a1b4-3d5f-4a6e-9b8c-7d1e2f3a4b5c"];
const STREAMING_SOURCES: [&str; 1] = ["bdb5b792-451b-42de-acf8-15f3195821de"];

fn option_spec() -> Value {
    json!({ "name": "OptionSpec", "spec": {
        "$schema": DRAFT_07, "type": "object",
        "properties": {
            "errorDiagnosticsEnabled": { "title": "Error diagnostics.", "type": "boolean", "default": false },
            "partialIngestionPercent": { "title": "Partial ingestion threshold.", "type": "number", "exclusiveMinimum": 0 },
        },
    } })
}

/// The periodic schedule: `once` takes neither `interval` nor `backfill`; every other
/// frequency needs an `interval`, at least 15 for `minute` and 1 otherwise.
pub(crate) fn schedule_spec() -> Value {
    json!({ "name": "PeriodicSchedule", "type": "Periodic", "spec": {
        "$schema": DRAFT_07, "type": "object",
        "properties": {
            "startTime": { "description": "epoch time in seconds", "type": "integer" },
            "frequency": { "type": "string", "enum": ["once", "minute", "hour", "day", "week"] },
            "interval": { "description": "must be at least 15 for minute, 1 otherwise", "type": "integer" },
            "backfill": { "type": "boolean", "default": true },
        },
        "required": ["startTime", "frequency"],
        "if": { "properties": { "frequency": { "const": "once" } } },
        "then": { "not": { "anyOf": [{ "required": ["interval"] }, { "required": ["backfill"] }] } },
        "else": {
            "required": ["interval"],
            "if": { "properties": { "frequency": { "const": "minute" } } },
            "then": { "properties": { "interval": { "minimum": 15 } } },
            "else": { "properties": { "interval": { "minimum": 1 } } },
        },
    } })
}

fn transformation_specs(with_copy: bool) -> Value {
    let mapping = json!({ "name": "Mapping", "spec": {
        "$schema": DRAFT_07, "type": "object",
        "description": "defines various params required for different mapping from source to target",
        "properties": { "mappingId": { "type": "string" }, "mappingVersion": { "type": "string" } },
    } });
    if !with_copy {
        return json!([mapping]);
    }
    let copy = json!({ "name": "Copy", "spec": {
        "$schema": DRAFT_07, "type": "object",
        "description": "defines various params required for different source to target copy",
        "properties": { "deltaColumn": { "type": "object", "properties": {
            "name": { "type": "string" }, "dateFormat": { "type": "string" }, "timezone": { "type": "string" },
        }, "required": ["name"] } },
        "required": ["deltaColumn"],
    } });
    json!([copy, mapping])
}

fn run_spec(with_delta: bool) -> Value {
    let mut properties = json!({
        "startTime": { "type": "integer" }, "windowStartTime": { "type": "integer" },
        "windowEndTime": { "type": "integer" },
    });
    let mut required = vec!["startTime", "windowStartTime", "windowEndTime"];
    if with_delta {
        properties["deltaColumn"] =
            json!({ "type": "object", "properties": { "name": { "type": "string" } }, "required": ["name"] });
        required.push("deltaColumn");
    }
    json!({ "name": "ProviderParams", "spec": {
        "$schema": DRAFT_07, "type": "object", "properties": properties, "required": required,
    } })
}

fn flow_spec(id: &str, name: &str, sources: &[&str], frequency: &str, drafts: bool, copy: bool) -> Value {
    json!({
        "id": id, "name": name, "providerId": PROVIDER, "version": "1.0",
        "attributes": {
            "isSourceFlow": true, "flacValidationSupported": true, "frequency": frequency,
            "isDraftModeSupported": drafts, "notification": { "category": "sources", "flowRun": { "enabled": true } },
        },
        "sourceConnectionSpecIds": sources, "targetConnectionSpecIds": [DATA_LAKE],
        "permissionsInfo": {
            "view": [{ "@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["read"] }],
            "manage": [{ "@type": "lowLevel", "name": "EnterpriseSource", "permissions": ["write"] }],
        },
        "optionSpec": option_spec(), "scheduleSpec": schedule_spec(),
        "transformationSpecs": transformation_specs(copy), "runSpec": run_spec(copy),
    })
}

/// Every flow spec the fake knows.
pub(crate) fn flow_specs() -> Vec<Value> {
    vec![
        flow_spec(CRM_TO_AEP, "CRMToAEP", &TABLE_SOURCES, "batch", true, true),
        flow_spec(CLOUD_STORAGE_TO_AEP, "CloudStorageToAEP", &FILE_SOURCES, "batch", false, false),
        flow_spec(REST_STORAGE_TO_AEP, "RestStorageToAEP", &REST_SOURCES, "batch", false, false),
        flow_spec(CRM_WITH_RECORD_TYPE, "CRMToAEPWithRecordType", &[SNOWFLAKE], "batch", true, true),
        flow_spec(STREAMING, "Steam data with transformation", &STREAMING_SOURCES, "streaming", false, false),
    ]
}

pub(crate) fn flow_spec_of(id: &str) -> Option<Value> {
    flow_specs().into_iter().find(|s| s["id"] == id)
}

/// `GET /flowSpecs`: `property=` filters, `limit` (all when at most 100) and
/// `continuationToken`, with `_links.next.href` while more remain.
pub(super) fn list(request: &Request) -> Response {
    let filters = match property_filters(request) {
        Ok(filters) => filters,
        Err(refused) => return refused,
    };
    let found: Vec<Value> = flow_specs()
        .into_iter()
        .filter(|spec| filters.iter().all(|(field, values)| matches(spec, field, values)))
        .collect();
    let limit = request.query("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(100).clamp(1, 100);
    let start = match request.query("continuationToken") {
        None => 0,
        Some(token) => match token.strip_prefix("flowspecs-").and_then(|n| n.parse::<usize>().ok()) {
            Some(start) if start <= found.len() => start,
            _ => return super::bad_flow("Invalid continuation token"),
        },
    };
    let page: Vec<&Value> = found.iter().skip(start).take(limit).collect();
    let mut body = json!({ "items": page });
    if start + limit < found.len() {
        body["_links"] = json!({ "next": { "href": format!(
            "/flowSpecs?continuationToken=flowspecs-{}&limit={limit}", start + limit
        ) } });
    }
    Response::json(200, &body)
}

pub(super) fn one(id: &str) -> Response {
    match flow_spec_of(id) {
        Some(spec) => Response::json(200, &json!({ "items": [spec] })),
        None => flow_not_found("Flow spec", id),
    }
}
