//! Saves the window's size and position shortly after the user stops resizing or moving it,
//! so the next launch opens the same window even when this one never closes cleanly.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tauri::{Manager, Runtime, Window, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// A drag sends dozens of events a second; one save after it settles is enough.
const SETTLE: Duration = Duration::from_millis(400);

static LATEST: AtomicU64 = AtomicU64::new(0);

pub fn remember<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if !matches!(event, WindowEvent::Resized(_) | WindowEvent::Moved(_)) {
        return;
    }
    let generation = LATEST.fetch_add(1, Ordering::Relaxed) + 1;
    let app = window.app_handle().clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        if LATEST.load(Ordering::Relaxed) != generation {
            return;
        }
        if let Err(e) = app.save_window_state(StateFlags::all()) {
            tracing::warn!(error = %e, "could not remember the window's size and position");
        }
    });
}
