//! One paste rule for the window and the terminal, and token answers bounded in size.

use std::time::Duration;

use fakes::{FakeGoogle, GoogleConfig};
use flow_connect_core::adobe::flow::http_client;
use flow_connect_core::oauth::google::{
    begin, verify, ConsentError, GoogleClient, GoogleEndpoints, ListenerError, RedirectSetting,
};
use flow_connect_core::operations::form_consent;
use flow_connect_core::profiles::ProfileBook;
use flow_connect_core::secrets::credentials::SecretSets;
use flow_connect_core::Secret;
use url::Url;

use super::{bigquery_request, endpoints, setup};

#[tokio::test]
async fn a_paste_with_no_consent_waiting_says_so_in_the_window_and_the_terminal_alike() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake google");
    let scratch = fakes::Scratch::new("paste-none");
    let vault = scratch.vault();
    let sets = SecretSets::open(scratch.dir.join("secret-sets.json"), vault.clone());
    let (profiles, _) =
        ProfileBook::open(scratch.dir.join("profiles.json"), vault.clone()).expect("profiles");
    let keychain = form_consent::Keychain { sets: &sets, profiles: &profiles, vault: &vault };
    let slot = form_consent::ConsentSlot::default();
    let pasted = "http://127.0.0.1:1/?state=s&code=4/0late";

    // Nothing was ever started.
    let err = form_consent::paste(&slot, pasted).expect_err("none waiting");
    assert!(matches!(err, form_consent::FormConsentError::NoneWaiting), "{err:?}");
    let failure = flow_connect_core::operations::failure::Failure::from(err);
    assert_eq!(failure.code, flow_connect_core::operations::failure::ErrorCode::Validation);
    assert!(failure.message.contains("Start the sign-in again"), "{}", failure.message);

    // A consent that was cancelled and has ended: the same answer, not "cancelled".
    form_consent::begin(&slot, bigquery_request(&config), endpoints(&google), keychain).await.expect("begun");
    slot.with_handle(form_consent::FlowHandle::cancel);
    let http = http_client(Duration::from_secs(5));
    form_consent::finish(&slot, &http, &endpoints(&google), keychain).await.expect_err("cancelled");
    let err = form_consent::paste(&slot, pasted).expect_err("none waiting");
    assert!(matches!(err, form_consent::FormConsentError::NoneWaiting), "{err:?}");
}

#[tokio::test]
async fn a_paste_longer_than_any_redirect_address_is_refused_and_the_wait_goes_on() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    let (handle, run) = begin(setup(&google, &config, RedirectSetting::AnyPort)).await.expect("begun");
    let http = http_client(Duration::from_secs(5));
    let running = tokio::spawn(async move { run.finish(Duration::from_secs(10), &http).await });
    let max = flow_connect_core::oauth::google::MAX_PASTED_LEN;
    let too_long = format!("{}?state=s&code={}", handle.redirect_uri(), "4".repeat(max));
    assert_eq!(handle.paste(&too_long), Err(ConsentError::PasteTooLong { max }));
    assert_eq!(handle.paste(&"c".repeat(max + 1)), Err(ConsentError::PasteTooLong { max }));
    let message = ConsentError::PasteTooLong { max }.to_string();
    assert!(message.contains("address bar"), "{message}");
    assert!(!running.is_finished(), "the sign-in still waits for the real answer");
    handle.cancel();
    assert_eq!(
        running.await.expect("joined").map(drop),
        Err(ConsentError::Listener(ListenerError::Cancelled))
    );
}

/// A token endpoint that answers 200 with an endless JSON body, as a broken or hostile server
/// might; returns its URL and how many bytes it managed to send.
async fn flooding_token_endpoint() -> (Url, tokio::task::JoinHandle<usize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bound");
    let url = Url::parse(&format!("http://{}/token", listener.local_addr().expect("addr"))).expect("url");
    let serving = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("the exchange arrives");
        let mut head = Vec::new();
        let mut chunk = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut chunk).await.expect("read");
            if n == 0 {
                break;
            }
            head.extend_from_slice(&chunk[..n]);
        }
        let start = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        let mut sent = 0;
        if stream.write_all(start.as_bytes()).await.is_err() {
            return sent;
        }
        let piece = format!("{:x}\r\n{{\"access_token\":\"{}\r\n", 1 << 20, " ".repeat((1 << 20) - 17));
        // 64 MiB, four times the cap; a client that stops reading ends this early.
        for _ in 0..64 {
            if stream.write_all(piece.as_bytes()).await.is_err() {
                return sent;
            }
            sent += 1 << 20;
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
        sent
    });
    (url, serving)
}

#[tokio::test]
async fn a_token_answer_larger_than_the_body_cap_is_refused_not_buffered() {
    let (token, serving) = flooding_token_endpoint().await;
    let endpoints = GoogleEndpoints { auth: token.clone(), revoke: token.clone(), token };
    let client = GoogleClient { client_id: "c".into(), client_secret: Secret::new("s") };
    let http = http_client(Duration::from_secs(30));
    let err = verify(&Secret::new("1//r"), &client, &endpoints, &http).await.expect_err("refused");
    assert!(
        matches!(&err, ConsentError::Refused { code, .. } if code == "response_too_large"),
        "the answer is refused for its size, not read to the end and then found unreadable: {err:?}"
    );
    drop(http);
    let sent = serving.await.expect("joined");
    assert!(sent < 64 << 20, "the client stopped reading at the cap ({sent} bytes were sent)");
}
