//! The consent door, driven directly against the fake Google on loopback: a form's consent
//! kept in the keychain, then verified and revoked (the stored copy forgotten); a profile's
//! consent, as the terminal runs it, ending with the tokens in the profile, the consent's own
//! set deleted and the token's date recorded; and what the door refuses before sending anything.

use fakes::{FakeGoogle, GoogleConfig, Scratch, TestStore};
use flow_connect_core::catalog::{FormValues, BIGQUERY_SCOPE, BIGQUERY_SPEC_ID};
use flow_connect_core::config::{
    Endpoints, GOOGLE_AUTH_URL_VAR, GOOGLE_REVOKE_URL_VAR, GOOGLE_TOKEN_URL_VAR,
};
use flow_connect_core::operations::failure::ErrorCode;
use flow_connect_core::operations::form_consent::{ProfileConsentRequest, Started};
use flow_connect_core::operations::{ConsentRequest, Operations, TokenCheck};
use flow_connect_core::profiles::ProfileDraft;
use flow_connect_core::secrets::credentials::StoredSecrets;
use flow_connect_core::secrets::vault::SecretStore;
use flow_connect_core::Secret;
use url::Url;

/// One process's doors over a data folder and a keychain service of the test's own, with
/// Google's endpoints on the fake.
struct Opened {
    ops: Operations,
    scratch: Scratch,
    /// The same keychain entries, read as another program would.
    keychain: TestStore,
}

fn open(google: &FakeGoogle, what: &str) -> Opened {
    assert!(
        fakes::in_private_keyring(),
        "this test writes to the system keychain: run it under scripts/private-session.sh's in_keyring"
    );
    let scratch = Scratch::new(what);
    let service = format!("io.flowconnect.test.seam.{}", uuid::Uuid::new_v4());
    let endpoints = Endpoints::from_lookup(|var| match var {
        GOOGLE_AUTH_URL_VAR => Some(google.auth_url()),
        GOOGLE_TOKEN_URL_VAR => Some(google.token_url()),
        GOOGLE_REVOKE_URL_VAR => Some(google.revoke_url()),
        _ => None,
    })
    .expect("loopback endpoints are accepted");
    let (ops, _) = Operations::open(endpoints, &service, &scratch.dir).expect("opened");
    Opened { ops, scratch, keychain: TestStore::new(service) }
}

impl Opened {
    fn secret(&self, set: &str, field: &str) -> Option<String> {
        let held = self.keychain.get(&StoredSecrets::key(set, field)).expect("the keychain answers");
        held.map(|s| s.expose().to_owned())
    }
}

/// The user's browser: opens the consent page and follows Google's redirect to the listener.
async fn browse(started: &Started) {
    assert!(started.paste_only.is_none(), "the loopback listener is up");
    let url = Url::parse(&started.url).expect("the consent page");
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let consent = browser.get(url).send().await.expect("consent page");
    assert_eq!(consent.status().as_u16(), 302);
    let location = consent.headers()["location"].to_str().expect("location").to_owned();
    let landed = browser.get(location).send().await.expect("the redirect reaches the listener");
    assert_eq!(landed.status().as_u16(), 200);
}

fn form_request(config: &GoogleConfig) -> ConsentRequest {
    ConsentRequest {
        spec_id: BIGQUERY_SPEC_ID.into(),
        provider: None,
        client_id: config.client_id.clone(),
        client_secret: Secret::new(config.client_secret.clone()),
        scopes: BIGQUERY_SCOPE.into(),
        redirect_uri: None,
        stored: None,
        account_id: None,
        provider_id: None,
        values: FormValues::new(),
        https_redirect: None,
    }
}

