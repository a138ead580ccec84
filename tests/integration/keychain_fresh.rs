//! The keychain read fresh between two holders, timed-out calls, and the start-up sweep sparing a running consent.
//!
//! The keychain is the private session's real one under `make test` (`TestStore`), memory
//! elsewhere. Two holders stand for the app and flow-connect-cli over one data folder; the
//! sweep is also run against a second, real process that holds a set.

use std::io::{BufRead as _, Write as _};
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use fakes::{MemoryStore, Scratch};
use flow_connect_core::catalog::{builtin_source, FormValues};
use flow_connect_core::operations::form_secrets;
use flow_connect_core::profiles::{ProfileBook, ProfileDraft};
use flow_connect_core::secrets::credentials::{SecretSets, StoredSecrets};
use flow_connect_core::secrets::vault::{SecretStore, Vault, VaultChanges, VaultError};
use flow_connect_core::Secret;

const BIGQUERY: &str = flow_connect_core::catalog::BIGQUERY_SPEC_ID;

fn text(value: Option<Secret>) -> Option<String> {
    value.map(|s| s.expose().to_owned())
}

#[tokio::test]
async fn a_value_one_holder_sets_or_deletes_is_what_the_other_reads_next() {
    let scratch = Scratch::new("fresh");
    let (window, cli) = (scratch.vault(), scratch.vault());
    let key = "profile/0b5e0b44-4c8a-4c38-9e0f-1a0c1f0f7f11/refreshToken";
    assert_eq!(window.get(key).await.expect("read"), None, "the window looks first: no token yet");
    cli.set(key, Secret::new("1//added-by-the-cli")).await.expect("set");
    assert_eq!(text(window.get(key).await.expect("read")).as_deref(), Some("1//added-by-the-cli"));
    // The CLI renews the token: the window sends the new one, not the one it read before.
    cli.set(key, Secret::new("1//renewed")).await.expect("renewed");
    assert_eq!(text(window.get(key).await.expect("read")).as_deref(), Some("1//renewed"));
    cli.delete(key).await.expect("deleted");
    assert_eq!(window.get(key).await.expect("read"), None);
}

#[tokio::test]
async fn a_roll_back_never_writes_a_stale_value_over_the_other_holder_s_newer_one() {
    let scratch = Scratch::new("fresh-rollback");
    let (window, cli) = (scratch.vault(), scratch.vault());
    let (renewed, untouched) = ("consent/a/refreshToken", "consent/a/clientSecret");
    window.set(renewed, Secret::new("1//old")).await.expect("set");
    window.set(untouched, Secret::new("GOCSPX-old")).await.expect("set");
    // The window reads the old value, then the CLI renews it behind its back.
    assert_eq!(text(window.get(renewed).await.expect("read")).as_deref(), Some("1//old"));
    cli.set(renewed, Secret::new("1//from-the-cli")).await.expect("set");
    let mut changes = VaultChanges::new(&window);
    changes.set(renewed, Secret::new("1//window")).await.expect("set");
    changes.set(untouched, Secret::new("GOCSPX-window")).await.expect("set");
    // Between the window's keychain change and its failed file write, the CLI renews again.
    cli.set(renewed, Secret::new("1//cli-again")).await.expect("set");
    changes.roll_back().await;
    assert_eq!(
        text(cli.get(renewed).await.expect("read")).as_deref(),
        Some("1//cli-again"),
        "the newer value stays"
    );
    assert_eq!(
        text(cli.get(untouched).await.expect("read")).as_deref(),
        Some("GOCSPX-old"),
        "the window's own change is undone to what the keychain held, not what it had read"
    );
    for key in [renewed, untouched] {
        window.delete(key).await.expect("cleaned up");
    }
}

