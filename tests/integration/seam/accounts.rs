//! The accounts door, driven directly: an account saved, signed in against the fake IMS and
//! sandbox management, picked by name and removed, with the data file and the keychain checked
//! as another program sees them; and what it refuses.

use fakes::{FakeConfig, FakePlatform};
use flow_connect_core::accounts::{Account, SignIn};
use flow_connect_core::adobe::ims::DEFAULT_SCOPES;
use flow_connect_core::operations::failure::ErrorCode;
use flow_connect_core::operations::SaveAccountRequest;
use flow_connect_core::secrets::vault::SecretStore;
use flow_connect_core::Secret;

use super::support::{open, Opened};

fn draft(fake: &FakePlatform, name: &str) -> Account {
    let config = fake.config();
    Account {
        id: String::new(),
        display_name: name.into(),
        org_id: config.org_id,
        client_id: config.client_id,
        scopes: DEFAULT_SCOPES.into(),
        default_sandbox: None,
        sign_in: SignIn::ClientCredentials,
        legacy_id: None,
    }
}

fn accounts_file(opened: &Opened) -> String {
    std::fs::read_to_string(opened.scratch.dir.join("accounts.json")).unwrap_or_default()
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn an_account_is_saved_signed_in_picked_by_name_and_removed_with_its_secret() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("the fake starts");
    let opened = open(&fake, "seam-accounts");
    let accounts = opened.ops.accounts();
    let secret = fake.config().client_secret;

    let request = SaveAccountRequest {
        account: draft(&fake, "  Acme production org "),
        client_secret: Some(Secret::new(secret.clone())),
    };
    let saved = accounts.save(request).await.expect("saved");
    assert!(uuid::Uuid::parse_str(&saved.id).is_ok(), "a new account gets a UUID: {}", saved.id);
    assert_eq!(saved.display_name, "Acme production org", "the name is trimmed");
    let key = format!("account/{}/clientSecret", saved.id);
    let kept = opened.keychain.get(&key).expect("the keychain answers").expect("the secret is kept");
    assert_eq!(kept.expose(), secret);
    let file = accounts_file(&opened);
    assert!(
        file.contains(&saved.id) && !file.contains(&secret),
        "the file names the account, never its secret"
    );
    assert_eq!(accounts.list(), vec![saved.clone()]);

    let signed_in = accounts.sign_in(&saved.id).await.expect("signed in");
    let names: Vec<&str> = signed_in.sandboxes.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["prod", "dev-marketing"], "active sandboxes, the default first");
    assert_eq!(signed_in.preselected.as_deref(), Some("prod"));
    let token =
        fake.requests().into_iter().find(|r| r.path.starts_with("/ims/token")).expect("IMS was asked");
    assert!(token.body.contains(&secret), "the keychain's secret signed in");
    let sandboxes = accounts.sandboxes(&saved.id).await.expect("listed");
    assert_eq!(sandboxes, signed_in.sandboxes);

    assert_eq!(accounts.pick(Some("ACME PRODUCTION ORG")).expect("by name").id, saved.id);
    assert_eq!(accounts.pick(None).expect("the only one").id, saved.id);

    let removed = accounts.remove(&saved.id).await.expect("removed");
    assert_eq!(removed.id, saved.id);
    assert_eq!(opened.keychain.get(&key).expect("the keychain answers"), None, "its secret is gone");
    assert!(!accounts_file(&opened).contains(&saved.id));
    assert!(accounts.list().is_empty());
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_secret_for_this_process_signs_in_instead_of_the_keychain_s_and_a_wrong_one_is_refused() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("the fake starts");
    let opened = open(&fake, "seam-accounts-secret");
    let accounts = opened.ops.accounts();
    let request = SaveAccountRequest {
        account: draft(&fake, "Acme"),
        client_secret: Some(Secret::new("stale-secret")),
    };
    let saved = accounts.save(request).await.expect("saved");

    let refused = accounts.sign_in(&saved.id).await.expect_err("IMS refuses the stored secret");
    assert_eq!(refused.code, ErrorCode::AdobeSignIn, "{}", refused.message);
    assert!(!refused.message.contains("stale-secret"), "no secret in an error");

    accounts.use_secret(&saved, Secret::new(fake.config().client_secret)).await.expect("used");
    accounts.sign_in(&saved.id).await.expect("the given secret signs in");
    let key = format!("account/{}/clientSecret", saved.id);
    let kept = opened.keychain.get(&key).expect("the keychain answers").expect("still kept");
    assert_eq!(kept.expose(), "stale-secret", "the keychain is left as it was");
    accounts.remove(&saved.id).await.expect("removed");
}

#[tokio::test]
async fn no_account_a_name_that_is_none_and_a_new_account_without_a_secret_are_refused() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("the fake starts");
    let opened = open(&fake, "seam-accounts-refused");
    let accounts = opened.ops.accounts();

    let none = accounts.pick(None).expect_err("no account yet");
    assert_eq!(none.code, ErrorCode::NotFound);
    assert!(none.message.contains("Add one first"), "{}", none.message);
    let unknown = accounts.pick(Some("Nobody")).expect_err("no such account");
    assert_eq!(unknown.code, ErrorCode::NotFound);
    assert!(unknown.message.contains("Nobody"), "{}", unknown.message);

    let request = SaveAccountRequest { account: draft(&fake, "Acme"), client_secret: None };
    let refused = accounts.save(request).await.expect_err("a new account needs its secret");
    assert_eq!(refused.code, ErrorCode::Validation);
    assert!(accounts.list().is_empty() && !accounts_file(&opened).contains("Acme"), "nothing was written");

    let gone = accounts.sign_in("0f0e0d0c-0000-4000-8000-000000000000").await.expect_err("no such account");
    assert_eq!(gone.code, ErrorCode::NotFound);
    assert!(fake.requests().is_empty(), "nothing was asked of Adobe");
}
