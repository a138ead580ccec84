//! The index of the secret sets the app made outside profiles: a consent's tokens, an imported
//! Google client's secret, the password of a pasted connection string. Each entry says which
//! source and which fields the set was made for, so a form can fill only that source's secret
//! fields from it, and so sets nothing refers to any more can be found and deleted: a set
//! copied into a profile or left behind by its form goes at once, and the sets of a process
//! that has ended (forms are not kept across restarts) go at the next sweep. The index
//! (`secret-sets.json`) holds no secret.
//!
//! The app and flow-connect-cli share the index, so each entry names the process that made it:
//! the id of a lock file (`secret-sets.owners/<id>.lock`) that process holds while it runs.
//! The OS releases the lock when the process ends, however it ends, and an id is never reused,
//! so a sweep deletes only sets whose maker is gone, never the one a running
//! `flow-connect-cli consent` is copying into a profile. The index's lock is never held across
//! a keychain call: a slow keychain must not stall the other process's saves.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use super::owner::{self, OwnerLock};
use super::{CredentialsError, StoredSecrets};
use crate::secret::Secret;
use crate::secrets::vault::{Vault, VaultChanges, VaultError};
use crate::store::data_file::{self, StoreNotice};
use crate::store::shared_file::{Edit, SharedFile, Stored};

const SCHEMA_VERSION: u32 = 1;
/// A form holds a handful of secrets; more in one set means something is wrong.
const MAX_FIELDS: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    set: String,
    spec_id: String,
    fields: Vec<String>,
    created_at: u64,
    /// The holder that made the set (its lock file's id); `None` in an index from before
    /// owners were recorded, whose sets any sweep may take.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    /// The maker's process id, for whoever reads the file; the lock, not this, says whether
    /// the maker still runs (a pid is reused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pid: Option<u32>,
    /// Being deleted: no form fills from it any more. Left so when its keychain entries could
    /// not all be deleted; a sweep finishes it once its maker is gone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    discarded: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Index {
    schema_version: u32,
    sets: Vec<Entry>,
}

/// The secret sets of forms, and what each was made for.
impl Stored for Index {
    /// At start-up, as every data file: a damaged index is set aside (the sets it named are
    /// then unknown, which leaves at most a few keychain entries behind, never a secret in a
    /// file); one a newer Flow Connect wrote is kept in place and changes to it refused.
    fn load(path: &Path) -> std::io::Result<(Self, Option<StoreNotice>)> {
        data_file::open_versioned(path, SCHEMA_VERSION, parse, empty)
    }

    /// At runtime an unreadable index is left in place (changes are refused meanwhile).
    fn reread(path: &Path) -> Result<(Self, Option<StoreNotice>), data_file::Unreadable> {
        Ok((data_file::read_versioned(path, parse)?.map(|(index, _)| index).unwrap_or_else(empty), None))
    }

    fn store(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        data_file::write_atomically(path, &bytes)
    }
}

#[derive(Debug)]
pub struct SecretSets {
    index: SharedFile<Index>,
    /// Where the holders' lock files are: `secret-sets.owners` beside the index.
    owners: PathBuf,
    /// This holder's lock, taken with its first set.
    owner: Mutex<Option<Arc<OwnerLock>>>,
    vault: Arc<Vault>,
}

