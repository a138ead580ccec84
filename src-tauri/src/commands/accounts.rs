//! Adobe accounts: list, add or edit, remove, sign in. The rules are core's accounts door.

use flow_connect_core::accounts::{Account, SignedIn};
use flow_connect_core::operations::{AccountRequest, SaveAccountRequest};
use tauri::State;

use crate::error::CommandError;
use flow_connect_core::operations::Operations;

#[tauri::command]
pub async fn list_accounts(ops: State<'_, Operations>) -> Result<Vec<Account>, CommandError> {
    Ok(ops.accounts().list())
}

/// Adds or edits an account; leaving the client secret empty on an edit keeps the stored one.
#[tauri::command]
pub async fn save_account(
    ops: State<'_, Operations>,
    request: SaveAccountRequest,
) -> Result<Account, CommandError> {
    ops.accounts().save(request).await
}

/// Removes an account, its client secret and its cached token.
#[tauri::command]
pub async fn delete_account(ops: State<'_, Operations>, request: AccountRequest) -> Result<(), CommandError> {
    ops.accounts().remove(&request.account_id).await?;
    Ok(())
}

/// Signs in and lists the sandboxes the account may use.
#[tauri::command]
pub async fn sign_in(ops: State<'_, Operations>, request: AccountRequest) -> Result<SignedIn, CommandError> {
    ops.accounts().sign_in(&request.account_id).await
}
