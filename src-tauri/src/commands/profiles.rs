//! Saved connection profiles: save from the form, list, open, rename, duplicate, delete,
//! export and import. Values live in `profiles.json`, secrets in the keychain.

use std::path::PathBuf;

use flow_connect_core::config;
use flow_connect_core::operations::{
    self, ProfileList, ProfileListRequest, ProfileRequest, RenameProfileRequest, SavedProfile,
};
use flow_connect_core::profiles::{OpenedProfile, Profile, ProfileDraft};
use flow_connect_core::secrets::credentials::StoredSecrets;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::file_dialog;
use crate::state::AppState;

/// A page of the profiles matching the query, and how many match in all. Reads no secret.
#[tauri::command]
pub async fn list_profiles(
    state: State<'_, AppState>,
    request: ProfileListRequest,
) -> Result<ProfileList, CommandError> {
    Ok(state.profiles().list(&request).await)
}

/// What the window tells the user: the data files' notices, and the endpoints moved away from
/// Adobe's and Google's own addresses.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Notices {
    /// Each said once: what happened at start-up, and any file another process made unreadable
    /// since (a newer flow-connect-cli rewrote it); asking again later finds the new ones.
    pub notice: Option<String>,
    /// Every `FLOW_CONNECT_*_URL` in force that differs from the default (the window keeps
    /// them in a banner, since the account's secret goes there). Sent with the notices, which
    /// the window asks for at start anyway, so the banner costs no IPC round trip of its own.
    pub moved_endpoints: Vec<MovedEndpoint>,
}

/// One endpoint a `FLOW_CONNECT_*_URL` variable moved.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MovedEndpoint {
    /// The variable that set it, such as `FLOW_CONNECT_IMS_URL`.
    pub var: String,
    pub url: String,
    /// What Flow Connect asks there, in the user's words.
    pub what: String,
}

/// What the variable's endpoint is for, as the banner says it.
fn endpoint_purpose(var: &str) -> &'static str {
    match var {
        config::PLATFORM_URL_VAR => "Experience Platform's APIs",
        config::IMS_URL_VAR => "Adobe sign-in",
        config::GOOGLE_AUTH_URL_VAR => "Google's consent page",
        config::GOOGLE_TOKEN_URL_VAR => "Google's tokens",
        config::GOOGLE_REVOKE_URL_VAR => "Google's token revocation",
        _ => "requests",
    }
}

/// The notices and moved endpoints; the UI shows them.
#[tauri::command]
pub fn take_notices(state: State<'_, AppState>) -> Notices {
    let text = state.take_notices().join(" ");
    let moved_endpoints = state
        .endpoints
        .overridden()
        .into_iter()
        .map(|(var, url)| MovedEndpoint { var: var.to_owned(), url, what: endpoint_purpose(var).to_owned() })
        .collect();
    Notices { notice: (!text.is_empty()).then_some(text), moved_endpoints }
}

/// Saves the form as a profile; which fields are secret comes from the source's catalog entry.
/// The answer is the profile, with the reference to its own secret set (`stored`).
#[tauri::command]
pub async fn save_profile(
    state: State<'_, AppState>,
    request: ProfileDraft,
) -> Result<SavedProfile, CommandError> {
    state.profiles().save(request).await
}

#[tauri::command]
pub async fn open_profile(
    state: State<'_, AppState>,
    request: ProfileRequest,
) -> Result<OpenedProfile, CommandError> {
    state.profiles().open(&request.id).await
}

#[tauri::command]
pub async fn rename_profile(
    state: State<'_, AppState>,
    request: RenameProfileRequest,
) -> Result<Profile, CommandError> {
    state.profiles().rename(&request).await
}

#[tauri::command]
pub async fn duplicate_profile(
    state: State<'_, AppState>,
    request: ProfileRequest,
) -> Result<Profile, CommandError> {
    state.profiles().duplicate(&request.id).await
}

#[tauri::command]
pub async fn delete_profile(state: State<'_, AppState>, request: ProfileRequest) -> Result<(), CommandError> {
    state.profiles().delete(&request.id).await
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
    state: State<'_, AppState>,
    request: ExportProfilesRequest,
) -> Result<Option<Exported>, CommandError> {
    let folder =
        app.path().download_dir().or_else(|_| app.path().app_data_dir()).map_err(|e| {
            CommandError::new(ErrorCode::Storage, format!("Found no folder to export to ({e})."))
        })?;
    let suggested = operations::suggested_export_path(&folder);
    let Some(path) = file_dialog::pick_export_target(&app, &suggested).await else { return Ok(None) };
    let count = state.profiles().export_file(&path, &request.ids).await?;
    Ok(Some(Exported { path: path.display().to_string(), count }))
}

/// Adds the profiles of an export file: the one dropped on the window, or else the one picked
/// in the open dialog; `None` when the user cancelled. Opening one asks for its secrets.
#[tauri::command]
pub async fn import_profiles(
    app: AppHandle,
    state: State<'_, AppState>,
    request: ImportProfilesRequest,
) -> Result<Option<Vec<Profile>>, CommandError> {
    let path = match request.path {
        Some(dropped) => PathBuf::from(dropped),
        None => match file_dialog::pick_export_file(&app).await {
            Some(picked) => picked,
            None => return Ok(None),
        },
    };
    Ok(Some(state.profiles().import_file(&path).await?))
}

/// Deletes the secrets a form held by reference once the form is closed; a profile's own set
/// stays with the profile (core's rule: the window may send any set).
#[tauri::command]
pub async fn discard_secrets(state: State<'_, AppState>, request: StoredSecrets) -> Result<(), CommandError> {
    state.profiles().discard_secrets(&request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_moved_endpoint_says_what_it_is_for() {
        assert_eq!(endpoint_purpose(config::IMS_URL_VAR), "Adobe sign-in");
        assert_eq!(endpoint_purpose(config::GOOGLE_TOKEN_URL_VAR), "Google's tokens");
    }
}
