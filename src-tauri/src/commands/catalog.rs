//! The catalog and the form's tools: sources, one source, the refresh, the search, the form
//! check and the connection string. The rules are core's catalog door.

use flow_connect_core::catalog::{CatalogList, Source};
use flow_connect_core::operations::{
    AccountRequest, ComposeConnectionStringRequest, FormCheck, FormCheckRequest, LoadSourceRequest,
    RefreshCatalogRequest, SearchCatalogRequest, SplitConnectionString, SplitConnectionStringRequest,
};
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

/// The source as the account's org sees it (the live connection spec), or the built-in entry
/// when the spec cannot be read.
#[tauri::command]
pub async fn load_source(
    state: State<'_, AppState>,
    request: LoadSourceRequest,
) -> Result<Source, CommandError> {
    state.catalog().load(&request).await
}

/// The account's org catalog as last fetched (memory or the cache file), or the built-in
/// sources when it never was; never a network call, so the catalog shows at once and offline.
#[tauri::command]
pub async fn catalog_sources(
    state: State<'_, AppState>,
    request: AccountRequest,
) -> Result<CatalogList, CommandError> {
    state.catalog().sources(Some(&request.account_id)).await
}

/// Fetches the org's whole catalog and rewrites its cache.
#[tauri::command]
pub async fn refresh_catalog(
    state: State<'_, AppState>,
    request: RefreshCatalogRequest,
) -> Result<CatalogList, CommandError> {
    state.catalog().refresh(&request).await
}

/// The spec ids of the sources the catalog search finds, by core's one rule (also
/// `flow-connect-cli sources list --search`). Never a network call; the page asks only once
/// the user typed something.
#[tauri::command]
pub async fn search_catalog(
    state: State<'_, AppState>,
    request: SearchCatalogRequest,
) -> Result<Vec<String>, CommandError> {
    let found = state.catalog().search(&request).await?;
    Ok(found.sources.into_iter().map(|s| s.spec_id).collect())
}

// The form commands are async so that they run off the main thread: reading the accounts file
// the first time is I/O, and the window must never wait for it.

/// Checks a form as the user types; no errors means every value is accepted.
#[tauri::command]
pub async fn validate_form(
    state: State<'_, AppState>,
    request: FormCheckRequest,
) -> Result<FormCheck, CommandError> {
    state.catalog().check(&request)
}

/// The connection string composed from its part fields, secret parts masked.
#[tauri::command]
pub async fn compose_connection_string(
    state: State<'_, AppState>,
    request: ComposeConnectionStringRequest,
) -> Result<String, CommandError> {
    state.catalog().compose_connection_string(&request)
}

/// Raw mode: a pasted connection string split into the part fields, its secret parts kept in
/// the keychain with the form's other stored secrets.
#[tauri::command]
pub async fn split_connection_string(
    state: State<'_, AppState>,
    request: SplitConnectionStringRequest,
) -> Result<SplitConnectionString, CommandError> {
    state.catalog().split_connection_string(request).await
}
