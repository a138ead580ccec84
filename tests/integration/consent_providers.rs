//! The consent engine against the fakes of four providers' documented contracts, over real
//! HTTP on loopback: each provider's redirect rule, PKCE, body encoding, token response and
//! refusals, and the step after the token (Mailchimp's data centre). The browser is played by
//! a client that reads the consent page's redirect.

use std::time::Duration;

use fakes::{FakeProviders, ProvidersConfig};
use flow_connect_core::adobe::flow::http_client;
use flow_connect_core::oauth::engine::{self, begin, finish, EngineError, ProviderBases, SessionSetup};
use flow_connect_core::oauth::google::{callback_from_paste, parse_callback, Callback};
use flow_connect_core::oauth::providers::{
    Expiry, FormValues, Provider, RefreshOutcome, HUBSPOT, MAILCHIMP, SQUARE, ZENDESK,
};
use flow_connect_core::Secret;
use url::Url;

fn bases(fake: &FakeProviders) -> ProviderBases {
    ProviderBases::parse(&fake.bases_var()).expect("loopback bases")
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs()
}

/// The consent page's answer: where the provider sends the browser after the user allows.
async fn allow(consent: &Url) -> Url {
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let page = browser.get(consent.clone()).send().await.expect("consent page");
    assert_eq!(page.status().as_u16(), 302, "the consent page redirects");
    Url::parse(page.headers()["location"].to_str().expect("location")).expect("a URL")
}

fn callback_of(landed: &Url) -> Callback {
    parse_callback(landed).expect("a code or an error")
}

fn param<'a>(consented: &'a engine::Consented, name: &str) -> Option<&'a engine::FilledParam> {
    consented.params.iter().find(|p| p.param == name)
}

async fn consent(
    fake: &FakeProviders,
    provider: &'static Provider,
    values: &FormValues,
    client: (&str, &str),
    redirect: &str,
) -> Result<engine::Consented, EngineError> {
    let bases = bases(fake);
    let pending = begin(provider, values, client.0, &["read".into()], redirect, &bases)?;
    let landed = allow(&pending.url).await;
    let secret = Secret::new(client.1);
    finish(
        pending,
        callback_of(&landed),
        client.0,
        &secret,
        &http_client(Duration::from_secs(10)),
        &bases,
        now(),
    )
    .await
}

#[tokio::test]
async fn hubspot_s_consent_fills_both_tokens_and_the_client() {
    let fake = FakeProviders::start(ProvidersConfig::default()).await.expect("fake");
    let done = consent(
        &fake,
        &HUBSPOT,
        &FormValues::new(),
        ("hubspot-client", "hubspot-secret"),
        "http://localhost:47615/callback",
    )
    .await
    .expect("consented");
    assert!(param(&done, "accessToken").is_some_and(|p| p.secret && !p.value.is_empty()));
    assert!(param(&done, "refreshToken").is_some_and(|p| p.secret));
    assert!(param(&done, "clientSecret").is_some_and(|p| p.secret && p.value.expose() == "hubspot-secret"));
    assert!(param(&done, "clientId").is_some_and(|p| !p.secret && p.value.expose() == "hubspot-client"));
    // Thirty-minute access tokens, counted from the answer.
    let Expiry::At { unix_seconds } = done.reading.access_expiry else { panic!("{:?}", done.reading) };
    assert!((1_700..=1_900).contains(&(unix_seconds - now())), "{unix_seconds}");
    assert_eq!(fake.live_refresh_tokens("hubspot").len(), 1);
    // The token request carried the PKCE verifier and the client in its form body.
    let token =
        fake.requests().into_iter().find(|r| r.path.ends_with("/oauth/v1/token")).expect("token request");
    for key in ["code", "code_verifier", "client_id", "client_secret", "redirect_uri", "grant_type"] {
        assert!(token.body_keys.iter().any(|k| k == key), "{key} in {:?}", token.body_keys);
    }
}

