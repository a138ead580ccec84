//! Google consent end to end below the UI: the real loopback listener and real HTTP against
//! the fake Google, with the browser played by a client that follows the consent redirect.

use std::time::Duration;

use fakes::{FakeGoogle, GoogleConfig};
use flow_connect_core::adobe::flow::http_client;
use flow_connect_core::catalog::builtin_source;
use flow_connect_core::catalog::BIGQUERY_SCOPE;
use flow_connect_core::oauth::google::{
    begin, finish, revoke, start, verify, Callback, CallbackListener, ConsentError, ConsentSetup,
    GoogleClient, GoogleEndpoints, ListenerError, LoopbackHost, RedirectSetting,
};
use flow_connect_core::operations::form_consent;
use flow_connect_core::profiles::ProfileBook;
use flow_connect_core::secrets::credentials::{SecretSets, StoredSecrets};
use flow_connect_core::secrets::vault::SecretStore;
use flow_connect_core::Secret;
use url::Url;

fn endpoints(google: &FakeGoogle) -> GoogleEndpoints {
    let parse = |u: String| Url::parse(&u).expect("url");
    GoogleEndpoints {
        auth: parse(google.auth_url()),
        token: parse(google.token_url()),
        revoke: parse(google.revoke_url()),
    }
}

fn client(config: &GoogleConfig) -> GoogleClient {
    GoogleClient {
        client_id: config.client_id.clone(),
        client_secret: Secret::new(config.client_secret.clone()),
    }
}

/// The user's browser: opens the consent URL and follows Google's redirect to the listener.
async fn browse(consent_url: &Url) {
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let consent = browser.get(consent_url.clone()).send().await.expect("consent page");
    assert_eq!(consent.status().as_u16(), 302);
    let location = consent.headers()["location"].to_str().expect("location").to_owned();
    let landed = browser.get(location).send().await.expect("the redirect reaches the listener");
    assert_eq!(landed.status().as_u16(), 200);
}

async fn consent(
    google: &FakeGoogle,
    config: &GoogleConfig,
) -> Result<flow_connect_core::oauth::google::GoogleTokens, ConsentError> {
    let listener = CallbackListener::bind(0, "/").await.expect("bound");
    let pending =
        start(&client(config), &endpoints(google), &[BIGQUERY_SCOPE.into()], &listener.redirect_uri())?;
    let state = pending.state().to_owned();
    let wait = tokio::spawn(async move { listener.wait(Duration::from_secs(10), &state).await });
    browse(&pending.url).await;
    let callback = wait.await.expect("joined").expect("a callback");
    finish(pending, callback, &client(config), &endpoints(google), &http_client(Duration::from_secs(5))).await
}

#[tokio::test]
async fn one_consent_gives_a_refresh_token_that_verifies() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    let tokens = consent(&google, &config).await.expect("consent completes");
    assert!(tokens.refresh_token.expose().starts_with("1//fake-refresh-"));
    assert_eq!(tokens.scopes, [BIGQUERY_SCOPE]);
    assert!(!format!("{tokens:?}").contains("1//fake-refresh-"), "Debug hides the tokens");

    let query = &google.authorize_queries()[0];
    let has = |k: &str, v: &str| query.iter().any(|(a, b)| a == k && b == v);
    assert!(has("code_challenge_method", "S256"));
    assert!(has("access_type", "offline"));
    assert!(has("prompt", "consent"));
    assert!(has("scope", BIGQUERY_SCOPE));
    assert!(has("response_type", "code"));

    let http = http_client(Duration::from_secs(5));
    verify(&tokens.refresh_token, &client(&config), &endpoints(&google), &http).await.expect("verified");

    revoke(&tokens.refresh_token, &endpoints(&google), &http).await.expect("revoked");
    assert_eq!(google.revoked(), [tokens.refresh_token.expose()]);
    let err = verify(&tokens.refresh_token, &client(&config), &endpoints(&google), &http)
        .await
        .expect_err("revoked");
    assert_eq!(err, ConsentError::InvalidGrant);
    let again = revoke(&tokens.refresh_token, &endpoints(&google), &http).await.expect_err("already revoked");
    assert!(matches!(again, ConsentError::Refused { .. }));
}

