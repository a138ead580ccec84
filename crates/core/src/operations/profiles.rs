//! The profiles door: list, save, open, rename, duplicate, delete, export and import saved
//! profiles, discard the secrets a closed form held, and keep new secrets (a consent's tokens,
//! a renewal's credentials) in a profile. Every write of a profile goes through one function,
//! [`Profiles::write`], so which fields are secret follows one rule ([`secret_fields_for`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::connections::default_connection_name;
use super::Operations;
use crate::catalog::secrets::secret_fields_for;
use crate::catalog::{FormValues, Source};
use crate::operations::failure::{ErrorCode, Failure};
use crate::operations::form_secrets;
use crate::profiles::{OpenedProfile, Profile, ProfileBook, ProfileDraft, ProfileError};
use crate::secrets::credentials::StoredSecrets;

/// Which profiles to list: those matching `query`, at most `limit` of them (all when `None`).
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfileListRequest {
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub limit: Option<usize>,
}

/// The first `limit` profiles matching `query`, most recently used first, and how many match
/// in all: the sidebar renders a page, so start-up does not grow with the number of profiles.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfileList {
    pub profiles: Vec<Profile>,
    pub total: usize,
}

/// One profile, by id.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfileRequest {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RenameProfileRequest {
    pub id: String,
    pub name: String,
}

/// A saved profile, with where its secrets now are: the form refers to them by this, instead
/// of building the profile's set name itself.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedProfile {
    #[serde(flatten)]
    pub profile: Profile,
    /// The profile's own secret set (`profile/<id>`) and the fields it holds.
    pub stored: StoredSecrets,
}

/// Why new secrets could not be kept in a profile.
#[derive(Debug, thiserror::Error)]
pub enum ProfileUpdateError {
    #[error("The profile “{profile}” is for another source than this connection, so it was not changed. Pick a profile of the connection's source, or save a new one.")]
    OtherSource { profile: String },
    #[error(transparent)]
    Profile(#[from] ProfileError),
}

// Here rather than in `failure`, so the classification does not need this module back.
impl From<ProfileUpdateError> for Failure {
    fn from(e: ProfileUpdateError) -> Self {
        match e {
            ProfileUpdateError::OtherSource { .. } => Self::new(ErrorCode::Validation, e.to_string()),
            ProfileUpdateError::Profile(e) => e.into(),
        }
    }
}

/// Saved profiles: list, save, open, rename, duplicate, delete, export, import, their secrets.
#[derive(Debug)]
pub struct Profiles<'a> {
    pub(super) ops: &'a Operations,
}

