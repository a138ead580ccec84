//! Profiles against the real keychain (the private gnome-keyring of the test command) and real
//! files: secrets only in the keychain, a corrupt file moved aside, an older file migrated,
//! deletes removing keychain entries, quick edits not losing one another, exports without
//! secrets, and listing without a single keychain call.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use fakes::{CountingStore, TestStore};
use flow_connect_core::catalog::secrets::secret_fields;
use flow_connect_core::catalog::{builtin_source, reconcile, FormValues};
use flow_connect_core::profiles::{ProfileBook, ProfileDraft, StoreNotice, SCHEMA_VERSION};
use flow_connect_core::secrets::credentials::StoredSecrets;
use flow_connect_core::secrets::vault::Vault;
use flow_connect_core::Secret;

const SERVICENOW: &str = "eb13cb25-47ab-407f-ba89-c0125281c563";

struct Setup {
    dir: PathBuf,
    keychain: CountingStore<TestStore>,
}

impl Setup {
    fn new() -> Self {
        let id = uuid::Uuid::new_v4();
        let dir = std::env::temp_dir().join(format!("flow-connect-profiles-{id}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let keychain = CountingStore::new(TestStore::new(format!("io.flowconnect.test.{id}")));
        Self { dir, keychain }
    }

    fn path(&self) -> PathBuf {
        self.dir.join("profiles.json")
    }

    /// A fresh vault without a cache, as after a restart.
    fn vault(&self) -> Arc<Vault> {
        Arc::new(Vault::new(self.keychain.clone()))
    }

    fn book(&self) -> (ProfileBook, Option<StoreNotice>) {
        ProfileBook::open(self.path(), self.vault()).expect("opened")
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn servicenow_secrets() -> Vec<String> {
    let source = builtin_source(SERVICENOW).expect("ServiceNow");
    secret_fields(&source.auth_methods[0])
}

fn draft(name: &str, password: &str) -> ProfileDraft {
    let mut values = FormValues::new();
    values.insert("endpoint".into(), "https://acme.service-now.com".into());
    values.insert("username".into(), "platform".into());
    values.insert("password".into(), Secret::new(password));
    ProfileDraft {
        id: None,
        name: name.into(),
        spec_id: SERVICENOW.into(),
        spec_name: "Basic Authentication".into(),
        source_name: "ServiceNow".into(),
        connection_name: "ServiceNow prod".into(),
        description: String::new(),
        values,
        stored: None,
        account_id: Some("acct-1".into()),
        sandbox: Some("prod".into()),
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("file")
}

#[tokio::test]
async fn secrets_go_to_the_keychain_and_come_back_after_a_restart() {
    let setup = Setup::new();
    let (book, notice) = setup.book();
    assert_eq!(notice, None);
    let saved =
        book.save(draft("ServiceNow – prod", "s3cret-password"), &servicenow_secrets()).await.expect("saved");
    assert_eq!(saved.secret_fields, ["password"]);
    let file = read(&setup.path());
    assert!(!file.contains("s3cret-password"), "the file holds no secret");
    assert!(
        file.contains("https://acme.service-now.com")
            && file.contains(&format!("\"schemaVersion\": {SCHEMA_VERSION}"))
    );
    drop(book);

    let (book, _) = setup.book();
    let opened = book.open_profile(&saved.id).await.expect("opened");
    assert_eq!(opened.missing, Vec::<String>::new());
    assert_eq!(
        opened.stored,
        StoredSecrets { set: format!("profile/{}", saved.id), fields: vec!["password".into()] }
    );
    let mut values = FormValues::new();
    opened.stored.fill(&setup.vault(), &mut values).await.expect("filled from the keychain");
    assert_eq!(values["password"].expose(), "s3cret-password");
    assert_eq!(opened.profile.values["username"], "platform");
}

#[tokio::test]
async fn listing_makes_no_keychain_call_and_opening_reads_only_its_own_secrets() {
    let setup = Setup::new();
    let (book, _) = setup.book();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            book.save(draft(&format!("Profile {i}"), &format!("pw-{i}")), &servicenow_secrets())
                .await
                .expect("saved")
                .id,
        );
    }
    drop(book);
    let (book, _) = setup.book();
    setup.keychain.reset();
    let all = book.list("").await;
    assert_eq!(all.len(), 5);
    assert_eq!(book.list("profile 3").await.len(), 1, "search by name");
    assert_eq!(setup.keychain.calls(), 0, "listing reads no secret");
    book.open_profile(&ids[2]).await.expect("opened");
    assert_eq!(setup.keychain.calls(), 1, "one secret field, one read");
    assert_eq!(book.list("").await[0].id, ids[2], "the profile used last comes first");
}

#[tokio::test]
async fn a_corrupt_file_is_moved_aside_and_the_book_stays_usable() {
    let setup = Setup::new();
    std::fs::write(setup.path(), b"{\"schemaVersion\": 2, \"profiles\": [ {\"id\": trunc").expect("written");
    let (book, notice) = setup.book();
    let Some(StoreNotice::MovedAside { moved_to, reason }) = notice else {
        panic!("moved aside: {notice:?}")
    };
    assert!(reason.contains("not valid JSON"), "{reason}");
    assert!(moved_to.file_name().expect("name").to_string_lossy().starts_with("profiles.json.unreadable-"));
    assert!(read(&moved_to).contains("trunc"), "the unreadable file is kept as it was");
    assert!(book.list("").await.is_empty());
    book.save(draft("After the repair", "pw"), &servicenow_secrets()).await.expect("usable");
    assert!(read(&setup.path()).contains("After the repair"));
}

#[tokio::test]
async fn a_file_from_an_older_version_is_migrated() {
    let setup = Setup::new();
    std::fs::write(
        setup.path(),
        br#"{"version": 1, "profiles": {"7d1c1a8e-3a34-4a9c-9a51-1f7a4a4b2c11": {
            "name": "Old ServiceNow", "source": "eb13cb25-47ab-407f-ba89-c0125281c563",
            "method": "Basic Authentication", "sourceName": "ServiceNow",
            "fields": {"endpoint": "https://old.service-now.com", "username": "legacy"},
            "secrets": ["password"]}}}"#,
    )
    .expect("written");
    let (book, notice) = setup.book();
    assert_eq!(notice, Some(StoreNotice::Migrated { from: 1 }));
    let listed = book.list("").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].name.as_str(), listed[0].values["username"].as_str()),
        ("Old ServiceNow", "legacy")
    );
    assert_eq!(listed[0].secret_fields, ["password"]);
    book.persist().await.expect("written back");
    assert!(read(&setup.path()).contains("\"schemaVersion\": 2"));
    // Its password was never in this keychain: opening asks for it.
    let opened = book.open_profile(&listed[0].id).await.expect("opened");
    assert_eq!(opened.missing, ["password"]);
}

