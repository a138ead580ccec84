//! The keychain the tests use: the real Secret Service only inside the private session that
//! `make test` starts (its own D-Bus session and gnome-keyring, `scripts/private-session.sh`),
//! and an in-memory store anywhere else, so a plain `cargo test` never writes to the
//! developer's own keychain.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use flow_connect_core::secrets::vault::{KeyringStore, SecretStore, VaultError};
use flow_connect_core::Secret;

/// Set by the private session, and only there.
pub const PRIVATE_KEYRING_VAR: &str = "FLOW_CONNECT_PRIVATE_KEYRING";

/// Whether this process runs inside the private test session's keychain.
pub fn in_private_keyring() -> bool {
    std::env::var_os(PRIVATE_KEYRING_VAR).is_some_and(|v| v == "1")
}

/// Fails the calling test unless it runs inside the private session. A test that needs the real
/// keychain (the CLI always uses it) is marked
/// `#[ignore = "needs the private keychain session of scripts/private-session.sh"]` and calls
/// this first: a plain `cargo test` reports it ignored with that reason instead of passing
/// without running, `make test` runs it inside the session (`-- --include-ignored`), and run by
/// hand anywhere else it fails here, saying where it runs.
pub fn require_private_keyring() {
    assert!(
        in_private_keyring(),
        "this test needs the real keychain of the private session: run it through `make test`, or \
         `source scripts/private-session.sh && in_keyring cargo test … -- --include-ignored`"
    );
}

/// Secrets in a map, shared by every clone.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore(Arc<Mutex<HashMap<String, String>>>);

impl MemoryStore {
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> =
            self.0.lock().unwrap_or_else(PoisonError::into_inner).keys().cloned().collect();
        keys.sort();
        keys
    }
}

impl SecretStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        Ok(self.0.lock().unwrap_or_else(PoisonError::into_inner).get(key).map(Secret::new))
    }
    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned(), value.expose().to_owned());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
        Ok(())
    }
}

/// The OS keychain in the private session, memory elsewhere.
#[derive(Debug, Clone)]
pub enum TestStore {
    Keychain { store: KeyringStore, service: String },
    Memory(MemoryStore),
}

impl TestStore {
    /// A store for `service` (a name of the test's own, so tests never share entries).
    pub fn new(service: impl Into<String>) -> Self {
        let service = service.into();
        if in_private_keyring() {
            Self::Keychain { store: KeyringStore::new(&service), service }
        } else {
            Self::Memory(MemoryStore::default())
        }
    }

    /// Every key stored under this store's service, sorted; for the keychain as another
    /// program (`secret-tool`) sees it.
    pub fn keys(&self) -> Vec<String> {
        match self {
            Self::Memory(store) => store.keys(),
            Self::Keychain { service, .. } => {
                let output = std::process::Command::new("secret-tool")
                    .args(["search", "--all", "service", service])
                    .output()
                    .expect("secret-tool runs (package libsecret-tools)");
                // Attributes are printed on standard error by some versions, standard output by others.
                let text = format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
                let mut keys: Vec<String> = text
                    .lines()
                    .filter_map(|l| l.trim().strip_prefix("attribute.username = "))
                    .map(str::to_owned)
                    .collect();
                keys.sort();
                keys
            }
        }
    }
}

impl SecretStore for TestStore {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        match self {
            Self::Keychain { store, .. } => store.get(key),
            Self::Memory(store) => store.get(key),
        }
    }
    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
        match self {
            Self::Keychain { store, .. } => store.set(key, value),
            Self::Memory(store) => store.set(key, value),
        }
    }
    fn delete(&self, key: &str) -> Result<(), VaultError> {
        match self {
            Self::Keychain { store, .. } => store.delete(key),
            Self::Memory(store) => store.delete(key),
        }
    }
}

/// A data folder and a keychain service of a test's own, removed when dropped.
#[derive(Debug)]
pub struct Scratch {
    pub dir: std::path::PathBuf,
    pub keychain: TestStore,
}

impl Scratch {
    /// `what` names the folder (`flow-connect-<what>-<uuid>` in the temporary folder).
    pub fn new(what: &str) -> Self {
        let id = uuid::Uuid::new_v4();
        let dir = std::env::temp_dir().join(format!("flow-connect-{what}-{id}"));
        std::fs::create_dir_all(&dir).expect("a temporary folder");
        Self { dir, keychain: TestStore::new(format!("io.flowconnect.test.{id}")) }
    }

    /// A vault over the keychain with an empty cache, as after a restart.
    pub fn vault(&self) -> Arc<flow_connect_core::secrets::vault::Vault> {
        Arc::new(flow_connect_core::secrets::vault::Vault::new(self.keychain.clone()))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
