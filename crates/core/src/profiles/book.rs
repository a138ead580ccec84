//! The profile book: every operation on profiles, one at a time. Each change is made to a copy
//! of the book, written to disk, and only then becomes the book in memory, all under the
//! file's lock, so two quick edits never lose one another and a failed write changes nothing.
//! The keychain changes that go with a write are made before the lock is taken (never under
//! it: a keychain waiting for the user would hold up every change) and undone when it fails.
//! Listing reads no secret; opening reads only the opened profile's own.

use std::path::PathBuf;
use std::sync::Arc;

use super::file::ProfileFile;
use super::model::{OpenedProfile, Profile, ProfileDraft};
use crate::names::{Kind, NameError, Where};
use crate::secrets::credentials::{CredentialsError, StoredSecrets};
use crate::secrets::vault::{Vault, VaultChanges, VaultError};
use crate::store::data_file::StoreNotice;
use crate::store::shared_file::{Edit, EditError, Refused, SharedFile};

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileError {
    #[error("Give the profile a name, such as “BigQuery – marketing project”.")]
    NoName,
    #[error("This profile no longer exists; it may have been deleted in another window. Pick another.")]
    NotFound,
    #[error("Could not write the profiles file ({reason}). Check that the disk is not full and the app's data folder is writable, then try again.")]
    Write { reason: String },
    #[error("Could not read the profiles file ({reason}). Check the permissions of the app's data folder.")]
    Read { reason: String },
    #[error("This is not a Flow Connect profile export. Export profiles from Flow Connect, then import that file.")]
    NotAnExport,
    #[error("The profile “{profile}” in this file holds a value for “{field}”, which is a secret. Nothing was imported: remove the value from the file (Flow Connect exports never hold one), then import it again.")]
    SecretInImport { profile: String, field: String },
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// `profiles.json` cannot be read now (a newer Flow Connect wrote it): not overwritten.
    #[error(transparent)]
    Refused(#[from] Refused),
    /// Two or more profiles have the name asked for.
    #[error(transparent)]
    Name(NameError),
}

#[derive(Debug)]
pub struct ProfileBook {
    pub(super) file: SharedFile<ProfileFile>,
    vault: Arc<Vault>,
}

impl ProfileBook {
    /// Opens the book at `path`: migrated when older, moved aside when unreadable (the notice
    /// says which). No keychain call is made.
    pub fn open(path: PathBuf, vault: Arc<Vault>) -> Result<(Self, Option<StoreNotice>), ProfileError> {
        let (file, notice) =
            SharedFile::open(path).map_err(|e| ProfileError::Read { reason: e.to_string() })?;
        Ok((Self { file, vault }, notice))
    }

    /// Writes a migrated book back, so the older format is read only once.
    pub async fn persist(&self) -> Result<(), ProfileError> {
        self.change(|_| Ok(())).await
    }

    /// Starts a change of the file (shared with other Flow Connect processes). Make no keychain
    /// call while holding it: the file's lock would wait for the keychain.
    pub(super) async fn edit(&self) -> Result<Edit<'_, ProfileFile>, ProfileError> {
        self.file.edit().await.map_err(|e| match e {
            EditError::Refused(refused) => ProfileError::Refused(refused),
            other => ProfileError::Write { reason: other.to_string() },
        })
    }

    /// Changes the file under its lock: `f` changes a copy of it as it is now, and the copy is
    /// written unless `f` refuses. The lock is released on return, before any roll-back.
    async fn change<R>(
        &self,
        f: impl FnOnce(&mut ProfileFile) -> Result<R, ProfileError>,
    ) -> Result<R, ProfileError> {
        let edit = self.edit().await?;
        let mut next = edit.current();
        let result = f(&mut next)?;
        commit(&edit, next).await?;
        Ok(result)
    }

    /// Why `profiles.json` cannot be read now, once each time it stops being readable.
    pub fn take_notice(&self) -> Option<Refused> {
        self.file.take_notice()
    }

    /// The profile `id`, without marking it used.
    pub async fn profile(&self, id: &str) -> Option<Profile> {
        self.file.read(|file| file.profiles.iter().find(|p| p.id == id).cloned())
    }

    /// The profile named `name` (exactly, then ignoring case), or with that id.
    pub async fn find(&self, name_or_id: &str) -> Result<Profile, ProfileError> {
        self.file.read(|file| {
            let (all, kind) = (&file.profiles, Kind::Profile);
            match crate::names::resolve(all, name_or_id, kind, Where::default(), |p| &p.id, |p| &p.name) {
                Ok(found) => Ok(found.clone()),
                Err(NameError::NotFound { .. }) => Err(ProfileError::NotFound),
                Err(e) => Err(ProfileError::Name(e)),
            }
        })
    }

    /// Profiles matching `query` (name, source or connection name), most recently used first.
    pub async fn list(&self, query: &str) -> Vec<Profile> {
        let mut found: Vec<Profile> =
            self.file.read(|file| file.profiles.iter().filter(|p| p.matches(query)).cloned().collect());
        found.sort_by_key(|p| std::cmp::Reverse(p.last_used_at.max(p.updated_at)));
        found
    }

    /// Saves the form as a profile (a new one when `draft.id` is `None` or unknown). Typed
    /// secrets go to the keychain; secrets the form holds by reference (a consent's tokens, the
    /// profile's own) are kept or copied; secrets the method no longer has are deleted.
    pub async fn save(&self, draft: ProfileDraft, secret_names: &[String]) -> Result<Profile, ProfileError> {
        let name = draft.name.trim().to_owned();
        if name.is_empty() {
            return Err(ProfileError::NoName);
        }
        if let Some(stored) = &draft.stored {
            StoredSecrets::check_set(&stored.set)?;
        }
        // Read without the file's lock: the keychain is changed first, outside it.
        let existing = match &draft.id {
            Some(id) => self.profile(id).await,
            None => None,
        };
        let id = existing.as_ref().map_or_else(|| uuid::Uuid::new_v4().to_string(), |p| p.id.clone());
        let set = format!("profile/{id}");
        let mut secret_fields = Vec::new();
        let mut values = std::collections::BTreeMap::new();
        for (field, value) in &draft.values {
            if !secret_names.contains(field) && !value.is_empty() {
                values.insert(field.clone(), value.expose().to_owned());
            }
        }
        let mut changes = VaultChanges::new(&self.vault);
        let fresh = existing.is_none();
        let kept =
            self.save_secrets(&mut changes, &draft, &set, fresh, secret_names, &mut secret_fields).await;
        let gone: Vec<String> = match &existing {
            Some(profile) => {
                profile.secret_fields.iter().filter(|f| !secret_fields.contains(f)).cloned().collect()
            }
            None => Vec::new(),
        };
        if let Err(e) = kept {
            changes.roll_back().await;
            return Err(e);
        }
        for field in &gone {
            if let Err(e) = changes.delete(&StoredSecrets::key(&set, field)).await {
                changes.roll_back().await;
                return Err(e.into());
            }
        }
        let now = crate::dates::now_ms_u64();
        let profile = Profile {
            id,
            name,
            spec_id: draft.spec_id,
            spec_name: draft.spec_name,
            source_name: draft.source_name,
            connection_name: draft.connection_name,
            description: draft.description,
            values,
            secret_fields,
            account_id: draft.account_id.filter(|a| !a.is_empty()),
            sandbox: draft.sandbox.filter(|s| !s.is_empty()),
            updated_at: now,
            last_used_at: now,
        };
        let written = self
            .change(|next| {
                match next.profiles.iter_mut().find(|p| p.id == profile.id) {
                    Some(slot) => *slot = profile.clone(),
                    None if fresh => next.profiles.push(profile.clone()),
                    // Deleted by another process while the keychain was being changed.
                    None => return Err(ProfileError::NotFound),
                }
                Ok(())
            })
            .await;
        if let Err(e) = written {
            changes.roll_back().await;
            return Err(e);
        }
        Ok(profile)
    }

    /// Puts the draft's secrets into the profile's set: typed ones, and stored ones copied from
    /// another set (a consent's, or the profile being saved as a new one).
    async fn save_secrets(
        &self,
        changes: &mut VaultChanges<'_>,
        draft: &ProfileDraft,
        set: &str,
        fresh: bool,
        secret_names: &[String],
        secret_fields: &mut Vec<String>,
    ) -> Result<(), ProfileError> {
        for field in secret_names {
            let key = StoredSecrets::key(set, field);
            match draft.values.get(field).filter(|v| !v.is_empty()) {
                Some(typed) if fresh => changes.set_new(&key, typed.clone()).await?,
                Some(typed) => changes.set(&key, typed.clone()).await?,
                None => {
                    let Some(stored) = draft.stored.as_ref().filter(|s| s.fields.contains(field)) else {
                        continue;
                    };
                    if stored.set != set {
                        let from = StoredSecrets::key(&stored.set, field);
                        let value = self
                            .vault
                            .get(&from)
                            .await?
                            .ok_or_else(|| CredentialsError::Missing { field: field.clone() })?;
                        if fresh {
                            changes.set_new(&key, value).await?;
                        } else {
                            changes.set(&key, value).await?;
                        }
                    }
                }
            }
            secret_fields.push(field.clone());
        }
        Ok(())
    }

    /// Opens a profile for the form: checks which of its own secrets the keychain still has
    /// and marks it used.
    pub async fn open_profile(&self, id: &str) -> Result<OpenedProfile, ProfileError> {
        let profile = self.profile(id).await.ok_or(ProfileError::NotFound)?;
        let (stored, missing) = self.stored_secrets(&profile).await?;
        let profile = self.update(id, |p| p.last_used_at = crate::dates::now_ms_u64()).await?;
        Ok(OpenedProfile { profile, stored, missing })
    }

    /// Which of the profile's secrets the keychain holds (as a reference to them) and which it
    /// lacks; one keychain read per secret, no value leaves the keychain.
    pub async fn stored_secrets(
        &self,
        profile: &Profile,
    ) -> Result<(StoredSecrets, Vec<String>), ProfileError> {
        let set = profile.secret_set();
        let mut present = Vec::new();
        let mut missing = Vec::new();
        for field in &profile.secret_fields {
            match self.vault.get(&StoredSecrets::key(&set, field)).await? {
                Some(_) => present.push(field.clone()),
                None => missing.push(field.clone()),
            }
        }
        Ok((StoredSecrets { set, fields: present }, missing))
    }

    pub async fn rename(&self, id: &str, name: &str) -> Result<Profile, ProfileError> {
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(ProfileError::NoName);
        }
        self.update(id, |p| {
            p.name = name;
            p.updated_at = crate::dates::now_ms_u64();
        })
        .await
    }

    async fn update(&self, id: &str, change: impl FnOnce(&mut Profile)) -> Result<Profile, ProfileError> {
        let file = self.edit().await?;
        let mut next = file.current();
        let profile = next.profiles.iter_mut().find(|p| p.id == id).ok_or(ProfileError::NotFound)?;
        change(profile);
        let updated = profile.clone();
        commit(&file, next).await?;
        Ok(updated)
    }

    /// Points profiles that named an account by an old id at the account's new id.
    pub async fn rename_accounts(&self, renamed: &[(String, String)]) -> Result<(), ProfileError> {
        let file = self.edit().await?;
        let mut next = file.current();
        let mut changed = false;
        for profile in &mut next.profiles {
            let new_id = renamed.iter().find(|(old, _)| profile.account_id.as_deref() == Some(old.as_str()));
            if let Some((_, new_id)) = new_id {
                profile.account_id = Some(new_id.clone());
                changed = true;
            }
        }
        if changed {
            commit(&file, next).await?;
        }
        Ok(())
    }

    /// A copy named "… (copy)", with copies of its secrets.
    pub async fn duplicate(&self, id: &str) -> Result<Profile, ProfileError> {
        let original = self.profile(id).await.ok_or(ProfileError::NotFound)?;
        let now = crate::dates::now_ms_u64();
        let copy = Profile {
            id: uuid::Uuid::new_v4().to_string(),
            name: format!("{} (copy)", original.name),
            updated_at: now,
            last_used_at: now,
            ..original.clone()
        };
        let mut copied = Vec::new();
        let mut changes = VaultChanges::new(&self.vault);
        for field in &original.secret_fields {
            let value = match self.vault.get(&StoredSecrets::key(&original.secret_set(), field)).await {
                Ok(value) => value,
                Err(e) => {
                    changes.roll_back().await;
                    return Err(e.into());
                }
            };
            if let Some(value) = value {
                if let Err(e) = changes.set_new(&StoredSecrets::key(&copy.secret_set(), field), value).await {
                    changes.roll_back().await;
                    return Err(e.into());
                }
                copied.push(field.clone());
            }
        }
        let copy = Profile { secret_fields: copied, ..copy };
        let written = self
            .change(|next| {
                if !next.profiles.iter().any(|p| p.id == original.id) {
                    return Err(ProfileError::NotFound);
                }
                next.profiles.push(copy.clone());
                Ok(())
            })
            .await;
        if let Err(e) = written {
            changes.roll_back().await;
            return Err(e);
        }
        Ok(copy)
    }

    /// Deletes a profile and its keychain entries (those first, before the file's lock is
    /// taken: a profile whose secrets could not be removed stays listed, so nothing is
    /// orphaned unseen).
    pub async fn delete(&self, id: &str) -> Result<(), ProfileError> {
        let profile = self.profile(id).await.ok_or(ProfileError::NotFound)?;
        let mut changes = VaultChanges::new(&self.vault);
        for field in &profile.secret_fields {
            if let Err(e) = changes.delete(&StoredSecrets::key(&profile.secret_set(), field)).await {
                changes.roll_back().await;
                return Err(e.into());
            }
        }
        let written = self
            .change(|next| {
                next.profiles.retain(|p| p.id != id);
                Ok(())
            })
            .await;
        if let Err(e) = written {
            changes.roll_back().await;
            return Err(e);
        }
        Ok(())
    }
}

pub(super) async fn commit(edit: &Edit<'_, ProfileFile>, next: ProfileFile) -> Result<(), ProfileError> {
    edit.commit(next).await.map_err(|e| ProfileError::Write { reason: e.to_string() })
}
