//! Saved connection profiles: save from the form, list, open, rename, duplicate, delete,
//! export and import. Values live in `profiles.json`, secrets in the keychain.

use std::path::PathBuf;

use flow_connect_core::operations::{
    self, Notices, ProfileList, ProfileListRequest, ProfileRequest, RenameProfileRequest, SavedProfile,
};
use flow_connect_core::profiles::{OpenedProfile, Profile, ProfileDraft};
use flow_connect_core::secrets::credentials::StoredSecrets;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::file_dialog;
use flow_connect_core::operations::Operations;

/// A page of the profiles matching the query, and how many match in all. Reads no secret.
#[tauri::command]
pub async fn list_profiles(
    ops: State<'_, Operations>,
    request: ProfileListRequest,
) -> Result<ProfileList, CommandError> {
    Ok(ops.profiles().list(&request).await)
}

/// The notices and moved endpoints; the UI shows them.
#[tauri::command]
pub fn take_notices(ops: State<'_, Operations>) -> Notices {
    ops.notices()
}

/// Saves the form as a profile; which fields are secret comes from the source's catalog entry.
/// The answer is the profile, with the reference to its own secret set (`stored`).
#[tauri::command]
pub async fn save_profile(
    ops: State<'_, Operations>,
    request: ProfileDraft,
) -> Result<SavedProfile, CommandError> {
    ops.profiles().save(request).await
}

#[tauri::command]
pub async fn open_profile(
    ops: State<'_, Operations>,
    request: ProfileRequest,
) -> Result<OpenedProfile, CommandError> {
    ops.profiles().open(&request.id).await
}

#[tauri::command]
pub async fn rename_profile(
    ops: State<'_, Operations>,
    request: RenameProfileRequest,
) -> Result<Profile, CommandError> {
    ops.profiles().rename(&request).await
}

#[tauri::command]
pub async fn duplicate_profile(
    ops: State<'_, Operations>,
    request: ProfileRequest,
) -> Result<Profile, CommandError> {
    ops.profiles().duplicate(&request.id).await
}

#[tauri::command]
pub async fn delete_profile(ops: State<'_, Operations>, request: ProfileRequest) -> Result<(), CommandError> {
    ops.profiles().delete(&request.id).await
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Exported {
    pub path: String,
    pub count: usize,
}

/// Which profiles to export: all when `ids` is empty.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExportProfilesRequest {
    pub ids: Vec<String>,
}

/// The export file dropped on the window; `None` asks in the open dialog.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportProfilesRequest {
    pub path: Option<String>,
}

/// Writes the chosen profiles, without secrets, where the user says in the save dialog
/// (offered in Downloads, else the app's data folder); `None` when they cancelled.
#[tauri::command]
pub async fn export_profiles(
    app: AppHandle,
    ops: State<'_, Operations>,
    request: ExportProfilesRequest,
) -> Result<Option<Exported>, CommandError> {
    let folder =
        app.path().download_dir().or_else(|_| app.path().app_data_dir()).map_err(|e| {
            CommandError::new(ErrorCode::Storage, format!("Found no folder to export to ({e})."))
        })?;
    let suggested = operations::suggested_export_path(&folder);
    let Some(path) = file_dialog::pick_export_target(&app, &suggested, file_dialog::SaveKind::Profiles).await
    else {
        return Ok(None);
    };
    let count = ops.profiles().export_file(&path, &request.ids).await?;
    Ok(Some(Exported { path: path.display().to_string(), count }))
}

/// Adds the profiles of an export file: the one dropped on the window, or else the one picked
/// in the open dialog; `None` when the user cancelled. Opening one asks for its secrets.
#[tauri::command]
pub async fn import_profiles(
    app: AppHandle,
    ops: State<'_, Operations>,
    request: ImportProfilesRequest,
) -> Result<Option<Vec<Profile>>, CommandError> {
    let path = match request.path {
        Some(dropped) => PathBuf::from(dropped),
        None => match file_dialog::pick_export_file(&app).await {
            Some(picked) => picked,
            None => return Ok(None),
        },
    };
    Ok(Some(ops.profiles().import_file(&path).await?))
}

/// Deletes the secrets a form held by reference once the form is closed; a profile's own set
/// stays with the profile (core's rule: the window may send any set).
#[tauri::command]
pub async fn discard_secrets(ops: State<'_, Operations>, request: StoredSecrets) -> Result<(), CommandError> {
    ops.profiles().discard_secrets(&request).await
}
