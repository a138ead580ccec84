//! Two holders of one data folder (and two real processes): rewrites, newer files, locks per file, modes, migrations.
//!
//! The app and flow-connect-cli share the data folder: here two `Operations` (or two books) over
//! one folder stand for them, and the built CLI binary is the second process where only a real
//! one shows the behaviour. Files are real, in a folder of the test's own; the keychain is the
//! private session's (`fakes::TestStore`), memory outside it.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use fakes::cli::CliHome;
use fakes::{Scratch, TestStore};
use flow_connect_core::accounts::{Account, AccountBook, SignIn};
use flow_connect_core::catalog::FormValues;
use flow_connect_core::config::Endpoints;
use flow_connect_core::operations::failure::{ErrorCode, Failure};
use flow_connect_core::operations::Operations;
use flow_connect_core::profiles::{ProfileBook, ProfileDraft, ProfileError};
use flow_connect_core::secrets::vault::{SecretStore, Vault, VaultError};
use flow_connect_core::store::origins::Origin;
use flow_connect_core::Secret;

/// One data folder and the keychain service name both holders use.
struct Folder {
    scratch: Scratch,
    service: String,
}

impl Folder {
    fn new(what: &str) -> Self {
        let service = format!("io.flowconnect.test.{}", uuid::Uuid::new_v4());
        Self { scratch: Scratch::new(what), service }
    }

    fn dir(&self) -> &Path {
        &self.scratch.dir
    }

    fn path(&self, name: &str) -> PathBuf {
        self.scratch.dir.join(name)
    }

    /// A process's view of the folder: the app, or one flow-connect-cli run.
    fn open(&self) -> (Operations, Vec<String>) {
        Operations::open(Endpoints::default(), &self.service, self.dir()).expect("opened")
    }

    /// Replaces `name` as another process would: a new file, renamed into place.
    fn rewrite(&self, name: &str, bytes: &[u8]) {
        let next = self.path(&format!(".{name}.other"));
        std::fs::write(&next, bytes).expect("written");
        std::fs::rename(&next, self.path(name)).expect("renamed");
    }

    /// Whether anything in the folder was set aside.
    fn set_aside(&self) -> Vec<String> {
        std::fs::read_dir(self.dir())
            .expect("folder")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.contains(".unreadable-"))
            .collect()
    }
}

/// A profile without secrets: saving it makes no keychain call.
fn plain_draft(name: &str) -> ProfileDraft {
    let mut values = FormValues::new();
    values.insert("endpoint".into(), "https://acme.service-now.com".into());
    ProfileDraft {
        id: None,
        name: name.into(),
        spec_id: "eb13cb25-47ab-407f-ba89-c0125281c563".into(),
        spec_name: "Basic Authentication".into(),
        source_name: "ServiceNow".into(),
        connection_name: format!("{name} connection"),
        description: String::new(),
        values,
        stored: None,
        account_id: None,
        sandbox: None,
    }
}

fn origin(id: &str) -> Origin {
    Origin {
        connection_id: id.into(),
        account_id: "a".into(),
        sandbox: "prod".into(),
        spec_id: "s".into(),
        profile_id: None,
        profile_name: None,
        created_at: 1,
        refresh_token: None,
    }
}

async fn names(services: &Operations) -> Vec<String> {
    services.profiles.list("").await.into_iter().map(|p| p.name).collect()
}

