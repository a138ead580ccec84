//! The keychain: the only place secrets are kept outside memory. Calls into the OS store block
//! (and a locked Linux keyring can block forever behind an unseen prompt), so they run on the
//! blocking pool under a timeout. Nothing is cached: another process may change the keychain
//! at any time.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::secret::Secret;

/// How long a keychain call may take before the user is told the keychain is not answering.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VaultError {
    #[error(
        "The system keychain is not available ({reason}). On Linux, start and unlock a Secret \
         Service keyring such as GNOME Keyring or KWallet, then try again. Flow Connect never \
         stores secrets in plain files."
    )]
    Unavailable { reason: String },
    #[error(
        "The system keychain is locked or did not answer within {seconds} s. Unlock it (your \
         desktop may be showing a password prompt), then try again."
    )]
    TimedOut { seconds: u64 },
    #[error("The system keychain refused the request ({reason}). Try again; if it persists, check the keychain app.")]
    Refused { reason: String },
}

/// A blocking key-value store of secrets; the OS keychain in the app, anything in unit tests.
pub trait SecretStore: Send + Sync + 'static {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError>;
    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError>;
    /// Deleting what is not there is not an error.
    fn delete(&self, key: &str) -> Result<(), VaultError>;
}

/// The OS keychain through `keyring`: one entry per key, under `service`.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// `service` names the app's entries, such as its identifier `io.flowconnect.desktop`.
    pub fn new(service: impl Into<String>) -> Self {
        Self { service: service.into() }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, VaultError> {
        keyring::Entry::new(&self.service, key).map_err(map_keyring_error)
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring_error(e)),
        }
    }

    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
        self.entry(key)?.set_password(value.expose()).map_err(map_keyring_error)
    }

    fn delete(&self, key: &str) -> Result<(), VaultError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_keyring_error(e)),
        }
    }
}

// keyring's errors never carry the secret itself, only the platform's reason.
fn map_keyring_error(error: keyring::Error) -> VaultError {
    match error {
        keyring::Error::PlatformFailure(e) => VaultError::Unavailable { reason: e.to_string() },
        keyring::Error::NoStorageAccess(e) => VaultError::Unavailable { reason: e.to_string() },
        other => VaultError::Refused { reason: other.to_string() },
    }
}

/// Async access to a [`SecretStore`] with a timeout. Nothing is cached: the app and
/// flow-connect-cli share the keychain, and a value this process read a minute ago may have
/// been renewed, added or deleted by the other since, so every call asks the keychain.
#[derive(Clone)]
pub struct Vault {
    store: Arc<dyn SecretStore>,
    /// One lock per key, held by the blocking call that works on it: a call that timed out
    /// keeps its key until it has ended (and been undone), so a later call on the same key
    /// never overtakes it, and reads what the keychain holds once the late call is settled.
    keys: Arc<Mutex<HashMap<String, Arc<Mutex<()>>>>>,
    timeout: Duration,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

/// What a write changes a key to.
#[derive(Clone)]
enum Write {
    Set(Secret),
    Delete,
}

/// Who settles a blocking call: the caller that got its answer, or the timeout that gave up
/// on it (and so the call itself undoes what it did late).
const RUNNING: u8 = 0;
const ANSWERED: u8 = 1;
const ABANDONED: u8 = 2;

impl Vault {
    pub fn new(store: impl SecretStore) -> Self {
        Self { store: Arc::new(store), keys: Arc::default(), timeout: DEFAULT_TIMEOUT }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The secret under `key`, `None` when there is none, as the keychain holds it now.
    pub async fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        self.blocking(key, |store, key, _| store.get(key)).await
    }

    pub async fn set(&self, key: &str, value: Secret) -> Result<(), VaultError> {
        self.write(key, Write::Set(value), false).await.map(drop)
    }

    pub async fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.write(key, Write::Delete, false).await.map(drop)
    }

