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
const SCREENS: [&str; 3] = ["home", "connections", "profiles"];
/// The themes: the OS's, or one chosen.
const THEMES: [&str; 3] = ["system", "light", "dark"];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Preferences {
    /// The screen the app was left on: `home`, `connections` or `profiles`.
    #[serde(default)]
    pub last_screen: Option<String>,
    /// `system` (follow the OS), `light` or `dark`.
    #[serde(default)]
    pub theme: Option<String>,
}

impl Preferences {
    /// Drops what this build does not know, so a hand-edited file cannot steer the UI.
    fn checked(self) -> Self {
        Self {
            last_screen: self.last_screen.filter(|s| SCREENS.contains(&s.as_str())),
            theme: self.theme.filter(|t| THEMES.contains(&t.as_str())),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_this_build_does_not_know_are_dropped() {
        let known = Preferences { last_screen: Some("profiles".into()), theme: Some("dark".into()) };
        assert_eq!(known.clone().checked(), known);
        let edited = Preferences { last_screen: Some("../../etc".into()), theme: Some("neon".into()) };
        assert_eq!(edited.checked(), Preferences::default());
    }
}
