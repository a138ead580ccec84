//! The profiles door, driven directly: a profile saved with its secret in the keychain (and
//! the save's answer naming the profile's own secret set), listed by page, renamed,
//! duplicated, exported and imported without secrets, and deleted with its keychain entries;
//! new secrets kept in a profile by the one rule of every save; and what the door refuses.

use std::sync::Arc;

use fakes::{Scratch, TestStore};
use flow_connect_core::catalog::secrets::secret_fields_for;
use flow_connect_core::catalog::{builtin_source, FormValues};
use flow_connect_core::config::Endpoints;
use flow_connect_core::operations::failure::ErrorCode;
use flow_connect_core::operations::{
    form_secrets, Operations, ProfileListRequest, ProfileUpdateError, RenameProfileRequest,
};
use flow_connect_core::profiles::{ProfileBook, ProfileDraft};
use flow_connect_core::secrets::credentials::{SecretSets, StoredSecrets};
use flow_connect_core::secrets::vault::{SecretStore, Vault};
use flow_connect_core::Secret;

const SERVICENOW: &str = "eb13cb25-47ab-407f-ba89-c0125281c563";
const ORACLE: &str = "d6b52d86-f0f8-475f-89d4-ce54c8527328";

/// One process's doors over a data folder and a keychain service of the test's own.
struct Opened {
    ops: Operations,
    scratch: Scratch,
    /// The same keychain entries, read as another program would.
    keychain: TestStore,
    service: String,
}

fn open(what: &str) -> Opened {
    assert!(
        fakes::in_private_keyring(),
        "this test writes to the system keychain: run it under scripts/private-session.sh's in_keyring"
    );
    let scratch = Scratch::new(what);
    let service = format!("io.flowconnect.test.seam.{}", uuid::Uuid::new_v4());
    let (ops, _) = Operations::open(Endpoints::default(), &service, &scratch.dir).expect("opened");
    Opened { ops, scratch, keychain: TestStore::new(service.clone()), service }
}

impl Opened {
    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.scratch.dir.join(name)).unwrap_or_default()
    }

    fn secret(&self, set: &str, field: &str) -> Option<String> {
        let held = self.keychain.get(&StoredSecrets::key(set, field)).expect("the keychain answers");
        held.map(|s| s.expose().to_owned())
    }

    /// A vault over the same keychain service, as another part of the app opens it.
    fn vault(&self) -> Arc<Vault> {
        Arc::new(Vault::new(TestStore::new(self.service.clone())))
    }
}

fn servicenow(name: &str, password: &str) -> ProfileDraft {
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
        account_id: None,
        sandbox: None,
    }
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_profile_is_saved_paged_renamed_duplicated_exported_imported_and_deleted() {
    let opened = open("seam-profiles");
    let profiles = opened.ops.profiles();
    let saved = profiles.save(servicenow("ServiceNow – prod", "pw-prod-1")).await.expect("saved");
    assert_eq!(saved.profile.secret_fields, ["password"]);
    assert_eq!(
        saved.stored,
        StoredSecrets { set: format!("profile/{}", saved.profile.id), fields: vec!["password".into()] },
        "the save names the profile's own secret set"
    );
    assert_eq!(opened.secret(&saved.stored.set, "password").as_deref(), Some("pw-prod-1"));
    assert!(!opened.file("profiles.json").contains("pw-prod-1"), "the file holds no secret");
    let test = profiles.save(servicenow("ServiceNow – test", "pw-test-2")).await.expect("saved");

    let page = profiles.list(&ProfileListRequest { query: String::new(), limit: Some(1) }).await;
    assert_eq!((page.profiles.len(), page.total), (1, 2), "a page of one, two in all");
    let found = profiles.list(&ProfileListRequest { query: "TEST".into(), limit: None }).await;
    assert_eq!(found.profiles.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), [test.profile.id.as_str()]);

    let request =
        RenameProfileRequest { id: saved.profile.id.clone(), name: "  ServiceNow – live ".into() };
    assert_eq!(profiles.rename(&request).await.expect("renamed").name, "ServiceNow – live");
    let copy = profiles.duplicate(&saved.profile.id).await.expect("duplicated");
    assert_ne!(copy.id, saved.profile.id);
    assert_eq!(opened.secret(&copy.secret_set(), "password").as_deref(), Some("pw-prod-1"));

    let export = opened.scratch.dir.join("export.json");
    assert_eq!(profiles.export_file(&export, &[]).await.expect("exported"), 3);
    let text = std::fs::read_to_string(&export).expect("written");
    assert!(!text.contains("pw-prod-1") && !text.contains("pw-test-2"), "{text}");
    let imported = profiles.import_file(&export).await.expect("imported");
    assert_eq!(imported.len(), 3);
    let reopened = profiles.open(&imported[0].id).await.expect("opened");
    assert_eq!(reopened.missing, ["password"], "an imported profile's secret is asked for");

    profiles.delete(&saved.profile.id).await.expect("deleted");
    assert_eq!(opened.secret(&saved.stored.set, "password"), None, "its keychain entry went with it");
    assert!(profiles.open(&saved.profile.id).await.is_err());
    assert_eq!(profiles.list(&ProfileListRequest::default()).await.total, 5);
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn the_door_refuses_a_method_the_source_lacks_and_never_discards_a_profile_s_own_secrets() {
    let opened = open("seam-profiles-refused");
    let profiles = opened.ops.profiles();
    let mut unknown = servicenow("Nowhere", "pw-never-kept");
    unknown.spec_name = "No such method".into();
    let refused = profiles.save(unknown).await.expect_err("no such method");
    assert_eq!(refused.code, ErrorCode::UnknownSource);
    assert_eq!(profiles.list(&ProfileListRequest::default()).await.total, 0, "nothing was saved");

    let saved = profiles.save(servicenow("ServiceNow", "pw-kept")).await.expect("saved");
    profiles.discard_secrets(&saved.stored).await.expect("a profile's set is left alone");
    assert_eq!(opened.secret(&saved.stored.set, "password").as_deref(), Some("pw-kept"));
    let forged = StoredSecrets { set: "profile/../../account".into(), fields: vec!["password".into()] };
    assert!(profiles.discard_secrets(&forged).await.is_err(), "a malformed set is refused");
    assert_eq!(opened.secret(&saved.stored.set, "password").as_deref(), Some("pw-kept"));
}