#[tokio::test]
async fn zendesk_s_tokens_come_from_the_subdomain_s_host_with_pkce() {
    let fake = FakeProviders::start(ProvidersConfig::default()).await.expect("fake");
    let form = FormValues::from([("subdomain".to_owned(), Secret::new("https://acme.zendesk.com"))]);
    let done = consent(
        &fake,
        &ZENDESK,
        &form,
        ("zendesk-client", "zendesk-secret"),
        "http://127.0.0.1:47615/callback",
    )
    .await
    .expect("consented");
    assert!(param(&done, "accessToken").is_some());
    assert_eq!(done.reading.refresh, RefreshOutcome::Rotated, "Zendesk rotates its refresh tokens");
    assert!(matches!(done.reading.refresh_expiry, Expiry::At { .. }), "refresh_token_expires_in is read");
    let authorize =
        fake.requests().into_iter().find(|r| r.path.ends_with("/authorizations/new")).expect("consent");
    assert_eq!(authorize.query("code_challenge_method"), Some("S256"));
    // A subdomain that would move the host is refused before anything is sent.
    let evil = FormValues::from([("subdomain".to_owned(), Secret::new("evil.com/x"))]);
    let refused =
        begin(&ZENDESK, &evil, "id", &[], "http://127.0.0.1:47615/callback", &bases(&fake)).unwrap_err();
    assert!(matches!(refused, EngineError::Provider(_)), "{refused:?}");
}

#[tokio::test]
async fn square_comes_back_by_paste_and_its_expires_at_is_read() {
    let fake = FakeProviders::start(ProvidersConfig::default()).await.expect("fake");
    let redirect = "https://flow-connect.example/square/callback";
    let bases = bases(&fake);
    let pending = begin(&SQUARE, &FormValues::new(), "square-client", &[], redirect, &bases).expect("begun");
    let landed = allow(&pending.url).await;
    assert!(landed.as_str().starts_with(redirect), "the browser ends on the user's https page");
    // The user pastes the address the browser ended on.
    let pasted = callback_from_paste(landed.as_str(), pending.state()).expect("a code");
    let http = http_client(Duration::from_secs(10));
    let done = finish(pending, pasted, "square-client", &Secret::new("square-secret"), &http, &bases, now())
        .await
        .expect("consented");
    let Expiry::At { unix_seconds } = done.reading.access_expiry else { panic!("{:?}", done.reading) };
    let days = (unix_seconds - now()) / 86_400;
    assert!((29..=30).contains(&days), "30 days from expires_at: {days}");
    // Square's wrong secret is told in Square's words.
    let pending = begin(&SQUARE, &FormValues::new(), "square-client", &[], redirect, &bases).expect("begun");
    let landed = allow(&pending.url).await;
    let refused =
        finish(pending, callback_of(&landed), "square-client", &Secret::new("wrong"), &http, &bases, now())
            .await
            .unwrap_err();
    let EngineError::Refused { status, message, .. } = &refused else { panic!("{refused:?}") };
    assert_eq!(*status, 401);
    assert!(message.contains("UNAUTHORIZED"), "{message}");
    assert!(!refused.to_string().contains("wrong"), "the secret sent is never in the message");
    // An http redirect is refused before Square is asked.
    let http_redirect =
        begin(&SQUARE, &FormValues::new(), "square-client", &[], "http://127.0.0.1:1/", &bases);
    assert_eq!(http_redirect.unwrap_err(), EngineError::HttpsRedirectNeeded { provider: "Square" });
}

#[tokio::test]
async fn mailchimp_s_token_never_expires_and_its_data_centre_fills_the_host() {
    let fake = FakeProviders::start(ProvidersConfig::default()).await.expect("fake");
    let done = consent(
        &fake,
        &MAILCHIMP,
        &FormValues::new(),
        ("mailchimp-client", "mailchimp-secret"),
        "http://127.0.0.1:47615/callback",
    )
    .await
    .expect("consented");
    assert_eq!(done.reading.access_expiry, Expiry::Never, "expires_in: 0 is never, for Mailchimp");
    let host = param(&done, "host").expect("the host filled");
    assert_eq!(host.value.expose(), "https://us19.api.mailchimp.com");
    assert!(!host.secret);
    let metadata = fake.requests().into_iter().find(|r| r.path.ends_with("/oauth2/metadata"));
    assert!(metadata.is_some(), "the data centre was asked for");
}

