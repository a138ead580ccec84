//! The accounts book: add, edit and remove Adobe accounts, one change at a time. Each change
//! is written to `accounts.json` first and applied to memory only after the write succeeded;
//! the keychain change that goes with it is made before the file's lock is taken and undone
//! when the write fails.

use std::path::PathBuf;
use std::sync::Arc;

use super::file::AccountFile;
use super::Account;
use crate::catalog::FieldError;
use crate::secret::Secret;
use crate::secrets::vault::{Vault, VaultChanges, VaultError};
use crate::store::data_file::StoreNotice;
use crate::store::shared_file::{Edit, EditError, Refused, SharedFile};

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum AccountError {
    #[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" "))]
    Invalid(Vec<FieldError>),
    #[error("Enter the client secret of the credential (Adobe Developer Console, OAuth Server-to-Server), or the access token to paste.")]
    NoSecret,
    #[error("This account no longer exists: pick another one or add it again.")]
    NotFound,
    #[error("The client secret of “{name}” is not in the keychain: edit the account and enter it again.")]
    SecretMissing { name: String },
    #[error("Could not write the accounts file ({reason}). Check that the disk is not full and the app's data folder is writable, then try again.")]
    Write { reason: String },
    #[error("Could not read the accounts file ({reason}). Check the permissions of the app's data folder.")]
    Read { reason: String },
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// `accounts.json` cannot be read now (a newer Flow Connect wrote it): not overwritten.
    #[error(transparent)]
    Refused(#[from] Refused),
}

#[derive(Debug)]
pub struct AccountBook {
    /// Read by every form keystroke: a plain lock held briefly and a `stat`. A change holds
    /// the file's lock through the write only, never through a keychain call.
    file: SharedFile<AccountFile>,
    vault: Arc<Vault>,
}

impl AccountBook {
    /// Opens the book at `path`, migrating a file an older Flow Connect wrote and setting aside
    /// one that cannot be read. No keychain call is made.
    pub fn open(path: PathBuf, vault: Arc<Vault>) -> Result<(Self, Option<StoreNotice>), AccountError> {
        let (file, notice) =
            SharedFile::open(path).map_err(|e| AccountError::Read { reason: e.to_string() })?;
        Ok((Self { file, vault }, notice))
    }

    pub fn list(&self) -> Vec<Account> {
        self.file.read(|file| file.accounts.clone())
    }

    /// The account `id`, or the account migrated from that old id (a profile saved before the
    /// migration may still name it).
    pub fn find(&self, id: &str) -> Result<Account, AccountError> {
        self.file.read(|file| {
            file.accounts
                .iter()
                .find(|a| a.id == id || a.legacy_id.as_deref() == Some(id))
                .cloned()
                .ok_or(AccountError::NotFound)
        })
    }

    /// The old `acct-…` ids and the UUIDs that replaced them.
    pub fn migrated_ids(&self) -> Vec<(String, String)> {
        self.list().into_iter().filter_map(|a| a.legacy_id.map(|old| (old, a.id))).collect()
    }

    /// The account's client secret from the keychain.
    pub async fn client_secret(&self, account: &Account) -> Result<Secret, AccountError> {
        self.vault
            .get(&account.secret_key())
            .await?
            .ok_or_else(|| AccountError::SecretMissing { name: account.display_name.clone() })
    }

    /// Adds an account (empty `id`) or edits one. A new account needs a client secret; an edit
    /// without one keeps the stored secret. The keychain is changed before the file's lock is
    /// taken (a keychain waiting for the user never holds up another change of the file) and
    /// put back when the file cannot be written.
    pub async fn save(
        &self,
        account: Account,
        client_secret: Option<Secret>,
    ) -> Result<Account, AccountError> {
        let errors = account.validate();
        if !errors.is_empty() {
            return Err(AccountError::Invalid(errors));
        }
        let existing = match account.id.as_str() {
            "" => None,
            id => Some(self.by_id(id)?),
        };
        let client_secret = client_secret.filter(|s| !s.is_empty());
        match (&client_secret, &existing) {
            (None, None) => return Err(AccountError::NoSecret),
            // The kept secret belongs to the other way of signing in.
            (None, Some(old)) if old.sign_in != account.sign_in => return Err(AccountError::NoSecret),
            _ => {}
        }
        let account = Account {
            id: existing.as_ref().map_or_else(|| uuid::Uuid::new_v4().to_string(), |a| a.id.clone()),
            display_name: account.display_name.trim().to_owned(),
            org_id: account.org_id.trim().to_owned(),
            client_id: account.client_id.trim().to_owned(),
            scopes: account.scopes.trim().to_owned(),
            default_sandbox: account.default_sandbox.filter(|s| !s.trim().is_empty()),
            sign_in: account.sign_in,
            // A new secret goes under the UUID, which ends a migrated account's old entry.
            legacy_id: None,
        };
        let mut changes = VaultChanges::new(&self.vault);
        let key = Account::secret_key_for(&account.id);
        let set = match (&client_secret, &existing) {
            (Some(secret), None) => changes.set_new(&key, secret.clone()).await,
            (Some(secret), Some(_)) => changes.set(&key, secret.clone()).await,
            (None, _) => Ok(()),
        };
        if let Err(e) = set {
            changes.roll_back().await;
            return Err(e.into());
        }
        let written = self
            .change(|next| {
                if existing.is_none() {
                    next.accounts.push(account.clone());
                    return Ok(account.clone());
                }
                let slot =
                    next.accounts.iter_mut().find(|a| a.id == account.id).ok_or(AccountError::NotFound)?;
                // Without a new secret the entry stays where the file (read under the lock) says.
                let legacy_id = if client_secret.is_some() { None } else { slot.legacy_id.clone() };
                *slot = Account { legacy_id, ..account.clone() };
                Ok(slot.clone())
            })
            .await;
        let saved = match written {
            Ok(saved) => saved,
            Err(e) => {
                changes.roll_back().await;
                return Err(e);
            }
        };
        // The old entry of a migrated account goes only once the file names the new one.
        if let Some(old) = existing.and_then(|a| a.legacy_id).filter(|_| client_secret.is_some()) {
            if let Err(e) = self.vault.delete(&Account::secret_key_for(&old)).await {
                tracing::warn!(error = %e, "the old keychain entry of a migrated account is left behind");
            }
        }
        Ok(saved)
    }

    /// Removes an account and its client secret. The secret goes first (and comes back when
    /// the file cannot be written), so a removed account leaves no keychain entry behind; no
    /// keychain call is made under the file's lock.
    pub async fn delete(&self, id: &str) -> Result<Account, AccountError> {
        let account = self.by_id(id)?;
        let mut changes = VaultChanges::new(&self.vault);
        // A migrated account may have both entries: the old one and, half-moved, the UUID's.
        let mut keys = vec![account.secret_key(), Account::secret_key_for(&account.id)];
        keys.dedup();
        for key in &keys {
            if let Err(e) = changes.delete(key).await {
                changes.roll_back().await;
                return Err(e.into());
            }
        }
        let written = self
            .change(|next| {
                next.accounts.retain(|a| a.id != id);
                Ok(())
            })
            .await;
        if let Err(e) = written {
            changes.roll_back().await;
            return Err(e);
        }
        Ok(account)
    }

    /// Moves the client secrets of migrated accounts to their UUID keys, then forgets the old
    /// ids. An account whose old entry is missing keeps its old id, so nothing is lost. The
    /// keychain is read and written before the file's lock is taken, and the old entries go
    /// after it is released.
    pub async fn finish_migration(&self) -> Result<(), AccountError> {
        let mut copied = Vec::new();
        for account in self.list() {
            let Some(old) = account.legacy_id else { continue };
            let Some(secret) = self.vault.get(&Account::secret_key_for(&old)).await? else { continue };
            self.vault.set(&Account::secret_key_for(&account.id), secret).await?;
            copied.push((account.id, old));
        }
        if copied.is_empty() {
            return Ok(());
        }
        let moved = self
            .change(|next| {
                let mut moved = Vec::new();
                for account in next.accounts.iter_mut() {
                    let Some(old) = account.legacy_id.clone() else { continue };
                    if copied.iter().any(|(id, from)| *id == account.id && *from == old) {
                        account.legacy_id = None;
                        moved.push(old);
                    }
                }
                Ok(moved)
            })
            .await?;
        // Only now that the file names the new entries may the old ones go.
        for old in moved {
            self.vault.delete(&Account::secret_key_for(&old)).await?;
        }
        Ok(())
    }

    /// Writes a migrated file back, so the older format is read only once, and returns the
    /// old `acct-…` ids and the UUIDs that replaced them, as written (under the file's lock).
    pub async fn persist(&self) -> Result<Vec<(String, String)>, AccountError> {
        self.change(|file| {
            Ok(file
                .accounts
                .iter()
                .filter_map(|a| a.legacy_id.clone().map(|old| (old, a.id.clone())))
                .collect())
        })
        .await
    }

    /// Why `accounts.json` cannot be read now, once each time it stops being readable.
    pub fn take_notice(&self) -> Option<Refused> {
        self.file.take_notice()
    }

    /// The account with the id `id` as the file holds it now.
    fn by_id(&self, id: &str) -> Result<Account, AccountError> {
        self.file
            .read(|file| file.accounts.iter().find(|a| a.id == id).cloned())
            .ok_or(AccountError::NotFound)
    }

    /// Changes the file under its lock: `f` changes a copy of it as it is now, and the copy is
    /// written unless `f` refuses. The lock is released on return.
    async fn change<R>(
        &self,
        f: impl FnOnce(&mut AccountFile) -> Result<R, AccountError>,
    ) -> Result<R, AccountError> {
        let edit = self.file.edit().await.map_err(|e| match e {
            EditError::Refused(refused) => AccountError::Refused(refused),
            other => AccountError::Write { reason: other.to_string() },
        })?;
        let mut next = edit.current();
        let result = f(&mut next)?;
        write(&edit, next).await?;
        Ok(result)
    }
}

async fn write(edit: &Edit<'_, AccountFile>, next: AccountFile) -> Result<(), AccountError> {
    edit.commit(next).await.map_err(|e| AccountError::Write { reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::{Mutex, PoisonError};

    use super::*;
    use crate::accounts::SignIn;
    use crate::secrets::vault::SecretStore;

    #[derive(Default, Clone)]
    struct Memory(Arc<Mutex<HashMap<String, String>>>);

    impl SecretStore for Memory {
        fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
            Ok(self.0.lock().unwrap_or_else(PoisonError::into_inner).get(key).map(Secret::new))
        }
        fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner).insert(key.into(), value.expose().into());
            Ok(())
        }
        fn delete(&self, key: &str) -> Result<(), VaultError> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_save_whose_folder_cannot_be_flushed_is_a_save_and_keeps_its_secret() {
        let dir = std::env::temp_dir().join(format!("flow-connect-accounts-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        let keychain = Memory::default();
        let (book, _) = AccountBook::open(dir.join("accounts.json"), Arc::new(Vault::new(keychain.clone())))
            .expect("open");
        crate::store::data_file::failing_sync::add(&dir);
        let account = Account {
            id: String::new(),
            display_name: "Acme".into(),
            org_id: "FAKE@AdobeOrg".into(),
            client_id: "c".into(),
            scopes: "openid".into(),
            default_sandbox: None,
            sign_in: SignIn::ClientCredentials,
            legacy_id: None,
        };
        let saved = book.save(account, Some(Secret::new("kept-secret"))).await.expect("reported as saved");
        assert_eq!(book.list(), vec![saved.clone()]);
        assert!(std::fs::read_to_string(dir.join("accounts.json")).expect("file").contains("Acme"));
        let stored = keychain.get(&saved.secret_key()).expect("keychain").map(|s| s.expose().to_owned());
        assert_eq!(stored.as_deref(), Some("kept-secret"), "the keychain change was not rolled back");
        let _ = std::fs::remove_dir_all(dir);
    }
}
