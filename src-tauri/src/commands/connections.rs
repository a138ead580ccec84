//! The connections of a sandbox: preview, create, test, list, rename, delete. Each command
//! reads its request and calls core's connections door.

use flow_connect_core::adobe::flow::{ConnectionPage, Created, RequestPreview, TestOutcome};
use flow_connect_core::operations::{
    ConnectionRequest, ConnectionTarget, ListRequest, ListSize, RenameRequest,
};
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

/// The exact body and a curl command, secrets masked.
#[tauri::command]
pub async fn preview_connection(
    state: State<'_, AppState>,
    request: ConnectionRequest,
) -> Result<RequestPreview, CommandError> {
    state.connections().preview(&request).await
}

#[tauri::command]
pub async fn create_connection(
    state: State<'_, AppState>,
    request: ConnectionRequest,
) -> Result<Created, CommandError> {
    state.connections().create(&request).await
}

#[tauri::command]
pub async fn test_connection(
    state: State<'_, AppState>,
    request: ConnectionTarget,
) -> Result<TestOutcome, CommandError> {
    state.connections().test(&request).await
}

/// One page of the connections in a sandbox, optionally of one source only.
#[tauri::command]
pub async fn list_connections(
    state: State<'_, AppState>,
    request: ListRequest,
) -> Result<ConnectionPage, CommandError> {
    state.connections().list(&request, ListSize::Page).await
}

/// Renames with the etag as listed; a stale one is refreshed and the rename tried once more.
#[tauri::command]
pub async fn rename_connection(
    state: State<'_, AppState>,
    request: RenameRequest,
) -> Result<Created, CommandError> {
    state.connections().rename(&request).await
}

#[tauri::command]
pub async fn delete_connection(
    state: State<'_, AppState>,
    request: ConnectionTarget,
) -> Result<(), CommandError> {
    state.connections().delete(&request).await
}
