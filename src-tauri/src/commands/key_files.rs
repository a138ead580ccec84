//! Key files for a form's file fields (a BigQuery service account key): the page names no
//! content, only the field. The file comes from the OS's open dialog or a drop, the core reads
//! it, and its content goes to the keychain at once; the form learns that the field is set.

use std::path::PathBuf;

use flow_connect_core::catalog::ParamKind;
use flow_connect_core::operations::form_secrets;
use flow_connect_core::secrets::credentials::StoredSecrets;
use flow_connect_core::secrets::key_files::{display_name, read_key_file, KeyFileError};
use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::file_dialog;
use crate::state::AppState;

/// A key file kept for the form.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportedKeyFile {
    /// The form's stored secrets, now with the file's field among them.
    pub stored: StoredSecrets,
    /// The file's name, for the form to say what it read.
    pub file_name: String,
}

/// A key file's failure as the page sees it: what was wrong with the file, never its content.
pub fn key_file_failure(e: KeyFileError) -> CommandError {
    match e {
        KeyFileError::Unreadable { .. } => CommandError::new(ErrorCode::Storage, e.to_string()),
        KeyFileError::Client(e) => e.into(),
        _ => CommandError::new(ErrorCode::Validation, e.to_string()),
    }
}

/// Reads the file for the file field `field` of the form of `spec_id`: the one dropped on the
/// form (`path`), else the one picked in the open dialog; `None` when the user cancelled.
#[tauri::command]
pub async fn import_key_file(
    app: AppHandle,
    state: State<'_, AppState>,
    spec_id: String,
    field: String,
    stored: Option<StoredSecrets>,
    path: Option<String>,
) -> Result<Option<ImportedKeyFile>, CommandError> {
    let source = state.source(None, &spec_id)?;
    let kind = source
        .auth_methods
        .iter()
        .flat_map(|m| m.all_params())
        .find(|p| p.field == field && matches!(p.kind, ParamKind::FileBase64 { .. }))
        .map(|p| p.kind.clone())
        .ok_or_else(|| {
            CommandError::new(ErrorCode::Validation, format!("“{field}” is not a file field of this source."))
        })?;
    let json = matches!(&kind, ParamKind::FileBase64 { accept } if accept.contains("json"));
    let path = match path {
        Some(dropped) => PathBuf::from(dropped),
        None => match file_dialog::pick_secret_file(&app, "Choose the key file", json).await {
            Some(picked) => picked,
            None => return Ok(None),
        },
    };
    let content = read_key_file(&path, &kind).map_err(key_file_failure)?;
    // Only a secret field may be kept this way: extend refuses any other.
    let stored = form_secrets::extend(
        stored.as_ref(),
        &source,
        &state.sets,
        &state.profiles,
        &state.vault,
        vec![(field, content)],
    )
    .await?;
    tracing::info!("a key file was kept in the keychain for a form");
    Ok(Some(ImportedKeyFile { stored, file_name: display_name(&path) }))
}
