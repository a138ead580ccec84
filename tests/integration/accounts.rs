//! Signing in with an Adobe account against the fake IMS and sandbox management.

use std::time::Duration;

use fakes::{FakeConfig, FakePlatform};
use flow_connect_core::accounts::{sign_in, Account};
use flow_connect_core::flow::{http_client, FlowError};
use flow_connect_core::ims::{ImsError, DEFAULT_SCOPES};
use flow_connect_core::Secret;
use url::Url;

fn account(fake: &FakePlatform) -> Account {
    let config = fake.config();
    Account {
        id: "acct-1".into(),
        display_name: "Acme production org".into(),
        org_id: config.org_id,
        client_id: config.client_id,
        scopes: DEFAULT_SCOPES.into(),
        default_sandbox: None,
    }
}

async fn sign_in_with(
    fake: &FakePlatform,
    account: &Account,
    secret: &str,
) -> Result<flow_connect_core::accounts::SignedIn, FlowError> {
    let base = Url::parse(&fake.url()).expect("url");
    let http = http_client(Duration::from_secs(5));
    let tokens = account.token_provider(http.clone(), &base, Secret::new(secret));
    let client = account.client(http, &base, tokens, "");
    sign_in(account, &client).await
}

#[tokio::test]
async fn offers_active_sandboxes_with_the_default_preselected() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let acct = account(&fake);
    let signed_in = sign_in_with(&fake, &acct, &fake.config().client_secret).await.expect("signed in");
    let names: Vec<&str> = signed_in.sandboxes.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["prod", "dev-marketing"], "the deleted sandbox is not offered");
    assert_eq!(signed_in.preselected.as_deref(), Some("prod"));

    let listing =
        fake.requests().into_iter().find(|r| r.path.ends_with("sandbox-management/")).expect("listed");
    assert_eq!(listing.header("x-sandbox-name"), None, "no sandbox is chosen yet");
    assert_eq!(listing.header("accept"), Some("application/json"));

    let prefers_dev = Account { default_sandbox: Some("dev-marketing".into()), ..acct };
    let signed_in = sign_in_with(&fake, &prefers_dev, &fake.config().client_secret).await.expect("signed in");
    assert_eq!(signed_in.preselected.as_deref(), Some("dev-marketing"));
}

#[tokio::test]
async fn a_wrong_client_secret_says_where_to_copy_it_from() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let err = sign_in_with(&fake, &account(&fake), "not-the-secret").await.expect_err("refused");
    assert!(matches!(err, FlowError::Ims(ImsError::InvalidClient { .. })), "{err:?}");
    assert!(err.to_string().contains("Adobe Developer Console"));
    assert!(!err.to_string().contains("not-the-secret"));
}

#[tokio::test]
async fn an_unknown_org_points_at_the_org_id_and_product_profile() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let wrong_org = Account { org_id: "SOMEONEELSE@AdobeOrg".into(), ..account(&fake) };
    let err = sign_in_with(&fake, &wrong_org, &fake.config().client_secret).await.expect_err("refused");
    assert_eq!(err.api().and_then(|e| e.code.as_deref()), Some("403027"));
    assert!(err.to_string().contains("product profile"), "{err}");
}

#[test]
fn account_fields_are_checked_with_their_fix() {
    let blank = Account {
        id: String::new(),
        display_name: " ".into(),
        org_id: "12345".into(),
        client_id: String::new(),
        scopes: DEFAULT_SCOPES.into(),
        default_sandbox: None,
    };
    let fields: Vec<String> = blank.validate().into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["displayName", "orgId", "clientId"]);
}
