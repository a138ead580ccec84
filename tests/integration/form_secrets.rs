//! Secrets a form holds by reference: kept in the keychain (the test keychain, `TestStore`),
//! bound to the source and fields they were made for, copied into a profile and then deleted,
//! swept at the next start, and never accepted in an imported profile.

use std::sync::Arc;

use fakes::Scratch;
use flow_connect_core::catalog::{builtin_source, secrets, FormValues};
use flow_connect_core::operations::form_secrets;
use flow_connect_core::profiles::{ProfileBook, ProfileDraft, ProfileError};
use flow_connect_core::secrets::credentials::{CredentialsError, SecretSets, StoredSecrets};
use flow_connect_core::secrets::vault::Vault;
use flow_connect_core::Secret;

const BIGQUERY: &str = flow_connect_core::catalog::BIGQUERY_SPEC_ID;
const ORACLE: &str = "d6b52d86-f0f8-475f-89d4-ce54c8527328";

struct Folder(Scratch);

impl Folder {
    fn new() -> Self {
        Self(Scratch::new("sets"))
    }

    fn vault(&self) -> Arc<Vault> {
        self.0.vault()
    }

    /// The sets and profiles as a (re)started app opens them.
    fn open(&self) -> (SecretSets, ProfileBook) {
        let sets = SecretSets::open(self.0.dir.join("secret-sets.json"), self.vault());
        let (profiles, _) =
            ProfileBook::open(self.0.dir.join("profiles.json"), self.vault()).expect("profiles");
        (sets, profiles)
    }
}

#[tokio::test]
async fn a_set_fills_only_the_secret_fields_of_the_source_it_was_made_for() {
    let folder = Folder::new();
    let (sets, profiles) = folder.open();
    let bigquery = builtin_source(BIGQUERY).expect("BigQuery").clone();
    let oracle = builtin_source(ORACLE).expect("Oracle").clone();
    let vault = folder.vault();
    let stored = form_secrets::extend(
        None,
        &bigquery,
        &sets,
        &profiles,
        &vault,
        vec![("clientSecret".into(), Secret::new("GOCSPX-imported"))],
    )
    .await
    .expect("kept");
    assert_eq!(stored.fields, ["clientSecret"]);
    assert!(!std::fs::read_to_string(folder.0.dir.join("secret-sets.json"))
        .expect("index")
        .contains("GOCSPX"));

    let mut values = FormValues::new();
    form_secrets::fill(&stored, &bigquery, &sets, &profiles, &vault, &mut values).await.expect("filled");
    assert_eq!(values["clientSecret"].expose(), "GOCSPX-imported");

    let mut elsewhere = FormValues::new();
    let err = form_secrets::fill(&stored, &oracle, &sets, &profiles, &vault, &mut elsewhere).await;
    assert_eq!(err, Err(CredentialsError::UnknownSet), "another source's form cannot use it");
    let widened = StoredSecrets { fields: vec!["clientSecret".into(), "projectId".into()], ..stored.clone() };
    let err = form_secrets::fill(&widened, &bigquery, &sets, &profiles, &vault, &mut FormValues::new()).await;
    assert_eq!(err, Err(CredentialsError::NotAllowed { field: "projectId".into() }));
    let account = StoredSecrets { set: "account/x".into(), fields: vec!["clientSecret".into()] };
    let err = form_secrets::fill(&account, &bigquery, &sets, &profiles, &vault, &mut FormValues::new()).await;
    assert_eq!(err, Err(CredentialsError::UnknownSet), "an account's secret is out of reach");
    let not_secret = form_secrets::extend(
        None,
        &bigquery,
        &sets,
        &profiles,
        &vault,
        vec![("project".into(), Secret::new("p"))],
    )
    .await;
    assert_eq!(not_secret, Err(CredentialsError::NotAllowed { field: "project".into() }));
}

fn bigquery_draft(stored: StoredSecrets) -> ProfileDraft {
    let mut values = FormValues::new();
    values.insert("project".into(), "acme-analytics".into());
    values.insert("clientId".into(), "1.apps.googleusercontent.com".into());
    ProfileDraft {
        id: None,
        name: "BigQuery".into(),
        spec_id: BIGQUERY.into(),
        spec_name: "Basic Authentication".into(),
        source_name: "Google BigQuery".into(),
        connection_name: "BQ".into(),
        description: String::new(),
        values,
        stored: Some(stored),
        account_id: None,
        sandbox: None,
    }
}