impl SecretSets {
    /// Opens the index in `path`; an unreadable one is set aside (the sets it named are then
    /// unknown, which leaves at most a few keychain entries behind, never a secret in a file).
    pub fn open(path: PathBuf, vault: Arc<Vault>) -> Self {
        let index = SharedFile::open(path.clone()).map(|(index, _)| index).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "secret set index not read");
            SharedFile::empty(path.clone(), Index { schema_version: SCHEMA_VERSION, sets: Vec::new() })
        });
        let owners = path.with_extension("owners");
        Self { index, owners, owner: Mutex::new(None), vault }
    }

    /// Keeps `values` (field → secret) for a form of `spec_id`: in the form's own set when
    /// `set` names one made for the same source, else in a new one. The index is written
    /// first, so a crash never leaves keychain entries it does not know of.
    pub async fn keep(
        &self,
        set: Option<&str>,
        spec_id: &str,
        values: Vec<(String, Secret)>,
    ) -> Result<StoredSecrets, CredentialsError> {
        let owner = self.owner()?;
        let index = self.edit().await?;
        let mut next = index.current();
        // Only a set of this holder's is added to: another's may be swept when its maker ends.
        let position = set.and_then(|s| {
            next.sets.iter().position(|e| {
                e.set == s && e.spec_id == spec_id && e.owner.as_deref() == Some(&owner.id) && !e.discarded
            })
        });
        let position = match position {
            Some(position) => position,
            None => {
                next.sets.push(Entry {
                    set: StoredSecrets::new_set("consent"),
                    spec_id: spec_id.to_owned(),
                    fields: Vec::new(),
                    created_at: crate::dates::now_ms_u64(),
                    owner: Some(owner.id.clone()),
                    pid: Some(std::process::id()),
                    discarded: false,
                });
                next.sets.len() - 1
            }
        };
        let entry = &mut next.sets[position];
        for (field, _) in &values {
            if !entry.fields.contains(field) {
                entry.fields.push(field.clone());
            }
        }
        if entry.fields.len() > MAX_FIELDS {
            let field = entry.fields.last().cloned().unwrap_or_default();
            return Err(CredentialsError::NotAllowed { field });
        }
        let set = entry.set.clone();
        let fields: Vec<String> = values.iter().map(|(f, _)| f.clone()).collect();
        write(&index, next).await?;
        drop(index);
        let mut changes = VaultChanges::new(&self.vault);
        for (field, value) in values {
            if let Err(e) = changes.set(&StoredSecrets::key(&set, &field), value).await {
                // The index keeps naming the fields; filling from them then says they are
                // missing, and a sweep removes the entry once this process has ended.
                changes.roll_back().await;
                return Err(e.into());
            }
        }
        Ok(StoredSecrets { set, fields })
    }

    /// The fields of `set` a form of `spec_id` may fill from it: those it was made for, and
    /// only for the source it was made for.
    pub async fn allowed(&self, set: &str, spec_id: &str) -> Result<Vec<String>, CredentialsError> {
        self.index.read(|index| {
            index
                .sets
                .iter()
                .find(|e| e.set == set && e.spec_id == spec_id && !e.discarded)
                .map(|e| e.fields.clone())
                .ok_or(CredentialsError::UnknownSet)
        })
    }

    /// Deletes a set and its keychain entries, once its form no longer needs it. The entry is
    /// marked first and removed after the keychain calls, each under the index's lock only for
    /// its own write: a crash in between leaves an entry a sweep finishes, never an unknown
    /// keychain entry.
    pub async fn discard(&self, set: &str) -> Result<(), CredentialsError> {
        let entry = {
            let index = self.edit().await?;
            let mut next = index.current();
            let Some(entry) = next.sets.iter_mut().find(|e| e.set == set) else { return Ok(()) };
            entry.discarded = true;
            let entry = entry.clone();
            write(&index, next).await?;
            entry
        };
        delete_entries(&self.vault, &entry).await?;
        self.remove(&[entry.set]).await
    }

    /// Deletes the sets whose maker has ended: forms are not kept across restarts, so none
    /// refers to them. The sets of running processes (this one, a `flow-connect-cli consent`
    /// copying its tokens into a profile) stay. Returns how many went.
    pub async fn sweep(&self) -> Result<usize, CredentialsError> {
        let mine = self.owner.lock().unwrap_or_else(PoisonError::into_inner).as_ref().map(|o| o.id.clone());
        let owners = self.owners.clone();
        // Chosen from a fresh read; the lock files are checked off the async runtime.
        let sets = self.index.read(|index| index.sets.clone());
        let gone = tokio::task::spawn_blocking(move || {
            sets.into_iter()
                .filter(|e| match &e.owner {
                    None => true,
                    Some(id) => Some(id) != mine.as_ref() && !owner::alive(&owners, id),
                })
                .collect::<Vec<Entry>>()
        })
        .await
        .map_err(|e| CredentialsError::Index { reason: e.to_string() })?;
        let mut swept = Vec::new();
        let mut failed = None;
        for entry in gone {
            match delete_entries(&self.vault, &entry).await {
                Ok(()) => swept.push(entry.set),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        if !swept.is_empty() {
            self.remove(&swept).await?;
        }
        let owners = self.owners.clone();
        let named: Vec<String> =
            self.index.read(|index| index.sets.iter().filter_map(|e| e.owner.clone()).collect());
        let _ = tokio::task::spawn_blocking(move || {
            let named: Vec<&str> = named.iter().map(String::as_str).collect();
            owner::remove_gone(&owners, &named);
        })
        .await;
        match failed {
            Some(e) => Err(e.into()),
            None => Ok(swept.len()),
        }
    }

    /// Drops `sets` from the index (their keychain entries are gone).
    async fn remove(&self, sets: &[String]) -> Result<(), CredentialsError> {
        let index = self.edit().await?;
        let mut next = index.current();
        let before = next.sets.len();
        next.sets.retain(|e| !sets.contains(&e.set));
        if next.sets.len() == before {
            return Ok(());
        }
        write(&index, next).await
    }

    /// This holder's lock, taken at its first set.
    fn owner(&self) -> Result<Arc<OwnerLock>, CredentialsError> {
        let mut owner = self.owner.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(lock) = owner.as_ref() {
            return Ok(Arc::clone(lock));
        }
        let lock = Arc::new(
            OwnerLock::take(&self.owners).map_err(|e| CredentialsError::Index { reason: e.to_string() })?,
        );
        *owner = Some(Arc::clone(&lock));
        Ok(lock)
    }

    /// The sets in the index, for tests and diagnostics.
    pub async fn sets(&self) -> Vec<String> {
        self.index.read(|index| index.sets.iter().map(|e| e.set.clone()).collect())
    }

    async fn edit(&self) -> Result<Edit<'_, Index>, CredentialsError> {
        self.index.edit().await.map_err(|e| CredentialsError::Index { reason: e.to_string() })
    }
}

