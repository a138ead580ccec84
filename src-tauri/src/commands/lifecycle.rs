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
use flow_connect_core::operations::Operations;

/// One folder (or the root) of a connection's source, a page at a time where the source pages.
#[tauri::command]
pub async fn explore_connection(
    ops: State<'_, Operations>,
    request: ExploreRequest,
) -> Result<Listing, CommandError> {
    ops.lifecycle().explore(&request).await
}

/// A table's columns, and its first rows when `preview` is set.
#[tauri::command]
pub async fn table_details(
    ops: State<'_, Operations>,
    request: TableRequest,
) -> Result<TableDetails, CommandError> {
    ops.lifecycle().table_details(&request).await
}

#[tauri::command]
pub async fn connection_health(
    ops: State<'_, Operations>,
    request: ConnectionTarget,
) -> Result<ConnectionHealth, CommandError> {
    ops.lifecycle().health(&request).await
}

/// How many dataflows each listed connection has, and how many last failed.
#[tauri::command]
pub async fn flow_summaries(
    ops: State<'_, Operations>,
    request: SummariesRequest,
) -> Result<Vec<FlowSummary>, CommandError> {
    ops.lifecycle().flow_summaries(&request).await
}

/// The renew form of a connection: its sign-in method and non-secret values.
#[tauri::command]
pub async fn open_renew(
    ops: State<'_, Operations>,
    request: OpenRenewRequest,
) -> Result<RenewForm, CommandError> {
    ops.lifecycle().open_renew(&request).await
}

#[tauri::command]
pub async fn renew_connection(
    ops: State<'_, Operations>,
    request: RenewRequest,
) -> Result<Renewal, CommandError> {
    ops.lifecycle().renew(&request).await
}

/// Where the connections of a sandbox made here came from.
#[tauri::command]
pub async fn connection_origins(
    ops: State<'_, Operations>,
    request: SandboxRequest,
) -> Result<Vec<OriginView>, CommandError> {
    Ok(ops.connections().origins(&request).await)
}

/// The refresh token a profile holds, when a consent made it.
#[tauri::command]
pub async fn profile_token(
    ops: State<'_, Operations>,
    request: ProfileTokenRequest,
) -> Result<Option<TokenStatus>, CommandError> {
    Ok(ops.lifecycle().profile_token(&request).await)
}

#[tauri::command]
pub async fn record_profile_token(
    ops: State<'_, Operations>,
    request: RecordProfileTokenRequest,
) -> Result<(), CommandError> {
    ops.lifecycle().record_profile_token(&request).await
}

/// The standing of a token the form holds (from a consent just now).
#[tauri::command]
pub async fn token_status(
    ops: State<'_, Operations>,
    request: TokenStatusRequest,
) -> Result<TokenStatus, CommandError> {
    Ok(ops.lifecycle().token_status(&request).await)
}

/// Marks an OAuth client as in Google's Testing status (its refresh tokens last 7 days).
#[tauri::command]
pub async fn mark_testing_client(
    ops: State<'_, Operations>,
    request: TestingClientRequest,
) -> Result<(), CommandError> {
    ops.lifecycle().mark_testing_client(&request).await
}
