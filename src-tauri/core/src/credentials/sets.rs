//! The index of the secret sets the app made outside profiles: a consent's tokens, an imported
//! Google client's secret, the password of a pasted connection string. Each entry says which
//! source and which fields the set was made for, so a form can fill only that source's secret
//! fields from it, and so sets nothing refers to any more can be found and deleted: at
//! start-up every one is (forms are not kept across restarts), and a set copied into a profile
//! or left behind by its form goes at once. The index (`secret-sets.json`) holds no secret.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::{CredentialsError, StoredSecrets};
use crate::data_file::{self, StoreNotice};
use crate::secret::Secret;
use crate::shared_file::{Edit, SharedFile, Stored};
use crate::vault::{Vault, VaultChanges, VaultError};

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
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Index {
    schema_version: u32,
    sets: Vec<Entry>,
}

/// The secret sets of forms, and what each was made for.
impl Stored for Index {
    /// An unreadable index is set aside (the sets it named are then unknown, which leaves at
    /// most a few keychain entries behind, never a secret in a file).
    fn load(path: &Path) -> std::io::Result<(Self, Option<StoreNotice>)> {
        Ok(match read(path) {
            Ok(index) => (index, None),
            Err(reason) => {
                let moved_to = data_file::set_aside(path)?;
                tracing::warn!(moved_to = %moved_to.display(), %reason, "secret set index moved aside");
                (
                    Index { schema_version: SCHEMA_VERSION, sets: Vec::new() },
                    Some(StoreNotice::MovedAside { moved_to, reason }),
                )
            }
        })
    }

    /// At runtime an unreadable index is left in place (changes are refused meanwhile).
    fn reread(path: &Path) -> Result<(Self, Option<StoreNotice>), data_file::Unreadable> {
        read(path).map(|index| (index, None)).map_err(data_file::Unreadable::Invalid)
    }

    fn store(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        data_file::write_atomically(path, &bytes)
    }
}

#[derive(Debug)]
pub struct SecretSets {
    index: SharedFile<Index>,
    /// The sets from before this start, which no form can refer to.
    stale: Vec<String>,
    vault: Arc<Vault>,
}

impl SecretSets {
    /// Opens the index in `path`; an unreadable one is set aside (the sets it named are then
    /// unknown, which leaves at most a few keychain entries behind, never a secret in a file).
    pub fn open(path: PathBuf, vault: Arc<Vault>) -> Self {
        let index = SharedFile::open(path.clone()).map(|(index, _)| index).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "secret set index not read");
            SharedFile::empty(path, Index { schema_version: SCHEMA_VERSION, sets: Vec::new() })
        });
        let stale = index.read(|i| i.sets.iter().map(|e| e.set.clone()).collect());
        Self { index, stale, vault }
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
        let index = self.edit().await?;
        let mut next = index.current();
        let position = set.and_then(|s| next.sets.iter().position(|e| e.set == s && e.spec_id == spec_id));
        let position = match position {
            Some(position) => position,
            None => {
                next.sets.push(Entry {
                    set: StoredSecrets::new_set("consent"),
                    spec_id: spec_id.to_owned(),
                    fields: Vec::new(),
                    created_at: now_ms(),
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
                // missing, and the next start's sweep removes the entry.
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
                .find(|e| e.set == set && e.spec_id == spec_id)
                .map(|e| e.fields.clone())
                .ok_or(CredentialsError::UnknownSet)
        })
    }

    /// Deletes a set and its keychain entries, once its form no longer needs it.
    pub async fn discard(&self, set: &str) -> Result<(), CredentialsError> {
        let index = self.edit().await?;
        let mut next = index.current();
        let Some(position) = next.sets.iter().position(|e| e.set == set) else { return Ok(()) };
        let entry = next.sets.remove(position);
        delete_entries(&self.vault, &entry).await?;
        write(&index, next).await
    }

    /// Deletes the sets from before this start: forms are not kept across restarts, so none
    /// refers to them. Returns how many went.
    pub async fn sweep(&self) -> Result<usize, CredentialsError> {
        let index = self.edit().await?;
        let mut next = index.current();
        let mut swept = 0;
        while let Some(position) = next.sets.iter().position(|e| self.stale.contains(&e.set)) {
            delete_entries(&self.vault, &next.sets[position]).await?;
            next.sets.remove(position);
            swept += 1;
        }
        if swept > 0 {
            write(&index, next).await?;
        }
        Ok(swept)
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

fn read(path: &Path) -> Result<Index, String> {
    let bytes = match data_file::read_bounded(path) {
        Ok(None) => return Ok(Index { schema_version: SCHEMA_VERSION, sets: Vec::new() }),
        Ok(Some(bytes)) => bytes,
        Err(e) => return Err(e.to_string()),
    };
    let index: Index = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    if index.schema_version != SCHEMA_VERSION {
        return Err(format!("schema version {}", index.schema_version));
    }
    // Only sets this module could have made are kept: the index is a file anyone could edit.
    let sets = index.sets.into_iter().filter(|e| StoredSecrets::check_set(&e.set).is_ok()).collect();
    Ok(Index { sets, ..index })
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or_default()
}
