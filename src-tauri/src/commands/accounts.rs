//! Adobe accounts: list, add or edit, remove, sign in. The rules are core's accounts door.

use flow_connect_core::accounts::{Account, SignedIn};
use flow_connect_core::operations::{AccountRequest, SaveAccountRequest};
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

#[tauri::command]
pub async fn list_accounts(state: State<'_, AppState>) -> Result<Vec<Account>, CommandError> {
    Ok(state.accounts().list())
}

/// Adds or edits an account; leaving the client secret empty on an edit keeps the stored one.
#[tauri::command]
pub async fn save_account(
    state: State<'_, AppState>,
    request: SaveAccountRequest,
) -> Result<Account, CommandError> {
    state.accounts().save(request).await
}

/// Removes an account, its client secret and its cached token.
#[tauri::command]
pub async fn delete_account(state: State<'_, AppState>, request: AccountRequest) -> Result<(), CommandError> {
    state.accounts().remove(&request.account_id).await?;
    Ok(())
}

/// Signs in and lists the sandboxes the account may use.
#[tauri::command]
pub async fn sign_in(state: State<'_, AppState>, request: AccountRequest) -> Result<SignedIn, CommandError> {
    state.accounts().sign_in(&request.account_id).await
}