#[tokio::test]
async fn deleting_a_profile_removes_its_keychain_entries() {
    let setup = Setup::new();
    let (book, _) = setup.book();
    let saved = book.save(draft("Doomed", "doomed-password"), &servicenow_secrets()).await.expect("saved");
    let key = StoredSecrets::key(&saved.secret_set(), "password");
    assert!(setup.vault().get(&key).await.expect("read").is_some());
    book.delete(&saved.id).await.expect("deleted");
    assert_eq!(setup.vault().get(&key).await.expect("read"), None, "the keychain entry is gone");
    assert!(book.list("").await.is_empty());
    assert!(!read(&setup.path()).contains("Doomed"));
}

#[tokio::test]
async fn quick_concurrent_edits_never_lose_one_another() {
    let setup = Setup::new();
    let (book, _) = setup.book();
    let book = Arc::new(book);
    let saved = book.save(draft("Base", "pw"), &servicenow_secrets()).await.expect("saved");
    let mut tasks = Vec::new();
    for i in 0..20 {
        let book = Arc::clone(&book);
        tasks.push(tokio::spawn(async move {
            book.save(draft(&format!("Quick {i}"), "pw"), &[]).await.expect("saved");
        }));
    }
    let renamer = Arc::clone(&book);
    let id = saved.id.clone();
    tasks.push(tokio::spawn(async move {
        renamer.rename(&id, "Base renamed").await.expect("renamed");
    }));
    for task in tasks {
        task.await.expect("joined");
    }
    drop(book);
    let (book, _) = setup.book();
    let names: Vec<String> = book.list("").await.into_iter().map(|p| p.name).collect();
    assert_eq!(names.len(), 21, "{names:?}");
    assert!(names.contains(&"Base renamed".to_owned()));
}

#[tokio::test]
async fn exports_carry_no_secret_and_imports_ask_for_them() {
    let setup = Setup::new();
    let (book, _) = setup.book();
    let saved = book.save(draft("Shared", "never-exported"), &servicenow_secrets()).await.expect("saved");
    let copy = book.duplicate(&saved.id).await.expect("duplicated");
    assert_eq!(copy.name, "Shared (copy)");
    let (exported, count) = book.export(std::slice::from_ref(&saved.id)).await;
    assert_eq!(count, 1);
    assert!(!exported.contains("never-exported"));
    assert!(!exported.contains(&saved.id) && !exported.contains("acct-1"), "no ids, no accounts");

    let other = Setup::new();
    let (team, _) = other.book();
    let imported = team.import(&exported).await.expect("imported");
    assert_eq!(imported.len(), 1);
    let opened = team.open_profile(&imported[0].id).await.expect("opened");
    assert_eq!(opened.missing, ["password"], "the importer is asked for the secret");
    assert_eq!(opened.profile.values["endpoint"], "https://acme.service-now.com");
    assert!(team.import("{\"something\": 1}").await.is_err());
}

