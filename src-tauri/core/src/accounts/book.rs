//! The accounts book: add, edit and remove Adobe accounts, one change at a time. Each change
//! is written to `accounts.json` first and applied to memory only after the write succeeded;
//! the keychain change that goes with it is undone when the write fails.

use std::path::PathBuf;
use std::sync::Arc;

use super::file::AccountFile;
use super::Account;
use crate::catalog::FieldError;
use crate::data_file::StoreNotice;
use crate::secret::Secret;
use crate::shared_file::{Edit, SharedFile};
use crate::vault::{Vault, VaultChanges, VaultError};

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
}

#[derive(Debug)]
pub struct AccountBook {
    /// Read by every form keystroke: a plain lock held briefly and a `stat`. A change holds
    /// the file's edit through the keychain and the write, so changes never interleave.
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
    /// without one keeps the stored secret.
    pub async fn save(
        &self,
        account: Account,
        client_secret: Option<Secret>,
    ) -> Result<Account, AccountError> {
        let errors = account.validate();
        if !errors.is_empty() {
            return Err(AccountError::Invalid(errors));
        }
        let edit = self.edit().await?;
        let mut next = edit.current();
        let existing = if account.id.is_empty() {
            None
        } else {
            Some(next.accounts.iter().position(|a| a.id == account.id).ok_or(AccountError::NotFound)?)
        };
        let client_secret = client_secret.filter(|s| !s.is_empty());
        let mut account = Account {
            id: account.id,
            display_name: account.display_name.trim().to_owned(),
            org_id: account.org_id.trim().to_owned(),
            client_id: account.client_id.trim().to_owned(),
            scopes: account.scopes.trim().to_owned(),
            default_sandbox: account.default_sandbox.filter(|s| !s.trim().is_empty()),
            sign_in: account.sign_in,
            legacy_id: existing.and_then(|i| next.accounts[i].legacy_id.clone()),
        };
        if existing.is_none() {
            account.id = uuid::Uuid::new_v4().to_string();
        }
        let mut changes = VaultChanges::new(&self.vault);
        match (&client_secret, existing) {
            (Some(secret), None) => changes.set_new(&account.secret_key(), secret.clone()).await?,
            (Some(secret), Some(_)) => {
                // A new secret moves a migrated account's entry to its UUID at the same time.
                if let Some(old) = account.legacy_id.take() {
                    changes.delete(&Account::secret_key_for(&old)).await?;
                }
                changes.set(&account.secret_key(), secret.clone()).await?;
            }
            (None, None) => return Err(AccountError::NoSecret),
            // The kept secret belongs to the other way of signing in.
            (None, Some(index)) if next.accounts[index].sign_in != account.sign_in => {
                return Err(AccountError::NoSecret)
            }
            (None, Some(_)) => {}
        }
        match existing {
            Some(index) => next.accounts[index] = account.clone(),
            None => next.accounts.push(account.clone()),
        }
        if let Err(e) = write(&edit, next).await {
            changes.roll_back().await;
            return Err(e);
        }
        Ok(account)
    }

    /// Removes an account and its client secret. The secret goes first (and comes back when
    /// the file cannot be written), so a removed account leaves no keychain entry behind.
    pub async fn delete(&self, id: &str) -> Result<Account, AccountError> {
        let edit = self.edit().await?;
        let mut next = edit.current();
        let index = next.accounts.iter().position(|a| a.id == id).ok_or(AccountError::NotFound)?;
        let account = next.accounts.remove(index);
        let mut changes = VaultChanges::new(&self.vault);
        changes.delete(&account.secret_key()).await?;
        if let Err(e) = write(&edit, next).await {
            changes.roll_back().await;
            return Err(e);
        }
        Ok(account)
    }

    /// Moves the client secrets of migrated accounts to their UUID keys, then forgets the old
    /// ids. An account whose old entry is missing keeps its old id, so nothing is lost.
    pub async fn finish_migration(&self) -> Result<(), AccountError> {
        let edit = self.edit().await?;
        let mut next = edit.current();
        let mut moved = Vec::new();
        for account in next.accounts.iter_mut() {
            let Some(old) = account.legacy_id.clone() else { continue };
            let Some(secret) = self.vault.get(&Account::secret_key_for(&old)).await? else { continue };
            self.vault.set(&Account::secret_key_for(&account.id), secret).await?;
            account.legacy_id = None;
            moved.push(old);
        }
        if moved.is_empty() {
            return Ok(());
        }
        write(&edit, next).await?;
        // Only now that the file names the new entries may the old ones go.
        for old in moved {
            self.vault.delete(&Account::secret_key_for(&old)).await?;
        }
        Ok(())
    }

    /// Writes a migrated file back, so the older format is read only once.
    pub async fn persist(&self) -> Result<(), AccountError> {
        let edit = self.edit().await?;
        let current = edit.current();
        write(&edit, current).await
    }

    async fn edit(&self) -> Result<Edit<'_, AccountFile>, AccountError> {
        self.file.edit().await.map_err(|e| AccountError::Write { reason: e.to_string() })
    }
}

async fn write(edit: &Edit<'_, AccountFile>, next: AccountFile) -> Result<(), AccountError> {
    edit.commit(next).await.map_err(|e| AccountError::Write { reason: e.to_string() })
}
