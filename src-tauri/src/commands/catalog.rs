use std::collections::BTreeMap;

use flow_connect_core::catalog::{self, CatalogList, FieldError, FormValues, ParamKind, Source};
use flow_connect_core::operations::form_secrets;
use flow_connect_core::secrets::credentials::StoredSecrets;
use flow_connect_core::Secret;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// The source as the account's org sees it (the live connection spec), or the built-in entry
/// when the spec cannot be read.
#[tauri::command]
pub async fn load_source(
    state: State<'_, AppState>,
    account_id: String,
    sandbox: String,
    spec_id: String,
) -> Result<Source, CommandError> {
    let account = state.account(&account_id)?;
    let client = state.client(&account, &sandbox).await?;
    state.live_source(&client, &spec_id).await
}

/// The account's org catalog as last fetched (memory or the cache file), or the built-in
/// sources when it never was; never a network call, so the catalog shows at once and offline.
#[tauri::command]
pub async fn catalog_sources(
    state: State<'_, AppState>,
    account_id: String,
) -> Result<CatalogList, CommandError> {
    let account = state.account(&account_id)?;
    Ok(state.catalog.list(&account.org_id).await)
}

/// Fetches the org's whole catalog and rewrites its cache.
#[tauri::command]
pub async fn refresh_catalog(
    state: State<'_, AppState>,
    account_id: String,
    sandbox: String,
) -> Result<CatalogList, CommandError> {
    let account = state.account(&account_id)?;
    let client = state.client(&account, &sandbox).await?;
    Ok(state.catalog.refresh(&client).await?)
}

/// The spec ids of the sources the catalog search `query` finds, by core's one rule
/// ([`catalog::matches_search`], also `flow-connect-cli sources list --search`): among the
/// account's catalog as last fetched, or the built-in sources without an account. Never a
/// network call; the page asks only once the user typed something.
#[tauri::command]
pub async fn search_catalog(
    state: State<'_, AppState>,
    account_id: Option<String>,
    query: String,
) -> Result<Vec<String>, CommandError> {
    let found = |sources: &[Source]| {
        sources.iter().filter(|s| catalog::matches_search(s, &query)).map(|s| s.spec_id.clone()).collect()
    };
    Ok(match account_id {
        Some(id) => found(&state.catalog.list(&state.account(&id)?.org_id).await.sources),
        None => found(catalog::builtin_sources()),
    })
}

// The form commands are async so that they run off the main thread: reading the accounts file
// the first time is I/O, and the window must never wait for it.

/// What the form check found: errors, which block the create, and warnings, which do not.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct FormCheck {
    pub errors: Vec<FieldError>,
    pub warnings: Vec<FieldError>,
}

/// Checks a form as the user types; no errors means every value is accepted.
#[tauri::command]
pub async fn validate_form(
    state: State<'_, AppState>,
    account_id: Option<String>,
    spec_id: String,
    spec_name: String,
    values: FormValues,
) -> Result<FormCheck, CommandError> {
    let source = state.source(account_id.as_deref(), &spec_id)?;
    let method = source.auth_method(&spec_name).ok_or_else(flow_connect_core::operations::unknown_source)?;
    Ok(FormCheck { errors: catalog::validate(method, &values), warnings: catalog::warnings(method, &values) })
}

/// The connection string composed from its part fields, secret parts masked.
#[tauri::command]
pub async fn compose_connection_string(
    state: State<'_, AppState>,
    account_id: Option<String>,
    spec_id: String,
    spec_name: String,
    param: String,
    values: FormValues,
) -> Result<String, CommandError> {
    let parts = connection_string_parts(&state, account_id.as_deref(), &spec_id, &spec_name, &param)?;
    Ok(catalog::masked_connection_string(&parts, &values))
}

/// A pasted connection string, split: the plain parts as values, the secret ones (the
/// password) kept in the keychain with the form's other stored secrets.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SplitConnectionString {
    #[ts(type = "Record<string, string>")]
    pub values: BTreeMap<String, String>,
    pub stored: Option<StoredSecrets>,
}

/// The longest connection string accepted: far beyond any real one, short of a paste accident.
const MAX_CONNECTION_STRING: usize = 8 * 1024;

/// Raw mode: a pasted connection string split into the part fields.
#[tauri::command]
pub async fn split_connection_string(
    state: State<'_, AppState>,
    account_id: Option<String>,
    spec_id: String,
    spec_name: String,
    param: String,
    raw: Secret,
    stored: Option<StoredSecrets>,
) -> Result<SplitConnectionString, CommandError> {
    if raw.expose().len() > MAX_CONNECTION_STRING {
        return Err(CommandError::new(
            ErrorCode::Validation,
            format!("That is longer than a connection string can be ({} KiB at most): paste only the connection string.", MAX_CONNECTION_STRING / 1024),
        ));
    }
    let parts = connection_string_parts(&state, account_id.as_deref(), &spec_id, &spec_name, &param)?;
    let mut values = catalog::split_connection_string(&parts, raw.expose())
        .map_err(|message| CommandError::new(ErrorCode::Validation, message))?;
    let secrets: Vec<(String, Secret)> = parts
        .iter()
        .filter(|p| p.secret)
        .filter_map(|p| {
            values.remove(&p.field).filter(|v| !v.is_empty()).map(|v| (p.field.clone(), Secret::new(v)))
        })
        .collect();
    if secrets.is_empty() {
        return Ok(SplitConnectionString { values, stored });
    }
    let source = state.source(account_id.as_deref(), &spec_id)?;
    let stored =
        form_secrets::extend(stored.as_ref(), &source, &state.sets, &state.profiles, &state.vault, secrets)
            .await?;
    Ok(SplitConnectionString { values, stored: Some(stored) })
}

/// The parts of a connection-string param, from the live or built-in source.
fn connection_string_parts(
    state: &AppState,
    account_id: Option<&str>,
    spec_id: &str,
    spec_name: &str,
    param: &str,
) -> Result<Vec<catalog::ConnectionStringPart>, CommandError> {
    let source = state.source(account_id, spec_id)?;
    let method = source.auth_method(spec_name).ok_or_else(flow_connect_core::operations::unknown_source)?;
    match method.all_params().into_iter().find(|p| p.field == param).map(|p| &p.kind) {
        Some(ParamKind::ConnectionString { parts }) => Ok(parts.clone()),
        _ => Err(CommandError::new(
            ErrorCode::UnknownSource,
            format!("{param} is not a connection string of this source."),
        )),
    }
}