/// A source the app knows only from its live spec, with a nested group: the Sources SDK
/// template's OAuth 2 (`generic-rest-extension`), here filled for a Zendesk API.
fn zendesk() -> flow_connect_core::catalog::Source {
    let spec = fakes::specs::other_sources()
        .iter()
        .find(|s| s["name"] == "generic-rest-extension")
        .expect("generic-rest-extension");
    reconcile(None, &serde_json::from_value(spec.clone()).expect("a connection spec"))
}

#[tokio::test]
async fn a_generated_source_s_profile_exports_its_nested_values_and_never_its_secrets() {
    let setup = Setup::new();
    let (book, _) = setup.book();
    let source = zendesk();
    let mut values = FormValues::new();
    values.insert("host".into(), "https://acme.zendesk.com".into());
    values.insert("clientId".into(), "zendesk-client".into());
    values.insert("accessToken".into(), Secret::new("zendesk-access-token"));
    values.insert("requestParameterOverride.accessTokenField".into(), "token".into());
    let secrets = flow_connect_core::catalog::secrets::secret_fields_of(&source);
    assert!(secrets.contains(&"accessToken".to_owned()) && !secrets.iter().any(|f| f.contains("Field")));
    let saved = book
        .save(
            ProfileDraft {
                id: None,
                name: "Zendesk".into(),
                spec_id: source.spec_id.clone(),
                spec_name: "OAuth2 Refresh Code".into(),
                source_name: source.display_name.clone(),
                connection_name: "Tickets".into(),
                description: String::new(),
                values,
                stored: None,
                account_id: None,
                sandbox: None,
            },
            &secrets,
        )
        .await
        .expect("saved");
    assert!(!read(&setup.path()).contains("zendesk-access-token"));
    let (exported, _) = book.export(std::slice::from_ref(&saved.id)).await;
    assert!(!exported.contains("zendesk-access-token"));
    let other = Setup::new();
    let (team, _) = other.book();
    let imported = team.import(&exported).await.expect("a nested value that names a token is no secret");
    let opened = team.open_profile(&imported[0].id).await.expect("opened");
    assert_eq!(opened.profile.values["requestParameterOverride.accessTokenField"], "token");
    assert_eq!(opened.missing, ["accessToken"]);
    let forged = exported.replace("\"clientId\"", "\"clientSecret\"");
    assert!(team.import(&forged).await.is_err(), "a value for a secret name is refused");
}

#[tokio::test]
async fn a_token_from_a_consent_is_copied_into_the_profile() {
    let setup = Setup::new();
    let vault = setup.vault();
    let consent = StoredSecrets::new_set("consent");
    vault.set(&StoredSecrets::key(&consent, "password"), Secret::new("from-consent")).await.expect("set");
    let (book, _) = setup.book();
    let mut with_consent = draft("From consent", "");
    with_consent.stored = Some(StoredSecrets { set: consent, fields: vec!["password".into()] });
    let saved = book.save(with_consent, &servicenow_secrets()).await.expect("saved");
    let key = StoredSecrets::key(&saved.secret_set(), "password");
    assert_eq!(
        setup.vault().get(&key).await.expect("read").map(|s| s.expose().to_owned()).as_deref(),
        Some("from-consent")
    );
}

#[tokio::test]
async fn a_failed_write_leaves_file_memory_and_keychain_as_they_were() {
    let setup = Setup::new();
    let (book, _) = setup.book();
    let kept = book.save(draft("Kept", "kept-password"), &servicenow_secrets()).await.expect("saved");
    let key = StoredSecrets::key(&kept.secret_set(), "password");
    let before = std::fs::read(setup.path()).expect("written");
    // A folder where the file should be: the rename fails, as on a full disk (the tests run as
    // root, for whom a read-only folder is no obstacle).
    std::fs::remove_file(setup.path()).expect("removed");
    std::fs::create_dir_all(setup.path().join("blocker")).expect("folder");

    let new = book.save(draft("Never saved", "never-password"), &servicenow_secrets()).await;
    // The folder in the file's place also fails the read every change makes first.
    use flow_connect_core::profiles::ProfileError;
    assert!(matches!(new, Err(ProfileError::Write { .. } | ProfileError::Refused(_))), "{new:?}");
    let edit = ProfileDraft { id: Some(kept.id.clone()), ..draft("Kept, edited", "changed-password") };
    book.save(edit, &servicenow_secrets()).await.expect_err("write fails");
    book.delete(&kept.id).await.expect_err("write fails");
    book.rename(&kept.id, "Renamed").await.expect_err("write fails");

    let listed = book.list("").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Kept", "memory is unchanged");
    let vault = setup.vault();
    assert_eq!(
        vault.get(&key).await.expect("read").map(|s| s.expose().to_owned()).as_deref(),
        Some("kept-password")
    );
    assert_eq!(
        setup.keychain.inner().keys(),
        vec![key],
        "no orphaned entry for the profile that was not saved"
    );

    std::fs::remove_dir_all(setup.path()).expect("unblocked");
    std::fs::write(setup.path(), &before).expect("restored");
    let (reopened, _) = setup.book();
    assert_eq!(reopened.list("").await[0].name, "Kept");
}
