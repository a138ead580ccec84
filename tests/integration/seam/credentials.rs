//! Key material and the credentials door, driven directly against the fakes: a Snowflake key
//! pair made here that the fake reads and that works once the user has its public key; a
//! Salesforce JWT signed here, listed on the radar with its dataflows and renewed unattended
//! (PATCH over the etag, then Test) while a consent's item is left with what a person does;
//! Dynamics' service principal checked at the fake Entra; Google's token count and reuse.

use fakes::{FakeConfig, FakePlatform, FakeProviders, ProvidersConfig};
use flow_connect_core::adobe::flow::TestOutcome;
use flow_connect_core::catalog::FormValues;
use flow_connect_core::expiry::{ExpiringWhat, RenewedBy};
use flow_connect_core::oauth::client_check::TENANT_VALUE;
use flow_connect_core::oauth::engine::PROVIDER_BASES_VAR;
use flow_connect_core::operations::failure::ErrorCode;
use flow_connect_core::operations::{
    ConnectionRequest, ConnectionTarget, GoogleTokensRequest, JwtRequest, KeyFormRequest, MintRequest,
    RefreshCatalogRequest, RenewalResult, ReuseTokenRequest,
};
use flow_connect_core::profiles::ProfileDraft;
use flow_connect_core::secrets::credentials::StoredSecrets;
use flow_connect_core::store::origins::TokenIssue;
use flow_connect_core::Secret;

use super::support::{open, Opened};

const SNOWFLAKE: &str = "b2e08744-4f1a-40ce-af30-7abac3e23cf3";
const SALESFORCE: &str = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5";
const ZENDESK: &str = "0a27232b-2c6e-4396-b8c6-c9fc24e37ba4";
const DYNAMICS: &str = "38ad80fe-8b06-4938-94f4-d4ee80266b07";
const ONETRUST: &str = "cf16d886-c627-4872-9936-fb08d6cba8cc";
const DAY_MS: i64 = 86_400_000;

/// The provider bases are one environment variable for the whole test binary.
static BASES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn values(pairs: &[(&str, &str)]) -> FormValues {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), Secret::new(*v))).collect()
}

/// An account signed in with the fake's client, and the org's catalog fetched.
async fn signed_in(opened: &Opened, fake: &FakePlatform) -> String {
    let request = fake.account_request("Acme");
    let id = opened.ops.accounts().save(request).await.expect("saved").id;
    let refresh = RefreshCatalogRequest { account_id: id.clone(), sandbox: "prod".into() };
    opened.ops.catalog().refresh(&refresh).await.expect("the org's catalog");
    id
}

