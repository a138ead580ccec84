//! The accounts list in the app's store file (tauri-plugin-store). Only non-secret fields are
//! written; each client secret lives in the keychain.

use flow_connect_core::accounts::Account;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

use crate::error::{CommandError, ErrorCode};

const FILE: &str = "accounts.json";
const KEY: &str = "accounts";

fn storage_error(e: impl std::fmt::Display) -> CommandError {
    CommandError::new(
        ErrorCode::Storage,
        format!("Flow Connect could not read or write its accounts file ({e}). Check that the data folder is writable."),
    )
}

pub fn load<R: Runtime>(app: &AppHandle<R>) -> Result<Vec<Account>, CommandError> {
    let store = app.store(FILE).map_err(storage_error)?;
    match store.get(KEY) {
        Some(value) => serde_json::from_value(value).map_err(storage_error),
        None => Ok(Vec::new()),
    }
}

pub fn save<R: Runtime>(app: &AppHandle<R>, accounts: &[Account]) -> Result<(), CommandError> {
    let store = app.store(FILE).map_err(storage_error)?;
    store.set(KEY, serde_json::to_value(accounts).map_err(storage_error)?);
    store.save().map_err(storage_error)
}

pub fn find<R: Runtime>(app: &AppHandle<R>, id: &str) -> Result<Account, CommandError> {
    load(app)?.into_iter().find(|a| a.id == id).ok_or_else(|| {
        CommandError::new(
            ErrorCode::Validation,
            "This account no longer exists: pick another one or add it again.",
        )
    })
}
