//! The rows a run could not ingest: read from Data Access for a dataflow with error diagnostics
//! on, each with Adobe's errors and the row itself; none for a dataflow without them; and
//! shown only, never written to the data folder.

use std::time::{Duration, Instant};

use flow_connect_core::adobe::flow::Run;
use flow_connect_core::operations::failure::ErrorCode;
use flow_connect_core::operations::{FlowRequest, RunRequest};

use crate::support::{assert_not_on_disk, bigquery_plan, oracle_plan, World};

const DATA_ACCESS: &str = "/data/foundation/export/batches/";

/// The dataflow's first run, once it has ended.
async fn first_run(world: &World, flow_id: &str) -> Run {
    let request =
        FlowRequest { account_id: world.account_id.clone(), sandbox: "prod".into(), flow_id: flow_id.into() };
    let started = Instant::now();
    loop {
        let runs = world.ops.dataflows().runs(&request).await.expect("runs");
        if let Some(run) = runs.first().filter(|r| r.status == "success" || r.status == "failed") {
            return run.clone();
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the first run did not end: {runs:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn run_request(world: &World, flow_id: &str, run_id: &str) -> RunRequest {
    RunRequest {
        account_id: world.account_id.clone(),
        sandbox: "prod".into(),
        flow_id: flow_id.into(),
        run_id: run_id.into(),
    }
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_run_s_failed_row_is_read_with_its_error_only_when_diagnostics_were_on() {
    let world = World::open().await;
    let plan = bigquery_plan(&world.bigquery, world.columns(&world.bigquery, "sales.customers").await);
    let created = world.ops.dataflows().create(&world.request("prod", plan)).await.expect("created");
    let flow_id = created.creation.made.last().expect("the flow").id.clone();
    let run = first_run(&world, &flow_id).await;
    // Partial ingestion: the run succeeds, and row 7's "n/a" could not land as a number.
    assert_eq!((run.status.as_str(), run.failed_records), ("success", Some(1)));
    assert_eq!(run.batch_ids.len(), 1, "{run:?}");

    let rows =
        world.ops.dataflows().failed_rows(&run_request(&world, &flow_id, &run.id)).await.expect("rows");
    assert!(!rows.truncated);
    assert_eq!(rows.rows.len(), 1, "{rows:?}");
    let row = &rows.rows[0];
    assert_eq!(row.file, "conversion_errors_0.json");
    assert_eq!(row.errors.len(), 1);
    assert_eq!(row.errors[0].code, "MAPPER-3700-400");
    let message = &row.errors[0].message;
    assert!(message.contains("lifetime_value") && message.contains("number"), "{message}");
    let record = row.record.as_deref().expect("the row");
    assert!(record.contains("customer7@example.com") && record.contains("\"n/a\""), "{record}");
    assert!(!record.contains("_errors") && !record.contains("_filename"), "{record}");
    assert!(!record.contains('\n'));
    let asked = world.fake.requests().iter().filter(|r| r.path.starts_with(DATA_ACCESS)).count();
    assert_eq!(asked, 2, "the list of error files, then the one file");

    // Without error diagnostics the rows still fail, but Adobe keeps none of them.
    let mut plan = oracle_plan(&world.oracle, world.columns(&world.oracle, "sales.orders").await);
    plan.error_diagnostics = false;
    let created = world.ops.dataflows().create(&world.request("prod", plan)).await.expect("created");
    let quiet_flow = created.creation.made.last().expect("the flow").id.clone();
    let quiet = first_run(&world, &quiet_flow).await;
    assert!(quiet.failed_records.is_some_and(|n| n > 0), "{quiet:?}");
    assert_eq!(quiet.batch_ids.len(), 1);
    let none = world.ops.dataflows().failed_rows(&run_request(&world, &quiet_flow, &quiet.id)).await;
    let none = none.expect("no rows");
    assert!(none.rows.is_empty() && !none.truncated, "{none:?}");

    // A run of another dataflow is not read through this one.
    let failure = world
        .ops
        .dataflows()
        .failed_rows(&run_request(&world, &flow_id, &quiet.id))
        .await
        .expect_err("not this flow's run");
    assert_eq!(failure.code, ErrorCode::NotFound);

    assert_not_on_disk(&world, &["customer7@example.com", "of column lifetime_value"]);
}
