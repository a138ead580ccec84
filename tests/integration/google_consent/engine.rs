//! One consent gives a refresh token that verifies; each way Google or the user refuses it is
//! explained.

use std::time::Duration;

use fakes::{FakeGoogle, GoogleConfig};
use flow_connect_core::adobe::flow::http_client;
use flow_connect_core::catalog::BIGQUERY_SCOPE;
use flow_connect_core::oauth::google::{
    finish, revoke, start, verify, Callback, CallbackListener, ConsentError, GoogleClient,
};
use flow_connect_core::Secret;
use url::Url;

use super::{browse, client, consent, endpoints};

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
