//! Key files for a form's file fields (a BigQuery service account key): the page names no
//! content, only the field. The file comes from the OS's open dialog or a drop, the core reads
//! it, and its content goes to the keychain at once; the form learns that the field is set.

use flow_connect_core::operations::{ImportKeyFileRequest, ImportedKeyFile};
use tauri::{AppHandle, State};

use crate::error::CommandError;
use crate::file_dialog;
use flow_connect_core::operations::Operations;

/// Reads the file for the file field of the form: the one dropped on the form, else the one
/// picked in the open dialog; `None` when the user cancelled.
#[tauri::command]
pub async fn import_key_file(
    app: AppHandle,
    ops: State<'_, Operations>,
    request: ImportKeyFileRequest,
) -> Result<Option<ImportedKeyFile>, CommandError> {
    let pick = |json| file_dialog::pick_secret_file(&app, "Choose the key file", json);
    ops.catalog().import_key_file(request, pick).await
}
