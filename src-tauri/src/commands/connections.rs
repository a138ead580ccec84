use flow_connect_core::adobe::flow::{self, ConnectionPage, Created, ListQuery, RequestPreview, TestOutcome};
use flow_connect_core::operations::ConnectionRequest;
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

/// The exact body and a curl command, secrets masked.
#[tauri::command]
pub async fn preview_connection(
    state: State<'_, AppState>,
    request: ConnectionRequest,
) -> Result<RequestPreview, CommandError> {
    let (new, client) = state.prepare(&request).await?;
    Ok(flow::preview(&new, client.connections_url().as_str(), client.target()))
}

#[tauri::command]
pub async fn create_connection(
    state: State<'_, AppState>,
    request: ConnectionRequest,
) -> Result<Created, CommandError> {
    state.create(&request).await
}

#[tauri::command]
pub async fn test_connection(
    state: State<'_, AppState>,
    account_id: String,
    sandbox: String,
    connection_id: String,
) -> Result<TestOutcome, CommandError> {
    let account = state.account(&account_id)?;
    let client = state.client(&account, &sandbox).await?;
    Ok(client.test_connection(&connection_id).await?)
}

/// Connections per page of the connections view: one page at a time, never the whole sandbox.
const PAGE_SIZE: u32 = 50;

/// One page of the connections in a sandbox, optionally of one source only.
#[tauri::command]
pub async fn list_connections(
    state: State<'_, AppState>,
    account_id: String,
    sandbox: String,
    spec_id: Option<String>,
    continuation_token: Option<String>,
) -> Result<ConnectionPage, CommandError> {
    let account = state.account(&account_id)?;
    let client = state.client(&account, &sandbox).await?;
    let query = ListQuery {
        spec_ids: spec_id.into_iter().filter(|s| !s.is_empty()).collect(),
        name: None,
        limit: Some(PAGE_SIZE),
        continuation_token,
    };
    Ok(client.list_connections(&query).await?)
}

/// Renames with the etag as listed; a stale one is refreshed and the rename tried once more.
#[tauri::command]
pub async fn rename_connection(
    state: State<'_, AppState>,
    account_id: String,
    sandbox: String,
    connection_id: String,
    etag: String,
    name: String,
) -> Result<Created, CommandError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CommandError::new(crate::error::ErrorCode::Validation, "Enter the new name."));
    }
    let account = state.account(&account_id)?;
    let client = state.client(&account, &sandbox).await?;
    Ok(client.rename_connection(&connection_id, &etag, name).await?)
}

#[tauri::command]
pub async fn delete_connection(
    state: State<'_, AppState>,
    account_id: String,
    sandbox: String,
    connection_id: String,
) -> Result<(), CommandError> {
    let account = state.account(&account_id)?;
    let client = state.client(&account, &sandbox).await?;
    state.delete_connection(&client, &connection_id).await
}
