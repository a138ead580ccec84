//! A connection after "created": exploring its data, the health of its dataflows, new
//! credentials, where it came from and its token's standing. Each command reads its request and
//! calls core's lifecycle door (origins: the connections door).

use flow_connect_core::adobe::flow::{ConnectionHealth, FlowSummary, Listing, TableDetails};
use flow_connect_core::operations::renew::{RenewForm, Renewal};
use flow_connect_core::operations::{
    ConnectionTarget, ExploreRequest, OpenRenewRequest, OriginView, ProfileTokenRequest,
    RecordProfileTokenRequest, RenewRequest, SandboxRequest, SummariesRequest, TableRequest,
    TestingClientRequest, TokenStatusRequest,
};
use flow_connect_core::store::origins::TokenStatus;
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

/// One folder (or the root) of a connection's source, a page at a time where the source pages.
#[tauri::command]
pub async fn explore_connection(
    state: State<'_, AppState>,
    request: ExploreRequest,
) -> Result<Listing, CommandError> {
    state.lifecycle().explore(&request).await
}

/// A table's columns, and its first rows when `preview` is set.
#[tauri::command]
pub async fn table_details(
    state: State<'_, AppState>,
    request: TableRequest,
) -> Result<TableDetails, CommandError> {
    state.lifecycle().table_details(&request).await
}

#[tauri::command]
pub async fn connection_health(
    state: State<'_, AppState>,
    request: ConnectionTarget,
) -> Result<ConnectionHealth, CommandError> {
    state.lifecycle().health(&request).await
}

/// How many dataflows each listed connection has, and how many last failed.
#[tauri::command]
pub async fn flow_summaries(
    state: State<'_, AppState>,
    request: SummariesRequest,
) -> Result<Vec<FlowSummary>, CommandError> {
    state.lifecycle().flow_summaries(&request).await
}

/// The renew form of a connection: its sign-in method and non-secret values.
#[tauri::command]
pub async fn open_renew(
    state: State<'_, AppState>,
    request: OpenRenewRequest,
) -> Result<RenewForm, CommandError> {
    state.lifecycle().open_renew(&request).await
}

#[tauri::command]
pub async fn renew_connection(
    state: State<'_, AppState>,
    request: RenewRequest,
) -> Result<Renewal, CommandError> {
    state.lifecycle().renew(&request).await
}

/// Where the connections of a sandbox made here came from.
#[tauri::command]
pub async fn connection_origins(
    state: State<'_, AppState>,
    request: SandboxRequest,
) -> Result<Vec<OriginView>, CommandError> {
    Ok(state.connections().origins(&request).await)
}

/// The refresh token a profile holds, when a consent made it.
#[tauri::command]
pub async fn profile_token(
    state: State<'_, AppState>,
    request: ProfileTokenRequest,
) -> Result<Option<TokenStatus>, CommandError> {
    Ok(state.lifecycle().profile_token(&request).await)
}

#[tauri::command]
pub async fn record_profile_token(
    state: State<'_, AppState>,
    request: RecordProfileTokenRequest,
) -> Result<(), CommandError> {
    state.lifecycle().record_profile_token(&request).await
}

/// The standing of a token the form holds (from a consent just now).
#[tauri::command]
pub async fn token_status(
    state: State<'_, AppState>,
    request: TokenStatusRequest,
) -> Result<TokenStatus, CommandError> {
    Ok(state.lifecycle().token_status(&request).await)
}

/// Marks an OAuth client as in Google's Testing status (its refresh tokens last 7 days).
#[tauri::command]
pub async fn mark_testing_client(
    state: State<'_, AppState>,
    request: TestingClientRequest,
) -> Result<(), CommandError> {
    state.lifecycle().mark_testing_client(&request).await
}
