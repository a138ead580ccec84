//! Reading and changing connections: lists and their pages, get, patch, test, delete, and the
//! sandboxes for the picker.

use std::time::Duration;

use fakes::clients::client_for;
use fakes::specs::{ORACLE, SERVICENOW};
use fakes::{FakeConfig, FakePlatform};
use flow_connect_core::adobe::flow::{ListQuery, PatchOp, SameName, TestOutcome};
use serde_json::json;

use super::{harness, servicenow_request, CONNECTIONS};

#[tokio::test]
async fn lists_follow_continuation_tokens() {
    let h = harness(FakeConfig::default()).await;
    h.fake.seed_connections(SERVICENOW, "prod", "Instance", 250);
    h.fake.seed_connections(ORACLE, "prod", "Database", 3);
    h.fake.seed_connections(SERVICENOW, "dev-marketing", "Elsewhere", 2);
    let mut query = ListQuery { spec_ids: vec![SERVICENOW.into()], limit: Some(100), ..ListQuery::default() };
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let page = h.client.list_connections(&query).await.expect("a page");
        pages += 1;
        names.extend(page.items.into_iter().map(|c| c.name));
        match page.continuation_token {
            Some(token) => query.continuation_token = Some(token),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 250);
    assert_eq!(names.first().map(String::as_str), Some("Instance 0001"));
    assert_eq!(names.last().map(String::as_str), Some("Instance 0250"));
    let first = &h.fake.requests()[1];
    assert!(first.query.contains(&("property".into(), format!("connectionSpec.id=={SERVICENOW}"))));
}

#[tokio::test]
async fn get_patch_test_and_delete_a_connection() {
    let h = harness(FakeConfig::default()).await;
    let created =
        h.client.create_connection(&servicenow_request("Before"), SameName::Refuse).await.expect("created");

    let fetched = h.client.get_connection(&created.id).await.expect("read through the items wrapper");
    assert_eq!(
        (fetched.name.as_str(), fetched.auth_spec_name.as_deref()),
        ("Before", Some("Basic Authentication"))
    );

    let rename = [PatchOp::Replace { path: "/name".into(), value: "After".into() }];
    let updated = h.client.update_connection(&created.id, &created.etag, &rename).await.expect("renamed");
    // The last PATCH: the first took the create's marker off the description.
    let patch = h.fake.requests().into_iter().rev().find(|r| r.method == "PATCH").expect("a PATCH");
    assert_eq!(
        patch.header("if-match"),
        Some(created.etag.as_str()),
        "the etag goes back exactly, quotes and all"
    );
    assert_eq!(patch.json(), json!([{ "op": "replace", "path": "/name", "value": "After" }]));
    assert_ne!(updated.etag, created.etag);

    let stale =
        h.client.update_connection(&created.id, &created.etag, &rename).await.expect_err("stale etag");
    assert_eq!(stale.api().and_then(|e| e.code.as_deref()), Some("1404-412"));

    assert_eq!(h.client.test_connection(&created.id).await.expect("tested"), TestOutcome::Passed);

    h.fake.mark_in_use(&created.id);
    let in_use = h.client.delete_connection(&created.id).await.expect_err("used by a dataflow");
    assert_eq!(in_use.api().and_then(|e| e.code.as_deref()), Some("1418-400"));
    assert!(in_use.to_string().contains("Delete the dataflows"), "{in_use}");
}

#[tokio::test]
async fn deletes_and_then_the_connection_is_gone() {
    let h = harness(FakeConfig::default()).await;
    let created = h
        .client
        .create_connection(&servicenow_request("Short-lived"), SameName::Refuse)
        .await
        .expect("created");
    h.client.delete_connection(&created.id).await.expect("deleted");
    assert!(h.fake.connections().is_empty());
    let err = h.client.get_connection(&created.id).await.expect_err("gone");
    assert_eq!(err.api().map(|e| e.status), Some(404));
}

#[tokio::test]
async fn tests_by_exploring_when_the_test_endpoint_is_missing() {
    let h = harness(FakeConfig { offer_test_endpoint: false, ..FakeConfig::default() }).await;
    let created =
        h.client.create_connection(&servicenow_request("Explored"), SameName::Refuse).await.expect("created");
    assert_eq!(h.client.test_connection(&created.id).await.expect("explored"), TestOutcome::Explored);
    let explore = h.fake.requests().into_iter().find(|r| r.path.ends_with("/explore")).expect("explored");
    assert_eq!(explore.query, [("objectType".to_string(), "root".to_string())]);
}

#[tokio::test]
async fn lists_sandboxes_for_the_picker() {
    let h = harness(FakeConfig::default()).await;
    let sandboxes = h.client.sandboxes().await.expect("listed");
    let names: Vec<&str> = sandboxes.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["prod", "dev-marketing", "old-test"]);
    assert!(sandboxes[0].is_default);
    assert_eq!(sandboxes[1].title, "Marketing development");
}

#[tokio::test]
async fn an_unknown_sandbox_is_explained() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let client = client_for(&fake, "old-test", Duration::from_secs(5));
    let err = client.list_connections(&ListQuery::default()).await.expect_err("deleted sandbox");
    assert_eq!(err.api().and_then(|e| e.code.as_deref()), Some("2100-404"));
    assert!(err.to_string().contains("Pick a sandbox"));
}

#[tokio::test]
async fn pages_through_2500_connections_one_page_at_a_time() {
    let h = harness(FakeConfig::default()).await;
    h.fake.seed_connections(SERVICENOW, "prod", "Instance", 2_500);
    let mut query = ListQuery { limit: Some(100), ..ListQuery::default() };
    let (mut seen, mut pages) = (std::collections::HashSet::new(), 0);
    loop {
        let page = h.client.list_connections(&query).await.expect("a page");
        assert!(page.items.len() <= 100, "never more than one page at a time");
        pages += 1;
        seen.extend(page.items.into_iter().map(|c| c.id));
        match page.continuation_token {
            Some(token) => query.continuation_token = Some(token),
            None => break,
        }
    }
    assert_eq!((pages, seen.len()), (25, 2_500), "every connection once, in 25 pages");
    let lists = h.fake.requests().into_iter().filter(|r| r.path == CONNECTIONS).count();
    assert_eq!(lists, 25);
}