#[tokio::test]
async fn a_foreign_state_is_rejected() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    let pending =
        start(&client(&config), &endpoints(&google), &[BIGQUERY_SCOPE.into()], "http://127.0.0.1:9/")
            .expect("url");
    let forged = Callback::Code { code: Secret::new("4/0stolen"), state: "not-the-state".into() };
    let err =
        finish(pending, forged, &client(&config), &endpoints(&google), &http_client(Duration::from_secs(5)))
            .await
            .expect_err("state mismatch");
    assert_eq!(err, ConsentError::StateMismatch);
}

#[tokio::test]
async fn declining_consent_is_explained() {
    let config = GoogleConfig { deny: true, ..GoogleConfig::default() };
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    assert_eq!(consent(&google, &config).await.expect_err("denied"), ConsentError::AccessDenied);
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_refused_by_google() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    let listener = CallbackListener::bind(0, "/").await.expect("bound");
    let uri = listener.redirect_uri();
    let first = start(&client(&config), &endpoints(&google), &[BIGQUERY_SCOPE.into()], &uri).expect("url");
    let second = start(&client(&config), &endpoints(&google), &[BIGQUERY_SCOPE.into()], &uri).expect("url");
    let state = first.state().to_owned();
    let wait = tokio::spawn(async move { listener.wait(Duration::from_secs(10), &state).await });
    browse(&first.url).await;
    let Ok(Callback::Code { code, .. }) = wait.await.expect("joined") else { panic!("a code") };
    // The first flow's code, finished with the second flow's verifier (and its state).
    let callback = Callback::Code { code, state: second.state().to_owned() };
    let err =
        finish(second, callback, &client(&config), &endpoints(&google), &http_client(Duration::from_secs(5)))
            .await
            .expect_err("wrong verifier");
    assert_eq!(err, ConsentError::InvalidGrant);
    assert!(err.to_string().contains("7 days"));
}

#[tokio::test]
async fn an_answer_without_a_refresh_token_says_how_to_get_one() {
    let config = GoogleConfig { omit_refresh_token: true, ..GoogleConfig::default() };
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    let err = consent(&google, &config).await.expect_err("no refresh token");
    assert_eq!(err, ConsentError::NoRefreshToken);
    assert!(err.to_string().contains("permissions"));
}

#[tokio::test]
async fn a_consent_without_bigquery_is_refused() {
    let config = GoogleConfig { granted_scope: Some("openid".into()), ..GoogleConfig::default() };
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    let err = consent(&google, &config).await.expect_err("scope missing");
    assert!(matches!(err, ConsentError::MissingScope { .. }), "{err:?}");
}

#[tokio::test]
async fn a_wrong_client_secret_is_explained() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    let wrong =
        GoogleClient { client_id: config.client_id.clone(), client_secret: Secret::new("GOCSPX-wrong") };
    let err = verify(
        &Secret::new("1//whatever"),
        &wrong,
        &endpoints(&google),
        &http_client(Duration::from_secs(5)),
    )
    .await
    .expect_err("refused");
    assert_eq!(err, ConsentError::InvalidClient);
}

#[tokio::test]
async fn manual_mode_accepts_the_pasted_url_or_the_bare_code() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    let http = http_client(Duration::from_secs(5));
    // Nothing listens on the redirect URI: the browser ends on an error page, as in the
    // seed's walkthrough, and the user copies its address.
    let redirect = "http://127.0.0.1:9/";
    for paste_whole_url in [true, false] {
        let pending =
            start(&client(&config), &endpoints(&google), &[BIGQUERY_SCOPE.into()], redirect).expect("url");
        let browser =
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        let consent = browser.get(pending.url.clone()).send().await.expect("consent page");
        let location = Url::parse(consent.headers()["location"].to_str().expect("location")).expect("url");
        let pasted = if paste_whole_url {
            location.to_string()
        } else {
            location.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned()).expect("code")
        };
        let callback = pending.callback_from_paste(&pasted).expect("parsed");
        let tokens =
            finish(pending, callback, &client(&config), &endpoints(&google), &http).await.expect("exchanged");
        assert!(tokens.refresh_token.expose().starts_with("1//fake-refresh-"));
    }
}

