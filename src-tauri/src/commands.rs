//! The commands the UI invokes. Each one is an adapter: it unpacks its arguments, calls the
//! core, and turns the outcome into data or a `{code, message}` error.

use flow_connect_core::catalog::{builtin_sources, Source};

use crate::error::CommandError;

/// The source catalog as built in; signed-in views refine it with the live specs.
#[tauri::command]
pub fn list_sources() -> Result<Vec<Source>, CommandError> {
    Ok(builtin_sources().to_vec())
}
