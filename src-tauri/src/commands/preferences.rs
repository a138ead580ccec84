//! The UI's preferences (the last screen): nothing here is worth an error dialog.

use tauri::AppHandle;

use crate::preferences::{self, Preferences};

#[tauri::command]
pub async fn load_preferences(app: AppHandle) -> Preferences {
    preferences::load(&app)
}

/// Saves them; a failure is logged only, since losing a preference costs nothing.
#[tauri::command]
pub async fn save_preferences(app: AppHandle, request: Preferences) {
    if let Err(e) = preferences::save(&app, request) {
        tracing::warn!(error = %e, "preferences not saved");
    }
}
