//! Plans checked and dataflows made: a new schema from a BigQuery table with its identity and
//! Profile, an Oracle table into an existing dataset with mappings by hand and a preview of its
//! real rows, one plan in two sandboxes, a second run that makes nothing, and the plans refused
//! before anything is sent.

use std::time::{Duration, Instant};

use flow_connect_core::adobe::flow::ChainObject;
use flow_connect_core::dataflows::{
    CreationState, FileFormat, PlanColumn, SchedulePlan, SourcePlan, TargetPlan,
};
use flow_connect_core::operations::failure::ErrorCode;
use flow_connect_core::operations::{FlowRequest, TableRequest};
use serde_json::Value;

use crate::support::{assert_not_on_disk, bigquery_plan, oracle_plan, World};

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_table_lands_in_a_new_schema_exactly_once_and_its_first_run_is_read_back() {
    let world = World::open().await;
    let plan = bigquery_plan("BigQuery sales", world.columns(&world.bigquery, "sales.customers").await);
    let before = world.writes();
    let outcome = world.ops.dataflows().plan(&world.request("prod", plan.clone())).await.expect("planned");
    assert_eq!(world.writes(), before, "a plan makes nothing");
    assert_eq!(outcome.prepared.flow_spec.name, "CRMToAEP");
    assert_eq!(outcome.prepared.mappings.len(), 7, "one to one");
    assert!(outcome.prepared.mappings.iter().all(|m| m.row.destination.starts_with("_acmecorp.")));
    assert!(outcome.existing.is_none());

    let created = world.ops.dataflows().create(&world.request("prod", plan.clone())).await.expect("created");
    assert!(!created.existed);
    assert_eq!(created.creation.state, CreationState::Done);
    let order: Vec<ChainObject> = created.creation.made.iter().map(|m| m.object).collect();
    assert_eq!(
        order,
        [
            ChainObject::FieldGroup,
            ChainObject::Schema,
            ChainObject::Descriptor,
            ChainObject::Dataset,
            ChainObject::SourceConnection,
            ChainObject::TargetConnection,
            ChainObject::MappingSet,
            ChainObject::Flow,
        ]
    );
    // Both specs allow drafts: each Flow Service object was made as one, then published.
    let requests = world.fake.requests();
    let drafts = requests
        .iter()
        .filter(|r| r.method == "POST" && r.query.iter().any(|(k, v)| k == "mode" && v == "draft"))
        .count();
    let published = requests
        .iter()
        .filter(|r| r.path.ends_with("/action") && r.query.iter().any(|(_, v)| v == "publish"))
        .count();
    assert_eq!((drafts, published), (3, 3));
    // One write per object, beside Data Prep's checks and previews and the publishing: nothing
    // is sent twice on the way.
    let writes: Vec<&str> = requests
        .iter()
        .filter(|r| matches!(r.method.as_str(), "POST" | "PUT" | "PATCH"))
        .map(|r| r.path.as_str())
        .filter(|p| !p.ends_with("/action") && !p.ends_with("/validate") && !p.ends_with("/preview"))
        .filter(|p| !p.starts_with("/ims/"))
        .collect();
    // Eight objects, and the schema's Profile tag (a PATCH of the schema just made).
    assert_eq!(writes.len(), 9, "one write per object: {writes:?}");
    assert_eq!(writes.iter().filter(|p| p.contains("/tenant/schemas/")).count(), 1, "{writes:?}");
    assert!(created.creation.made.iter().all(|m| !m.draft));
    let flows = world.fake.flows();
    assert_eq!(flows.len(), 1);
    let flow = &flows[0];
    assert_eq!(flow["state"], "enabled");
    assert_eq!(flow["scheduleParams"]["frequency"], "hour");
    let names: Vec<&str> =
        flow["transformations"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["Copy", "Mapping"]);
    assert_eq!(flow["transformations"][0]["params"]["deltaColumn"]["name"], "signed_up");
    assert_eq!(flow["options"]["errorDiagnosticsEnabled"], true);
    assert!(flow["description"].as_str().unwrap().contains("[flow-connect dataflow "));
    let schemas = world.fake.schemas();
    let made = schemas.iter().find(|s| s["title"] == "Customers from BigQuery").expect("the schema");
    assert_eq!(made["meta:immutableTags"], serde_json::json!(["union"]), "enabled for Profile");
    assert_eq!(world.fake.descriptors().len(), 1, "one primary identity");

    // The same plan again: found, nothing sent.
    let writes = world.writes();
    let again = world.ops.dataflows().create(&world.request("prod", plan)).await.expect("found");
    assert!(again.existed);
    assert_eq!(world.writes(), writes);
    assert_eq!(world.fake.flows().len(), 1);

    // The first run, watched to its end.
    let flow_id = created.creation.made.last().unwrap().id.clone();
    let request = FlowRequest { account_id: world.account_id.clone(), sandbox: "prod".into(), flow_id };
    let started = Instant::now();
    let run = loop {
        let runs = world.ops.dataflows().runs(&request).await.expect("runs");
        if let Some(run) = runs.first().filter(|r| r.status == "success" || r.status == "failed") {
            break run.clone();
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the first run did not end: {runs:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(run.status, "success");
    assert_eq!(run.input_records, Some(25));

    // No row of the table in the data folder.
    assert_not_on_disk(&world, &["customer1@example.com"]);
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn an_existing_dataset_named_in_the_plan_is_previewed_on_the_table_s_real_rows() {
    let world = World::open().await;
    let plan = oracle_plan(&world.oracle, world.columns(&world.oracle, "sales.orders").await);
    let outcome = world.ops.dataflows().plan(&world.request("prod", plan.clone())).await.expect("planned");
    assert_eq!(outcome.prepared.dataset.as_ref().map(|d| d.name.as_str()), Some("Loyalty members"));
    assert_eq!(outcome.checks.len(), 4);
    assert!(outcome.checks.iter().all(|c| c.ok), "{:?}", outcome.checks);
    // The rows as explore shows them: a lifetime value that is not a whole number cannot land
    // in an integer field, and the preview says so for exactly those rows.
    let table = world
        .ops
        .lifecycle()
        .table_details(&TableRequest {
            account_id: world.account_id.clone(),
            sandbox: "prod".into(),
            connection_id: world.oracle.clone(),
            path: "sales.orders".into(),
            preview: true,
            file_type: None,
        })
        .await
        .expect("rows");
    let value_at = table.columns.iter().position(|c| c.name == "lifetime_value").unwrap();
    assert_eq!(outcome.preview.len(), table.rows.len());
    for (row, record) in table.rows.iter().zip(&outcome.preview) {
        let value = row[value_at].clone().unwrap_or_default();
        let fits = value.parse::<i64>().is_ok();
        assert_eq!(record.errors.is_empty(), fits, "{value}: {:?}", record.errors);
        if !fits {
            assert!(record.errors[0].contains(&value), "{:?}", record.errors);
        }
    }
    assert!(outcome.preview.iter().any(|r| r.errors.iter().any(|e| e.contains("n/a"))), "the n/a row");
    let record = &outcome.preview[0].data;
    assert_eq!(record.pointer("/_acmecorp/loyalty/memberId"), Some(&Value::from("1")));

    let created = world.ops.dataflows().create(&world.request("prod", plan)).await.expect("created");
    let order: Vec<ChainObject> = created.creation.made.iter().map(|m| m.object).collect();
    assert_eq!(
        order,
        [
            ChainObject::SourceConnection,
            ChainObject::TargetConnection,
            ChainObject::MappingSet,
            ChainObject::Flow
        ],
        "nothing of the target is made"
    );
    let flow = &world.fake.flows()[0];
    assert_eq!(flow["scheduleParams"]["frequency"], "once");
    assert!(flow["scheduleParams"].get("interval").is_none());
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn one_plan_makes_the_same_dataflow_in_a_second_sandbox_once() {
    let world = World::open().await;
    let plan = bigquery_plan("BigQuery sales", world.columns(&world.bigquery, "sales.customers").await);
    world.ops.dataflows().create(&world.request("prod", plan.clone())).await.expect("prod");
    let dev = world.ops.dataflows().create(&world.request("dev-marketing", plan.clone())).await.expect("dev");
    assert!(!dev.existed);
    let sandboxes: Vec<String> =
        world.fake.flows().iter().map(|f| f["sandboxName"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(sandboxes, ["prod", "dev-marketing"]);
    let sources = world.fake.source_connections();
    assert!(
        sources.iter().any(|s| s["baseConnectionId"] == world.bigquery_dev.as_str()),
        "the dev connection is read"
    );
    let writes = world.writes();
    let again = world.ops.dataflows().create(&world.request("dev-marketing", plan)).await.expect("again");
    assert!(again.existed);
    assert_eq!(world.writes(), writes);
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn plans_that_cannot_be_made_are_refused_before_anything_is_sent() {
    let world = World::open().await;
    let columns = world.columns(&world.bigquery, "sales.customers").await;
    let before = world.writes();
    let refused =
        |plan| async { world.ops.dataflows().create(&world.request("prod", plan)).await.unwrap_err() };

    let mut every_5_minutes = bigquery_plan(&world.bigquery, columns.clone());
    every_5_minutes.schedule =
        SchedulePlan { frequency: "minute".into(), interval: Some(5), start_time: None, backfill: None };
    let failure = refused(every_5_minutes).await;
    assert_eq!(failure.code, ErrorCode::Validation);
    assert!(failure.message.contains("interval") && failure.message.contains("15"), "{}", failure.message);

    let mut once_with_interval = bigquery_plan(&world.bigquery, columns.clone());
    once_with_interval.schedule =
        SchedulePlan { frequency: "once".into(), interval: Some(1), start_time: None, backfill: None };
    assert!(refused(once_with_interval).await.message.contains("interval"));

    let mut unconfirmed = bigquery_plan(&world.bigquery, columns.clone());
    if let TargetPlan::New { profile_confirmed, .. } = &mut unconfirmed.target {
        *profile_confirmed = false;
    }
    let failure = refused(unconfirmed).await;
    assert!(failure.message.contains("never be undone"), "{}", failure.message);

    let mut no_delta = bigquery_plan(&world.bigquery, columns.clone());
    no_delta.delta_column = None;
    assert!(refused(no_delta).await.message.contains("delta column"));

    let snowflake =
        world.fake.seed_named(fakes::specs::source_id("snowflake"), "prod", &["Snowflake"]).remove(0);
    let failure = refused(bigquery_plan(&snowflake, columns)).await;
    assert_eq!(failure.code, ErrorCode::Ambiguous, "two flow specs fit: {}", failure.message);

    assert_eq!(world.writes(), before, "nothing was sent");
    assert!(world.fake.flows().is_empty());
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_new_schema_is_made_first_so_its_rows_are_previewed_then_the_create_goes_on_from_it() {
    let world = World::open().await;
    let plan = bigquery_plan(&world.bigquery, world.columns(&world.bigquery, "sales.customers").await);
    let outcome =
        world.ops.dataflows().make_target(&world.request("prod", plan.clone())).await.expect("target made");
    let creation = outcome.creation.expect("the creation it began");
    assert_eq!(creation.state, CreationState::TargetReady);
    let made: Vec<ChainObject> = creation.made.iter().map(|m| m.object).collect();
    assert_eq!(
        made,
        [ChainObject::FieldGroup, ChainObject::Schema, ChainObject::Descriptor, ChainObject::Dataset]
    );
    assert!(world.fake.flows().is_empty() && world.fake.source_connections().is_empty(), "nothing reads yet");
    assert_eq!(outcome.checks.len(), 7);
    assert!(outcome.checks.iter().all(|c| c.ok), "{:?}", outcome.checks);
    // 25 real rows; exactly the one whose lifetime value is "n/a" cannot land as a number.
    assert_eq!(outcome.preview.len(), 25);
    let failing: Vec<usize> =
        outcome.preview.iter().enumerate().filter(|(_, r)| !r.errors.is_empty()).map(|(i, _)| i).collect();
    assert_eq!(failing.len(), 1, "{:?}", outcome.preview);
    assert!(outcome.preview[failing[0]].errors[0].contains("n/a"));
    assert_eq!(
        outcome.preview[0].data.pointer("/_acmecorp/email"),
        Some(&Value::from("customer1@example.com"))
    );

    // The notes are not wanted after all: the edited mappings go with the create.
    let mut edited = plan.clone();
    edited.mappings = Some(
        outcome.prepared.mappings.iter().map(|m| m.row.clone()).filter(|r| r.source != "notes").collect(),
    );
    let request = flow_connect_core::operations::PlanRequest {
        creation_id: Some(creation.id.clone()),
        ..world.request("prod", edited)
    };
    let created = world.ops.dataflows().create(&request).await.expect("created");
    assert_eq!(created.creation.id, creation.id, "the same creation went on");
    assert_eq!(created.creation.state, CreationState::Done);
    assert_eq!(world.fake.schemas().iter().filter(|s| s["title"] == "Customers from BigQuery").count(), 1);
    assert_eq!(world.fake.datasets().iter().filter(|d| d["name"] == "Customers").count(), 1);
    let sets = world.fake.mapping_sets();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0]["mappings"].as_array().map(Vec::len), Some(6));
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_folder_of_csv_files_on_cloud_storage_lands_in_a_new_dataset() {
    let world = World::open().await;
    let s3 = world.fake.seed_named(fakes::specs::source_id("amazon-s3"), "prod", &["S3 exports"]).remove(0);
    let file = "exports/customers-2026-11.csv";
    let explored = world
        .ops
        .lifecycle()
        .table_details(&TableRequest {
            account_id: world.account_id.clone(),
            sandbox: "prod".into(),
            connection_id: s3.clone(),
            path: file.into(),
            preview: false,
            file_type: Some("delimited".into()),
        })
        .await
        .expect("the file's columns");
    let columns: Vec<PlanColumn> = explored
        .columns
        .into_iter()
        .map(|c| PlanColumn { name: c.name, column_type: c.column_type, xdm_type: c.xdm_type })
        .collect();
    let mut plan = bigquery_plan(&s3, columns);
    plan.name = "Customer exports".into();
    plan.delta_column = None;
    plan.schedule =
        SchedulePlan { frequency: "day".into(), interval: Some(1), start_time: None, backfill: Some(true) };
    plan.source = SourcePlan::Files {
        path: "exports".into(),
        object_type: "folder".into(),
        recursive: false,
        format: FileFormat {
            format: "delimited".into(),
            delimiter: Some(",".into()),
            encoding: Some("UTF-8".into()),
            compression: None,
        },
        columns: plan.columns().to_vec(),
        preview_file: Some(file.into()),
    };
    if let TargetPlan::New { dataset_name, schema_title, identity, profile, .. } = &mut plan.target {
        *dataset_name = "Customer exports".into();
        *schema_title = "Customer exports".into();
        *identity = None;
        *profile = false;
    }
    let outcome =
        world.ops.dataflows().make_target(&world.request("prod", plan.clone())).await.expect("target");
    assert_eq!(outcome.prepared.flow_spec.name, "CloudStorageToAEP");
    assert_eq!(outcome.preview.len(), 40, "the file's rows previewed");
    let request = flow_connect_core::operations::PlanRequest {
        creation_id: outcome.creation.map(|c| c.id),
        ..world.request("prod", plan)
    };
    let created = world.ops.dataflows().create(&request).await.expect("created");
    assert_eq!(created.creation.state, CreationState::Done);
    let source = &world.fake.source_connections()[0];
    assert_eq!(source["data"]["format"], "delimited");
    assert_eq!(
        source["params"],
        serde_json::json!({ "path": "exports", "type": "folder", "recursive": false })
    );
    let flow = &world.fake.flows()[0];
    let names: Vec<&str> =
        flow["transformations"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(names, ["Mapping"], "no delta column for files");
}