fn token_check(config: &GoogleConfig, spec_name: &str, stored: Option<StoredSecrets>) -> TokenCheck {
    let mut values = FormValues::new();
    values.insert("clientId".into(), config.client_id.clone().into());
    values.insert("clientSecret".into(), config.client_secret.clone().into());
    TokenCheck { spec_id: BIGQUERY_SPEC_ID.into(), spec_name: spec_name.into(), values, stored }
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_form_s_consent_is_kept_in_the_keychain_verified_and_revoked() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake google");
    let opened = open(&google, "seam-consent");
    let consent = opened.ops.consent();
    let started = consent.begin(form_request(&config)).await.expect("begun");
    let (finished, ()) = tokio::join!(consent.finish(), browse(&started));
    let finished = finished.expect("finished");
    assert_eq!(finished.stored.fields, ["refreshToken"]);
    assert_eq!(finished.issued.as_ref().map(|i| i.client_id.as_str()), Some(config.client_id.as_str()));
    let token = opened.secret(&finished.stored.set, "refreshToken").expect("the token is in the keychain");
    assert!(token.starts_with("1//"), "a refresh token, kept and never answered");

    let check = token_check(&config, "Basic Authentication", Some(finished.stored.clone()));
    consent.verify(check).await.expect("Google takes the stored token");
    let check = token_check(&config, "Basic Authentication", Some(finished.stored.clone()));
    consent.revoke(check).await.expect("revoked");
    assert_eq!(google.revoked(), [token], "the stored token was the one revoked");
    assert_eq!(opened.secret(&finished.stored.set, "refreshToken"), None, "and its copy forgotten");
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_profile_s_consent_ends_with_the_tokens_in_the_profile_and_the_consent_s_set_gone() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake google");
    let opened = open(&google, "seam-consent-profile");
    let mut values = FormValues::new();
    values.insert("project".into(), "acme-analytics".into());
    values.insert("clientId".into(), config.client_id.clone().into());
    values.insert("clientSecret".into(), config.client_secret.clone().into());
    let draft = ProfileDraft {
        id: None,
        name: "BigQuery analytics".into(),
        spec_id: BIGQUERY_SPEC_ID.into(),
        spec_name: "Basic Authentication".into(),
        source_name: "Google BigQuery".into(),
        connection_name: "BigQuery".into(),
        description: String::new(),
        values,
        stored: None,
        account_id: None,
        sandbox: None,
    };
    let saved = opened.ops.profiles().save(draft).await.expect("saved");
    assert_eq!(saved.stored.fields, ["clientSecret"]);

    let consent = opened.ops.consent();
    let asked = ProfileConsentRequest { profile: "bigquery ANALYTICS".into(), ..Default::default() };
    let prepared = consent.for_profile(asked).await.expect("prepared");
    assert_eq!(prepared.token_url, google.token_url(), "the token address the terminal shows");
    let started = consent.begin_for_profile(&prepared).await.expect("begun");
    let (done, ()) = tokio::join!(consent.finish_for_profile(&prepared), browse(&started));
    let (kept, finished) = done.expect("kept in the profile");
    assert_eq!(kept.id, saved.profile.id);
    let mut fields = kept.secret_fields.clone();
    fields.sort();
    assert_eq!(fields, ["clientSecret", "refreshToken"]);
    let token = opened.secret(&saved.stored.set, "refreshToken").expect("in the profile's set");
    assert!(token.starts_with("1//"));
    assert_ne!(finished.stored.set, saved.stored.set, "the consent kept its tokens in a set of its own");
    assert_eq!(opened.secret(&finished.stored.set, "refreshToken"), None, "which is gone now");
    let origins =
        std::fs::read_to_string(opened.scratch.dir.join("connection-origins.json")).unwrap_or_default();
    assert!(origins.contains(&saved.profile.id) && origins.contains(&config.client_id), "{origins}");
    assert!(google.revoked().is_empty());
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn nothing_is_sent_for_a_paste_with_none_waiting_another_method_s_token_or_a_typed_method() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake google");
    let opened = open(&google, "seam-consent-refused");
    let consent = opened.ops.consent();
    let none =
        consent.paste(&Secret::new("http://127.0.0.1:1/?state=s&code=4/0late")).expect_err("none waiting");
    assert_eq!(none.code, ErrorCode::Validation);
    assert!(none.message.starts_with("No sign-in is waiting"), "{}", none.message);

    let mut check = token_check(&config, "Service Authentication", None);
    check.values.insert("refreshToken".into(), "1//typed".into());
    let refused = consent.revoke(check).await.expect_err("not Google's method");
    assert_eq!(refused.code, ErrorCode::Validation);
    let missing =
        consent.verify(token_check(&config, "Basic Authentication", None)).await.expect_err("no token");
    assert_eq!(missing.code, ErrorCode::Validation);
    assert!(missing.message.contains("refresh token"), "{}", missing.message);
    assert!(google.revoked().is_empty(), "nothing reached Google");

    let mut values = FormValues::new();
    values.insert("endpoint".into(), "https://acme.service-now.com".into());
    values.insert("password".into(), "pw".into());
    let draft = ProfileDraft {
        id: None,
        name: "ServiceNow".into(),
        spec_id: "eb13cb25-47ab-407f-ba89-c0125281c563".into(),
        spec_name: "Basic Authentication".into(),
        source_name: "ServiceNow".into(),
        connection_name: "SN".into(),
        description: String::new(),
        values,
        stored: None,
        account_id: None,
        sandbox: None,
    };
    opened.ops.profiles().save(draft).await.expect("saved");
    let asked = ProfileConsentRequest { profile: "ServiceNow".into(), ..Default::default() };
    let typed = consent.for_profile(asked).await.expect_err("its tokens are typed");
    assert_eq!(typed.code, ErrorCode::Validation);
    assert!(google.authorize_queries().is_empty(), "no consent page was asked for");
}