    /// Changes `key` and returns what it held just before, read in the same call. A call that
    /// times out is not left to land later unseen: when it ends it puts the key back as it was
    /// (unless the value changed meanwhile), so a "failed" save leaves no entry and a "failed"
    /// delete deletes nothing. `absent` says the key cannot exist yet, which spares the read.
    async fn write(&self, key: &str, write: Write, absent: bool) -> Result<Option<Secret>, VaultError> {
        self.blocking(key, move |store, key, state| {
            let before = if absent { None } else { store.get(key)? };
            // Given up on while waiting for the key or reading: nothing was changed, so the
            // change is not made at all.
            if state.load(Ordering::SeqCst) == ABANDONED {
                return Err(VaultError::Refused { reason: "abandoned after a timeout".into() });
            }
            match &write {
                Write::Set(value) => store.set(key, value)?,
                Write::Delete => store.delete(key)?,
            }
            if state.compare_exchange(RUNNING, ANSWERED, Ordering::SeqCst, Ordering::SeqCst).is_err() {
                let after = match &write {
                    Write::Set(value) => Some(value.clone()),
                    Write::Delete => None,
                };
                match restore(store, key, after.as_ref(), before.as_ref()) {
                    Ok(()) => tracing::warn!(%key, "a keychain change that timed out was undone"),
                    Err(e) => tracing::warn!(%key, error = %e, "a keychain change that timed out could not be undone"),
                }
            }
            Ok(before)
        })
        .await
    }

    /// Puts `key` back to `before`, unless it no longer holds `after` (another process changed
    /// it since: its newer value stays).
    async fn restore(
        &self,
        key: &str,
        after: Option<Secret>,
        before: Option<Secret>,
    ) -> Result<(), VaultError> {
        self.blocking(key, move |store, key, _| restore(store, key, after.as_ref(), before.as_ref())).await
    }

    async fn blocking<T: Send + 'static>(
        &self,
        key: &str,
        call: impl FnOnce(&dyn SecretStore, &str, &AtomicU8) -> Result<T, VaultError> + Send + 'static,
    ) -> Result<T, VaultError> {
        let store = Arc::clone(&self.store);
        let keys = Arc::clone(&self.keys);
        let key = key.to_owned();
        let state = Arc::new(AtomicU8::new(RUNNING));
        let settled = Arc::clone(&state);
        // On a timeout the blocked thread is left behind: a hung keychain cannot be interrupted,
        // but the UI must not wait for it. The call settles itself when it ends (`write`).
        let task = tokio::task::spawn_blocking(move || {
            let lock = key_lock(&keys, &key);
            let result = {
                let _held = lock.lock().unwrap_or_else(PoisonError::into_inner);
                call(store.as_ref(), &key, &settled)
            };
            release_key_lock(&keys, &key, lock);
            result
        });
        tokio::pin!(task);
        match tokio::time::timeout(self.timeout, &mut task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(VaultError::Refused { reason: join.to_string() }),
            Err(_) => {
                if state.compare_exchange(RUNNING, ABANDONED, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                    return Err(VaultError::TimedOut { seconds: self.timeout.as_secs().max(1) });
                }
                // The call answered just as the time ran out: its result stands, and arrives now.
                match task.await {
                    Ok(result) => result,
                    Err(join) => Err(VaultError::Refused { reason: join.to_string() }),
                }
            }
        }
    }
}

fn restore(
    store: &dyn SecretStore,
    key: &str,
    after: Option<&Secret>,
    before: Option<&Secret>,
) -> Result<(), VaultError> {
    if store.get(key)?.as_ref() != after {
        tracing::info!(%key, "a keychain entry changed by another process is left as it is");
        return Ok(());
    }
    match before {
        Some(value) => store.set(key, value),
        None if after.is_some() => store.delete(key),
        None => Ok(()),
    }
}

fn key_lock(keys: &Mutex<HashMap<String, Arc<Mutex<()>>>>, key: &str) -> Arc<Mutex<()>> {
    let mut keys = keys.lock().unwrap_or_else(PoisonError::into_inner);
    Arc::clone(keys.entry(key.to_owned()).or_default())
}

/// Forgets a key's lock once no other call holds or waits for it, so the map stays small.
fn release_key_lock(keys: &Mutex<HashMap<String, Arc<Mutex<()>>>>, key: &str, lock: Arc<Mutex<()>>) {
    let mut keys = keys.lock().unwrap_or_else(PoisonError::into_inner);
    // Two owners: the map and this call.
    if Arc::strong_count(&lock) == 2 {
        keys.remove(key);
    }
}

/// Keychain changes that belong to one file write: each records what the keychain held before
/// it (read in the same call that changed it), so when the write fails the keychain is put back
/// as it was and file, memory and keychain still agree. A key another process changed since is
/// left with its newer value.
#[derive(Debug)]
pub struct VaultChanges<'a> {
    vault: &'a Vault,
    undo: Vec<Undo>,
}

