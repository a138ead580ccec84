//! A busy, failing or hostile service: reads back off and retry, gateway errors are read, a
//! stale etag is re-read once, and an answer over the cap is refused.

use std::time::Duration;

use fakes::clients::{client_with, target_for};
use fakes::{FakeConfig, FakePlatform, Fault, FaultAction};
use flow_connect_core::adobe::flow::{http_client, ListQuery, PatchOp, SameName};

use super::{harness, servicenow_request, CONNECTIONS};

#[tokio::test]
async fn reads_back_off_on_429_and_honour_retry_after() {
    let h = harness(FakeConfig::default()).await;
    h.fake.inject(Fault {
        method: "GET".into(),
        path: CONNECTIONS.into(),
        action: FaultAction::Status { status: 429, retry_after: Some("1".into()), body: None },
        times: 1,
    });
    let page = h.client.list_connections(&ListQuery::default()).await.expect("the second try succeeds");
    assert!(page.items.is_empty());
    let reads: Vec<_> = h.fake.requests().into_iter().filter(|r| r.path == CONNECTIONS).collect();
    assert_eq!(reads.len(), 2);
    let waited = reads[1].at_ms - reads[0].at_ms;
    assert!(waited >= 1000, "waited {waited} ms, Retry-After asked for 1 s");
}

#[tokio::test]
async fn reads_retry_gateway_errors_with_backoff_and_give_up_in_the_end() {
    let h = harness(FakeConfig::default()).await;
    h.fake.inject(Fault {
        method: "GET".into(),
        path: CONNECTIONS.into(),
        action: FaultAction::Status { status: 503, retry_after: None, body: None },
        times: 10,
    });
    let err = h.client.list_connections(&ListQuery::default()).await.expect_err("always 503");
    assert_eq!(err.api().map(|e| e.status), Some(503));
    let reads: Vec<_> = h.fake.requests().into_iter().filter(|r| r.path == CONNECTIONS).collect();
    assert_eq!(reads.len(), 4, "max_attempts");
    let gaps: Vec<u64> = reads.windows(2).map(|w| w[1].at_ms - w[0].at_ms).collect();
    assert!(gaps[2] >= gaps[0], "the backoff grows: {gaps:?}");
}

#[tokio::test]
async fn gateway_header_errors_are_read() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let mut target = target_for(&fake, "prod");
    target.org_id = "OTHER@AdobeOrg".into();
    let err = client_with(&fake, target, Duration::from_secs(5)).sandboxes().await.expect_err("wrong org");
    assert_eq!(err.api().and_then(|e| e.code.as_deref()), Some("403027"));
    assert!(err.to_string().contains("org ID"), "{err}");
}

#[tokio::test]
async fn a_rename_with_a_stale_etag_rereads_and_retries_once() {
    let h = harness(FakeConfig::default()).await;
    let created =
        h.client.create_connection(&servicenow_request("Original"), SameName::Refuse).await.expect("created");
    let marker_removal = h.fake.requests().iter().filter(|r| r.method == "PATCH").count();
    // Someone else changes the connection: the etag the app holds is now stale.
    let meanwhile = [PatchOp::Replace { path: "/description".into(), value: "edited elsewhere".into() }];
    h.client.update_connection(&created.id, &created.etag, &meanwhile).await.expect("edited");

    let renamed = h.client.rename_connection(&created.id, &created.etag, "Renamed").await.expect("renamed");
    let patches: Vec<_> =
        h.fake.requests().into_iter().filter(|r| r.method == "PATCH").skip(marker_removal).collect();
    assert_eq!(patches.len(), 3, "the edit, the stale try and the retry");
    assert_eq!(patches[1].header("if-match"), Some(created.etag.as_str()));
    assert_ne!(patches[2].header("if-match"), Some(created.etag.as_str()));
    let stored = h.client.get_connection(&created.id).await.expect("read");
    assert_eq!((stored.name.as_str(), stored.etag.as_str()), ("Renamed", renamed.etag.as_str()));
}

#[tokio::test]
async fn an_answer_larger_than_the_cap_is_refused_not_buffered() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A server that announces a 20 MiB body: the client must refuse it, not wait for it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        let mut head = [0u8; 4096];
        let _ = stream.read(&mut head).await;
        let header = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 20971520\r\n\r\n";
        stream.write_all(header.as_bytes()).await.expect("head");
        stream.write_all(b"{\"items\": [").await.expect("start");
        tokio::time::sleep(Duration::from_secs(5)).await;
    });
    let response =
        http_client(Duration::from_secs(10)).get(format!("http://{addr}/")).send().await.expect("head");
    let started = std::time::Instant::now();
    let read = flow_connect_core::http_body::read_capped(response).await;
    assert_eq!(read, Err(flow_connect_core::http_body::BodyError::TooLarge));
    assert!(started.elapsed() < Duration::from_secs(2), "refused at once");
    server.abort();
}
