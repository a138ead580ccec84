//! Secrets kept so a credential can be made again without a person: the private key a JWT is
//! signed with, and the client secret the connection's auth params carry beside it (Flow
//! Service replaces `auth.params` whole, so a renewal sends it again). Each set lives in the
//! keychain under `renewal/<uuid>/<name>`; the connection's origin names the set, never a
//! value. Forms cannot refer to these entries: [`StoredSecrets`] takes only its own kinds.
//!
//! [`StoredSecrets`]: super::credentials::StoredSecrets

use std::sync::Arc;

use crate::secrets::vault::{Vault, VaultChanges, VaultError};
use crate::Secret;

/// What a renewal set may hold.
pub const PRIVATE_KEY: &str = "privateKey";
pub const CLIENT_SECRET: &str = "clientSecret";
const NAMES: [&str; 2] = [PRIVATE_KEY, CLIENT_SECRET];

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RenewalKeysError {
    #[error("The renewal record of this connection is not one Flow Connect made. Sign the credential again from the connection's Update credentials.")]
    UnknownSet,
    #[error("The {0} kept for renewing this connection is no longer in the keychain. Sign the credential again from the connection's Update credentials.")]
    Missing(&'static str),
    #[error(transparent)]
    Vault(#[from] VaultError),
}

#[derive(Debug, Clone)]
pub struct RenewalKeys {
    vault: Arc<Vault>,
}

impl RenewalKeys {
    pub fn new(vault: Arc<Vault>) -> Self {
        Self { vault }
    }

    /// Keeps `values` in a new set and names it; nothing is kept when one write fails.
    pub async fn keep(&self, values: Vec<(&'static str, Secret)>) -> Result<String, RenewalKeysError> {
        let id = uuid::Uuid::new_v4().hyphenated().to_string();
        let mut changes = VaultChanges::new(&self.vault);
        for (name, value) in values {
            debug_assert!(NAMES.contains(&name));
            if let Err(e) = changes.set(&key(&id, name), value).await {
                changes.roll_back().await;
                return Err(e.into());
            }
        }
        Ok(id)
    }

    /// One secret of a set.
    pub async fn get(&self, id: &str, name: &'static str) -> Result<Secret, RenewalKeysError> {
        check(id)?;
        self.vault.get(&key(id, name)).await?.ok_or(RenewalKeysError::Missing(match name {
            PRIVATE_KEY => "private key",
            _ => "client secret",
        }))
    }

    /// One secret of a set, when the set holds it.
    pub async fn get_optional(
        &self,
        id: &str,
        name: &'static str,
    ) -> Result<Option<Secret>, RenewalKeysError> {
        check(id)?;
        Ok(self.vault.get(&key(id, name)).await?)
    }

    /// Removes a set (its connection was deleted, or a newer set replaced it).
    pub async fn forget(&self, id: &str) -> Result<(), RenewalKeysError> {
        check(id)?;
        for name in NAMES {
            self.vault.delete(&key(id, name)).await?;
        }
        Ok(())
    }
}

fn key(id: &str, name: &str) -> String {
    format!("renewal/{id}/{name}")
}

/// Only a set id this module made (a hyphenated UUID) is read, so an origin edited by hand
/// cannot point a renewal at another keychain entry.
fn check(id: &str) -> Result<(), RenewalKeysError> {
    match uuid::Uuid::try_parse(id) {
        Ok(u) if u.hyphenated().to_string() == id => Ok(()),
        _ => Err(RenewalKeysError::UnknownSet),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::vault::SecretStore;
    use std::collections::HashMap;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Memory(Mutex<HashMap<String, String>>);

    impl SecretStore for Memory {
        fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
            Ok(self.0.lock().expect("lock").get(key).map(|v| Secret::new(v.clone())))
        }
        fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
            self.0.lock().expect("lock").insert(key.to_owned(), value.expose().to_owned());
            Ok(())
        }
        fn delete(&self, key: &str) -> Result<(), VaultError> {
            self.0.lock().expect("lock").remove(key);
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_set_is_kept_read_and_forgotten() {
        let keys = RenewalKeys::new(Arc::new(Vault::new(Memory::default())));
        let id = keys
            .keep(vec![(PRIVATE_KEY, Secret::new("pem")), (CLIENT_SECRET, Secret::new("s"))])
            .await
            .expect("kept");
        assert_eq!(keys.get(&id, PRIVATE_KEY).await.expect("key").expose(), "pem");
        keys.forget(&id).await.expect("forgotten");
        assert_eq!(
            keys.get(&id, CLIENT_SECRET).await.err(),
            Some(RenewalKeysError::Missing("client secret"))
        );
        assert_eq!(keys.get("../consent/x", PRIVATE_KEY).await.err(), Some(RenewalKeysError::UnknownSet));
    }
}