fn request(
    account_id: &str,
    spec_id: &str,
    spec_name: &str,
    name: &str,
    values: FormValues,
) -> ConnectionRequest {
    ConnectionRequest {
        account_id: account_id.into(),
        sandbox: "prod".into(),
        spec_id: spec_id.into(),
        spec_name: spec_name.into(),
        name: name.into(),
        description: String::new(),
        values,
        stored: None,
        allow_duplicate: None,
        profile_id: None,
        token: None,
        signed: None,
        secret_expires_at: None,
        minted: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_snowflake_key_pair_made_here_works_once_the_user_has_its_public_key() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let opened = open(&fake, "seam-key-pair");
    let account = signed_in(&opened, &fake).await;
    let form = values(&[
        ("account", "acme-analytics"),
        ("username", "LOADER"),
        ("warehouse", "LOAD_WH"),
        ("database", "SALES"),
        ("privateKeyPassphrase", "correct horse battery"),
    ]);
    let key_form = KeyFormRequest {
        account_id: account.clone(),
        spec_id: SNOWFLAKE.into(),
        spec_name: "KeyPair Authentication".into(),
        values: form.clone(),
        stored: None,
    };
    let made = opened.ops.connections().make_key_pair(&key_form).await.expect("a key pair");
    assert_eq!(made.stored.fields, ["privateKey"]);
    assert_eq!(made.statement, format!("ALTER USER LOADER SET RSA_PUBLIC_KEY='{}';", made.public.der_base64));
    assert!(made.public.fingerprint.starts_with("SHA256:"));
    // The private key is in the keychain, under the form's set, and nowhere in the answer.
    let key = StoredSecrets::key(&made.stored.set, "privateKey");
    assert!(opened.keychain.keys().contains(&key), "{:?}", opened.keychain.keys());
    assert!(!format!("{made:?}").contains("PRIVATE KEY"));

    let mut create = request(&account, SNOWFLAKE, "KeyPair Authentication", "Snowflake sales", form.clone());
    create.stored = Some(made.stored.clone());
    let created = opened.ops.connections().create(&create).await.expect("the fake reads the encrypted key");
    let target =
        ConnectionTarget { account_id: account.clone(), sandbox: "prod".into(), connection_id: created.id };
    // Until the administrator runs the statement, Snowflake refuses the key.
    assert_eq!(opened.ops.connections().test(&target).await.expect("tested"), TestOutcome::Failed);
    fake.register_snowflake_user("acme-analytics", "LOADER", &made.public.der_base64)
        .expect("ALTER USER run");
    assert_eq!(opened.ops.connections().test(&target).await.expect("tested"), TestOutcome::Passed);

    // A key that is not one is refused by the source at create, named, not echoed.
    let mut typed = form;
    typed.insert("privateKey".into(), Secret::new("bm90LWEta2V5"));
    let refused = opened
        .ops
        .connections()
        .create(&request(&account, SNOWFLAKE, "KeyPair Authentication", "Snowflake typed", typed))
        .await
        .unwrap_err();
    assert!(refused.message.contains("privateKey"), "{}", refused.message);
    assert!(!refused.message.contains("bm90LWEta2V5"), "{}", refused.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_signed_jwt_is_renewed_unattended_and_a_consent_is_left_to_a_person() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let opened = open(&fake, "seam-jwt");
    let account = signed_in(&opened, &fake).await;
    let form = values(&[
        ("clientId", "3MVG9-consumer-key"),
        ("clientSecret", "salesforce-consumer-secret"),
        ("instanceUrl", "https://acme.my.salesforce.com"),
    ]);
    let key_form = KeyFormRequest {
        account_id: account.clone(),
        spec_id: SALESFORCE.into(),
        spec_name: "OAuth2 JWT Token Credential".into(),
        values: form.clone(),
        stored: None,
    };
    let jwt = JwtRequest {
        form: key_form,
        subject: "integration@acme.example".into(),
        audience: "https://login.salesforce.com".into(),
        lifetime_days: 10,
        private_key: None,
        passphrase: None,
    };
    let signed = opened.ops.connections().sign_jwt(&jwt).await.expect("signed");
    let certificate = signed.certificate.clone().expect("a key made here comes with its certificate");
    fake.register_salesforce_certificate(&certificate).expect("uploaded to the connected app");
    assert_eq!(signed.stored.fields, ["jwtToken"]);
    let first_end = signed.signed.expires_at;
    let ten_days = flow_connect_core::dates::now_ms() + 10 * DAY_MS;
    assert!((ten_days - first_end).abs() < 60_000, "exp is ten days out");

    let mut create = request(&account, SALESFORCE, "OAuth2 JWT Token Credential", "Salesforce on AWS", form);
    create.stored = Some(signed.stored.clone());
    create.signed = Some(signed.signed.clone());
    let jwt_id = opened.ops.connections().create(&create).await.expect("created").id;
    fake.add_flows(&jwt_id, 2);

    // A Zendesk connection holding only an access token that ends in three days: a consent.
    let mut zendesk = request(
        &account,
        ZENDESK,
        "OAuth2 Refresh Code",
        "Zendesk tickets",
        values(&[("subdomain", "https://acme.zendesk.com"), ("accessToken", "zendesk-access")]),
    );
    zendesk.token = Some(TokenIssue {
        issued_at: flow_connect_core::dates::now_ms(),
        client_id: "zendesk-client".into(),
        expires_at: None,
        provider: Some("zendesk".into()),
        access_expires_at: Some(flow_connect_core::dates::now_ms() + 3 * DAY_MS),
    });
    let zendesk_id = opened.ops.connections().create(&zendesk).await.expect("created").id;

    let credentials = opened.ops.credentials();
    let listed = credentials.expiring_with_dataflows(Some(14 * DAY_MS)).await;
    let kinds: Vec<(&str, ExpiringWhat, RenewedBy)> =
        listed.iter().map(|e| (e.connection_id.as_str(), e.what, e.renewal)).collect();
    assert_eq!(
        kinds,
        [
            (zendesk_id.as_str(), ExpiringWhat::AccessToken, RenewedBy::Consent),
            (jwt_id.as_str(), ExpiringWhat::SignedJwt, RenewedBy::Unattended),
        ]
    );
    assert_eq!(listed[1].dataflows.as_ref().map(Vec::len), Some(2), "the JWT's connection feeds two flows");
    assert_eq!(listed[0].dataflows.as_ref().map(Vec::len), Some(0));

    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let before = fake.requests().len();
    let reports = credentials.renew_due(14 * DAY_MS).await;
    assert_eq!(reports.len(), 2, "{reports:?}");
    let RenewalResult::Renewed { expires_at, test, note } = &reports[1].result else { panic!("{reports:?}") };
    assert!(*expires_at > first_end, "a new exp");
    assert_eq!(*test, Some(TestOutcome::Passed), "{note:?}");
    let RenewalResult::NeedsPerson { next } = &reports[0].result else { panic!("{reports:?}") };
    assert!(next.contains("Credentials screen"), "{next}");
    // One PATCH, over the etag just read, then the test.
    let sent = &fake.requests()[before..];
    let patches: Vec<_> = sent.iter().filter(|r| r.method == "PATCH").collect();
    assert_eq!(patches.len(), 1, "{sent:?}");
    assert!(patches[0].path.ends_with(&format!("/connections/{jwt_id}")));
    assert!(patches[0].header("if-match").is_some_and(|etag| !etag.is_empty()));
    assert!(sent.iter().any(|r| r.path.ends_with(&format!("/connections/{jwt_id}/test"))));
    let again = credentials.expiring(None).await;
    let renewed = again.iter().find(|e| e.connection_id == jwt_id).expect("still tracked");
    assert_eq!(renewed.expires_at, *expires_at, "the new end is recorded");
    // Nothing in the reports or the radar carries the JWT or the secret.
    let shown = format!("{reports:?}{again:?}");
    assert!(!shown.contains("salesforce-consumer-secret") && !shown.contains("eyJ"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_dynamics_service_principal_is_checked_at_entra_in_the_tenant_typed() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let providers = FakeProviders::start(ProvidersConfig::default()).await.expect("providers");
    // The door reads the bases from the environment, like the window and the CLI. Each test
    // that does sets it under this lock, for as long as it runs.
    let _bases = BASES.lock().await;
    std::env::set_var(PROVIDER_BASES_VAR, providers.bases_var());
    let opened = open(&fake, "seam-entra");
    let account = signed_in(&opened, &fake).await;
    let entra = ProvidersConfig::default().entra;
    let check = |secret: &str, tenant: &str| {
        let mut form = values(&[
            ("serviceUri", "https://acme.crm.dynamics.com"),
            ("servicePrincipalId", &entra.client_id),
            ("servicePrincipalKey", secret),
        ]);
        form.insert(TENANT_VALUE.into(), Secret::new(tenant));
        request(&account, DYNAMICS, "Service Principal Key Based Authentication", "", form)
    };
    let connections = opened.ops.connections();
    let refused = connections.check_credentials(&check("wrong", &entra.tenant_id)).await.unwrap_err();
    assert!(refused.message.contains("AADSTS7000215"), "{}", refused.message);
    assert!(!refused.message.contains("wrong"), "{}", refused.message);
    let unknown =
        connections.check_credentials(&check(&entra.client_secret, "contoso.example")).await.unwrap_err();
    assert!(unknown.message.contains("AADSTS90002"), "{}", unknown.message);
    let bad = connections.check_credentials(&check(&entra.client_secret, "../common")).await.unwrap_err();
    assert_eq!(bad.code, ErrorCode::Validation);
    let passed =
        connections.check_credentials(&check(&entra.client_secret, &entra.tenant_domain)).await.expect("ok");
    assert!(passed.token_url.ends_with("/oauth2/v2.0/token"), "{}", passed.token_url);
    let sent = providers.requests();
    let token = sent.iter().rev().find(|r| r.path.ends_with("/oauth2/v2.0/token")).expect("sent");
    assert!(token.body_keys.iter().any(|k| k == "scope"));
    // Nothing reached Adobe.
    assert!(!fake.requests().iter().any(|r| r.method == "POST" && r.path.ends_with("/connections")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn google_s_tokens_are_counted_once_and_a_profile_s_is_reused_for_the_same_client_only() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let opened = open(&fake, "seam-google-tokens");
    let account = signed_in(&opened, &fake).await;
    let bigquery = flow_connect_core::catalog::BIGQUERY_SPEC_ID;
    let client = "1234-abc.apps.googleusercontent.com";
    let form = values(&[
        ("project", "acme-analytics"),
        ("clientId", client),
        ("clientSecret", "google-secret"),
        ("refreshToken", "1//saved-refresh-token"),
    ]);
    let draft = ProfileDraft {
        id: None,
        name: "BigQuery marketing".into(),
        spec_id: bigquery.into(),
        spec_name: "Basic Authentication".into(),
        source_name: "Google BigQuery".into(),
        connection_name: String::new(),
        description: String::new(),
        values: form.clone(),
        stored: None,
        account_id: Some(account.clone()),
        sandbox: None,
    };
    let saved = opened.ops.profiles().save(draft).await.expect("profile saved").profile;
    let issue = TokenIssue {
        issued_at: flow_connect_core::dates::now_ms() - DAY_MS,
        client_id: client.into(),
        expires_at: None,
        provider: None,
        access_expires_at: None,
    };
    let record = flow_connect_core::operations::RecordProfileTokenRequest {
        profile_id: saved.id.clone(),
        token: issue.clone(),
    };
    opened.ops.lifecycle().record_profile_token(&record).await.expect("recorded");
    let mut create = request(&account, bigquery, "Basic Authentication", "BigQuery one", form.clone());
    create.token = Some(issue.clone());
    opened.ops.connections().create(&create).await.expect("created");

    let consent = opened.ops.consent();
    let count = consent
        .google_tokens(&GoogleTokensRequest { spec_id: bigquery.into(), client_id: client.into() })
        .await;
    assert_eq!(count.live, 1, "the profile's and the connection's token is one token");
    assert_eq!(count.warning, None);
    assert_eq!(count.reusable.len(), 1);
    let reuse = |client_id: &str| ReuseTokenRequest {
        spec_id: bigquery.into(),
        profile_id: saved.id.clone(),
        client_id: client_id.into(),
        stored: None,
    };
    let taken = consent.reuse_token(&reuse(client)).await.expect("reused");
    assert_eq!(taken.stored.fields, ["refreshToken"]);
    assert_eq!(taken.issued, Some(issue));
    let other = consent.reuse_token(&reuse("other.apps.googleusercontent.com")).await.unwrap_err();
    assert_eq!(other.code, ErrorCode::Validation, "{}", other.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_onetrust_token_minted_here_is_minted_again_unattended() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    // A token that lives a day, so the renewal's end is later and inside a two-day window.
    let mut config = ProvidersConfig::default();
    config.onetrust.expires_in = 86_400;
    let providers = FakeProviders::start(config).await.expect("providers");
    let opened = open(&fake, "seam-onetrust");
    let account = signed_in(&opened, &fake).await;
    let _bases = BASES.lock().await;
    std::env::set_var(PROVIDER_BASES_VAR, providers.bases_var());
    let form = values(&[("host", "https://acme.my.onetrust.com")]);
    let mint = |secret: &str| MintRequest {
        form: KeyFormRequest {
            account_id: account.clone(),
            spec_id: ONETRUST.into(),
            spec_name: "OAuth2 Refresh Code".into(),
            values: form.clone(),
            stored: None,
        },
        client_id: "onetrust-client".into(),
        client_secret: Secret::new(secret),
    };
    let connections = opened.ops.connections();
    let refused = connections.mint_token(&mint("wrong")).await.unwrap_err();
    assert!(refused.message.contains("Bad client credentials"), "{}", refused.message);
    let minted = connections.mint_token(&mint("onetrust-secret")).await.expect("minted");
    assert_eq!(minted.stored.fields, ["accessToken"]);
    let first_end = minted.minted.expires_at.expect("OneTrust gives expires_in");
    let mut create = request(&account, ONETRUST, "OAuth2 Refresh Code", "OneTrust consents", form);
    create.stored = Some(minted.stored.clone());
    create.minted = Some(minted.minted.clone());
    let id = connections.create(&create).await.expect("created").id;

    let credentials = opened.ops.credentials();
    let listed = credentials.expiring(Some(2 * DAY_MS)).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!((listed[0].what, listed[0].renewal), (ExpiringWhat::AccessToken, RenewedBy::Unattended));
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let before = fake.requests().len();
    let reports = credentials.renew_due(2 * DAY_MS).await;
    let RenewalResult::Renewed { expires_at, test, .. } = &reports[0].result else { panic!("{reports:?}") };
    assert!(*expires_at > first_end);
    assert_eq!(*test, Some(TestOutcome::Passed));
    assert_eq!(providers.live_access_tokens("onetrust").len(), 2, "a second token was minted");
    let patched =
        fake.requests()[before..].iter().filter(|r| r.method == "PATCH").cloned().collect::<Vec<_>>();
    assert_eq!(patched.len(), 1, "one PATCH of the auth params");
    assert!(
        patched[0].path.ends_with(&format!("/connections/{id}")) && patched[0].header("if-match").is_some()
    );
    assert!(!format!("{reports:?}").contains("onetrust-secret"));
}