/// The window and the CLI as two holders of one data folder and one keychain.
fn holders(scratch: &Scratch) -> [(SecretSets, ProfileBook, Arc<Vault>); 2] {
    let open = || {
        let vault = scratch.vault();
        let sets = SecretSets::open(scratch.dir.join("secret-sets.json"), Arc::clone(&vault));
        let (profiles, _) =
            ProfileBook::open(scratch.dir.join("profiles.json"), Arc::clone(&vault)).expect("profiles");
        (sets, profiles, vault)
    };
    [open(), open()]
}

fn bigquery_profile(id: Option<String>, secrets: &[(&str, &str)]) -> ProfileDraft {
    let mut values = FormValues::new();
    values.insert("project".into(), "acme-analytics".into());
    values.insert("clientId".into(), "1.apps.googleusercontent.com".into());
    for (field, value) in secrets {
        values.insert((*field).into(), Secret::new(*value));
    }
    ProfileDraft {
        id,
        name: "BigQuery".into(),
        spec_id: BIGQUERY.into(),
        spec_name: "Basic Authentication".into(),
        source_name: "Google BigQuery".into(),
        connection_name: "BQ".into(),
        description: String::new(),
        values,
        stored: None,
        account_id: None,
        sandbox: None,
    }
}

#[tokio::test]
async fn the_window_sends_the_refresh_token_the_cli_renewed_and_sees_a_secret_the_cli_added() {
    let scratch = Scratch::new("fresh-profiles");
    let [(window_sets, window, window_vault), (_, cli, cli_vault)] = holders(&scratch);
    let bigquery = builtin_source(BIGQUERY).expect("BigQuery").clone();
    let secrets = flow_connect_core::catalog::secrets::secret_fields_of(&bigquery);
    let saved = window
        .save(bigquery_profile(None, &[("refreshToken", "1//first"), ("clientSecret", "GOCSPX-1")]), &secrets)
        .await
        .expect("saved");
    let fill = |stored: StoredSecrets| {
        let (bigquery, sets, profiles, vault) = (&bigquery, &window_sets, &window, &window_vault);
        async move {
            let mut values = FormValues::new();
            form_secrets::fill(&stored, bigquery, sets, profiles, vault, &mut values).await.expect("filled");
            values["refreshToken"].expose().to_owned()
        }
    };
    let opened = window.open_profile(&saved.id).await.expect("opened");
    assert_eq!(fill(opened.stored.clone()).await, "1//first");

    // flow-connect-cli renews the profile's token.
    cli.save(
        bigquery_profile(
            Some(saved.id.clone()),
            &[("refreshToken", "1//renewed"), ("clientSecret", "GOCSPX-1")],
        ),
        &secrets,
    )
    .await
    .expect("renewed by the CLI");
    assert_eq!(fill(opened.stored.clone()).await, "1//renewed", "the window sends the token in force");

    // A secret lost from the keychain, then entered again through the CLI.
    let client_secret = StoredSecrets::key(&saved.secret_set(), "clientSecret");
    cli_vault.delete(&client_secret).await.expect("lost");
    assert_eq!(window.open_profile(&saved.id).await.expect("opened").missing, ["clientSecret"]);
    cli_vault.set(&client_secret, Secret::new("GOCSPX-2")).await.expect("entered again");
    assert!(window.open_profile(&saved.id).await.expect("opened").missing.is_empty(), "no longer missing");
    window.delete(&saved.id).await.expect("cleaned up");
}

/// A keychain whose deletes wait at a gate the test opens, as a locked keyring waits for the
/// user's password; it tells when a call is waiting there.
#[derive(Clone, Default)]
struct GatedStore {
    inner: MemoryStore,
    gate: Arc<(Mutex<(bool, usize)>, Condvar)>,
}

impl GatedStore {
    fn wait_for_a_caller(&self) {
        let (lock, signal) = &*self.gate;
        let mut gate = lock.lock().unwrap_or_else(PoisonError::into_inner);
        while gate.1 == 0 {
            gate = signal.wait(gate).unwrap_or_else(PoisonError::into_inner);
        }
    }
    fn open(&self) {
        let (lock, signal) = &*self.gate;
        lock.lock().unwrap_or_else(PoisonError::into_inner).0 = true;
        signal.notify_all();
    }
}

