//! One lock per file, never held across a keychain call: a keychain that hangs in one holder
//! stalls no save of the other.

use std::sync::{mpsc, Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use fakes::TestStore;
use flow_connect_core::accounts::{Account, AccountBook, SignIn};
use flow_connect_core::profiles::ProfileBook;
use flow_connect_core::secrets::vault::{SecretStore, Vault, VaultError};
use flow_connect_core::Secret;

use super::{plain_draft, Folder};

/// A keychain whose writes wait until the test lets them through, as one waiting for the user
/// to unlock it does. Reads and deletes pass straight through.
#[derive(Clone)]
struct SlowKeychain {
    inner: TestStore,
    open: Arc<(Mutex<bool>, Condvar)>,
    entered: Arc<Mutex<mpsc::Sender<()>>>,
}

impl SlowKeychain {
    fn new(inner: TestStore) -> (Self, mpsc::Receiver<()>) {
        let (sender, entered) = mpsc::channel();
        let open = Arc::new((Mutex::new(false), Condvar::new()));
        (Self { inner, open, entered: Arc::new(Mutex::new(sender)) }, entered)
    }

    fn let_through(&self) {
        let (open, changed) = &*self.open;
        *open.lock().unwrap_or_else(PoisonError::into_inner) = true;
        changed.notify_all();
    }
}

impl SecretStore for SlowKeychain {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
        let _ = self.entered.lock().unwrap_or_else(PoisonError::into_inner).send(());
        let (open, changed) = &*self.open;
        let mut open = open.lock().unwrap_or_else(PoisonError::into_inner);
        while !*open {
            open = changed.wait(open).unwrap_or_else(PoisonError::into_inner);
        }
        self.inner.set(key, value)
    }
    fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.inner.delete(key)
    }
}

/// How long a change may take while the other holder's keychain hangs: far longer than a
/// change takes, far shorter than the lock's patience (10 s) the old code waited out.
const PROMPT: Duration = Duration::from_secs(5);

fn new_account(name: &str) -> Account {
    Account {
        id: String::new(),
        display_name: name.into(),
        org_id: "FAKE0RG000000000@AdobeOrg".into(),
        client_id: "fake-client-id".into(),
        scopes: "openid".into(),
        default_sandbox: None,
        sign_in: SignIn::ClientCredentials,
        legacy_id: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keychain_call_that_hangs_in_one_holder_stalls_no_save_of_the_other() {
    let folder = Folder::new("two-slow");
    let (slow, entered) = SlowKeychain::new(folder.scratch.keychain.clone());
    let slow_vault = Arc::new(Vault::new(slow.clone()).with_timeout(Duration::from_secs(120)));
    let profiles = folder.path("profiles.json");
    let (app, _) = ProfileBook::open(profiles.clone(), slow_vault).expect("app's profiles");
    let app = Arc::new(app);
    let (cli_profiles, _) =
        ProfileBook::open(profiles.clone(), folder.scratch.vault()).expect("cli's profiles");
    let (cli_accounts, _) =
        AccountBook::open(folder.path("accounts.json"), folder.scratch.vault()).expect("cli's accounts");
    let kept = cli_profiles.save(plain_draft("Kept"), &[]).await.expect("saved");

    // The app saves a profile with a password; its keychain hangs in the write.
    let mut draft = plain_draft("With a password");
    draft.values.insert("password".into(), Secret::new("slow-pass-Qx41"));
    let saving = tokio::spawn({
        let app = Arc::clone(&app);
        async move { app.save(draft, &["password".to_owned()]).await }
    });
    tokio::task::spawn_blocking(move || entered.recv_timeout(Duration::from_secs(30)))
        .await
        .expect("joined")
        .expect("the app's save reached the keychain");

    // Meanwhile the other process saves another file, and the same one.
    let account =
        tokio::time::timeout(PROMPT, cli_accounts.save(new_account("Acme"), Some(Secret::new("acct-s"))))
            .await
            .expect("an unrelated file's save does not wait for the app's keychain")
            .expect("saved");
    tokio::time::timeout(PROMPT, cli_profiles.rename(&kept.id, "Kept and renamed"))
        .await
        .expect("the same file's change does not wait for the app's keychain either")
        .expect("renamed");
    assert!(!saving.is_finished(), "the app's keychain still hangs");

    slow.let_through();
    let saved = saving.await.expect("joined").expect("the app's save completes");
    let (restarted, _) = ProfileBook::open(profiles, folder.scratch.vault()).expect("reopened");
    let mut found: Vec<String> = restarted.list("").await.into_iter().map(|p| p.name).collect();
    found.sort();
    assert_eq!(found, ["Kept and renamed", "With a password"], "neither change lost the other");
    assert_eq!(saved.secret_fields, ["password"]);
    assert_eq!(cli_accounts.list(), vec![account]);
}