fn setup(google: &FakeGoogle, config: &GoogleConfig, redirect: RedirectSetting) -> ConsentSetup {
    ConsentSetup {
        client: client(config),
        endpoints: endpoints(google),
        scopes: vec![BIGQUERY_SCOPE.into()],
        redirect,
    }
}

#[tokio::test]
async fn a_whole_session_ends_with_the_browser_or_with_a_paste() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    let http = http_client(Duration::from_secs(5));

    // The browser's redirect reaches the listener.
    let (handle, run) = begin(setup(&google, &config, RedirectSetting::AnyPort)).await.expect("begun");
    let port = Url::parse(handle.redirect_uri()).expect("uri").port().expect("port");
    let http_for_run = http.clone();
    let running = tokio::spawn(async move { run.finish(Duration::from_secs(10), &http_for_run).await });
    browse(handle.url()).await;
    let tokens = running.await.expect("joined").expect("tokens");
    assert!(tokens.refresh_token.expose().starts_with("1//fake-refresh-"));
    assert_eq!(tokens.expires_in, Some(Duration::from_secs(3599)));
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the port is closed");

    // A paste from another sign-in is refused and the wait goes on; this flow's paste ends it.
    let (handle, run) = begin(setup(&google, &config, RedirectSetting::AnyPort)).await.expect("begun");
    let http_for_run = http.clone();
    let running = tokio::spawn(async move { run.finish(Duration::from_secs(10), &http_for_run).await });
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let consent = browser.get(handle.url().clone()).send().await.expect("consent page");
    let location = Url::parse(consent.headers()["location"].to_str().expect("location")).expect("url");
    let mut stale = location.clone();
    stale.set_query(Some("state=someone-else&code=4/0stale"));
    assert_eq!(handle.paste(stale.as_str()), Err(ConsentError::StateMismatch));
    assert_eq!(handle.paste("   "), Err(ConsentError::NothingPasted));
    assert!(!running.is_finished());
    handle.paste(location.as_str()).expect("accepted");
    let tokens = running.await.expect("joined").expect("tokens");
    assert!(tokens.refresh_token.expose().starts_with("1//fake-refresh-"));
}

#[tokio::test]
async fn a_web_client_sends_its_registered_uri_and_cancel_ends_the_session() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("probe").local_addr().expect("addr").port();
    let uri = format!("http://localhost:{port}/callback");
    let redirect = RedirectSetting::Fixed {
        host: LoopbackHost::Localhost,
        port,
        path: "/callback".into(),
        uri: uri.clone(),
    };
    let (handle, run) = begin(setup(&google, &config, redirect)).await.expect("begun");
    assert_eq!(handle.redirect_uri(), uri);
    let sent = handle.url().query_pairs().find(|(k, _)| k == "redirect_uri").map(|(_, v)| v.into_owned());
    assert_eq!(sent.as_deref(), Some(uri.as_str()));
    let http = http_client(Duration::from_secs(5));
    let running = tokio::spawn(async move { run.finish(Duration::from_secs(10), &http).await });
    handle.cancel();
    let err = running.await.expect("joined").expect_err("cancelled");
    assert_eq!(err, ConsentError::Listener(ListenerError::Cancelled));
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the port is closed");
}