impl Profiles<'_> {
    fn book(&self) -> &ProfileBook {
        &self.ops.profiles
    }

    /// Reads no secret.
    pub async fn list(&self, request: &ProfileListRequest) -> ProfileList {
        let mut profiles = self.book().list(&request.query).await;
        let total = profiles.len();
        if let Some(limit) = request.limit {
            profiles.truncate(limit);
        }
        ProfileList { profiles, total }
    }

    /// The profile named `name_or_id` (exactly, then ignoring case), or with that id.
    pub async fn find(&self, name_or_id: &str) -> Result<Profile, Failure> {
        Ok(self.book().find(name_or_id).await?)
    }

    /// Saves a form as a profile; which fields are secret comes from the source's catalog
    /// entry, and a field the profile once kept as a secret stays one. Secrets the form held
    /// by reference are copied into the profile, and the form's own set is then deleted.
    pub async fn save(&self, mut draft: ProfileDraft) -> Result<SavedProfile, Failure> {
        let source = self.ops.catalog().source(draft.account_id.as_deref(), &draft.spec_id)?;
        if source.auth_method(&draft.spec_name).is_none() {
            return Err(Failure::new(
                ErrorCode::UnknownSource,
                "Pick a sign-in method before saving the profile.",
            ));
        }
        // The profile's own secret list counts too: a field once kept as a secret stays one.
        let existing = match draft.id.as_deref() {
            Some(id) => self.book().profile(id).await,
            None => None,
        };
        let copied_from = match &mut draft.stored {
            Some(stored) => {
                let allowed =
                    form_secrets::allowed_fields(stored, &source, &self.ops.sets, self.book()).await?;
                stored.fields.retain(|f| allowed.contains(f));
                (!stored.is_profile_set()).then(|| stored.set.clone())
            }
            None => None,
        };
        let kept_as_secret = existing.map(|p| p.secret_fields).unwrap_or_default();
        let saved = self.write(draft, &source, &kept_as_secret).await?;
        // The form now refers to the profile's copy; the form's own set is no longer needed.
        if let Some(set) = copied_from {
            if let Err(e) = self.ops.sets.discard(&set).await {
                tracing::warn!(error = %e, "a copied secret set is left for the start-up sweep");
            }
        }
        tracing::info!(id = %saved.id, secrets = saved.secret_fields.len(), "profile saved");
        let stored = StoredSecrets { set: saved.secret_set(), fields: saved.secret_fields.clone() };
        Ok(SavedProfile { profile: saved, stored })
    }

    /// Puts new secrets (typed in `values`, or held in the keychain by `stored`: a consent's
    /// tokens, a renewal's credentials) into the profile `profile_id`, keeping its other
    /// values. Written as every save is ([`Profiles::write`]): a field the profile keeps in the
    /// keychain is never written into `profiles.json`, whatever the source's spec says of it
    /// now. A profile of another source is refused: its fields mean something else.
    pub async fn update(
        &self,
        source: &Source,
        profile_id: &str,
        values: &FormValues,
        stored: Option<StoredSecrets>,
    ) -> Result<Profile, ProfileUpdateError> {
        let profile = self.book().profile(profile_id).await.ok_or(ProfileError::NotFound)?;
        if profile.spec_id != source.spec_id {
            return Err(ProfileUpdateError::OtherSource { profile: profile.name });
        }
        let mut merged: FormValues =
            profile.values.iter().map(|(k, v)| (k.clone(), crate::Secret::new(v.clone()))).collect();
        merged.extend(values.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.clone(), v.clone())));
        // The profile's own secrets stay unless the form brings new ones.
        let stored = stored.unwrap_or_else(|| StoredSecrets {
            set: profile.secret_set(),
            fields: profile.secret_fields.clone(),
        });
        let draft = ProfileDraft {
            id: Some(profile.id.clone()),
            name: profile.name.clone(),
            spec_id: profile.spec_id.clone(),
            spec_name: profile.spec_name.clone(),
            source_name: profile.source_name.clone(),
            connection_name: profile.connection_name.clone(),
            description: profile.description.clone(),
            values: merged,
            stored: Some(stored),
            account_id: profile.account_id.clone(),
            sandbox: profile.sandbox.clone(),
        };
        Ok(self.write(draft, source, &profile.secret_fields).await?)
    }

    /// The one way a profile is written: the secret fields are the source's (live spec and
    /// built-in entry) and those the profile already keeps as secrets (`kept_as_secret`).
    async fn write(
        &self,
        draft: ProfileDraft,
        source: &Source,
        kept_as_secret: &[String],
    ) -> Result<Profile, ProfileError> {
        let secrets = secret_fields_for(source, kept_as_secret);
        self.book().save(draft, &secrets).await
    }

    /// Opens a profile into the form: where its secrets are, which are missing; marks it used.
    /// The profile to fill a form with; its connection name is the one a create from it would
    /// get ([`default_connection_name`]), so the window and the CLI start from the same name.
    pub async fn open(&self, id: &str) -> Result<OpenedProfile, Failure> {
        let mut opened = self.book().open_profile(id).await?;
        opened.profile.connection_name = default_connection_name(&opened.profile);
        Ok(opened)
    }

    /// Which of the profile's secrets the keychain holds and which it lacks; no value is read out.
    pub async fn held_secrets(&self, profile: &Profile) -> Result<(StoredSecrets, Vec<String>), Failure> {
        Ok(self.book().stored_secrets(profile).await?)
    }

    pub async fn rename(&self, request: &RenameProfileRequest) -> Result<Profile, Failure> {
        Ok(self.book().rename(&request.id, &request.name).await?)
    }

    pub async fn duplicate(&self, id: &str) -> Result<Profile, Failure> {
        Ok(self.book().duplicate(id).await?)
    }

    /// Deletes the profile and its keychain entries.
    pub async fn delete(&self, id: &str) -> Result<(), Failure> {
        self.book().delete(id).await?;
        tracing::info!(%id, "profile deleted with its keychain entries");
        Ok(())
    }

    /// Deletes the secrets a form held by reference once the form is closed: a consent's
    /// tokens, an imported client secret, a pasted password. A profile's own set is never
    /// discarded here: its secrets stay with the profile.
    pub async fn discard_secrets(&self, stored: &StoredSecrets) -> Result<(), Failure> {
        StoredSecrets::check_set(&stored.set)?;
        if !stored.is_profile_set() {
            self.ops.sets.discard(&stored.set).await?;
        }
        Ok(())
    }

    /// The ids of the profiles `names` name (each a name or an id), in order.
    pub async fn ids_of(&self, names: &[String]) -> Result<Vec<String>, Failure> {
        let mut ids = Vec::with_capacity(names.len());
        for name in names {
            ids.push(self.find(name).await?.id);
        }
        Ok(ids)
    }

    /// An export of the chosen profiles (all when `ids` is empty), without secrets, as text.
    pub async fn export_text(&self, ids: &[String]) -> String {
        self.book().export(ids).await.0
    }

    /// Writes an export of the chosen profiles (all when `ids` is empty) to `path`, the place
    /// the user chose, atomically; returns how many it holds.
    pub async fn export_file(&self, path: &Path, ids: &[String]) -> Result<usize, Failure> {
        export_profiles_file(self.book(), path, ids).await
    }

    /// Imports the export file at `path` (chosen in a dialog, dropped on the window, or named
    /// on the command line). Opening one of its profiles asks for its secrets.
    pub async fn import_file(&self, path: &Path) -> Result<Vec<Profile>, Failure> {
        import_profiles_file(self.book(), path).await
    }
}

