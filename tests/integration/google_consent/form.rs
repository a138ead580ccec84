//! The form's consent, as the window and a terminal both run it: the token kept in a secret set,
//! and revoked at Google when nothing can keep it.

use std::time::Duration;

use fakes::{FakeGoogle, GoogleConfig};
use flow_connect_core::adobe::flow::http_client;
use flow_connect_core::catalog::{builtin_source, BIGQUERY_SCOPE};
use flow_connect_core::operations::form_consent;
use flow_connect_core::profiles::ProfileBook;
use flow_connect_core::secrets::credentials::{SecretSets, StoredSecrets};
use flow_connect_core::secrets::vault::SecretStore;
use flow_connect_core::Secret;
use url::Url;

use super::{bigquery_request, browse, endpoints};

/// A keychain that takes no writes, as a locked one refuses them.
struct RefusingStore;

impl flow_connect_core::secrets::vault::SecretStore for RefusingStore {
    fn get(&self, _: &str) -> Result<Option<Secret>, flow_connect_core::secrets::vault::VaultError> {
        Ok(None)
    }
    fn set(&self, _: &str, _: &Secret) -> Result<(), flow_connect_core::secrets::vault::VaultError> {
        Err(flow_connect_core::secrets::vault::VaultError::Refused { reason: "locked".into() })
    }
    fn delete(&self, _: &str) -> Result<(), flow_connect_core::secrets::vault::VaultError> {
        Ok(())
    }
}

/// Runs the BigQuery form's consent to the end with `vault` keeping the tokens.
async fn form_consent(
    google: &FakeGoogle,
    config: &GoogleConfig,
    vault: std::sync::Arc<flow_connect_core::secrets::vault::Vault>,
) -> Result<form_consent::Finished, form_consent::FormConsentError> {
    let scratch = fakes::Scratch::new("form-consent");
    let sets = SecretSets::open(scratch.dir.join("secret-sets.json"), vault.clone());
    let (profiles, _) =
        ProfileBook::open(scratch.dir.join("profiles.json"), vault.clone()).expect("profiles");
    let keychain = form_consent::Keychain { sets: &sets, profiles: &profiles, vault: &vault };
    let slot = form_consent::ConsentSlot::default();
    let request = form_consent::ConsentRequest {
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
    };
    let started = form_consent::begin(&slot, request, endpoints(google), keychain).await?;
    assert!(started.paste_only.is_none(), "the loopback listener is up");
    let url = Url::parse(&started.url).expect("the consent page");
    let browsing = tokio::spawn(async move { browse(&url).await });
    let finished =
        form_consent::finish(&slot, &http_client(Duration::from_secs(5)), &endpoints(google), keychain).await;
    browsing.await.expect("browsed");
    finished
}

#[tokio::test]
async fn a_form_consent_keeps_the_token_in_a_set_and_records_its_issue_without_it() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake google");
    let scratch = fakes::Scratch::new("form-consent-kept");
    let finished = form_consent(&google, &config, scratch.vault()).await.expect("finished");
    assert_eq!(finished.stored.fields, ["refreshToken"]);
    let issued = finished.issued.expect("the issue is recorded");
    assert_eq!(issued.client_id, config.client_id);
    assert!(issued.issued_at > 0);
    let key = StoredSecrets::key(&finished.stored.set, "refreshToken");
    let kept = scratch.keychain.get(&key).expect("keychain").expect("kept");
    assert!(kept.expose().starts_with("1//"), "the refresh token is in the keychain, not the answer");
    assert!(google.revoked().is_empty());
}

#[tokio::test]
async fn a_refresh_token_the_keychain_cannot_keep_is_revoked_at_google() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake google");
    let vault = std::sync::Arc::new(flow_connect_core::secrets::vault::Vault::new(RefusingStore));
    let refused = form_consent(&google, &config, vault).await.expect_err("not kept");
    assert!(refused.to_string().contains("keychain"), "{refused}");
    assert_eq!(google.revoked().len(), 1, "nobody holds the token, so Google forgets it");
}

#[tokio::test]
async fn a_consent_whose_tokens_the_profile_cannot_take_is_revoked_and_its_set_deleted() {
    let config = GoogleConfig::default();
    let google = FakeGoogle::start(config.clone()).await.expect("fake google");
    let scratch = fakes::Scratch::new("consent-abandon");
    let vault = scratch.vault();
    let sets = SecretSets::open(scratch.dir.join("secret-sets.json"), vault.clone());
    let (profiles, _) =
        ProfileBook::open(scratch.dir.join("profiles.json"), vault.clone()).expect("profiles");
    let keychain = form_consent::Keychain { sets: &sets, profiles: &profiles, vault: &vault };
    let slot = form_consent::ConsentSlot::default();
    let started = form_consent::begin(&slot, bigquery_request(&config), endpoints(&google), keychain)
        .await
        .expect("begun");
    let url = Url::parse(&started.url).expect("the consent page");
    let browsing = tokio::spawn(async move { browse(&url).await });
    let http = http_client(Duration::from_secs(5));
    let finished = form_consent::finish(&slot, &http, &endpoints(&google), keychain).await.expect("finished");
    browsing.await.expect("browsed");
    let key = StoredSecrets::key(&finished.stored.set, "refreshToken");
    let token = vault.get(&key).await.expect("read").expect("kept");

    // Copying into the profile failed (as `flow-connect-cli consent` meets it): undo.
    form_consent::abandon(&finished, &http, &endpoints(&google), keychain).await;
    assert_eq!(google.revoked(), vec![token.expose().to_owned()], "Google forgets the token nobody holds");
    assert_eq!(vault.get(&key).await.expect("read"), None);
    assert!(sets.sets().await.is_empty());
}
