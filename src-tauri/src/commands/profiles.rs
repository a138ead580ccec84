//! Saved connection profiles: save from the form, list, open, rename, duplicate, delete,
//! export and import. Values live in `profiles.json`, secrets in the keychain.

use std::path::PathBuf;

use flow_connect_core::config;
use flow_connect_core::operations;
use flow_connect_core::profiles::{OpenedProfile, Profile, ProfileDraft};
use flow_connect_core::secrets::credentials::StoredSecrets;
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::file_dialog;
use crate::state::AppState;

/// The first `limit` profiles matching `query`, most recently used first, and how many match
/// in all: the sidebar renders a page, so start-up does not grow with the number of profiles.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ProfileList {
    pub profiles: Vec<Profile>,
    pub total: usize,
}

/// Reads no secret.
#[tauri::command]
pub async fn list_profiles(
    state: State<'_, AppState>,
    query: String,
    limit: usize,
) -> Result<ProfileList, CommandError> {
    let mut profiles = state.profiles.list(&query).await;
    let total = profiles.len();
    profiles.truncate(limit);
    Ok(ProfileList { profiles, total })
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
#[tauri::command]
pub async fn save_profile(state: State<'_, AppState>, draft: ProfileDraft) -> Result<Profile, CommandError> {
    let saved = state.save_profile(draft).await?;
    tracing::info!(id = %saved.id, secrets = saved.secret_fields.len(), "profile saved");
    Ok(saved)
}

#[tauri::command]
pub async fn open_profile(state: State<'_, AppState>, id: String) -> Result<OpenedProfile, CommandError> {
    Ok(state.profiles.open_profile(&id).await?)
}

#[tauri::command]
pub async fn rename_profile(
    state: State<'_, AppState>,
    id: String,
    name: String,
) -> Result<Profile, CommandError> {
    Ok(state.profiles.rename(&id, &name).await?)
}

#[tauri::command]
pub async fn duplicate_profile(state: State<'_, AppState>, id: String) -> Result<Profile, CommandError> {
    Ok(state.profiles.duplicate(&id).await?)
}

#[tauri::command]
pub async fn delete_profile(state: State<'_, AppState>, id: String) -> Result<(), CommandError> {
    state.profiles.delete(&id).await?;
    tracing::info!(%id, "profile deleted with its keychain entries");
    Ok(())
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Exported {
    pub path: String,
    pub count: usize,
}

/// Writes the chosen profiles (all when `ids` is empty), without secrets, where the user
/// says in the save dialog (offered in Downloads); `None` when they cancelled.
#[tauri::command]
pub async fn export_profiles(
    app: AppHandle,
    state: State<'_, AppState>,
    ids: Vec<String>,
) -> Result<Option<Exported>, CommandError> {
    let folder =
        app.path().download_dir().or_else(|_| app.path().app_data_dir()).map_err(|e| {
            CommandError::new(ErrorCode::Storage, format!("Found no folder to export to ({e})."))
        })?;
    let suggested = operations::suggested_export_path(&folder);
    let Some(path) = file_dialog::pick_export_target(&app, &suggested).await else { return Ok(None) };
    let count = operations::export_profiles_file(&state.profiles, &path, &ids).await?;
    Ok(Some(Exported { path: path.display().to_string(), count }))
}

/// Adds the profiles of an export file: the one dropped on the window (`path`), or else the
/// one picked in the open dialog; `None` when the user cancelled. Opening one asks for its
/// secrets.
#[tauri::command]
pub async fn import_profiles(
    app: AppHandle,
    state: State<'_, AppState>,
    path: Option<String>,
) -> Result<Option<Vec<Profile>>, CommandError> {
    let path = match path {
        Some(dropped) => PathBuf::from(dropped),
        None => match file_dialog::pick_export_file(&app).await {
            Some(picked) => picked,
            None => return Ok(None),
        },
    };
    Ok(Some(operations::import_profiles_file(&state.profiles, &path).await?))
}

/// Deletes the secrets a form held by reference once the form is closed: a consent's tokens,
/// an imported client secret, a pasted password. A profile's secrets stay with the profile.
#[tauri::command]
pub async fn discard_secrets(state: State<'_, AppState>, stored: StoredSecrets) -> Result<(), CommandError> {
    StoredSecrets::check_set(&stored.set)?;
    if !stored.is_profile_set() {
        state.sets.discard(&stored.set).await?;
    }
    Ok(())
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