/// Renewing with "update the profile" (and `consent`) follows the one rule of every save: a
/// field the profile keeps in the keychain stays there even when the source's spec does not
/// mark it, and a profile of another source is refused.
#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_renewal_keeps_a_field_the_profile_lists_as_secret_in_the_keychain() {
    let opened = open("seam-profiles-update");
    let servicenow_source = builtin_source(SERVICENOW).expect("ServiceNow").clone();
    let instance_key = "instanceKey".to_owned();
    assert!(!form_secrets_of(&servicenow_source).contains(&instance_key));
    // A field an earlier spec marked secret: the profile (saved by an earlier version) keeps
    // it in the keychain.
    let (book, _) =
        ProfileBook::open(opened.scratch.dir.join("profiles.json"), opened.vault()).expect("book");
    let mut draft = servicenow("ServiceNow", "old-password");
    draft.values.insert(instance_key.clone(), "old-instance-key".into());
    let secrets = secret_fields_for(&servicenow_source, std::slice::from_ref(&instance_key));
    let profile = book.save(draft, &secrets).await.expect("saved");
    assert!(profile.secret_fields.contains(&instance_key));

    let mut typed = FormValues::new();
    typed.insert(instance_key.clone(), "new-instance-key".into());
    typed.insert("password".into(), "new-password".into());
    let profiles = opened.ops.profiles();
    let kept = profiles.update(&servicenow_source, &profile.id, &typed, None).await.expect("updated");
    assert!(kept.secret_fields.contains(&instance_key), "{:?}", kept.secret_fields);
    assert!(!kept.values.contains_key(&instance_key));
    let file = opened.file("profiles.json");
    assert!(!file.contains("instance-key") && !file.contains("new-password"), "{file}");
    assert_eq!(opened.secret(&profile.secret_set(), "instanceKey").as_deref(), Some("new-instance-key"));
    // The form opened from the profile is filled from the keychain with it too.
    let reopened = profiles.open(&profile.id).await.expect("opened");
    let sets = SecretSets::open(opened.scratch.dir.join("secret-sets.json"), opened.vault());
    let mut filled = FormValues::new();
    form_secrets::fill(&reopened.stored, &servicenow_source, &sets, &book, &opened.vault(), &mut filled)
        .await
        .expect("filled");
    assert_eq!(filled["instanceKey"].expose(), "new-instance-key");

    let oracle = builtin_source(ORACLE).expect("Oracle").clone();
    let refused = profiles.update(&oracle, &profile.id, &typed, None).await;
    assert!(matches!(refused, Err(ProfileUpdateError::OtherSource { .. })), "{refused:?}");
    let untouched = profiles.open(&profile.id).await.expect("still there").profile;
    assert_eq!(untouched.spec_id, SERVICENOW);
}

fn form_secrets_of(source: &flow_connect_core::catalog::Source) -> Vec<String> {
    flow_connect_core::catalog::secrets::secret_fields_of(source)
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_profile_opens_with_the_connection_name_a_create_from_it_gets() {
    let at = open("seam-profiles-name");
    let profiles = at.ops.profiles();
    let named = profiles.save(servicenow("Prod", "pw-1")).await.expect("saved").profile;
    let unnamed =
        profiles.save(ProfileDraft { connection_name: "  ".into(), ..servicenow("Stage", "pw-2") }).await;
    let unnamed = unnamed.expect("saved").profile;

    // The name it was given, else the profile's own: the CLI's `create --profile` rule too.
    assert_eq!(profiles.open(&named.id).await.expect("opened").profile.connection_name, "ServiceNow prod");
    assert_eq!(profiles.open(&unnamed.id).await.expect("opened").profile.connection_name, "Stage");
    let missing = profiles.open("no-such-profile").await.expect_err("refused");
    assert_eq!(missing.code, ErrorCode::NotFound);
}
