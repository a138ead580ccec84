//! The keychain: the only place secrets are kept outside memory. Calls into the OS store block
//! (and a locked Linux keyring can block forever behind an unseen prompt), so they run on the
//! blocking pool under a timeout. Nothing is cached: another process may change the keychain
//! at any time.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::secret::Secret;

mod changes;
mod store;

pub use changes::VaultChanges;
pub use store::{KeyringStore, SecretStore};

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

#[cfg(test)]
mod tests;