// ---- A file another process rewrote -------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_a_newer_flow_connect_rewrote_is_kept_in_place_and_edits_say_to_update() {
    let folder = Folder::new("two-newer");
    let (app, notices) = folder.open();
    assert!(notices.is_empty(), "{notices:?}");
    let (cli, _) = folder.open();
    let marketing = app.profiles.save(plain_draft("Marketing"), &[]).await.expect("saved");
    assert_eq!(names(&cli).await, ["Marketing"], "the other holder sees it");
    assert!(app.take_notices().is_empty());

    // A newer flow-connect-cli writes the profiles in a format this one does not know.
    let newer = br#"{"schemaVersion": 3, "profiles": {"by-id": {}}, "more": true}"#;
    folder.rewrite("profiles.json", newer);

    assert_eq!(names(&app).await, ["Marketing"], "memory is kept");
    for holder in [&app, &cli] {
        let refused = holder.profiles.rename(&marketing.id, "Sales").await.expect_err("refused");
        assert!(matches!(refused, ProfileError::Refused(_)), "{refused:?}");
        let failure = Failure::from(refused);
        assert_eq!(failure.code, ErrorCode::Storage);
        assert!(
            failure.message.contains("newer Flow Connect") && failure.message.contains("update this one"),
            "{}",
            failure.message
        );
        assert!(failure.message.contains("profiles.json"), "{}", failure.message);
        holder.profiles.save(plain_draft("Another"), &[]).await.expect_err("a new profile too");
    }
    assert_eq!(std::fs::read(folder.path("profiles.json")).expect("in place"), newer, "never overwritten");
    assert!(folder.set_aside().is_empty(), "nothing set aside at runtime: {:?}", folder.set_aside());

    // The window shows it once.
    let told = app.take_notices();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("Your saved profiles") && told[0].contains("newer Flow Connect"), "{told:?}");
    assert!(app.take_notices().is_empty(), "said once");

    // Once the file reads again (the user went back to this version), changes resume.
    let current = br#"{"schemaVersion": 2, "profiles": []}"#;
    folder.rewrite("profiles.json", current);
    app.profiles.save(plain_draft("Again"), &[]).await.expect("changes resume");
    assert_eq!(names(&cli).await, ["Again"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_keeps_a_newer_flow_connect_s_file_and_refuses_to_change_it() {
    let folder = Folder::new("two-newer-start");
    let newer = br#"{"schemaVersion": 3, "profiles": {"by-id": {"p1": {"title": "From the newer app"}}}}"#;
    std::fs::write(folder.path("profiles.json"), newer).expect("a newer app's file");

    // An older flow-connect-cli run starts over the newer app's folder.
    let (cli, notices) = folder.open();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains("newer Flow Connect") && notices[0].contains("update this one"),
        "{notices:?}"
    );
    assert!(names(&cli).await.is_empty());
    let refused = cli.profiles.save(plain_draft("Mine"), &[]).await.expect_err("refused");
    assert!(Failure::from(refused).message.contains("newer Flow Connect"));
    assert!(cli.take_notices().len() == 1, "the start-up notice, once");
    assert!(cli.take_notices().is_empty());
    assert_eq!(std::fs::read(folder.path("profiles.json")).expect("in place"), newer, "untouched");
    assert!(folder.set_aside().is_empty(), "a newer file is never set aside");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_file_at_runtime_is_neither_set_aside_nor_overwritten() {
    let folder = Folder::new("two-garbage");
    let (app, _) = folder.open();
    app.origins.record(origin("c1")).await.expect("recorded");
    let garbage = b"\x00\x9f not JSON at all";
    folder.rewrite("connection-origins.json", garbage);

    assert!(app.origins.origin("c1").await.is_some(), "memory is kept");
    let refused = app.origins.record(origin("c2")).await.expect_err("refused");
    let failure = Failure::from(refused);
    assert!(
        failure.message.contains("cannot be read") && failure.message.contains("restart"),
        "{}",
        failure.message
    );
    assert_eq!(std::fs::read(folder.path("connection-origins.json")).expect("in place"), garbage);
    assert!(folder.set_aside().is_empty());
    let told = app.take_notices();
    assert!(told.len() == 1 && told[0].contains("connection-origins.json"), "{told:?}");

    // Setting aside stays a start-up decision: the next start does it, and says so.
    let (_restarted, notices) = folder.open();
    assert_eq!(folder.set_aside().len(), 1, "set aside on opening");
    assert!(notices.iter().any(|n| n.contains("set the file aside")), "{notices:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_reads_a_rewrite_that_kept_inode_size_and_time() {
    let folder = Folder::new("two-stamp");
    let (app, _) = folder.open();
    app.profiles.save(plain_draft("Alpha"), &[]).await.expect("saved");
    let path = folder.path("profiles.json");
    // Another process rewrote the file in place within one tick of the clock: same inode, same
    // size, same modification time (on Windows the inode is always 0, which makes this common).
    let modified = std::fs::metadata(&path).expect("stat").modified().expect("mtime");
    let text = std::fs::read_to_string(&path).expect("read").replace("\"Alpha\"", "\"Bravo\"");
    std::fs::write(&path, &text).expect("rewritten in place");
    std::fs::File::options().write(true).open(&path).expect("open").set_modified(modified).expect("mtime");

    app.profiles.save(plain_draft("Charlie"), &[]).await.expect("saved");
    let (restarted, _) = folder.open();
    let mut found = names(&restarted).await;
    found.sort();
    assert_eq!(found, ["Bravo", "Charlie"], "the other process's change is not overwritten");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_sets_a_file_aside_only_under_its_lock() {
    let folder = Folder::new("two-start");
    let (cli, _) = folder.open();
    let kept = cli.profiles.save(plain_draft("Kept"), &[]).await.expect("saved");
    let good = std::fs::read(folder.path("profiles.json")).expect("written");

    // Another process is in the middle of a change of the file (it holds the file's lock), and
    // what a start reads now does not parse.
    let lock = flow_connect_core::store::data_file::FileLock::acquire(&folder.path("profiles.json"))
        .expect("locked");
    folder.rewrite("profiles.json", b"{\"schemaVersion\": 2, \"profiles\": [");
    let opening = std::thread::spawn({
        let (dir, service) = (folder.dir().to_path_buf(), folder.service.clone());
        move || Operations::open(Endpoints::default(), &service, &dir).expect("opened")
    });
    // The other process's change ends with a good file, then it releases the lock.
    std::thread::sleep(Duration::from_millis(300));
    folder.rewrite("profiles.json", &good);
    drop(lock);

    let (app, notices) = opening.join().expect("joined");
    assert!(notices.is_empty(), "{notices:?}");
    assert!(folder.set_aside().is_empty(), "the file was read again under the lock, not set aside");
    assert_eq!(app.profiles.profile(&kept.id).await.map(|p| p.name).as_deref(), Some("Kept"));
}

// ---- Modes --------------------------------------------------------------------------------------

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_folder_and_files_are_the_user_s_alone_across_rewrites() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    let folder = Folder::new("two-modes");
    let data = folder.path("io.flowconnect.desktop");
    let (app, _) = Operations::open(Endpoints::default(), &folder.service, &data).expect("opened");
    assert_eq!(mode(&data), 0o700, "the data folder made on the first start");
    let saved = app.profiles.save(plain_draft("Private"), &[]).await.expect("saved");
    app.origins.record(origin("c1")).await.expect("recorded");
    for name in ["profiles.json", "connection-origins.json", ".profiles.json.lock"] {
        assert_eq!(mode(&data.join(name)), 0o600, "{name}");
    }
    std::fs::set_permissions(data.join("profiles.json"), std::fs::Permissions::from_mode(0o644))
        .expect("chmod");
    app.profiles.rename(&saved.id, "Still private").await.expect("renamed");
    assert_eq!(mode(&data.join("profiles.json")), 0o600, "a rewrite keeps the file private");
}

// ---- One lock per file, never held across a keychain call ---------------------------------------

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

// ---- An old accounts file migrates once, to the same ids everywhere -----------------------------

/// `flow-connect-cli accounts list --json` over the data folder under `xdg`: the ids it shows.
async fn cli_account_ids(xdg: &Path) -> Vec<(String, String)> {
    let cli = CliHome::over(xdg).with_env("FLOW_CONNECT_LOG", "info");
    let ran = cli.run(&["accounts", "list", "--json"]).await;
    assert!(ran.code == 0, "{}{}", ran.stdout, ran.stderr);
    let listed = ran.json();
    listed
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| {
            (a["displayName"].as_str().expect("name").to_owned(), a["id"].as_str().expect("id").to_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_cli_runs_and_the_app_give_an_old_accounts_file_the_same_ids() {
    let folder = Folder::new("two-migrate");
    let xdg = folder.dir().to_path_buf();
    let data = xdg.join("io.flowconnect.desktop");
    std::fs::create_dir_all(&data).expect("data folder");
    let old = br#"{"accounts":[
        {"id":"acct-18b0c2","displayName":"Old","orgId":"FAKE0RG000000000@AdobeOrg","clientId":"c","scopes":"openid"},
        {"id":"acct-77ff01","displayName":"Older","orgId":"FAKE0RG000000000@AdobeOrg","clientId":"d","scopes":"openid"}]}"#;
    std::fs::write(data.join("accounts.json"), old).expect("a store-plugin file");
    std::fs::write(
        data.join("profiles.json"),
        br#"{"schemaVersion":2,"profiles":[{"id":"p1","name":"P","specId":"s","specName":"m","sourceName":"S","connectionName":"c","values":{},"secretFields":[],"accountId":"acct-18b0c2","sandbox":null,"updatedAt":0,"lastUsedAt":0}]}"#,
    )
    .expect("a profile naming the old id");

    let first = cli_account_ids(&xdg).await;
    let second = cli_account_ids(&xdg).await;
    assert_eq!(first.len(), 2, "{first:?}");
    for (_, id) in &first {
        assert!(uuid::Uuid::try_parse(id).is_ok(), "{id}");
    }
    assert_eq!(first, second, "two CLI runs give the same ids");

    // The app opens the same folder: the same ids, before and after it writes the migration.
    let (app, _) = Operations::open(Endpoints::default(), &folder.service, &data).expect("app");
    let app_ids = |app: &Operations| -> Vec<(String, String)> {
        app.accounts.list().into_iter().map(|a| (a.display_name, a.id)).collect()
    };
    assert_eq!(app_ids(&app), first, "the app agrees with the CLI");
    app.finish_migrations().await;
    let written = std::fs::read_to_string(data.join("accounts.json")).expect("written back");
    assert!(written.contains("\"schemaVersion\": 1"), "{written}");
    assert_eq!(app_ids(&app), first);
    let profiles = std::fs::read_to_string(data.join("profiles.json")).expect("profiles");
    let old_id = &first.iter().find(|(name, _)| name == "Old").expect("Old").1;
    assert!(profiles.contains(old_id.as_str()) && !profiles.contains("acct-18b0c2"), "{profiles}");
    assert_eq!(cli_account_ids(&xdg).await, first, "and the CLI after it");
}
