//! Desktop notifications the window asks for: shown off the async runtime, since the D-Bus
//! call blocks, and never an error (the window has already shown the same text).

use crate::notifications;

#[tauri::command]
pub async fn show_notification(summary: String, body: String) {
    let shown = tauri::async_runtime::spawn_blocking(move || notifications::show(&summary, &body)).await;
    if let Err(e) = shown {
        tracing::warn!(error = %e, "the notification's thread ended early");
    }
}
