//! The whole chain from a base connection to a finished run, over HTTP against the fake, with
//! a refusal at each step: what the core client's suites rely on the fakes to do.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use super::smoke_api::Api;
use crate::FakeConfig;

const FLOW: &str = "/data/foundation/flowservice";
const XDM: &str = "/data/foundation/schemaregistry";
const FULL: &str = "application/vnd.adobe.xed-full+json;version=1";

fn group(tenant_field: &str) -> Value {
    json!({
        "title": "Customer fields", "type": "object",
        "meta:intendedToExtend": ["https://ns.adobe.com/xdm/context/profile"],
        "definitions": { "customer": { "properties": { tenant_field: { "type": "object", "properties": {
            "email": { "type": "string", "format": "email" },
            "lifetimeValue": { "type": "number" },
            "signedUp": { "type": "string", "format": "date-time" },
        } } } } },
        "allOf": [{ "$ref": "#/definitions/customer" }],
    })
}

#[tokio::test]
async fn a_table_becomes_a_dataflow_whose_first_run_counts_the_row_that_did_not_map() {
    let api = Api::start(FakeConfig { run_ms: 300, ..FakeConfig::default() }).await;
    let base = api.fake.seed_named(crate::specs::BIGQUERY, "prod", &["BigQuery"]).remove(0);

    let (status, specs) = api.get(&format!("{FLOW}/flowSpecs?property=name==%22CRMToAEP%22")).await;
    assert_eq!((status, specs["items"].as_array().map(Vec::len)), (200, Some(1)));
    let (_, all) = api.get(&format!("{FLOW}/flowSpecs?limit=2")).await;
    assert!(all["_links"]["next"]["href"].as_str().is_some_and(|h| h.contains("continuationToken")));

    let explore =
        format!("{FLOW}/connections/{base}/explore?objectType=table&object=sales.customers&preview=true");
    let (_, table) = api.get(&explore).await;
    assert_eq!(table["data"][6]["lifetime_value"], "n/a");

    let (_, stats) = api.get(&format!("{XDM}/stats")).await;
    assert_eq!(stats["tenantId"], "acmecorp");
    let (status, _) = api.post(&format!("{XDM}/tenant/fieldgroups"), group("email")).await;
    assert_eq!(status, 400, "a field outside the tenant namespace");
    let (status, group) = api.post(&format!("{XDM}/tenant/fieldgroups"), group("_acmecorp")).await;
    assert_eq!(status, 201, "{group}");
    let schema_body = json!({ "title": "Customers", "type": "object", "allOf": [
        { "$ref": "https://ns.adobe.com/xdm/context/profile" }, { "$ref": group["$id"] },
    ] });
    let (status, schema) = api.post(&format!("{XDM}/tenant/schemas"), schema_body.clone()).await;
    assert_eq!(status, 201, "{schema}");
    assert_eq!(api.post(&format!("{XDM}/tenant/schemas"), schema_body).await.0, 409);
    let schema_id = schema["$id"].as_str().unwrap_or_default().to_owned();
    let one = format!("{XDM}/tenant/schemas/{}", schema_id.replace(':', "%3A").replace('/', "%2F"));
    let (status, resolved) = api.call(Method::GET, &one, None, &[("accept", FULL)]).await;
    assert_eq!(status, 200);
    assert_eq!(resolved["properties"]["_acmecorp"]["properties"]["lifetimeValue"]["type"], "number");
    assert_eq!(resolved["properties"]["person"]["properties"]["name"]["type"], "object");
    let unversioned = [("accept", "application/vnd.adobe.xed-full+json")];
    assert_eq!(api.call(Method::GET, &one, None, &unversioned).await.0, 406);

    let union = json!([{ "op": "add", "path": "/meta:immutableTags", "value": ["union"] }]);
    assert_eq!(
        api.call(Method::PATCH, &one, Some(union.clone()), &[]).await.0,
        400,
        "no primary identity yet"
    );
    let descriptor = json!({
        "@type": "xdm:descriptorIdentity", "xdm:sourceSchema": schema_id, "xdm:sourceVersion": 1,
        "xdm:sourceProperty": "/_acmecorp/email", "xdm:namespace": "Email", "xdm:property": "xdm:code",
        "xdm:isPrimary": true,
    });
    assert_eq!(api.post(&format!("{XDM}/tenant/descriptors"), descriptor).await.0, 201);
    assert_eq!(api.call(Method::PATCH, &one, Some(union), &[]).await.0, 200);
    let remove = json!([{ "op": "remove", "path": "/meta:immutableTags" }]);
    assert_eq!(api.call(Method::PATCH, &one, Some(remove), &[]).await.0, 400, "immutable");

    let (status, created) = api
        .post(
            "/data/foundation/catalog/dataSets?requestDataSource=true",
            json!({ "name": "Customers", "tags": { "unifiedProfile": ["enabled: true"] },
                    "schemaRef": { "id": schema_id, "contentType": "application/vnd.adobe.xed+json;version=1" } }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let dataset =
        created[0].as_str().and_then(|s| s.strip_prefix("@/dataSets/")).unwrap_or_default().to_owned();
    let target_body = json!({
        "name": "Customers target", "connectionSpec": { "id": super::DATA_LAKE, "version": "1.0" },
        "data": { "schema": { "id": schema_id, "version": FULL } }, "params": { "dataSetId": dataset },
    });
    let (status, target) = api.post(&format!("{FLOW}/targetConnections"), target_body).await;
    assert_eq!(status, 201, "{target}");

    let source_body = json!({
        "name": "Customers source", "baseConnectionId": base, "data": { "format": "tabular" },
        "params": { "tableName": "sales.customers", "columns": table["schema"]["columns"] },
        "connectionSpec": { "id": crate::specs::BIGQUERY, "version": "1.0" },
    });
    let (status, source) = api.post(&format!("{FLOW}/sourceConnections"), source_body).await;
    assert_eq!(status, 201, "{source}");

    let mappings = json!({
        "outputSchema": { "schemaRef": { "id": schema_id, "contentType": FULL } },
        "mappings": [
            { "sourceType": "ATTRIBUTE", "source": "email", "destination": "_acmecorp.email" },
            { "sourceType": "ATTRIBUTE", "source": "lifetime_value", "destination": "_acmecorp.lifetimeValue" },
            { "sourceType": "EXPRESSION", "source": "lower(email)", "destination": "personalEmail.address" },
        ],
    });
    let mut broken = mappings.clone();
    broken["mappings"][1]["destination"] = json!("_acmecorp.nothing");
    broken["mappings"][2]["source"] = json!("lower(email");
    let (_, verdicts) = api.post("/data/foundation/conversion/mappingSets/validate", broken).await;
    let statuses: Vec<&str> = verdicts["validationResponse"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["status"].as_str())
        .collect();
    assert_eq!(statuses, ["SUCCESS", "FAILED", "FAILED"]);
    let preview_body = json!({ "data": table["data"], "mappingSet": mappings });
    let (_, preview) = api.post("/data/foundation/conversion/mappingSets/preview", preview_body).await;
    assert_eq!(preview[0]["data"]["_acmecorp"]["lifetimeValue"], 12.5);
    assert!(
        preview[6]["errors"][0]["message"].as_str().is_some_and(|m| m.contains("“n/a”")),
        "{}",
        preview[6]
    );
    let (status, mapping) = api.post("/data/foundation/conversion/mappingSets", mappings).await;
    assert_eq!((status, mapping["version"].clone()), (200, json!(0)));

    let mut flow_body = json!({
        "name": "Customers flow", "flowSpec": { "id": "14518937-270c-4525-bdec-c2ba7cce3860", "version": "1.0" },
        "sourceConnectionIds": [source["id"]], "targetConnectionIds": [target["id"]],
        "transformations": [
            { "name": "Mapping", "params": { "mappingId": mapping["id"], "mappingVersion": 0 } },
        ],
        "scheduleParams": { "startTime": "1700000000", "frequency": "once" },
    });
    let (status, refused) = api.post(&format!("{FLOW}/flows"), flow_body.clone()).await;
    assert_eq!(status, 400, "no Copy: {refused}");
    let copy = json!({ "name": "Copy", "params": { "deltaColumn": { "name": "signed_up" } } });
    flow_body["transformations"].as_array_mut().into_iter().for_each(|t| t.insert(0, copy.clone()));
    flow_body["scheduleParams"]["interval"] = json!("15");
    assert_eq!(api.post(&format!("{FLOW}/flows"), flow_body.clone()).await.0, 400, "once with an interval");
    flow_body["scheduleParams"] = json!({ "startTime": "1700000000", "frequency": "once" });
    let (status, flow) = api.post(&format!("{FLOW}/flows"), flow_body).await;
    assert_eq!(status, 201, "{flow}");
    let flow_id = flow["id"].as_str().unwrap_or_default().to_owned();

    let (_, read) = api.get(&format!("{FLOW}/flows/{flow_id}")).await;
    assert_eq!(read["items"][0]["lastRunDetails"]["state"], "pending");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (_, runs) = api.get(&format!("{FLOW}/runs?property=flowId=={flow_id}")).await;
    let run = &runs["items"][0];
    assert_eq!(run["metrics"]["statusSummary"]["status"], "success", "{run}");
    assert_eq!(
        run["metrics"]["recordSummary"],
        json!({ "inputRecordCount": 25, "outputRecordCount": 24, "failedRecordCount": 1 })
    );
    assert_eq!(run["activities"][1]["statusSummary"]["extensions"]["errors"][0]["code"], "MAPPER-3700-400");

    let health = crate::clients::client_for(&api.fake, "prod", Duration::from_secs(5));
    let flows = health.connection_health(&base).await.expect("health").flows;
    assert_eq!(flows.len(), 1);
    assert_eq!(flows[0].last_run.as_ref().map(|r| r.state.as_str()), Some("success"));

    let patch = json!([{ "op": "replace", "path": "/name", "value": "Renamed" }]);
    let path = format!("{FLOW}/flows/{flow_id}");
    assert_eq!(
        api.call(Method::PATCH, &path, Some(patch.clone()), &[("if-match", "\"stale\"")]).await.0,
        412
    );
    let etag = flow["etag"].as_str().unwrap_or_default();
    let moved = json!([{ "op": "replace", "path": "/scheduleParams/startTime", "value": "1800000000" }]);
    assert_eq!(
        api.call(Method::PATCH, &path, Some(moved), &[("if-match", etag)]).await.0,
        400,
        "start passed"
    );
    assert_eq!(api.call(Method::PATCH, &path, Some(patch), &[("if-match", etag)]).await.0, 200);
    let (status, again) = api.post(&format!("{FLOW}/runs"), json!({ "flowId": flow_id })).await;
    assert_eq!(status, 201, "{again}");

    let (_, counts) = api.get("/__fake/dataflow-objects?sandbox=prod").await;
    assert_eq!(counts["flows"], 1);
    assert_eq!(counts["schemas"], 1, "the seeded schema is not counted");
    let source_path = format!("{FLOW}/sourceConnections/{}", source["id"].as_str().unwrap_or_default());
    assert_eq!(api.call(Method::DELETE, &source_path, None, &[]).await.0, 400, "used by the flow");
    assert_eq!(api.call(Method::DELETE, &path, None, &[]).await.0, 204);
    assert_eq!(api.call(Method::DELETE, &source_path, None, &[]).await.0, 204);
}

#[tokio::test]
async fn files_explore_as_a_tree_and_a_failed_first_run_records_nothing() {
    let api = Api::start(FakeConfig { run_ms: 0, ..FakeConfig::default() }).await;
    let s3 = api.fake.seed_named("ecadc60c-7455-4d87-84dc-2a0e293d997b", "prod", &["S3"]).remove(0);
    let explore = |query: &str| format!("{FLOW}/connections/{s3}/explore?{query}");
    let (_, root) = api.get(&explore("objectType=root")).await;
    assert_eq!(root.as_array().map(Vec::len), Some(2));
    let (_, folder) = api.get(&explore("objectType=folder&object=exports")).await;
    assert_eq!(folder[2]["path"], "exports/daily");
    let file = "objectType=file&object=exports/customers-2026-11.csv";
    assert_eq!(api.get(&explore(file)).await.0, 400, "no fileType");
    let (_, preview) = api.get(&explore(&format!("{file}&fileType=delimited&preview=true"))).await;
    assert_eq!(
        (preview["schema"]["columns"].as_array().map(Vec::len), preview["data"].as_array().map(Vec::len)),
        (Some(8), Some(40))
    );

    let source = |format: &str| {
        json!({
            "name": "Exports", "baseConnectionId": s3, "connectionSpec": { "id": "ecadc60c-7455-4d87-84dc-2a0e293d997b" },
            "data": { "format": format, "properties": { "columnDelimiter": ",", "compressionType": "gzip" } },
            "params": { "path": "exports/customers-2026-11.csv", "type": "file" },
        })
    };
    assert_eq!(api.post(&format!("{FLOW}/sourceConnections"), source("JSON")).await.0, 400);
    let (status, draft) =
        api.post(&format!("{FLOW}/sourceConnections?mode=draft"), source("delimited")).await;
    assert_eq!(status, 201);
    let publish =
        format!("{FLOW}/sourceConnections/{}/action?op=publish", draft["id"].as_str().unwrap_or_default());
    assert_eq!(api.post(&publish, json!({})).await.0, 200);
    assert_eq!(api.post(&publish, json!({})).await.0, 400, "no longer a draft");

    let (_, datasets) = api.get("/data/foundation/catalog/dataSets?name=Loyalty%20members").await;
    let (dataset, fields) = datasets.as_object().and_then(|d| d.iter().next()).expect("the seeded dataset");
    let target = json!({
        "connectionSpec": { "id": super::DATA_LAKE }, "params": { "dataSetId": dataset },
        "data": { "schema": { "id": fields["schemaRef"]["id"], "version": FULL } },
    });
    let (_, target) = api.post(&format!("{FLOW}/targetConnections"), target).await;
    let flow = json!({
        "name": "Files", "flowSpec": { "id": "9753525b-82c7-4dce-8a9b-5ccfce2b9876" },
        "sourceConnectionIds": [draft["id"]], "targetConnectionIds": [target["id"]],
    });
    assert_eq!(
        api.post(&format!("{FLOW}/flows?mode=draft"), flow.clone()).await.0,
        400,
        "no drafts for files"
    );
    let mappings = json!({
        "outputSchema": { "schemaRef": { "id": fields["schemaRef"]["id"], "contentType": FULL } },
        "mappings": [
            { "sourceType": "ATTRIBUTE", "source": "customer_id", "destination": "_acmecorp.loyalty.memberId" },
            { "sourceType": "ATTRIBUTE", "source": "updated_at", "destination": "_acmecorp.loyalty.joined" },
        ],
    });
    let (_, mapping) = api.post("/data/foundation/conversion/mappingSets", mappings).await;
    let mut flow = flow;
    flow["transformations"] = json!([{ "name": "Mapping", "params": { "mappingId": mapping["id"] } }]);
    flow["scheduleParams"] = json!({ "startTime": 1_700_000_000, "frequency": "minute", "interval": 10 });
    assert_eq!(api.post(&format!("{FLOW}/flows"), flow.clone()).await.0, 400, "minute takes 15 at least");
    flow["scheduleParams"]["interval"] = json!(15);
    api.fake.fail_next_run("CONNECTOR-1001-500", "Access denied");
    let (status, created) = api.post(&format!("{FLOW}/flows"), flow).await;
    assert_eq!(status, 201, "{created}");
    let run = &api.fake.runs()[0];
    assert_eq!(run["metrics"]["statusSummary"]["errors"][0]["message"], "Access denied", "{run}");
    assert_eq!(run["metrics"]["recordSummary"]["inputRecordCount"], 0);
    assert_eq!(
        api.post(&format!("{FLOW}/runs"), json!({ "flowId": created["id"] })).await.0,
        400,
        "not once"
    );
    assert_eq!(api.fake.datasets().len(), 3, "one seeded dataset per sandbox");
    let (_, counts) = api.get("/__fake/dataflow-objects").await;
    assert_eq!((counts["sourceConnections"].clone(), counts["datasets"].clone()), (json!(1), json!(0)));
}

#[tokio::test]
async fn a_draft_flow_is_completed_by_patches_and_published_after_its_connections() {
    let api = Api::start(FakeConfig { run_ms: 0, ..FakeConfig::default() }).await;
    let base = api.fake.seed_named(crate::specs::BIGQUERY, "prod", &["BigQuery"]).remove(0);
    let explore = format!("{FLOW}/connections/{base}/explore?objectType=table&object=sales.orders");
    let (_, table) = api.get(&explore).await;
    let source = json!({
        "name": "Orders", "baseConnectionId": base, "data": { "format": "tabular" },
        "params": { "tableName": "sales.orders", "columns": table["schema"]["columns"] },
        "connectionSpec": { "id": crate::specs::BIGQUERY, "version": "1.0" },
    });
    let (_, source) = api.post(&format!("{FLOW}/sourceConnections?mode=draft"), source).await;
    let (_, schemas) = api
        .call(
            Method::GET,
            &format!("{XDM}/tenant/schemas?property=title==Loyalty%20members"),
            None,
            &[("accept", "application/vnd.adobe.xed-id+json")],
        )
        .await;
    let schema_id = schemas["results"][0]["$id"].clone();
    let (_, datasets) =
        api.get("/data/foundation/catalog/dataSets?name=Loyalty%20members&properties=name").await;
    let dataset = datasets.as_object().and_then(|d| d.keys().next().cloned()).unwrap_or_default();
    let target = json!({
        "connectionSpec": { "id": super::DATA_LAKE }, "params": { "dataSetId": dataset },
        "data": { "schema": { "id": schema_id, "version": FULL } },
    });
    let (_, target) = api.post(&format!("{FLOW}/targetConnections"), target).await;
    let flow = json!({
        "name": "Orders draft", "flowSpec": { "id": "14518937-270c-4525-bdec-c2ba7cce3860" },
        "sourceConnectionIds": [source["id"]], "targetConnectionIds": [target["id"]],
    });
    let (status, draft) = api.post(&format!("{FLOW}/flows?mode=draft"), flow).await;
    assert_eq!(status, 201, "{draft}");
    let path = format!("{FLOW}/flows/{}", draft["id"].as_str().unwrap_or_default());
    let (_, read) = api.get(&path).await;
    assert_eq!(read["items"][0]["state"], "draft");
    assert!(read["items"][0].get("lastRunDetails").is_none());
    assert_eq!(api.post(&format!("{path}/action?op=enable"), json!({})).await.0, 400);

    let mappings = json!({
        "outputSchema": { "schemaRef": { "id": schema_id, "contentType": FULL } },
        "mappings": [{ "sourceType": "ATTRIBUTE", "source": "email", "destination": "_acmecorp.loyalty.memberId" }],
    });
    let (_, mapping) = api.post("/data/foundation/conversion/mappingSets", mappings).await;
    let patch = json!([
        { "op": "add", "path": "/transformations", "value": [
            { "name": "Copy", "params": { "deltaColumn": { "name": "signed_up" } } },
            { "name": "Mapping", "params": { "mappingId": mapping["id"], "mappingVersion": "0" } },
        ] },
        { "op": "add", "path": "/scheduleParams", "value": { "startTime": "4102444800", "frequency": "day", "interval": "1" } },
    ]);
    let etag = draft["etag"].as_str().unwrap_or_default();
    assert_eq!(api.call(Method::PATCH, &path, Some(patch), &[("if-match", etag)]).await.0, 200);
    assert_eq!(
        api.post(&format!("{path}/action?op=publish"), json!({})).await.0,
        400,
        "the source is a draft"
    );
    let source_path = format!("{FLOW}/sourceConnections/{}", source["id"].as_str().unwrap_or_default());
    assert_eq!(api.post(&format!("{source_path}/action?op=publish"), json!({})).await.0, 200);
    assert_eq!(api.post(&format!("{path}/action?op=publish"), json!({})).await.0, 200);
    let (_, read) = api.get(&path).await;
    assert_eq!(read["items"][0]["lastRunDetails"]["state"], "success");
    assert_eq!(api.post(&format!("{path}/action?op=DISABLE"), json!({})).await.0, 200);
    assert_eq!(api.fake.flows()[0]["state"], "disabled");

    assert_eq!(api.post("/__fake/reset", json!({})).await.0, 204);
    let (_, counts) = api.get("/__fake/dataflow-objects").await;
    assert!(counts.as_object().is_some_and(|c| c.values().all(|n| *n == 0)), "{counts}");
    assert_eq!(api.fake.schemas().len(), 3, "seeded again in each sandbox");
}

#[tokio::test]
async fn a_wide_schema_resolves_and_maps_quickly() {
    let api = Api::start(FakeConfig { wide_schema_fields: 5_000, ..FakeConfig::default() }).await;
    let (_, schemas) = api
        .call(
            Method::GET,
            &format!("{XDM}/tenant/schemas?property=title==Wide%20events"),
            None,
            &[("accept", "application/vnd.adobe.xed-id+json")],
        )
        .await;
    let alt = schemas["results"][0]["meta:altId"].as_str().unwrap_or_default().to_owned();
    let started = std::time::Instant::now();
    let (status, resolved) =
        api.call(Method::GET, &format!("{XDM}/tenant/schemas/{alt}"), None, &[("accept", FULL)]).await;
    assert_eq!(status, 200);
    fn leaves(node: &Value) -> usize {
        match node["properties"].as_object() {
            Some(children) => children.values().map(leaves).sum(),
            None => 1,
        }
    }
    let tenant = &resolved["properties"]["_acmecorp"];
    assert_eq!(leaves(tenant), 5_000);
    let mappings: Vec<Value> = (0..200)
        .map(|i| {
            json!({ "sourceType": "ATTRIBUTE", "source": format!("c{i}"),
            "destination": format!("_acmecorp.section000.group00.field{:05}", i % 50) })
        })
        .collect();
    let set = json!({ "outputSchema": { "schemaRef": { "id": resolved["$id"], "contentType": FULL } }, "mappings": mappings });
    let (status, _) = api.post("/data/foundation/conversion/mappingSets/validate", set).await;
    assert_eq!(status, 200);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}