#[derive(Debug)]
struct Undo {
    key: String,
    before: Option<Secret>,
    after: Option<Secret>,
}

impl<'a> VaultChanges<'a> {
    pub fn new(vault: &'a Vault) -> Self {
        Self { vault, undo: Vec::new() }
    }

    pub async fn set(&mut self, key: &str, value: Secret) -> Result<(), VaultError> {
        let before = self.vault.write(key, Write::Set(value.clone()), false).await?;
        self.undo.push(Undo { key: key.to_owned(), before, after: Some(value) });
        Ok(())
    }

    /// Sets a key that cannot exist yet (it names an id made a moment ago): undoing it
    /// deletes it, and no read is spent on what it held before.
    pub async fn set_new(&mut self, key: &str, value: Secret) -> Result<(), VaultError> {
        self.vault.write(key, Write::Set(value.clone()), true).await?;
        self.undo.push(Undo { key: key.to_owned(), before: None, after: Some(value) });
        Ok(())
    }

    pub async fn delete(&mut self, key: &str) -> Result<(), VaultError> {
        let before = self.vault.write(key, Write::Delete, false).await?;
        self.undo.push(Undo { key: key.to_owned(), before, after: None });
        Ok(())
    }

    /// Puts back every change, newest first. A keychain that fails now too is logged: the
    /// caller's error is the one the user needs to see.
    pub async fn roll_back(self) {
        for Undo { key, before, after } in self.undo.into_iter().rev() {
            if let Err(e) = self.vault.restore(&key, after, before).await {
                tracing::warn!(%key, error = %e, "a keychain change could not be undone");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct MemoryStore {
        values: Mutex<HashMap<String, String>>,
    }

    impl SecretStore for Arc<MemoryStore> {
        fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
            Ok(self.values.lock().unwrap_or_else(PoisonError::into_inner).get(key).cloned().map(Secret::new))
        }
        fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
            self.values
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key.into(), value.expose().into());
            Ok(())
        }
        fn delete(&self, key: &str) -> Result<(), VaultError> {
            self.values.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
            Ok(())
        }
    }

    struct HangingStore;

    impl SecretStore for HangingStore {
        fn get(&self, _: &str) -> Result<Option<Secret>, VaultError> {
            std::thread::sleep(Duration::from_secs(1));
            Ok(None)
        }
        fn set(&self, _: &str, _: &Secret) -> Result<(), VaultError> {
            Ok(())
        }
        fn delete(&self, _: &str) -> Result<(), VaultError> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn every_read_asks_the_keychain() {
        let store = Arc::new(MemoryStore::default());
        let window = Vault::new(Arc::clone(&store));
        let cli = Vault::new(Arc::clone(&store));
        assert_eq!(window.get("k").await, Ok(None));
        cli.set("k", Secret::new("renewed")).await.expect("set");
        assert_eq!(
            window.get("k").await.expect("get").map(|s| s.expose().to_owned()),
            Some("renewed".into())
        );
        cli.delete("k").await.expect("delete");
        assert_eq!(window.get("k").await, Ok(None), "a value the other holder deleted is gone here too");
    }

    #[tokio::test]
    async fn a_roll_back_leaves_a_value_another_holder_wrote_since() {
        let store = Arc::new(MemoryStore::default());
        let window = Vault::new(Arc::clone(&store));
        let cli = Vault::new(Arc::clone(&store));
        window.set("k", Secret::new("old")).await.expect("set");
        let mut changes = VaultChanges::new(&window);
        changes.set("k", Secret::new("window's")).await.expect("set");
        cli.set("k", Secret::new("cli's, newer")).await.expect("set");
        changes.roll_back().await;
        let values = store.values.lock().unwrap_or_else(PoisonError::into_inner).clone();
        assert_eq!(values.get("k").map(String::as_str), Some("cli's, newer"));
    }

