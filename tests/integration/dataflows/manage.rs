//! A dataflow changed after it was made: renamed, rescheduled (a start that has passed never
//! moves), its mappings replaced by a new version wired to its own Mapping transformation, and
//! a change over a version someone else changed meanwhile handed back instead of written.

use flow_connect_core::dataflows::SchedulePlan;
use flow_connect_core::operations::failure::ErrorCode;
use flow_connect_core::operations::{FlowChange, FlowChangeRequest, FlowRequest};

use crate::support::{bigquery_plan, oracle_plan, World};

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_dataflow_is_renamed_rescheduled_and_remapped_over_the_version_seen() {
    let world = World::open().await;
    let plan = bigquery_plan(&world.bigquery, world.columns(&world.bigquery, "sales.customers").await);
    let created = world.ops.dataflows().create(&world.request("prod", plan)).await.expect("created");
    let flow_id = created.creation.made.last().expect("the flow").id.clone();
    let read = FlowRequest {
        account_id: world.account_id.clone(),
        sandbox: "prod".into(),
        flow_id: flow_id.clone(),
    };
    let seen = world.ops.dataflows().show(&read).await.expect("read");
    let change = |etag: &str| FlowChangeRequest {
        account_id: world.account_id.clone(),
        sandbox: "prod".into(),
        flow_id: flow_id.clone(),
        etag: etag.to_owned(),
        name: None,
        schedule: None,
        mappings: None,
    };

    let renamed = world
        .ops
        .dataflows()
        .change(&FlowChangeRequest { name: Some("Customers, every day".into()), ..change(&seen.etag) })
        .await
        .expect("renamed");
    let FlowChange::Changed { flow } = renamed else { panic!("not stale") };
    assert_eq!(flow.name, "Customers, every day");
    let patches =
        world.fake.requests().iter().filter(|r| r.method == "PATCH" && r.path.ends_with(&flow_id)).count();
    assert_eq!(patches, 1);
    assert_eq!(
        world
            .fake
            .requests()
            .iter()
            .rev()
            .find(|r| r.method == "PATCH")
            .and_then(|r| r.header("if-match").map(str::to_owned)),
        Some(seen.etag.clone()),
        "If-Match carries the version seen"
    );

    // The old version again: handed back as it is now, nothing written.
    let stale = world
        .ops
        .dataflows()
        .change(&FlowChangeRequest { name: Some("Lost".into()), ..change(&seen.etag) })
        .await;
    assert!(
        matches!(stale, Ok(FlowChange::Stale { ref flow }) if flow.name == "Customers, every day"),
        "{stale:?}"
    );

    let daily =
        SchedulePlan { frequency: "day".into(), interval: Some(1), start_time: None, backfill: Some(true) };
    let FlowChange::Changed { flow } = world
        .ops
        .dataflows()
        .change(&FlowChangeRequest { schedule: Some(daily.clone()), ..change(&flow.etag) })
        .await
        .expect("rescheduled")
    else {
        panic!("not stale")
    };
    assert_eq!(flow.schedule, "every day");
    // Its start (when it was made) has passed: it does not move.
    let later = SchedulePlan { start_time: Some(4_000_000_000), ..daily };
    let refused = world
        .ops
        .dataflows()
        .change(&FlowChangeRequest { schedule: Some(later), ..change(&flow.etag) })
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::Validation);
    assert!(refused.message.contains("has passed"), "{}", refused.message);

    // A new version of the mappings, without the notes, wired to the Mapping transformation
    // (the second: Copy is first).
    let rows: Vec<_> = world
        .fake
        .mapping_sets()
        .first()
        .and_then(|s| s["mappings"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter(|m| m["source"] != "notes")
        .map(|m| flow_connect_core::dataflows::MappingRow {
            source_type: Default::default(),
            source: m["source"].as_str().unwrap_or_default().into(),
            destination: m["destination"].as_str().unwrap_or_default().into(),
        })
        .collect();
    assert_eq!(rows.len(), 6);
    let FlowChange::Changed { flow } = world
        .ops
        .dataflows()
        .change(&FlowChangeRequest { mappings: Some(rows), ..change(&flow.etag) })
        .await
        .expect("remapped")
    else {
        panic!("not stale")
    };
    assert_eq!(flow.transformations[0]["name"], "Copy");
    assert_eq!(flow.transformations[1]["params"]["mappingVersion"], "1");
    assert_eq!(world.fake.mapping_sets().len(), 1, "a new version, not a new set");
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_deleted_dataflow_is_made_again_by_its_plan() {
    let world = World::open().await;
    // Into an existing dataset: the same plan can be made again once its dataflow is gone.
    let plan = oracle_plan(&world.oracle, world.columns(&world.oracle, "sales.orders").await);
    let first = world.ops.dataflows().create(&world.request("prod", plan.clone())).await.expect("created");
    let flow_id = first.creation.made.last().expect("the flow").id.clone();
    let request = FlowRequest { account_id: world.account_id.clone(), sandbox: "prod".into(), flow_id };
    world.ops.dataflows().delete(&request).await.expect("deleted");
    assert!(world.fake.flows().is_empty());
    assert!(world.fake.source_connections().is_empty() && world.fake.target_connections().is_empty());
    let second = world.ops.dataflows().create(&world.request("prod", plan)).await.expect("made again");
    assert!(!second.existed, "a deleted dataflow is not reported as found");
    assert_ne!(second.creation.id, first.creation.id);
    assert_eq!(world.fake.flows().len(), 1);
}
