//! A connection after "created": exploring its data, the health of its dataflows, new
//! credentials, and where it came from. Each command unpacks its arguments and calls the core.

use flow_connect_core::adobe::flow::{ConnectionHealth, FlowSummary, Listing, Place, TableDetails};
use flow_connect_core::operations::renew::{self, RenewForm, Renewal};
use flow_connect_core::operations::RenewRequest;
use flow_connect_core::store::origins::{Origin, TokenIssue, TokenStatus};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::CommandError;
use crate::state::AppState;

/// The most connections one `flow_summaries` call looks at: a page of the connections screen.
const MAX_SUMMARIES: usize = 200;

/// One folder (or the root) of a connection's source, a page at a time where the source pages.
#[tauri::command]
pub async fn explore_connection(
    state: State<'_, AppState>,
    account_id: String,
    sandbox: String,
    connection_id: String,
    spec_id: String,
    place: Place,
    start: Option<u32>,
) -> Result<Listing, CommandError> {
    let account = state.account(&account_id)?;
    let support = state.source(Some(&account.id), &spec_id)?.explore;
    let client = state.client(&account, &sandbox).await?;
    Ok(client.explore(&connection_id, support, &place, start.unwrap_or(0)).await?)
}

/// A table's columns, and its first rows when `preview` is set.
#[tauri::command]
pub async fn table_details(
    state: State<'_, AppState>,
    account_id: String,
    sandbox: String,
    connection_id: String,
    path: String,
    preview: bool,
) -> Result<TableDetails, CommandError> {
    let account = state.account(&account_id)?;
    let client = state.client(&account, &sandbox).await?;
    Ok(client.table_details(&connection_id, &path, preview).await?)
}

#[tauri::command]
pub async fn connection_health(
    state: State<'_, AppState>,
    account_id: String,
    sandbox: String,
    connection_id: String,
) -> Result<ConnectionHealth, CommandError> {
    let account = state.account(&account_id)?;
    let client = state.client(&account, &sandbox).await?;
    Ok(client.connection_health(&connection_id).await?)
}

/// How many dataflows each listed connection has, and how many last failed.
#[tauri::command]
pub async fn flow_summaries(
    state: State<'_, AppState>,
    account_id: String,
    sandbox: String,
    connection_ids: Vec<String>,
) -> Result<Vec<FlowSummary>, CommandError> {
    let account = state.account(&account_id)?;
    let client = state.client(&account, &sandbox).await?;
    let ids: Vec<String> = connection_ids.into_iter().take(MAX_SUMMARIES).collect();
    Ok(client.flow_summaries(&ids).await?)
}

/// The renew form of a connection: its sign-in method and non-secret values.
#[tauri::command]
pub async fn open_renew(
    state: State<'_, AppState>,
    account_id: String,
    sandbox: String,
    connection_id: String,
    spec_id: String,
) -> Result<RenewForm, CommandError> {
    let account = state.account(&account_id)?;
    let source = state.source(Some(&account.id), &spec_id)?;
    let client = state.client(&account, &sandbox).await?;
    Ok(renew::open(&client, &source, &connection_id).await?)
}

#[tauri::command]
pub async fn renew_connection(
    state: State<'_, AppState>,
    request: RenewRequest,
) -> Result<Renewal, CommandError> {
    state.renew(&request).await
}

/// A connection's origin, with its token's standing.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OriginView {
    pub origin: Origin,
    pub token: Option<TokenStatus>,
}

/// Where the connections of a sandbox made here came from.
#[tauri::command]
pub async fn connection_origins(
    state: State<'_, AppState>,
    account_id: String,
    sandbox: String,
) -> Result<Vec<OriginView>, CommandError> {
    let mut views = Vec::new();
    for origin in state.origins.of(&account_id, &sandbox).await {
        let token = match &origin.refresh_token {
            Some(issue) => Some(state.origins.status(issue).await),
            None => None,
        };
        views.push(OriginView { origin, token });
    }
    Ok(views)
}

/// The refresh token a profile holds, when a consent made it.
#[tauri::command]
pub async fn profile_token(
    state: State<'_, AppState>,
    profile_id: String,
) -> Result<Option<TokenStatus>, CommandError> {
    Ok(match state.origins.profile_token(&profile_id).await {
        Some(issue) => Some(state.origins.status(&issue).await),
        None => None,
    })
}

#[tauri::command]
pub async fn record_profile_token(
    state: State<'_, AppState>,
    profile_id: String,
    token: TokenIssue,
) -> Result<(), CommandError> {
    Ok(state.origins.set_profile_token(&profile_id, token).await?)
}

/// The standing of a token the form holds (from a consent just now).
#[tauri::command]
pub async fn token_status(
    state: State<'_, AppState>,
    token: TokenIssue,
) -> Result<TokenStatus, CommandError> {
    Ok(state.origins.status(&token).await)
}

/// Marks an OAuth client as in Google's Testing status (its refresh tokens last 7 days).
#[tauri::command]
pub async fn mark_testing_client(
    state: State<'_, AppState>,
    client_id: String,
    testing: bool,
) -> Result<(), CommandError> {
    Ok(state.origins.mark_testing(&client_id, testing).await?)
}
