//! Adobe accounts: signing in against the fake IMS and sandbox management, and the account
//! book against real files and the test keychain (`fakes::TestStore`): crashes and failed
//! writes lose nothing, an older file is migrated, edits and removals reach the keychain.

use std::path::PathBuf;
use std::time::Duration;

use fakes::{FakeConfig, FakePlatform, Scratch};
use flow_connect_core::accounts::{sign_in, Account, AccountBook, AccountError, SignIn};
use flow_connect_core::adobe::flow::{http_client, FlowError};
use flow_connect_core::adobe::ims::{ImsError, DEFAULT_SCOPES};
use flow_connect_core::profiles::ProfileBook;
use flow_connect_core::secrets::vault::SecretStore;
use flow_connect_core::store::data_file::StoreNotice;
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
        sign_in: SignIn::ClientCredentials,
        legacy_id: None,
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
async fn an_account_with_a_pasted_access_token_signs_in_with_it_until_ims_refuses_it() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let config = fake.config();
    // A token issued by IMS for the credential, as Adobe Developer Console hands one out.
    let issued: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/ims/token/v3", fake.url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.as_str()),
            ("scope", DEFAULT_SCOPES),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let token = issued["access_token"].as_str().expect("access_token").to_owned();
    let pasted = Account { sign_in: SignIn::AccessToken, scopes: String::new(), ..account(&fake) };
    assert!(pasted.validate().is_empty(), "no scopes are asked for a pasted token");

    let before = fake.requests().iter().filter(|r| r.path == "/ims/token/v3").count();
    let signed_in = sign_in_with(&fake, &pasted, &token).await.expect("signed in");
    assert_eq!(signed_in.preselected.as_deref(), Some("prod"));
    let after = fake.requests().iter().filter(|r| r.path == "/ims/token/v3").count();
    assert_eq!(after, before, "a pasted token is used as it is, never exchanged");

    let err = sign_in_with(&fake, &pasted, "expired-token").await.expect_err("refused");
    assert!(matches!(err, FlowError::Ims(ImsError::PastedTokenRejected)), "{err:?}");
    assert!(err.to_string().contains("Paste a fresh token"));
    assert!(!err.to_string().contains("expired-token"));
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
        sign_in: SignIn::ClientCredentials,
        legacy_id: None,
    };
    let fields: Vec<String> = blank.validate().into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["displayName", "orgId", "clientId"]);
}

// ---- The account book -------------------------------------------------------------------

struct Folder(Scratch);

impl Folder {
    fn new() -> Self {
        Self(Scratch::new("accounts"))
    }

    fn path(&self) -> PathBuf {
        self.0.dir.join("accounts.json")
    }

    /// The book as a restarted app opens it: a fresh vault, no cache.
    fn open(&self) -> (AccountBook, Option<StoreNotice>) {
        AccountBook::open(self.path(), self.0.vault()).expect("opened")
    }

    fn secret(&self, key: &str) -> Option<String> {
        self.0.keychain.get(key).expect("keychain").map(|s| s.expose().to_owned())
    }
}

fn new_account(name: &str) -> Account {
    Account {
        id: String::new(),
        display_name: name.into(),
        org_id: "FAKE0RG000000000@AdobeOrg".into(),
        client_id: "fake-client-id".into(),
        scopes: DEFAULT_SCOPES.into(),
        default_sandbox: None,
        sign_in: SignIn::ClientCredentials,
        legacy_id: None,
    }
}

/// Makes the next write of `path` fail at the rename, as a full disk or a read-only folder
/// would (the tests run as root, for whom permissions do not fail): a folder in its place.
fn block_writes(path: &std::path::Path) -> Vec<u8> {
    let before = std::fs::read(path).expect("the file exists");
    std::fs::remove_file(path).expect("removed");
    std::fs::create_dir(path).expect("a folder instead");
    std::fs::write(path.join("keep"), b"x").expect("not empty");
    before
}

fn unblock_writes(path: &std::path::Path, before: &[u8]) {
    std::fs::remove_dir_all(path).expect("folder gone");
    std::fs::write(path, before).expect("file back");
}