#[tokio::test]
async fn with_the_registered_port_taken_the_consent_opens_and_a_pasted_address_completes_it() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    // Another program holds the registered port, as port 80 is out of a normal user's reach.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let uri = format!("http://127.0.0.1:{port}/");
    let redirect =
        RedirectSetting::Fixed { host: LoopbackHost::V4, port, path: "/".into(), uri: uri.clone() };
    let (handle, run) = begin(setup(&google, &config, redirect)).await.expect("begun without a listener");
    assert!(matches!(handle.not_listening(), Some(ListenerError::Bind { .. })));
    let http = http_client(Duration::from_secs(5));
    let running = tokio::spawn(async move { run.finish(Duration::from_secs(10), &http).await });

    // The browser consents; Google redirects to the taken port, where nothing of ours answers,
    // so the user copies the address from the address bar.
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let consent = browser.get(handle.url().clone()).send().await.expect("consent page");
    let location = consent.headers()["location"].to_str().expect("location").to_owned();
    assert!(location.starts_with(&uri), "{location}");
    handle.paste(&location).expect("accepted");
    let tokens = running.await.expect("joined").expect("tokens");
    assert!(tokens.refresh_token.expose().starts_with("1//fake-refresh-"));
    drop(taken);
}

// ---- The form's consent, as the window and a terminal both run it --------------------------

/// A keychain that takes no writes, as a locked one refuses them.
struct RefusingStore;

impl flow_connect_core::secrets::vault::SecretStore for RefusingStore {
    fn get(&self, _: &str) -> Result<Option<Secret>, flow_connect_core::secrets::vault::VaultError> {
        Ok(None)
    }
    fn set(&self, _: &str, _: &Secret) -> Result<(), flow_connect_core::secrets::vault::VaultError> {
        Err(flow_connect_core::secrets::vault::VaultError::Refused { reason: "locked".into() })
    }
    fn delete(&self, _: &str) -> Result<(), flow_connect_core::secrets::vault::VaultError> {
        Ok(())
    }
}

/// Runs the BigQuery form's consent to the end with `vault` keeping the tokens.
async fn form_consent(
    google: &FakeGoogle,
    config: &GoogleConfig,
    vault: std::sync::Arc<flow_connect_core::secrets::vault::Vault>,
) -> Result<form_consent::Finished, form_consent::FormConsentError> {
    let scratch = fakes::Scratch::new("form-consent");
    let sets = SecretSets::open(scratch.dir.join("secret-sets.json"), vault.clone());
    let (profiles, _) =
        ProfileBook::open(scratch.dir.join("profiles.json"), vault.clone()).expect("profiles");
    let keychain = form_consent::Keychain { sets: &sets, profiles: &profiles, vault: &vault };
    let slot = form_consent::ConsentSlot::default();
    let request = form_consent::ConsentRequest {
        source: builtin_source("3c9b37f8-13a6-43d8-bad3-b863b941fedd").expect("BigQuery").clone(),
        provider: None,
        client_id: config.client_id.clone(),
        client_secret: Secret::new(config.client_secret.clone()),
        scopes: BIGQUERY_SCOPE.into(),
        redirect_uri: None,
        stored: None,
    };
    let started = form_consent::begin(&slot, request, endpoints(google), keychain).await?;
    assert!(started.paste_only.is_none(), "the loopback listener is up");
    let url = Url::parse(&started.url).expect("the consent page");
    let browsing = tokio::spawn(async move { browse(&url).await });
    let finished =
        form_consent::finish(&slot, &http_client(Duration::from_secs(5)), &endpoints(google), keychain).await;
    browsing.await.expect("browsed");
    finished
}

#[tokio::test]
async fn a_form_consent_keeps_the_token_in_a_set_and_records_its_issue_without_it() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake google");
    let scratch = fakes::Scratch::new("form-consent-kept");
    let finished = form_consent(&google, &config, scratch.vault()).await.expect("finished");
    assert_eq!(finished.stored.fields, ["refreshToken"]);
    let issued = finished.issued.expect("the issue is recorded");
    assert_eq!(issued.client_id, config.client_id);
    assert!(issued.issued_at > 0);
    let key = StoredSecrets::key(&finished.stored.set, "refreshToken");
    let kept = scratch.keychain.get(&key).expect("keychain").expect("kept");
    assert!(kept.expose().starts_with("1//"), "the refresh token is in the keychain, not the answer");
    assert!(google.revoked().is_empty());
}

