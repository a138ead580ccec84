//! Saves the window's size and position shortly after the user stops resizing or moving it,
//! so the next launch opens the same window even when this one never closes cleanly.
//!
//! The save runs on the main thread. The plugin holds its state's lock while it asks the
//! window for its size and position, which waits for the main thread; its own save when the
//! window closes takes that lock on the main thread. Saved from another thread, a close that
//! came during the save left both waiting for each other, and the app never exited.

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
        let handle = app.clone();
        // Fails only once the event loop has ended, when the close has saved the state.
        let _ = app.run_on_main_thread(move || {
            if let Err(e) = handle.save_window_state(StateFlags::all()) {
                tracing::warn!(error = %e, "could not remember the window's size and position");
            }
        });
    });
}
