//! Google consent end to end below the UI: the real loopback listener and real HTTP against
//! the fake Google, with the browser played by a client that follows the consent redirect.

use std::time::Duration;

use fakes::{FakeGoogle, GoogleConfig};
use flow_connect_core::catalog::builtin_source;
use flow_connect_core::credentials::{SecretSets, StoredSecrets};
use flow_connect_core::flow::http_client;
use flow_connect_core::form_consent;
use flow_connect_core::google::{
    begin, finish, revoke, start, verify, Callback, CallbackListener, ConsentError, ConsentSetup,
    GoogleClient, GoogleEndpoints, ListenerError, LoopbackHost, RedirectSetting, BIGQUERY_SCOPE,
};
use flow_connect_core::profiles::ProfileBook;
use flow_connect_core::vault::SecretStore;
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
) -> Result<flow_connect_core::google::GoogleTokens, ConsentError> {
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

impl flow_connect_core::vault::SecretStore for RefusingStore {
    fn get(&self, _: &str) -> Result<Option<Secret>, flow_connect_core::vault::VaultError> {
        Ok(None)
    }
    fn set(&self, _: &str, _: &Secret) -> Result<(), flow_connect_core::vault::VaultError> {
        Err(flow_connect_core::vault::VaultError::Refused { reason: "locked".into() })
    }
    fn delete(&self, _: &str) -> Result<(), flow_connect_core::vault::VaultError> {
        Ok(())
    }
}

/// Runs the BigQuery form's consent to the end with `vault` keeping the tokens.
async fn form_consent(
    google: &FakeGoogle,
    config: &GoogleConfig,
    vault: std::sync::Arc<flow_connect_core::vault::Vault>,
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
    let vault = std::sync::Arc::new(flow_connect_core::vault::Vault::new(RefusingStore));
    let refused = form_consent(&google, &config, vault).await.expect_err("not kept");
    assert!(refused.to_string().contains("keychain"), "{refused}");
    assert_eq!(google.revoked().len(), 1, "nobody holds the token, so Google forgets it");
}
