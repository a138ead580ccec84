//! The IMS token: cached, renewed before it expires and once after a 401, and its refusals
//! explained without the secret.

use std::sync::Arc;
use std::time::Duration;

use fakes::clients::target_for;
use fakes::{FakeConfig, FakePlatform};
use flow_connect_core::adobe::flow::{http_client, FlowClient, FlowError, ListQuery};
use flow_connect_core::adobe::ims::{ImsCredentials, ImsError, ImsTokenProvider, DEFAULT_SCOPES};
use flow_connect_core::Secret;
use url::Url;

use super::harness;

#[tokio::test]
async fn the_ims_token_is_cached_and_renewed_once_after_a_401() {
    let h = harness(FakeConfig::default()).await;
    h.client.sandboxes().await.expect("first call");
    h.client.list_connections(&ListQuery::default()).await.expect("second call");
    let token_requests = || h.fake.requests().iter().filter(|r| r.path == "/ims/token/v3").count();
    assert_eq!(token_requests(), 1, "the token is reused");

    let token_request =
        h.fake.requests().into_iter().find(|r| r.path == "/ims/token/v3").expect("token request");
    assert!(token_request.query.is_empty(), "credentials travel in the body, not the URL");
    let form: Vec<(String, String)> =
        url::form_urlencoded::parse(token_request.body.as_bytes()).into_owned().collect();
    assert!(form.contains(&("grant_type".into(), "client_credentials".into())));
    assert!(form.contains(&("scope".into(), DEFAULT_SCOPES.into())));

    h.fake.expire_tokens();
    h.client.list_connections(&ListQuery::default()).await.expect("renewed after a 401");
    assert_eq!(token_requests(), 2);
}

#[tokio::test]
async fn a_short_lived_token_is_renewed_before_it_expires() {
    let h = harness(FakeConfig { token_lifetime_secs: 1, ..FakeConfig::default() }).await;
    h.client.sandboxes().await.expect("first call");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    h.client.sandboxes().await.expect("second call");
    let token_requests = h.fake.requests().iter().filter(|r| r.path == "/ims/token/v3").count();
    assert_eq!(token_requests, 2);
    assert!(h
        .fake
        .requests()
        .iter()
        .all(|r| r.path == "/ims/token/v3" || r.path.ends_with("sandbox-management/")));
}

#[tokio::test]
async fn wrong_client_credentials_are_explained_without_the_secret() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let base = Url::parse(&fake.url()).expect("url");
    let provider = ImsTokenProvider::new(
        http_client(Duration::from_secs(5)),
        &base,
        ImsCredentials::ClientCredentials {
            client_id: "fake-client-id".into(),
            client_secret: Secret::new("wrong-secret-value"),
            scopes: DEFAULT_SCOPES.into(),
        },
    );
    let err = provider.access_token().await.expect_err("refused");
    assert!(matches!(err, ImsError::InvalidClient { .. }), "{err:?}");
    assert!(err.to_string().contains("Adobe Developer Console"));
    assert!(!format!("{err} {err:?}").contains("wrong-secret-value"));
}

#[tokio::test]
async fn a_pasted_token_is_used_as_is_and_a_refusal_says_to_paste_a_new_one() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let base = Url::parse(&fake.url()).expect("url");
    let http = http_client(Duration::from_secs(5));
    let tokens = Arc::new(ImsTokenProvider::new(
        http.clone(),
        &base,
        ImsCredentials::AccessToken(Secret::new("pasted-expired")),
    ));
    let client = FlowClient::new(http, &base, tokens, target_for(&fake, "prod"));
    let err = client.sandboxes().await.expect_err("not a token the fake issued");
    assert!(matches!(err, FlowError::Ims(ImsError::PastedTokenRejected)), "{err:?}");
    assert_eq!(fake.requests().len(), 1, "no IMS call and no second try");
    assert_eq!(fake.requests()[0].header("authorization"), Some("Bearer pasted-expired"));
}
