use flow_connect_core::catalog::{self, FormValues};
use flow_connect_core::credentials::StoredSecrets;
use flow_connect_core::flow::{
    self, ConnectionPage, Created, FlowClient, ListQuery, NewConnection, RequestPreview, SameName,
    TestOutcome,
};
use flow_connect_core::form_secrets;
use flow_connect_core::origins::{Origin, TokenIssue};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use super::catalog::resolve_source;
use crate::error::CommandError;
use crate::state::AppState;

/// A filled form, ready to become `POST /connections`.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionRequest {
    pub account_id: String,
    pub sandbox: String,
    pub spec_id: String,
    pub spec_name: String,
    pub name: String,
    pub description: String,
    #[ts(type = "Record<string, string>")]
    pub values: FormValues,
    /// Secret fields held in the keychain (a consent's tokens, a profile's secrets); a value
    /// typed into the form wins over the stored one.
    #[serde(default)]
    #[ts(optional)]
    pub stored: Option<StoredSecrets>,
    /// The user saw that the sandbox already has a connection of this source with this name,
    /// and wants a second one.
    #[serde(default)]
    #[ts(optional)]
    pub allow_duplicate: Option<bool>,
    /// The profile the form was opened from, recorded as the connection's origin.
    #[serde(default)]
    #[ts(optional)]
    pub profile_id: Option<String>,
    /// The refresh token's issue, when a consent in this form made it.
    #[serde(default)]
    #[ts(optional)]
    pub token: Option<TokenIssue>,
}

/// The exact body and a curl command, secrets masked.
#[tauri::command]
pub async fn preview_connection(
    state: State<'_, AppState>,
    request: ConnectionRequest,
) -> Result<RequestPreview, CommandError> {
    let (new, client) = prepare(&state, &request).await?;
    Ok(flow::preview(&new, client.connections_url().as_str(), client.target()))
}

#[tauri::command]
pub async fn create_connection(
    state: State<'_, AppState>,
    request: ConnectionRequest,
) -> Result<Created, CommandError> {
    let (new, client) = prepare(&state, &request).await?;
    let same_name = if request.allow_duplicate == Some(true) { SameName::Allow } else { SameName::Refuse };
    let mut created = client.create_connection(&new, same_name).await?;
    tracing::info!(id = %created.id, spec = %request.spec_id, sandbox = %request.sandbox, "created a connection");
    let profile = match &request.profile_id {
        Some(id) => state.profiles.profile(id).await,
        None => None,
    };
    let origin = Origin {
        connection_id: created.id.clone(),
        account_id: request.account_id.clone(),
        sandbox: request.sandbox.clone(),
        spec_id: request.spec_id.clone(),
        profile_id: profile.as_ref().map(|p| p.id.clone()),
        profile_name: profile.map(|p| p.name),
        created_at: flow_connect_core::dates::now_ms(),
        refresh_token: request.token.clone(),
    };
    if let Err(e) = state.origins.record(origin).await {
        // The connection exists; only the local note of where it came from is missing.
        tracing::warn!(error = %e, "connection origin not recorded");
        let note = format!("{e}");
        created.note = Some(match created.note.take() {
            Some(earlier) => format!("{earlier} {note}"),
            None => note,
        });
    }
    Ok(created)
}

/// The checked create request and a client for the request's account and sandbox.
async fn prepare(
    state: &AppState,
    request: &ConnectionRequest,
) -> Result<(NewConnection, FlowClient), CommandError> {
    let account = state.account(&request.account_id)?;
    let source = resolve_source(state, Some(&account.id), &request.spec_id)?;
    let mut values = request.values.clone();
    if let Some(stored) = &request.stored {
        form_secrets::fill(stored, &source, &state.sets, &state.profiles, &state.vault, &mut values).await?;
    }
    let new =
        catalog::new_connection(&source, &request.spec_name, &request.name, &request.description, &values)?;
    let client = state.client(&account, &request.sandbox).await?;
    Ok((new, client))
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
    client.delete_connection(&connection_id).await?;
    tracing::info!(id = %connection_id, %sandbox, "deleted a connection");
    if let Err(e) = state.origins.forget(&connection_id).await {
        tracing::warn!(error = %e, "the deleted connection's origin stays recorded");
    }
    Ok(())
}
