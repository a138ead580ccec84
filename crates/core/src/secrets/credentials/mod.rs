//! Secrets of a form that are kept in the keychain instead of travelling with the form: a
//! refresh token from Google's consent, or the secrets of a saved profile. A form names the set
//! and which of its fields are stored; the values are read back only when a request is built.

mod owner;
mod sets;

pub use sets::SecretSets;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::catalog::FormValues;
use crate::secrets::vault::{Vault, VaultError};

/// Where a set of stored secrets lives: `consent/<uuid>` for tokens a consent obtained,
/// `profile/<uuid>` for a saved profile's secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StoredSecrets {
    pub set: String,
    /// The form fields whose values are in the keychain.
    pub fields: Vec<String>,
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsError {
    #[error("The form refers to stored secrets Flow Connect does not recognise. Reopen the form and enter the secrets again.")]
    UnknownSet,
    #[error("The stored value of “{field}” is no longer in the keychain. Enter it again (or repeat the sign-in that filled it).")]
    Missing { field: String },
    #[error("Could not write the index of stored secrets ({reason}). Check that the disk is not full and the app's data folder is writable.")]
    Index { reason: String },
    #[error("“{field}” is not a secret of this source, so it cannot be filled from stored secrets. Reopen the form and enter it again.")]
    NotAllowed { field: String },
    #[error(transparent)]
    Vault(#[from] VaultError),
}

const KINDS: [&str; 2] = ["consent", "profile"];

impl StoredSecrets {
    /// A new, empty set of the given kind (`consent` or `profile`).
    pub fn new_set(kind: &str) -> String {
        debug_assert!(KINDS.contains(&kind));
        format!("{kind}/{}", uuid::Uuid::new_v4())
    }

    /// The keychain key of one field of a set.
    pub fn key(set: &str, field: &str) -> String {
        format!("{set}/{field}")
    }

    /// Only sets this module made are accepted, so a form can never point at another keychain
    /// entry (such as an Adobe account's client secret).
    pub fn check_set(set: &str) -> Result<(), CredentialsError> {
        let (kind, id) = set.split_once('/').ok_or(CredentialsError::UnknownSet)?;
        if KINDS.contains(&kind) && uuid::Uuid::try_parse(id).is_ok_and(|u| u.hyphenated().to_string() == id)
        {
            Ok(())
        } else {
            Err(CredentialsError::UnknownSet)
        }
    }

    /// Whether the set holds a profile's secrets (else a form's own, made by [`SecretSets`]).
    pub fn is_profile_set(&self) -> bool {
        self.set.starts_with("profile/")
    }

    /// Fills every stored field the user left empty from the keychain; a typed value wins.
    /// Only fields in `allowed` (the set's binding) may be filled.
    pub async fn fill_allowed(
        &self,
        vault: &Vault,
        values: &mut FormValues,
        allowed: &[String],
    ) -> Result<(), CredentialsError> {
        if let Some(field) = self.fields.iter().find(|f| !allowed.contains(f)) {
            return Err(CredentialsError::NotAllowed { field: field.clone() });
        }
        self.fill(vault, values).await
    }

    /// Fills every stored field the user left empty from the keychain; a typed value wins.
    pub async fn fill(&self, vault: &Vault, values: &mut FormValues) -> Result<(), CredentialsError> {
        Self::check_set(&self.set)?;
        for field in &self.fields {
            if values.get(field).is_some_and(|v| !v.is_empty()) {
                continue;
            }
            let value = vault
                .get(&Self::key(&self.set, field))
                .await?
                .ok_or_else(|| CredentialsError::Missing { field: field.clone() })?;
            values.insert(field.clone(), value);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sets_made_here_are_accepted() {
        let set = StoredSecrets::new_set("consent");
        assert!(StoredSecrets::check_set(&set).is_ok());
        assert!(StoredSecrets::check_set(&StoredSecrets::new_set("profile")).is_ok());
        for bad in
            ["account/abc", "account/0b5e0b44-4c8a-4c38-9e0f-1a0c1f0f7f11", "consent", "consent/x/../y"]
        {
            assert_eq!(StoredSecrets::check_set(bad), Err(CredentialsError::UnknownSet), "{bad}");
        }
        let upper = set.to_uppercase().replacen("CONSENT", "consent", 1);
        assert_eq!(StoredSecrets::check_set(&upper), Err(CredentialsError::UnknownSet));
    }

    #[derive(Default)]
    struct Memory(std::sync::Mutex<std::collections::HashMap<String, String>>);

    impl crate::secrets::vault::SecretStore for std::sync::Arc<Memory> {
        fn get(&self, key: &str) -> Result<Option<crate::Secret>, VaultError> {
            Ok(self.0.lock().expect("lock").get(key).map(crate::Secret::new))
        }
        fn set(&self, key: &str, value: &crate::Secret) -> Result<(), VaultError> {
            self.0.lock().expect("lock").insert(key.to_owned(), value.expose().to_owned());
            Ok(())
        }
        fn delete(&self, key: &str) -> Result<(), VaultError> {
            self.0.lock().expect("lock").remove(key);
            Ok(())
        }
    }

    #[tokio::test]
    async fn stored_values_fill_only_empty_fields() {
        let memory = std::sync::Arc::new(Memory::default());
        let vault = Vault::new(std::sync::Arc::clone(&memory));
        let set = StoredSecrets::new_set("consent");
        vault.set(&StoredSecrets::key(&set, "refreshToken"), "1//stored".into()).await.expect("set");
        vault.set(&StoredSecrets::key(&set, "clientSecret"), "stored-secret".into()).await.expect("set");
        let stored = StoredSecrets { set, fields: vec!["refreshToken".into(), "clientSecret".into()] };
        let mut values = FormValues::new();
        values.insert("clientSecret".into(), "typed-secret".into());
        values.insert("refreshToken".into(), "".into());
        stored.fill(&vault, &mut values).await.expect("filled");
        assert_eq!(values["refreshToken"].expose(), "1//stored");
        assert_eq!(values["clientSecret"].expose(), "typed-secret");

        let gone = StoredSecrets { fields: vec!["accessToken".into()], ..stored };
        let err = gone.fill(&vault, &mut values).await.expect_err("missing");
        assert_eq!(err, CredentialsError::Missing { field: "accessToken".into() });
    }
}
