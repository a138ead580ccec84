//! A failure at each step of the chain (source connection, target connection, mapping set,
//! flow): a refusal is recorded and resumed, making only what is missing; a lost answer is
//! found rather than sent again; and undoing deletes what was made in reverse order.

use fakes::{Fault, FaultAction};
use flow_connect_core::adobe::flow::ChainObject;
use flow_connect_core::dataflows::{CreationState, DataflowPlan, TargetPlan};
use flow_connect_core::operations::CreationRequest;
use serde_json::{json, Value};

use crate::support::{bigquery_plan, World, FLOWS, MAPPING_SETS, SOURCE_CONNECTIONS, TARGET_CONNECTIONS};

const STEPS: [(&str, ChainObject); 4] = [
    (SOURCE_CONNECTIONS, ChainObject::SourceConnection),
    (TARGET_CONNECTIONS, ChainObject::TargetConnection),
    (MAPPING_SETS, ChainObject::MappingSet),
    (FLOWS, ChainObject::Flow),
];

/// A plan of its own for `tag`: its own names, so each case counts its own objects.
fn plan_for(
    world: &World,
    tag: &str,
    columns: Vec<flow_connect_core::dataflows::PlanColumn>,
) -> DataflowPlan {
    let mut plan = bigquery_plan(&world.bigquery, columns);
    plan.name = format!("Customers {tag}");
    if let TargetPlan::New { dataset_name, schema_title, identity, profile, .. } = &mut plan.target {
        *dataset_name = format!("Customers {tag}");
        *schema_title = format!("Customers {tag}");
        *identity = None;
        *profile = false;
    }
    plan
}

/// How many objects of each kind the fake holds for `plan`: `[source, target, mapping, flow]`.
fn counts(world: &World, plan: &DataflowPlan) -> [usize; 4] {
    let named = |list: Vec<Value>, name: String| list.iter().filter(|o| o["name"] == name.as_str()).count();
    let schema_id = world
        .fake
        .schemas()
        .iter()
        .find(|s| s["title"] == plan.name.as_str())
        .and_then(|s| s["$id"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let sets = world
        .fake
        .mapping_sets()
        .iter()
        .filter(|m| m["outputSchema"]["schemaRef"]["id"] == schema_id.as_str())
        .count();
    [
        named(world.fake.source_connections(), format!("{} source", plan.name)),
        named(world.fake.target_connections(), format!("{} target", plan.name)),
        sets,
        named(world.fake.flows(), plan.name.clone()),
    ]
}

fn refusal() -> FaultAction {
    FaultAction::Status {
        status: 400,
        retry_after: None,
        body: Some(json!({ "title": "Bad Request", "status": 400, "detail": "refused for the test" })),
    }
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_refused_step_is_recorded_and_resuming_makes_only_what_is_missing() {
    let world = World::open().await;
    let columns = world.columns(&world.bigquery, "sales.customers").await;
    for (path, step) in STEPS {
        let plan = plan_for(&world, step.label(), columns.clone());
        world.fake.inject(Fault { method: "POST".into(), path: path.into(), action: refusal(), times: 1 });
        let failure = world.ops.dataflows().create(&world.request("prod", plan.clone())).await.unwrap_err();
        assert!(failure.message.contains(step.label()), "{step:?}: {}", failure.message);
        let creation =
            world.ops.dataflows().creations(&world.account_id, "prod").into_iter().next().expect("recorded");
        assert!(
            matches!(&creation.state, CreationState::Failed { step: s, .. } if *s == step),
            "{:?}",
            creation.state
        );
        let made_before: Vec<ChainObject> = creation.made.iter().map(|m| m.object).collect();
        assert!(!made_before.contains(&step));

        let request = CreationRequest {
            account_id: world.account_id.clone(),
            sandbox: "prod".into(),
            creation_id: creation.id,
        };
        let resumed = world.ops.dataflows().resume(&request).await.expect("resumed");
        assert_eq!(resumed.state, CreationState::Done, "{step:?}");
        assert_eq!(counts(&world, &plan), [1, 1, 1, 1], "{step:?}: exactly one of each");
        // Creating it once more finds it.
        assert!(
            world.ops.dataflows().create(&world.request("prod", plan.clone())).await.expect("found").existed
        );
        assert_eq!(counts(&world, &plan), [1, 1, 1, 1]);
    }
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_lost_answer_at_each_step_is_found_and_not_sent_again() {
    let world = World::open().await;
    let columns = world.columns(&world.bigquery, "sales.customers").await;
    for (path, step) in STEPS {
        let plan = plan_for(&world, &format!("lost {}", step.label()), columns.clone());
        world.fake.inject(Fault {
            method: "POST".into(),
            path: path.into(),
            action: FaultAction::DropAfterHandling,
            times: 1,
        });
        let created =
            world.ops.dataflows().create(&world.request("prod", plan.clone())).await.expect("created");
        assert_eq!(created.creation.state, CreationState::Done, "{step:?}");
        assert_eq!(counts(&world, &plan), [1, 1, 1, 1], "{step:?}: the lost one was found, not made twice");
    }
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn undoing_a_failed_creation_deletes_what_it_made_in_reverse_order() {
    let world = World::open().await;
    let plan = plan_for(&world, "undone", world.columns(&world.bigquery, "sales.customers").await);
    world.fake.inject(Fault { method: "POST".into(), path: FLOWS.into(), action: refusal(), times: 1 });
    world.ops.dataflows().create(&world.request("prod", plan.clone())).await.unwrap_err();
    let creation = world.ops.dataflows().creations(&world.account_id, "prod").remove(0);
    let requests_before = world.fake.requests().len();
    let request = CreationRequest {
        account_id: world.account_id.clone(),
        sandbox: "prod".into(),
        creation_id: creation.id,
    };
    let undone = world.ops.dataflows().delete_made(&request).await.expect("undone");
    assert_eq!(undone.state, CreationState::Deleted);
    assert!(undone.made.is_empty());
    let deleted: Vec<String> = world.fake.requests()[requests_before..]
        .iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path.split('/').skip(4).find(|s| *s != "tenant").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        deleted,
        ["targetConnections", "sourceConnections", "mappingSets", "dataSets", "schemas", "fieldgroups"]
    );
    assert_eq!(counts(&world, &plan), [0, 0, 0, 0]);
    assert!(!world.fake.datasets().iter().any(|d| d["name"] == plan.name.as_str()));
}