#[tokio::test]
async fn accounts_survive_a_restart_with_uuid_ids_and_the_secret_only_in_the_keychain() {
    let folder = Folder::new();
    let (book, notice) = folder.open();
    assert_eq!(notice, None);
    let saved = book.save(new_account("Acme"), Some(Secret::new("s3cret-value"))).await.expect("saved");
    assert!(uuid::Uuid::try_parse(&saved.id).is_ok(), "{}", saved.id);
    let text = std::fs::read_to_string(folder.path()).expect("written");
    assert!(text.contains("\"schemaVersion\": 1") && text.contains("Acme"), "{text}");
    assert!(!text.contains("s3cret-value"));
    assert_eq!(folder.secret(&saved.secret_key()).as_deref(), Some("s3cret-value"));

    let (reopened, _) = folder.open();
    assert_eq!(reopened.list(), vec![saved]);
    let err = reopened.save(new_account("No secret"), None).await.expect_err("a new account needs one");
    assert_eq!(err, AccountError::NoSecret);
}

#[tokio::test]
async fn a_truncated_or_garbage_accounts_file_is_set_aside_and_nothing_else_is_lost() {
    for broken in [&br#"{"schemaVersion": 1, "accounts": [{"id": "2b1c"#[..], b"\x00\x9f garbage"] {
        let folder = Folder::new();
        let (book, _) = folder.open();
        let kept = book.save(new_account("Kept"), Some(Secret::new("kept-secret"))).await.expect("saved");
        let profiles = folder.0.dir.join("profiles.json");
        std::fs::write(&profiles, br#"{"schemaVersion":2,"profiles":[]}"#).expect("profiles");
        std::fs::write(folder.path(), broken).expect("a crash left this");

        let (book, notice) = folder.open();
        let Some(StoreNotice::MovedAside { moved_to, reason }) = notice else { panic!("told: {notice:?}") };
        assert_eq!(
            std::fs::read(&moved_to).expect("kept aside"),
            broken,
            "the broken file is kept for the user"
        );
        assert!(!reason.is_empty());
        assert!(book.list().is_empty());
        assert_eq!(
            folder.secret(&kept.secret_key()).as_deref(),
            Some("kept-secret"),
            "the keychain is untouched"
        );
        assert_eq!(std::fs::read(&profiles).expect("profiles"), br#"{"schemaVersion":2,"profiles":[]}"#);
        book.save(new_account("Again"), Some(Secret::new("x"))).await.expect("usable again");
        assert!(moved_to.exists(), "a new save does not overwrite what was set aside");
    }
}

#[tokio::test]
async fn the_store_plugin_s_accounts_file_is_migrated_with_its_secret_and_profiles() {
    let folder = Folder::new();
    std::fs::write(
        folder.path(),
        br#"{"accounts":[{"id":"acct-18b0c2","displayName":"Old","orgId":"FAKE0RG000000000@AdobeOrg","clientId":"c","scopes":"openid"}]}"#,
    )
    .expect("old file");
    folder.0.keychain.set("account/acct-18b0c2/clientSecret", &Secret::new("old-secret")).expect("old entry");
    let profiles_path = folder.0.dir.join("profiles.json");
    std::fs::write(
        &profiles_path,
        br#"{"schemaVersion":2,"profiles":[{"id":"p1","name":"P","specId":"s","specName":"m","sourceName":"S","connectionName":"c","values":{},"secretFields":[],"accountId":"acct-18b0c2","sandbox":null,"updatedAt":0,"lastUsedAt":0}]}"#,
    )
    .expect("profiles");

    let (book, notice) = folder.open();
    assert_eq!(notice, Some(StoreNotice::Migrated { from: 0 }));
    let account = book.list().remove(0);
    assert!(uuid::Uuid::try_parse(&account.id).is_ok());
    assert_eq!(book.find("acct-18b0c2").expect("the old id still finds it").id, account.id);
    assert_eq!(book.client_secret(&account).await.expect("readable before it moved").expose(), "old-secret");

    let vault = folder.0.vault();
    let (profiles, _) = ProfileBook::open(profiles_path.clone(), vault).expect("profiles");
    book.persist().await.expect("written back");
    profiles.rename_accounts(&book.migrated_ids()).await.expect("profiles renamed");
    book.finish_migration().await.expect("secret moved");

    assert_eq!(folder.secret(&format!("account/{}/clientSecret", account.id)).as_deref(), Some("old-secret"));
    assert_eq!(folder.secret("account/acct-18b0c2/clientSecret"), None, "the old entry is gone");
    let (reopened, notice) = folder.open();
    assert_eq!(notice, None, "the file is at the current version now");
    assert!(reopened.migrated_ids().is_empty());
    let text = std::fs::read_to_string(&profiles_path).expect("profiles");
    assert!(text.contains(&account.id) && !text.contains("acct-18b0c2"), "{text}");
}

#[tokio::test]
async fn a_failed_write_leaves_file_memory_and_keychain_as_they_were() {
    let folder = Folder::new();
    let (book, _) = folder.open();
    let first = book.save(new_account("First"), Some(Secret::new("first-secret"))).await.expect("saved");
    let before = block_writes(&folder.path());

    let err =
        book.save(new_account("Second"), Some(Secret::new("second-secret"))).await.expect_err("write fails");
    // The folder in the file's place also fails the read every change makes first.
    assert!(matches!(err, AccountError::Write { .. } | AccountError::Refused(_)), "{err:?}");
    let edited = Account { display_name: "Renamed".into(), ..first.clone() };
    book.save(edited, Some(Secret::new("rotated"))).await.expect_err("write fails");
    book.delete(&first.id).await.expect_err("write fails");

    assert_eq!(book.list(), vec![first.clone()], "memory is unchanged");
    assert_eq!(folder.secret(&first.secret_key()).as_deref(), Some("first-secret"), "the secret is restored");
    assert_eq!(
        folder.0.keychain.keys(),
        vec![first.secret_key()],
        "no orphaned entry for the account that was not saved"
    );
    unblock_writes(&folder.path(), &before);
    let (reopened, _) = folder.open();
    assert_eq!(reopened.list(), vec![first]);
}

#[tokio::test]
async fn an_edited_secret_signs_in_with_the_new_one_and_a_removed_account_leaves_no_entry() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let folder = Folder::new();
    let (book, _) = folder.open();
    let mut draft = account(&fake);
    draft.id.clear();
    let saved = book.save(draft, Some(Secret::new("the-old-rotated-secret"))).await.expect("saved");
    let old = book.client_secret(&saved).await.expect("stored");
    assert!(sign_in_with(&fake, &saved, old.expose()).await.is_err(), "the old secret is refused");

    let edited = Account { display_name: "Acme (rotated)".into(), ..saved.clone() };
    let edited = book.save(edited, Some(Secret::new(fake.config().client_secret))).await.expect("edited");
    assert_eq!(edited.id, saved.id);
    let secret = book.client_secret(&edited).await.expect("stored");
    sign_in_with(&fake, &edited, secret.expose()).await.expect("signs in with the new secret");

    let kept =
        book.save(Account { scopes: "openid,AdobeID".into(), ..edited.clone() }, None).await.expect("edited");
    assert_eq!(book.client_secret(&kept).await.expect("kept").expose(), fake.config().client_secret);

    book.delete(&edited.id).await.expect("removed");
    assert!(book.list().is_empty());
    assert_eq!(folder.secret(&edited.secret_key()), None, "no keychain entry is left");
    assert_eq!(book.find(&edited.id), Err(AccountError::NotFound));
}

#[tokio::test]
async fn every_client_of_an_account_shares_one_token_until_the_account_is_forgotten() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let folder = Folder::new();
    let (book, _) = folder.open();
    let saved =
        book.save(new_account("Acme"), Some(Secret::new(fake.config().client_secret))).await.expect("saved");
    let base = Url::parse(&fake.url()).expect("url");
    let http = http_client(Duration::from_secs(5));
    let cache = flow_connect_core::accounts::TokenCache::default();
    let tokens_issued = || fake.requests().iter().filter(|r| r.path == "/ims/token/v3").count();
    for sandbox in ["prod", "dev-marketing", "prod"] {
        let client = cache.client(&book, &saved, http.clone(), &base, &base, sandbox).await.expect("client");
        client.sandboxes().await.expect("listed");
    }
    assert_eq!(tokens_issued(), 1, "three clients, one sign-in");
    cache.forget(&saved.id);
    let client = cache.client(&book, &saved, http, &base, &base, "prod").await.expect("client");
    client.sandboxes().await.expect("listed");
    assert_eq!(tokens_issued(), 2, "a forgotten account signs in again");
}
