//! Google consent end to end below the UI: the real loopback listener and real HTTP against
//! the fake Google, with the browser played by a client that follows the consent redirect.
//!
//! One binary, a module per subject: the consent engine, sessions, the form's consent, pastes.

use std::time::Duration;

use fakes::{FakeGoogle, GoogleConfig};
use flow_connect_core::adobe::flow::http_client;
use flow_connect_core::catalog::{builtin_source, BIGQUERY_SCOPE};
use flow_connect_core::oauth::google::{
    finish, start, CallbackListener, ConsentError, ConsentSetup, GoogleClient, GoogleEndpoints,
    RedirectSetting,
};
use flow_connect_core::operations::form_consent;
use flow_connect_core::Secret;
use url::Url;

mod engine;
mod form;
mod paste;
mod sessions;

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

fn setup(google: &FakeGoogle, config: &GoogleConfig, redirect: RedirectSetting) -> ConsentSetup {
    ConsentSetup {
        client: client(config),
        endpoints: endpoints(google),
        scopes: vec![BIGQUERY_SCOPE.into()],
        redirect,
    }
}

/// A BigQuery form's consent request for `config`'s client.
fn bigquery_request(config: &GoogleConfig) -> form_consent::ConsentRequest {
    form_consent::ConsentRequest {
        source: builtin_source(flow_connect_core::catalog::BIGQUERY_SPEC_ID).expect("BigQuery").clone(),
        provider: None,
        client_id: config.client_id.clone(),
        client_secret: Secret::new(config.client_secret.clone()),
        scopes: BIGQUERY_SCOPE.into(),
        redirect_uri: None,
        stored: None,
        table_provider: None,
        values: Default::default(),
        https_redirect: None,
    }
}