    #[tokio::test]
    async fn rolled_back_changes_restore_the_keychain() {
        let store = Arc::new(MemoryStore::default());
        let vault = Vault::new(Arc::clone(&store));
        vault.set("kept", Secret::new("old")).await.expect("set");
        vault.set("removed", Secret::new("there")).await.expect("set");
        let mut changes = VaultChanges::new(&vault);
        changes.set("kept", Secret::new("new")).await.expect("set");
        changes.set("added", Secret::new("x")).await.expect("set");
        changes.delete("removed").await.expect("delete");
        changes.roll_back().await;
        let values = store.values.lock().unwrap_or_else(PoisonError::into_inner).clone();
        assert_eq!(values.get("kept").map(String::as_str), Some("old"));
        assert_eq!(values.get("removed").map(String::as_str), Some("there"));
        assert!(!values.contains_key("added"));
    }

    /// A keychain whose writes wait until the test opens the gate, as a locked keyring waits
    /// for the user's password.
    #[derive(Default)]
    struct GatedStore {
        values: Mutex<HashMap<String, String>>,
        open: Mutex<bool>,
        opened: std::sync::Condvar,
        /// Writes that got through the gate.
        done: Mutex<usize>,
        finished: std::sync::Condvar,
    }

    impl GatedStore {
        fn open_gate(&self) {
            *self.open.lock().unwrap_or_else(PoisonError::into_inner) = true;
            self.opened.notify_all();
        }
        fn wait(&self) {
            let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
            while !*open {
                open = self.opened.wait(open).unwrap_or_else(PoisonError::into_inner);
            }
        }
        fn wrote(&self) {
            *self.done.lock().unwrap_or_else(PoisonError::into_inner) += 1;
            self.finished.notify_all();
        }
        /// Waits until the late write has landed, so what follows does not race it. A call
        /// given up on before it reached the store writes nothing, hence the bound.
        fn wait_for_the_first_write(&self) {
            let done = self.done.lock().unwrap_or_else(PoisonError::into_inner);
            let _ = self.finished.wait_timeout_while(done, Duration::from_secs(5), |done| *done == 0);
        }
        fn value(&self, key: &str) -> Option<String> {
            self.values.lock().unwrap_or_else(PoisonError::into_inner).get(key).cloned()
        }
    }

    impl SecretStore for Arc<GatedStore> {
        fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
            Ok(self.value(key).map(Secret::new))
        }
        fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
            self.wait();
            self.values
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key.into(), value.expose().into());
            self.wrote();
            Ok(())
        }
        fn delete(&self, key: &str) -> Result<(), VaultError> {
            self.wait();
            self.values.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
            self.wrote();
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_save_that_timed_out_is_undone_when_it_lands_late() {
        let store = Arc::new(GatedStore::default());
        let vault = Vault::new(Arc::clone(&store)).with_timeout(Duration::from_millis(50));
        assert_eq!(vault.set("new", Secret::new("orphan?")).await, Err(VaultError::TimedOut { seconds: 1 }));
        store.open_gate();
        let landed = Arc::clone(&store);
        tokio::task::spawn_blocking(move || landed.wait_for_the_first_write()).await.expect("landed");
        // The next call on the key waits for the late one, which has put the key back by then.
        let patient = vault.clone().with_timeout(Duration::from_secs(30));
        assert_eq!(patient.get("new").await, Ok(None), "a \"failed\" save leaves no entry behind");
        assert_eq!(store.value("new"), None);
    }

    #[tokio::test]
    async fn a_delete_that_timed_out_is_undone_when_it_lands_late() {
        let store = Arc::new(GatedStore::default());
        store.values.lock().unwrap_or_else(PoisonError::into_inner).insert("kept".into(), "value".into());
        let vault = Vault::new(Arc::clone(&store)).with_timeout(Duration::from_millis(50));
        let mut changes = VaultChanges::new(&vault);
        assert_eq!(changes.delete("kept").await, Err(VaultError::TimedOut { seconds: 1 }));
        store.open_gate();
        let landed = Arc::clone(&store);
        tokio::task::spawn_blocking(move || landed.wait_for_the_first_write()).await.expect("landed");
        let patient = vault.clone().with_timeout(Duration::from_secs(30));
        assert_eq!(
            patient.get("kept").await.expect("read").map(|s| s.expose().to_owned()).as_deref(),
            Some("value"),
            "a \"failed\" delete deletes nothing"
        );
    }

    #[tokio::test]
    async fn a_hung_keychain_times_out() {
        let vault = Vault::new(HangingStore).with_timeout(Duration::from_millis(100));
        let started = std::time::Instant::now();
        assert_eq!(vault.get("k").await, Err(VaultError::TimedOut { seconds: 1 }));
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