#[tokio::test]
async fn a_refresh_token_the_keychain_cannot_keep_is_revoked_at_google() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake google");
    let vault = std::sync::Arc::new(flow_connect_core::secrets::vault::Vault::new(RefusingStore));
    let refused = form_consent(&google, &config, vault).await.expect_err("not kept");
    assert!(refused.to_string().contains("keychain"), "{refused}");
    assert_eq!(google.revoked().len(), 1, "nobody holds the token, so Google forgets it");
}

// ---- One paste rule, bounded answers ------------------------------------------------------

/// A BigQuery form's consent request for `config`'s client.
fn bigquery_request(config: &GoogleConfig) -> form_consent::ConsentRequest {
    form_consent::ConsentRequest {
        source: builtin_source("3c9b37f8-13a6-43d8-bad3-b863b941fedd").expect("BigQuery").clone(),
        provider: None,
        client_id: config.client_id.clone(),
        client_secret: Secret::new(config.client_secret.clone()),
        scopes: BIGQUERY_SCOPE.into(),
        redirect_uri: None,
        stored: None,
    }
}

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
    slot.with_handle(flow_connect_core::oauth::google::ConsentHandle::cancel);
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

#[tokio::test]
async fn a_consent_whose_tokens_the_profile_cannot_take_is_revoked_and_its_set_deleted() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake google");
    let scratch = fakes::Scratch::new("consent-abandon");
    let vault = scratch.vault();
    let sets = SecretSets::open(scratch.dir.join("secret-sets.json"), vault.clone());
    let (profiles, _) =
        ProfileBook::open(scratch.dir.join("profiles.json"), vault.clone()).expect("profiles");
    let keychain = form_consent::Keychain { sets: &sets, profiles: &profiles, vault: &vault };
    let slot = form_consent::ConsentSlot::default();
    let started = form_consent::begin(&slot, bigquery_request(&config), endpoints(&google), keychain)
        .await
        .expect("begun");
    let url = Url::parse(&started.url).expect("the consent page");
    let browsing = tokio::spawn(async move { browse(&url).await });
    let http = http_client(Duration::from_secs(5));
    let finished = form_consent::finish(&slot, &http, &endpoints(&google), keychain).await.expect("finished");
    browsing.await.expect("browsed");
    let key = StoredSecrets::key(&finished.stored.set, "refreshToken");
    let token = vault.get(&key).await.expect("read").expect("kept");

    // Copying into the profile failed (as `flow-connect-cli consent` meets it): undo.
    form_consent::abandon(&finished, &http, &endpoints(&google), keychain).await;
    assert_eq!(google.revoked(), vec![token.expose().to_owned()], "Google forgets the token nobody holds");
    assert_eq!(vault.get(&key).await.expect("read"), None);
    assert!(sets.sets().await.is_empty());
}

#[tokio::test]
async fn a_localhost_redirect_whose_ipv6_port_another_program_holds_goes_on_with_a_paste() {
    let Ok(other) = std::net::TcpListener::bind("[::1]:0") else {
        eprintln!("this machine has no IPv6 loopback; nothing to check");
        return;
    };
    let port = other.local_addr().expect("addr").port();
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake Google");
    let uri = format!("http://localhost:{port}/cb");
    let redirect = RedirectSetting::registered(&uri).expect("a Web client's loopback URI");
    let (handle, run) = begin(setup(&google, &config, redirect)).await.expect("begun");
    let why = handle.not_listening().expect("nothing listens where another program might get the code");
    assert!(why.to_string().contains("[::1]"), "{why}");
    assert_eq!(handle.redirect_uri(), uri);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "127.0.0.1 is not half-listened on");
    drop((handle, run, other));
}
