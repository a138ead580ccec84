//! A set of keychain changes that one file write makes, undone together when the write fails.

use super::{Vault, VaultError, Write};
use crate::secret::Secret;

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