/// Opens the gate when dropped, also when the test fails half way: a delete left waiting at
/// the gate would keep the runtime from shutting down.
struct OpenAtEnd(GatedStore);

impl Drop for OpenAtEnd {
    fn drop(&mut self) {
        self.0.open();
    }
}

impl SecretStore for GatedStore {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
        self.inner.set(key, value)
    }
    fn delete(&self, key: &str) -> Result<(), VaultError> {
        let (lock, signal) = &*self.gate;
        let mut gate = lock.lock().unwrap_or_else(PoisonError::into_inner);
        gate.1 += 1;
        signal.notify_all();
        while !gate.0 {
            gate = signal.wait(gate).unwrap_or_else(PoisonError::into_inner);
        }
        drop(gate);
        self.inner.delete(key)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_keychain_delete_does_not_hold_the_index_from_the_other_process() {
    let scratch = Scratch::new("sets-lock");
    let path = scratch.dir.join("secret-sets.json");
    let gated = GatedStore::default();
    let _open_at_end = OpenAtEnd(gated.clone());
    let window = Arc::new(SecretSets::open(path.clone(), Arc::new(Vault::new(gated.clone()))));
    let kept = window
        .keep(None, BIGQUERY, vec![("refreshToken".into(), Secret::new("1//closing"))])
        .await
        .expect("kept");
    let discarding = {
        let (window, set) = (Arc::clone(&window), kept.set.clone());
        tokio::spawn(async move { window.discard(&set).await })
    };
    let waiting = gated.clone();
    tokio::task::spawn_blocking(move || waiting.wait_for_a_caller()).await.expect("the delete is waiting");

    // The keychain is stuck in the window's delete; the CLI's save to the index goes through.
    let cli = SecretSets::open(path.clone(), Arc::new(Vault::new(MemoryStore::default())));
    let other = cli
        .keep(None, BIGQUERY, vec![("clientSecret".into(), Secret::new("GOCSPX-cli"))])
        .await
        .expect("the index is not locked across the window's keychain call");
    assert!(!discarding.is_finished());

    gated.open();
    discarding.await.expect("joined").expect("discarded");
    assert_eq!(cli.sets().await, vec![other.set], "the discarded set is gone, the CLI's stays");
    assert_eq!(gated.inner.keys(), Vec::<String>::new());
}

#[tokio::test]
async fn a_sweep_spares_the_sets_of_a_holder_that_still_runs() {
    let scratch = Scratch::new("sets-owners");
    let path = scratch.dir.join("secret-sets.json");
    let consent = SecretSets::open(path.clone(), scratch.vault());
    let running = consent
        .keep(None, BIGQUERY, vec![("refreshToken".into(), Secret::new("1//being-copied"))])
        .await
        .expect("kept");
    let key = StoredSecrets::key(&running.set, "refreshToken");

    // The app starts while the consent copies its token into a profile.
    let app = SecretSets::open(path.clone(), scratch.vault());
    assert_eq!(app.sweep().await.expect("swept"), 0);
    assert_eq!(text(scratch.vault().get(&key).await.expect("read")).as_deref(), Some("1//being-copied"));
    assert_eq!(app.allowed(&running.set, BIGQUERY).await.expect("still listed"), ["refreshToken"]);

    // Once the consent's holder is gone its set goes at the next sweep.
    drop(consent);
    assert_eq!(app.sweep().await.expect("swept"), 1);
    assert_eq!(scratch.vault().get(&key).await.expect("read"), None);
    assert!(app.sets().await.is_empty());
}

/// The environment variables that make [`holder_process`] run as the second process.
const HOLDER_DIR: &str = "FLOW_CONNECT_TEST_HOLDER_DIR";
const HOLDER_SERVICE: &str = "FLOW_CONNECT_TEST_HOLDER_SERVICE";

/// Not a test of its own: the second process of the test below, started from this binary. It
/// keeps a set, says which, and holds it until its standard input closes or it is killed.
#[tokio::test]
#[ignore = "run by a_sweep_in_another_process_spares_a_running_process_s_set"]
async fn holder_process() {
    let (Some(dir), Some(service)) = (std::env::var_os(HOLDER_DIR), std::env::var(HOLDER_SERVICE).ok())
    else {
        return;
    };
    let vault = Arc::new(Vault::new(fakes::TestStore::new(service)));
    let sets = SecretSets::open(std::path::PathBuf::from(dir).join("secret-sets.json"), vault);
    let kept = sets
        .keep(None, BIGQUERY, vec![("refreshToken".into(), Secret::new("1//other-process"))])
        .await
        .expect("kept");
    let mut out = std::io::stdout().lock();
    writeln!(out, "\nkept {}", kept.set).expect("written");
    out.flush().expect("flushed");
    drop(out);
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

#[tokio::test]
async fn a_sweep_in_another_process_spares_a_running_process_s_set() {
    let scratch = Scratch::new("sets-process");
    let service = match &scratch.keychain {
        fakes::TestStore::Keychain { service, .. } => service.clone(),
        fakes::TestStore::Memory(_) => format!("io.flowconnect.test.{}", uuid::Uuid::new_v4()),
    };
    let mut child = Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", "holder_process", "--ignored", "--nocapture", "--test-threads=1"])
        .env(HOLDER_DIR, &scratch.dir)
        .env(HOLDER_SERVICE, &service)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the second process starts");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let set = loop {
        let line = lines.next().expect("the holder says which set it kept").expect("a line");
        // The test harness prints the test's name on the same line.
        if let Some((_, set)) = line.split_once("kept ") {
            break set.trim().to_owned();
        }
    };

    let app = SecretSets::open(scratch.dir.join("secret-sets.json"), scratch.vault());
    assert_eq!(app.sweep().await.expect("swept"), 0, "the running process's set is spared");
    assert_eq!(app.sets().await, vec![set.clone()]);
    if fakes::in_private_keyring() {
        let key = StoredSecrets::key(&set, "refreshToken");
        assert_eq!(text(scratch.vault().get(&key).await.expect("read")).as_deref(), Some("1//other-process"));
    }

    // Killed, as a crash ends it: the OS releases its lock, and the set goes.
    child.kill().expect("killed");
    child.wait().expect("ended");
    assert_eq!(app.sweep().await.expect("swept"), 1);
    assert!(app.sets().await.is_empty());
    if fakes::in_private_keyring() {
        assert_eq!(scratch.keychain.keys(), Vec::<String>::new(), "its keychain entries are gone too");
    }
    let owners = scratch.dir.join("secret-sets.owners");
    let left: Vec<_> = std::fs::read_dir(&owners).map(|d| d.flatten().collect()).unwrap_or_default();
    assert!(left.is_empty(), "the gone process's lock file is cleaned up: {left:?}");
}

#[tokio::test]
async fn an_index_a_newer_flow_connect_wrote_is_kept_in_place_and_not_changed() {
    let scratch = Scratch::new("sets-newer");
    let path = scratch.dir.join("secret-sets.json");
    let newer = br#"{"schemaVersion": 7, "sets": [], "somethingNew": true}"#;
    std::fs::write(&path, newer).expect("newer index");
    let sets = SecretSets::open(path.clone(), Arc::new(Vault::new(MemoryStore::default())));
    let refused = sets.keep(None, BIGQUERY, vec![("clientSecret".into(), Secret::new("GOCSPX-old"))]).await;
    let message = refused.expect_err("a newer index is not changed").to_string();
    assert!(message.contains("newer Flow Connect"), "{message}");
    assert_eq!(std::fs::read(&path).expect("still there"), newer, "neither set aside nor rewritten");
    let names: Vec<_> =
        std::fs::read_dir(&scratch.dir).expect("dir").map(|e| e.expect("entry").file_name()).collect();
    assert!(!names.iter().any(|n| n.to_string_lossy().contains("unreadable")), "{names:?}");
}