async fn write(edit: &Edit<'_, Index>, next: Index) -> Result<(), CredentialsError> {
    edit.commit(next).await.map_err(|e| CredentialsError::Index { reason: e.to_string() })
}

async fn delete_entries(vault: &Vault, entry: &Entry) -> Result<(), VaultError> {
    for field in &entry.fields {
        vault.delete(&StoredSecrets::key(&entry.set, field)).await?;
    }
    Ok(())
}

fn empty() -> Index {
    Index { schema_version: SCHEMA_VERSION, sets: Vec::new() }
}

fn parse(bytes: &[u8]) -> Result<(Index, u32), data_file::Unreadable> {
    let index: Index = serde_json::from_slice(bytes).map_err(|e| {
        // A newer index may have fields this one cannot read: its version still says so.
        match serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()
            .and_then(|v| v["schemaVersion"].as_u64())
        {
            Some(version) if version > u64::from(SCHEMA_VERSION) => {
                data_file::Unreadable::Newer { version: u32::try_from(version).unwrap_or(u32::MAX) }
            }
            _ => data_file::Unreadable::Invalid(format!("it is not a secret set index ({e})")),
        }
    })?;
    if index.schema_version > SCHEMA_VERSION {
        return Err(data_file::Unreadable::Newer { version: index.schema_version });
    }
    if index.schema_version != SCHEMA_VERSION {
        return Err(data_file::Unreadable::Invalid(format!("schema version {}", index.schema_version)));
    }
    // Only sets this module could have made are kept: the index is a file anyone could edit.
    let sets = index.sets.into_iter().filter(|e| StoredSecrets::check_set(&e.set).is_ok()).collect();
    Ok((Index { sets, ..index }, SCHEMA_VERSION))
}
