//! The catalog and the form's tools: sources, one source, the refresh, the search, the form
//! check and the connection string. The rules are core's catalog door.

use flow_connect_core::catalog::{CatalogList, Source};
use flow_connect_core::operations::{
    AccountRequest, ComposeConnectionStringRequest, FormCheck, FormCheckRequest, LoadSourceRequest,
    RefreshCatalogRequest, SearchCatalogRequest, SplitConnectionString, SplitConnectionStringRequest,
};
use tauri::State;

use crate::error::CommandError;
use flow_connect_core::operations::Operations;

/// The source as the account's org sees it (the live connection spec), or the built-in entry
/// when the spec cannot be read.
#[tauri::command]
pub async fn load_source(
    ops: State<'_, Operations>,
    request: LoadSourceRequest,
) -> Result<Source, CommandError> {
    ops.catalog().load(&request).await
}

/// The account's org catalog as last fetched (memory or the cache file), or the built-in
/// sources when it never was; never a network call, so the catalog shows at once and offline.
#[tauri::command]
pub async fn catalog_sources(
    ops: State<'_, Operations>,
    request: AccountRequest,
) -> Result<CatalogList, CommandError> {
    ops.catalog().sources(Some(&request.account_id)).await
}

/// Fetches the org's whole catalog and rewrites its cache.
#[tauri::command]
pub async fn refresh_catalog(
    ops: State<'_, Operations>,
    request: RefreshCatalogRequest,
) -> Result<CatalogList, CommandError> {
    ops.catalog().refresh(&request).await
}

/// The spec ids of the sources the catalog search finds, by core's one rule (also
/// `flow-connect-cli sources list --search`). Never a network call; the page asks only once
/// the user typed something.
#[tauri::command]
pub async fn search_catalog(
    ops: State<'_, Operations>,
    request: SearchCatalogRequest,
) -> Result<Vec<String>, CommandError> {
    let found = ops.catalog().search(&request).await?;
    Ok(found.sources.into_iter().map(|s| s.spec_id).collect())
}

// The form commands are async so that they run off the main thread: reading the accounts file
// the first time is I/O, and the window must never wait for it.

/// Checks a form as the user types; no errors means every value is accepted.
#[tauri::command]
pub async fn validate_form(
    ops: State<'_, Operations>,
    request: FormCheckRequest,
) -> Result<FormCheck, CommandError> {
    ops.catalog().check(&request)
}

/// The connection string composed from its part fields, secret parts masked.
#[tauri::command]
pub async fn compose_connection_string(
    ops: State<'_, Operations>,
    request: ComposeConnectionStringRequest,
) -> Result<String, CommandError> {
    ops.catalog().compose_connection_string(&request)
}

/// Raw mode: a pasted connection string split into the part fields, its secret parts kept in
/// the keychain with the form's other stored secrets.
#[tauri::command]
pub async fn split_connection_string(
    ops: State<'_, Operations>,
    request: SplitConnectionStringRequest,
) -> Result<SplitConnectionString, CommandError> {
    ops.catalog().split_connection_string(request).await
}
