//! A create whose answer was lost, timed out or broken is found, not made twice; a name the
//! sandbox already holds is refused unless confirmed.

use std::time::Duration;

use fakes::clients::client_for;
use fakes::specs::GENERIC_REST;
use fakes::{FakeConfig, FakePlatform, Fault, FaultAction};
use flow_connect_core::adobe::flow::{FlowError, SameName};
use flow_connect_core::catalog::{builtin_source, new_connection};
use serde_json::{json, Value};

use super::{harness, servicenow_request, values, CONNECTIONS};

fn fault(action: FaultAction) -> Fault {
    Fault { method: "POST".into(), path: CONNECTIONS.into(), action, times: 1 }
}

fn posts(fake: &FakePlatform) -> usize {
    fake.requests().iter().filter(|r| r.method == "POST" && r.path == CONNECTIONS).count()
}

/// After a create whose answer was lost: exactly one connection more than `before`, and the
/// reported one is it.
fn assert_one_new(fake: &FakePlatform, before: &[Value], created: &flow_connect_core::adobe::flow::Created) {
    let stored = fake.connections();
    assert_eq!(stored.len(), before.len() + 1, "exactly one new connection: {stored:#?}");
    let new: Vec<&Value> = stored.iter().filter(|c| !before.contains(c)).collect();
    assert_eq!(new[0]["id"], json!(created.id), "the new connection is the one reported");
    assert_eq!(new[0]["etag"], json!(created.etag));
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_not_made_twice() {
    let h = harness(FakeConfig::default()).await;
    h.fake.inject(fault(FaultAction::DropAfterHandling));
    let created = h
        .client
        .create_connection(&servicenow_request("Lost answer"), SameName::Refuse)
        .await
        .expect("recovered");
    assert_one_new(&h.fake, &[], &created);
    assert_eq!(posts(&h.fake), 1, "the create was not sent again");
    assert!(created.note.as_deref().is_some_and(|n| n.contains("not sent again")), "{:?}", created.note);
}

#[tokio::test]
async fn a_name_already_in_the_sandbox_is_refused_unless_confirmed_and_never_mistaken_for_the_new_one() {
    let h = harness(FakeConfig::default()).await;
    h.client.create_connection(&servicenow_request("Twin"), SameName::Refuse).await.expect("first");
    let before = h.fake.connections();

    let err =
        h.client.create_connection(&servicenow_request("Twin"), SameName::Refuse).await.expect_err("warned");
    assert!(matches!(err, FlowError::DuplicateName { count: 1, .. }), "{err:?}");
    assert_eq!(posts(&h.fake), 1, "nothing was sent for the refused one");

    // Confirmed, and its answer lost: the old "Twin" must not be reported as the new one.
    h.fake.inject(fault(FaultAction::DropAfterHandling));
    let created =
        h.client.create_connection(&servicenow_request("Twin"), SameName::Allow).await.expect("second");
    assert_ne!(json!(created.id), before[0]["id"]);
    assert_one_new(&h.fake, &before, &created);
    assert_eq!(posts(&h.fake), 2);
}

#[tokio::test]
async fn a_500_after_the_create_was_stored_finds_it_instead_of_sending_again() {
    let h = harness(FakeConfig::default()).await;
    let body = json!({"type": "FLOW-1500-500", "title": "Internal Server Error", "status": 500}).to_string();
    h.fake.inject(fault(FaultAction::AnswerAfterHandling { status: 500, body }));
    let created =
        h.client.create_connection(&servicenow_request("After 500"), SameName::Refuse).await.expect("found");
    assert_one_new(&h.fake, &[], &created);
    assert_eq!(posts(&h.fake), 1);
}

#[tokio::test]
async fn a_2xx_with_a_broken_body_finds_the_connection_it_made() {
    let h = harness(FakeConfig::default()).await;
    h.fake.inject(fault(FaultAction::AnswerAfterHandling { status: 201, body: "{\"id\": \"4f2c".into() }));
    let created = h
        .client
        .create_connection(&servicenow_request("Broken body"), SameName::Refuse)
        .await
        .expect("found");
    assert_one_new(&h.fake, &[], &created);
    assert_eq!(posts(&h.fake), 1);
}

#[tokio::test]
async fn a_timed_out_create_stored_3_s_later_is_waited_for_not_sent_again() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let client = client_for(&fake, "prod", Duration::from_millis(800));
    fake.inject(fault(FaultAction::StoreLater { ms: 3000 }));
    let started = std::time::Instant::now();
    let created =
        client.create_connection(&servicenow_request("Slow store"), SameName::Refuse).await.expect("found");
    assert!(started.elapsed() >= Duration::from_secs(3), "it was found only once stored");
    assert_one_new(&fake, &[], &created);
    assert_eq!(posts(&fake), 1, "not sent again while the service was still storing it");
}

#[tokio::test]
async fn a_create_lost_before_it_was_stored_is_sent_again_once() {
    let h = harness(FakeConfig::default()).await;
    h.fake.inject(fault(FaultAction::DropBeforeHandling));
    let created = h
        .client
        .create_connection(&servicenow_request("Second try"), SameName::Refuse)
        .await
        .expect("created on the second try");
    assert_one_new(&h.fake, &[], &created);
    assert_eq!(posts(&h.fake), 2);
}

#[tokio::test]
async fn a_rejected_create_is_not_retried_and_leaks_no_secret() {
    let h = harness(FakeConfig::default()).await;
    let form = values(&[("host", "https://api.acme.example"), ("accessToken", "super-secret-token")]);
    let mut request =
        new_connection(builtin_source(GENERIC_REST).expect("source"), "oAuth2RefreshCode", "x", "", &form)
            .expect("valid");
    request.connection_spec.version = "9.9".into();
    let err = h.client.create_connection(&request, SameName::Refuse).await.expect_err("bad version");
    assert_eq!(err.api().map(|e| e.status), Some(400));
    assert!(!err.to_string().contains("super-secret-token"));
    assert!(!format!("{request:?}").contains("super-secret-token"), "Debug hides secrets");
    assert_eq!(h.fake.requests().iter().filter(|r| r.method == "POST" && r.path == CONNECTIONS).count(), 1);
}