#[tokio::test]
async fn a_declined_consent_and_a_stale_answer_are_told_apart() {
    let fake = FakeProviders::start(ProvidersConfig { deny: true, ..ProvidersConfig::default() })
        .await
        .expect("fake");
    let bases = bases(&fake);
    let http = http_client(Duration::from_secs(10));
    let pending =
        begin(&HUBSPOT, &FormValues::new(), "hubspot-client", &[], "http://localhost:47615/callback", &bases)
            .unwrap();
    let landed = allow(&pending.url).await;
    let secret = Secret::new("hubspot-secret");
    let declined =
        finish(pending, callback_of(&landed), "hubspot-client", &secret, &http, &bases, now()).await;
    assert_eq!(declined.unwrap_err(), EngineError::AccessDenied { provider: "HubSpot" });
    let pending =
        begin(&HUBSPOT, &FormValues::new(), "hubspot-client", &[], "http://localhost:47615/callback", &bases)
            .unwrap();
    let stale = Callback::Code { code: Secret::new("x"), state: "another sign-in".into() };
    let refused = finish(pending, stale, "hubspot-client", &secret, &http, &bases, now()).await;
    assert_eq!(refused.unwrap_err(), EngineError::StateMismatch);
}

/// The whole session for a registered-redirect provider: Flow Connect listens on the one
/// registered address, and the browser's redirect lands there.
#[tokio::test]
async fn a_session_listens_at_the_registered_address_and_finishes_from_the_browser() {
    let fake = FakeProviders::start(ProvidersConfig::default()).await.expect("fake");
    let setup = SessionSetup {
        provider: &ZENDESK,
        values: FormValues::from([("subdomain".to_owned(), Secret::new("acme"))]),
        client_id: "zendesk-client".into(),
        client_secret: Secret::new("zendesk-secret"),
        scopes: vec!["read".into()],
        https_redirect: None,
        bases: bases(&fake),
    };
    let (handle, run) = engine::open(setup).await.expect("listening");
    assert_eq!(handle.redirect_uri(), "http://127.0.0.1:47615/callback");
    assert!(handle.paste_only().is_none());
    let consent_url = handle.url().clone();
    let http = http_client(Duration::from_secs(10));
    let waiting = tokio::spawn(async move { run.finish(Duration::from_secs(10), &http, now).await });
    let landed = allow(&consent_url).await;
    let browser = reqwest::Client::new();
    let page = browser.get(landed).send().await.expect("the redirect reaches Flow Connect");
    assert_eq!(page.status().as_u16(), 200);
    let done = waiting.await.expect("joined").expect("consented");
    assert!(param(&done, "accessToken").is_some());
    assert_eq!(fake.live_refresh_tokens("zendesk").len(), 1);
}

/// Checks before create: Salesforce's client credentials are tried at the instance the form
/// names, and each refusal comes back in Salesforce's words.
#[tokio::test]
async fn salesforce_client_credentials_are_checked_at_the_instance_the_form_names() {
    use flow_connect_core::oauth::client_check::{check_for, CheckError};
    let fake = FakeProviders::start(ProvidersConfig::default()).await.expect("fake");
    let salesforce = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5";
    let check =
        check_for(salesforce, ["environmentUrl", "clientId", "clientSecret", "apiVersion"]).expect("a check");
    let form = |secret: &str| -> FormValues {
        [
            // A My Domain is an origin: the fake answers Salesforce's path at its root too.
            ("environmentUrl", fake.url()),
            ("clientId", "salesforce-client".to_owned()),
            ("clientSecret", secret.to_owned()),
            ("apiVersion", "60.0".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Secret::new(v)))
        .collect()
    };
    let http = http_client(Duration::from_secs(10));
    let bases = ProviderBases::default();
    assert_eq!(check.token_url(&form("x"), &bases).expect("url").path(), "/services/oauth2/token");
    check.run(&form("salesforce-secret"), &http, &bases).await.expect("the right client passes");
    let refused = check.run(&form("wrong-secret"), &http, &bases).await.unwrap_err();
    let CheckError::Refused { status, message, .. } = &refused else { panic!("{refused:?}") };
    assert_eq!(*status, 400);
    assert_eq!(message, "invalid_client: invalid client credentials");
    assert!(!refused.to_string().contains("wrong-secret"), "the secret sent is never in the message");
    let token =
        fake.requests().into_iter().find(|r| r.path.ends_with("/services/oauth2/token")).expect("asked");
    assert!(token.body_keys.iter().any(|k| k == "client_secret"));
}
