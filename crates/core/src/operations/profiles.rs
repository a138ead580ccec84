//! Saving a form as a profile, and exporting profiles to a file.

use std::path::{Path, PathBuf};

use super::Operations;
use crate::operations::failure::{ErrorCode, Failure};
use crate::operations::form_secrets;
use crate::profiles::{Profile, ProfileBook, ProfileDraft};

impl Operations {
    /// Saves a form as a profile; which fields are secret comes from the source's catalog
    /// entry, and a field the profile once kept as a secret stays one. Secrets the form held
    /// by reference are copied into the profile, and the form's own set is then deleted.
    pub async fn save_profile(&self, mut draft: ProfileDraft) -> Result<Profile, Failure> {
        let source = self.source(draft.account_id.as_deref(), &draft.spec_id)?;
        if source.auth_method(&draft.spec_name).is_none() {
            return Err(Failure::new(
                ErrorCode::UnknownSource,
                "Pick a sign-in method before saving the profile.",
            ));
        }
        // The profile's own secret list counts too: a field once kept as a secret stays one.
        let existing = match draft.id.as_deref() {
            Some(id) => self.profiles.profile(id).await,
            None => None,
        };
        let secrets = form_secrets::secret_fields_for(
            &source,
            existing.as_ref().map(|p| p.secret_fields.as_slice()).unwrap_or_default(),
        );
        let copied_from = match &mut draft.stored {
            Some(stored) => {
                let allowed =
                    form_secrets::allowed_fields(stored, &source, &self.sets, &self.profiles).await?;
                stored.fields.retain(|f| allowed.contains(f));
                (!stored.is_profile_set()).then(|| stored.set.clone())
            }
            None => None,
        };
        let saved = self.profiles.save(draft, &secrets).await?;
        // The form now refers to the profile's copy; the form's own set is no longer needed.
        if let Some(set) = copied_from {
            if let Err(e) = self.sets.discard(&set).await {
                tracing::warn!(error = %e, "a copied secret set is left for the start-up sweep");
            }
        }
        Ok(saved)
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

/// Writes an export of the chosen profiles (all when `ids` is empty) into `folder`, and
/// returns where it went and how many it holds. Written atomically, never over another file.
pub async fn export_profiles_to(
    profiles: &ProfileBook,
    folder: &Path,
    ids: &[String],
) -> Result<(PathBuf, usize), Failure> {
    let path = export_path(folder, &today());
    let count = export_profiles_file(profiles, &path, ids).await?;
    Ok((path, count))
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
pub async fn export_profiles_file(
    profiles: &ProfileBook,
    path: &Path,
    ids: &[String],
) -> Result<usize, Failure> {
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
pub async fn import_profiles_file(profiles: &ProfileBook, path: &Path) -> Result<Vec<Profile>, Failure> {
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

/// Saved profiles: list, save, open, rename, duplicate, delete, export, import, their secrets.
pub struct Profiles<'a> {
    pub(super) ops: &'a Operations,
}

impl Profiles<'_> {}