/// Where an export of profiles goes in `folder`: `flow-connect-profiles-YYYY-MM-DD.json`, or
/// with `-2`, `-3` … when that name is taken, so an earlier export is never overwritten.
pub fn export_path(folder: &Path, today: &str) -> PathBuf {
    let stem = format!("flow-connect-profiles-{today}");
    let mut path = folder.join(format!("{stem}.json"));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = folder.join(format!("{stem}-{n}.json"));
    }
    path
}

/// The export's default name in `folder`, for a save dialog to offer.
pub fn suggested_export_path(folder: &Path) -> PathBuf {
    export_path(folder, &today())
}

fn today() -> String {
    crate::dates::civil_date(crate::dates::now_ms().max(0).unsigned_abs() / 86_400_000)
}

/// Writes an export of the chosen profiles (all when `ids` is empty) to `path`, the place
/// the user chose, atomically; returns how many it holds.
async fn export_profiles_file(profiles: &ProfileBook, path: &Path, ids: &[String]) -> Result<usize, Failure> {
    let (text, count) = profiles.export(ids).await;
    let written = path.to_path_buf();
    tokio::task::spawn_blocking(move || crate::store::data_file::write_atomically(&written, text.as_bytes()))
        .await
        .map_err(|e| Failure::new(ErrorCode::Storage, e.to_string()))?
        .map_err(|e| {
            Failure::new(
                ErrorCode::Storage,
                format!("Could not write {} ({e}). Check that the folder is writable.", path.display()),
            )
        })?;
    Ok(count)
}

/// The largest file read as an export: the book refuses more anyway.
const MAX_IMPORT_FILE: u64 = 16 * 1024 * 1024;

/// Imports the export file at `path` (chosen in a dialog, dropped on the window, or named on
/// the command line), read no further than an export can be long.
async fn import_profiles_file(profiles: &ProfileBook, path: &Path) -> Result<Vec<Profile>, Failure> {
    let file = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || {
        use std::io::Read as _;
        let mut text = String::new();
        std::fs::File::open(&file)?.take(MAX_IMPORT_FILE + 1).read_to_string(&mut text)?;
        Ok::<_, std::io::Error>(text)
    })
    .await
    .map_err(|e| Failure::new(ErrorCode::Storage, e.to_string()))?;
    let text = read.map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            ErrorCode::NotFound
        } else {
            ErrorCode::Validation
        };
        Failure::new(
            code,
            format!(
                "Could not read {} ({e}). Pick a profiles export written by Flow Connect.",
                path.display()
            ),
        )
    })?;
    Ok(profiles.import(&text).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_never_takes_the_name_of_an_earlier_one() {
        let dir = std::env::temp_dir().join(format!("flow-connect-export-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        let first = export_path(&dir, "2026-12-02");
        assert_eq!(first, dir.join("flow-connect-profiles-2026-12-02.json"));
        std::fs::write(&first, "{}").expect("first");
        assert_eq!(export_path(&dir, "2026-12-02"), dir.join("flow-connect-profiles-2026-12-02-2.json"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
