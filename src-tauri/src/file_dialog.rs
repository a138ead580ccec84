//! The OS's open and save dialogs, awaited off the UI thread. A debug build (the one the
//! end-to-end suites drive) may answer them from `FLOW_CONNECT_TEST_DIALOG_DIR` instead: the
//! path in its `open` or `save` file is the user's pick, an empty file a cancel. A release
//! build never reads that variable.

use std::path::{Path, PathBuf};

use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::DialogExt;

const EXPORT_FILTER: (&str, &[&str]) = ("Flow Connect profiles", &["json"]);

/// What a save dialog saves: its title and file filter.
#[derive(Debug, Clone, Copy)]
pub enum SaveKind {
    Profiles,
    Manifest,
}

impl SaveKind {
    fn title(self) -> &'static str {
        match self {
            Self::Profiles => "Export profiles",
            Self::Manifest => "Export as code",
        }
    }
    fn filter(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Self::Profiles => EXPORT_FILTER,
            Self::Manifest => ("Flow Connect manifest", &["yaml", "yml"]),
        }
    }
}

/// The export file the user picks to import; `None` when they cancelled.
pub async fn pick_export_file<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    if let Some(answer) = test_answer("open") {
        return answer;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog().file().set_title("Import profiles").add_filter(EXPORT_FILTER.0, EXPORT_FILTER.1).pick_file(
        move |picked| {
            let _ = tx.send(picked.and_then(|p| p.into_path().ok()));
        },
    );
    rx.await.ok().flatten()
}

/// A file holding a secret for a form (a service account key, a Google client JSON), picked
/// with `title`; `None` when the user cancelled. Only its path reaches the app: the core reads
/// it, so the content never passes through the page.
pub async fn pick_secret_file<R: Runtime>(app: &AppHandle<R>, title: &str, json: bool) -> Option<PathBuf> {
    if let Some(answer) = test_answer("open") {
        return answer;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app.dialog().file().set_title(title);
    if json {
        dialog = dialog.add_filter("JSON files", &["json"]);
    }
    dialog.pick_file(move |picked| {
        let _ = tx.send(picked.and_then(|p| p.into_path().ok()));
    });
    rx.await.ok().flatten()
}

/// Where the user saves an export, offered `suggested`; `None` when they cancelled.
pub async fn pick_export_target<R: Runtime>(
    app: &AppHandle<R>,
    suggested: &Path,
    kind: SaveKind,
) -> Option<PathBuf> {
    if let Some(answer) = test_answer("save") {
        return answer;
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app.dialog().file().set_title(kind.title()).add_filter(kind.filter().0, kind.filter().1);
    if let Some(folder) = suggested.parent() {
        dialog = dialog.set_directory(folder);
    }
    if let Some(name) = suggested.file_name() {
        dialog = dialog.set_file_name(name.to_string_lossy());
    }
    dialog.save_file(move |picked| {
        let _ = tx.send(picked.and_then(|p| p.into_path().ok()));
    });
    rx.await.ok().flatten()
}

/// The end-to-end suites' stand-in for the dialog, in debug builds only: `Some(answer)` when
/// the variable is set.
fn test_answer(kind: &str) -> Option<Option<PathBuf>> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let dir = std::env::var_os("FLOW_CONNECT_TEST_DIALOG_DIR")?;
    let text = std::fs::read_to_string(Path::new(&dir).join(kind)).unwrap_or_default();
    let path = text.trim();
    tracing::info!(kind, "a test answered the file dialog");
    Some((!path.is_empty()).then(|| PathBuf::from(path)))
}
