//! The keychain: the only place secrets are kept outside memory. Calls into the OS store block
//! (and a locked Linux keyring can block forever behind an unseen prompt), so they run on the
//! blocking pool under a timeout. Values read once are cached in memory.

use std::collections::HashMap;
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

/// Async access to a [`SecretStore`] with a timeout and an in-memory cache.
#[derive(Clone)]
pub struct Vault {
    store: Arc<dyn SecretStore>,
    cache: Arc<Mutex<HashMap<String, Option<Secret>>>>,
    timeout: Duration,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

impl Vault {
    pub fn new(store: impl SecretStore) -> Self {
        Self { store: Arc::new(store), cache: Arc::default(), timeout: DEFAULT_TIMEOUT }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The secret under `key`, `None` when there is none.
    pub async fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        if let Some(hit) = self.cached(key) {
            return Ok(hit);
        }
        let value = self.blocking(key, |store, key| store.get(&key)).await?;
        self.remember(key, value.clone());
        Ok(value)
    }

    pub async fn set(&self, key: &str, value: Secret) -> Result<(), VaultError> {
        let stored = value.clone();
        self.blocking(key, move |store, key| store.set(&key, &stored)).await?;
        self.remember(key, Some(value));
        Ok(())
    }

    pub async fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.blocking(key, |store, key| store.delete(&key)).await?;
        self.remember(key, None);
        Ok(())
    }

    async fn blocking<T: Send + 'static>(
        &self,
        key: &str,
        call: impl FnOnce(&dyn SecretStore, String) -> Result<T, VaultError> + Send + 'static,
    ) -> Result<T, VaultError> {
        let store = Arc::clone(&self.store);
        let key = key.to_owned();
        // On a timeout the blocked thread is left behind: a hung keychain cannot be interrupted,
        // but the UI must not wait for it.
        let task = tokio::task::spawn_blocking(move || call(store.as_ref(), key));
        match tokio::time::timeout(self.timeout, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(VaultError::Refused { reason: join.to_string() }),
            Err(_) => Err(VaultError::TimedOut { seconds: self.timeout.as_secs().max(1) }),
        }
    }

    fn cached(&self, key: &str) -> Option<Option<Secret>> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner).get(key).cloned()
    }

    fn remember(&self, key: &str, value: Option<Secret>) {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner).insert(key.to_owned(), value);
    }
}

/// Keychain changes that belong to one file write: each records what it replaced, so when the
/// write fails the keychain is put back as it was and file, memory and keychain still agree.
#[derive(Debug)]
pub struct VaultChanges<'a> {
    vault: &'a Vault,
    undo: Vec<(String, Option<Secret>)>,
}

impl<'a> VaultChanges<'a> {
    pub fn new(vault: &'a Vault) -> Self {
        Self { vault, undo: Vec::new() }
    }

    pub async fn set(&mut self, key: &str, value: Secret) -> Result<(), VaultError> {
        let before = self.vault.get(key).await?;
        self.vault.set(key, value).await?;
        self.undo.push((key.to_owned(), before));
        Ok(())
    }

    /// Sets a key that cannot exist yet (it names an id made a moment ago): undoing it
    /// deletes it, and no read is spent on what it held before.
    pub async fn set_new(&mut self, key: &str, value: Secret) -> Result<(), VaultError> {
        self.vault.set(key, value).await?;
        self.undo.push((key.to_owned(), None));
        Ok(())
    }

    pub async fn delete(&mut self, key: &str) -> Result<(), VaultError> {
        let before = self.vault.get(key).await?;
        self.vault.delete(key).await?;
        self.undo.push((key.to_owned(), before));
        Ok(())
    }

    /// Puts back every change, newest first. A keychain that fails now too is logged: the
    /// caller's error is the one the user needs to see.
    pub async fn roll_back(self) {
        for (key, before) in self.undo.into_iter().rev() {
            let restored = match before {
                Some(value) => self.vault.set(&key, value).await,
                None => self.vault.delete(&key).await,
            };
            if let Err(e) = restored {
                tracing::warn!(%key, error = %e, "a keychain change could not be undone");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Default)]
    struct CountingStore {
        values: Mutex<HashMap<String, String>>,
        reads: AtomicUsize,
    }

    impl SecretStore for Arc<CountingStore> {
        fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
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
    async fn values_read_once_are_cached() {
        let store = Arc::new(CountingStore::default());
        let vault = Vault::new(Arc::clone(&store));
        assert_eq!(vault.get("k").await, Ok(None));
        vault.set("k", Secret::new("v")).await.expect("set");
        assert_eq!(vault.get("k").await.expect("get").map(|s| s.expose().to_owned()), Some("v".into()));
        assert_eq!(vault.get("k").await.expect("get").map(|s| s.expose().to_owned()), Some("v".into()));
        assert_eq!(store.reads.load(Ordering::SeqCst), 1, "only the first, missing read reached the store");
    }

    #[tokio::test]
    async fn rolled_back_changes_restore_the_keychain() {
        let store = Arc::new(CountingStore::default());
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

    #[tokio::test]
    async fn a_hung_keychain_times_out() {
        let vault = Vault::new(HangingStore).with_timeout(Duration::from_millis(100));
        let started = std::time::Instant::now();
        assert_eq!(vault.get("k").await, Err(VaultError::TimedOut { seconds: 1 }));
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