#[tokio::test]
async fn a_consent_set_copied_into_a_profile_is_gone_from_the_keychain_and_the_rest_is_swept_at_start() {
    let folder = Folder::new();
    let (sets, profiles) = folder.open();
    let bigquery = builtin_source(BIGQUERY).expect("BigQuery").clone();
    let vault = folder.vault();
    let consent = form_secrets::extend(
        None,
        &bigquery,
        &sets,
        &profiles,
        &vault,
        vec![("clientSecret".into(), Secret::new("GOCSPX-c")), ("refreshToken".into(), Secret::new("1//r"))],
    )
    .await
    .expect("kept");
    let secrets = secrets::secret_fields_of(&bigquery);
    let profile = profiles.save(bigquery_draft(consent.clone()), &secrets).await.expect("saved");
    sets.discard(&consent.set).await.expect("discarded");
    let profile_keys: Vec<String> = ["clientSecret", "refreshToken"]
        .iter()
        .map(|f| StoredSecrets::key(&profile.secret_set(), f))
        .collect();
    let mut expected = profile_keys.clone();
    expected.sort();
    assert_eq!(folder.0.keychain.keys(), expected, "only the profile's copies are left");

    // A consent whose form was closed without saving is left until the next start.
    let abandoned = form_secrets::extend(
        None,
        &bigquery,
        &sets,
        &profiles,
        &vault,
        vec![("refreshToken".into(), Secret::new("1//left"))],
    )
    .await
    .expect("kept");
    assert!(folder.0.keychain.keys().iter().any(|k| k.starts_with(&abandoned.set)));
    drop((sets, profiles));
    let (sets, _) = folder.open();
    assert_eq!(sets.sweep().await.expect("swept"), 1);
    assert_eq!(folder.0.keychain.keys(), expected, "the abandoned set is gone, the profile's stay");
    assert!(sets.sets().await.is_empty());
}

#[tokio::test]
async fn new_tokens_for_a_profile_form_land_in_one_set_with_the_profile_s_other_secrets() {
    let folder = Folder::new();
    let (sets, profiles) = folder.open();
    let bigquery = builtin_source(BIGQUERY).expect("BigQuery").clone();
    let vault = folder.vault();
    let imported = form_secrets::extend(
        None,
        &bigquery,
        &sets,
        &profiles,
        &vault,
        vec![("clientSecret".into(), Secret::new("GOCSPX-p"))],
    )
    .await
    .expect("kept");
    let secrets = secrets::secret_fields_of(&bigquery);
    let profile = profiles.save(bigquery_draft(imported), &secrets).await.expect("saved");
    let opened = profiles.open_profile(&profile.id).await.expect("opened");

    let renewed = form_secrets::extend(
        Some(&opened.stored),
        &bigquery,
        &sets,
        &profiles,
        &vault,
        vec![("refreshToken".into(), Secret::new("1//new"))],
    )
    .await
    .expect("kept");
    assert!(renewed.set.starts_with("consent/"), "the profile's own set is not written behind its back");
    let mut values = FormValues::new();
    form_secrets::fill(&renewed, &bigquery, &sets, &profiles, &vault, &mut values).await.expect("filled");
    assert_eq!(values["clientSecret"].expose(), "GOCSPX-p");
    assert_eq!(values["refreshToken"].expose(), "1//new");
}

#[tokio::test]
async fn an_imported_profile_holding_a_secret_value_is_refused_with_the_field_named() {
    let folder = Folder::new();
    let (_, profiles) = folder.open();
    let with_secret = r#"{"flowConnectProfiles":1,"profiles":[{"name":"Leaky","specId":"eb13cb25-47ab-407f-ba89-c0125281c563","specName":"Basic Authentication","sourceName":"ServiceNow","connectionName":"c","values":{"endpoint":"https://a.service-now.com","password":"hunter2"},"secretFields":[]}]}"#;
    let err = profiles.import(with_secret).await.expect_err("refused");
    assert_eq!(err, ProfileError::SecretInImport { profile: "Leaky".into(), field: "password".into() });
    assert!(err.to_string().contains("password") && !err.to_string().contains("hunter2"));
    let unknown_source =
        with_secret.replace("eb13cb25-47ab-407f-ba89-c0125281c563", "0000").replace("password", "apiToken");
    let err = profiles.import(&unknown_source).await.expect_err("refused by its name");
    assert!(matches!(err, ProfileError::SecretInImport { ref field, .. } if field == "apiToken"), "{err:?}");
    assert!(profiles.list("").await.is_empty(), "nothing was imported");
}
