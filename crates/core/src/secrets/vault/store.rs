//! Where the vault's secrets go: the OS keychain through `keyring`, or any store a test gives.

use super::VaultError;
use crate::secret::Secret;

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
