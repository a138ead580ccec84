//! UI preferences, whose loss costs nothing: kept with tauri-plugin-store in
//! `preferences.json`. Anything whose loss hurts (accounts, profiles) is in core's own
//! versioned, atomically written files instead.

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;
use ts_rs::TS;

const FILE: &str = "preferences.json";
const KEY: &str = "preferences";

/// The screens a window may reopen on.
const SCREENS: [&str; 2] = ["home", "connections"];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Preferences {
    /// The screen the app was left on: `home` or `connections`.
    #[serde(default)]
    pub last_screen: Option<String>,
}

impl Preferences {
    /// Drops what this build does not know, so a hand-edited file cannot steer the UI.
    fn checked(self) -> Self {
        Self { last_screen: self.last_screen.filter(|s| SCREENS.contains(&s.as_str())) }
    }
}

/// The saved preferences; an unreadable store gives the defaults.
pub fn load<R: Runtime>(app: &AppHandle<R>) -> Preferences {
    let Ok(store) = app.store(FILE) else { return Preferences::default() };
    store
        .get(KEY)
        .and_then(|value| serde_json::from_value::<Preferences>(value).ok())
        .unwrap_or_default()
        .checked()
}

pub fn save<R: Runtime>(app: &AppHandle<R>, preferences: Preferences) -> Result<(), String> {
    let store = app.store(FILE).map_err(|e| e.to_string())?;
    let value = serde_json::to_value(preferences.checked()).map_err(|e| e.to_string())?;
    store.set(KEY, value);
    store.save().map_err(|e| e.to_string())
}
