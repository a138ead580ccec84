//! A plan at scale, through the door: a manifest of 50 connections with 100 dataflows against
//! a sandbox holding 1,000 connections is read with a few list requests per object type
//! (connections in pages of 100, source connections and flows forty ids to a filter), never
//! one request per object; and applying the 150 objects, all unchanged, writes nothing.

use fakes::manifests::{seeded, SERVICENOW};
use fakes::{FakeConfig, FakePlatform};
use flow_connect_core::operations::{ApplyOutcome, PromotionRequest};
use flow_connect_core::promotion::Action;

use super::support::open;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn fifty_connections_and_a_hundred_dataflows_are_planned_with_a_few_lists() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    fake.seed_connections(SERVICENOW, "prod", "Seeded", 1_000);
    let ids: Vec<String> = fake
        .connections()
        .into_iter()
        .filter(|c| c["name"].as_str().is_some_and(|n| n <= "Seeded 0050"))
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 50);
    for id in &ids {
        fake.add_flows(id, 2);
    }
    let opened = open(&fake, "seam-promotion-scale");
    let request = fake.account_request("Acme");
    let account_id = opened.ops.accounts().save(request).await.expect("saved").id;
    let request = PromotionRequest {
        account_id,
        manifest: seeded(50),
        environment: "prod".into(),
        sandbox: None,
        allow_replace: false,
        expected: None,
        org: None,
        consented: Vec::new(),
    };
    let before = fake.requests().len();
    let plan = opened.ops.promotion().plan(&request).await.expect("planned");
    let sent = fake.requests()[before..].to_vec();
    assert_eq!(plan.items.len(), 150);
    let flows_unchanged =
        plan.items.iter().filter(|i| i.name.starts_with("Dataflow") && i.action == Action::Unchanged);
    assert_eq!(flows_unchanged.count(), 100, "every seeded flow matched by name, as the manifest has it");
    let count = |suffix: &str| sent.iter().filter(|r| r.method == "GET" && r.path.ends_with(suffix)).count();
    assert_eq!(count("/flowservice/connections"), 10, "1,000 connections in pages of 100");
    assert_eq!(count("/flowservice/sourceConnections"), 2, "50 connections' sources, forty to a filter");
    assert_eq!(count("/flowservice/flows"), 3, "100 sources' flows, forty to a filter");
    let one_by_one = sent.iter().filter(|r| r.path.contains("/flowservice/connections/")).count();
    assert_eq!(one_by_one, 0, "no connection read one at a time");
    assert!(
        sent.len() <= 20,
        "{} requests: {:?}",
        sent.len(),
        sent.iter().map(|r| &r.path).collect::<Vec<_>>()
    );

    // Nothing to change: applying the 150 unchanged objects writes nothing.
    assert!(plan.items.iter().all(|i| i.action == Action::Unchanged), "{:?}", plan.items.first());
    let writes = || fake.requests().iter().filter(|r| r.method != "GET" && !r.path.contains("/ims/")).count();
    let before = (writes(), fake.requests().len());
    let report = opened.ops.promotion().apply(&request).await.expect("applied");
    assert_eq!(report.items.len(), 150);
    assert!(report.items.iter().all(|i| matches!(i.outcome, ApplyOutcome::Unchanged { .. })));
    assert_eq!(writes(), before.0);
    // An apply with nothing to do reads what its plan reads, and not one object more.
    let applied = fake.requests().len() - before.1;
    assert!(
        applied <= sent.len() + 2,
        "{applied} requests against the plan's {}: {:?}",
        sent.len(),
        fake.requests()[before.1..].iter().map(|r| &r.path).take(30).collect::<Vec<_>>()
    );
}
