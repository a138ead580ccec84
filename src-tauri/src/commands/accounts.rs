//! Adobe accounts: list, add or edit, remove, sign in. The work is the core's account book.

use flow_connect_core::accounts::{self, Account, SignedIn};
use flow_connect_core::Secret;
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

#[tauri::command]
pub async fn list_accounts(state: State<'_, AppState>) -> Result<Vec<Account>, CommandError> {
    Ok(state.accounts.list())
}

/// Adds or edits an account. The client secret goes to the keychain with the file write (and
/// is undone if the write fails); leaving it empty on an edit keeps the stored one. The cached
/// IMS token is dropped, so the next call signs in with what was saved.
#[tauri::command]
pub async fn save_account(
    state: State<'_, AppState>,
    account: Account,
    client_secret: Option<Secret>,
) -> Result<Account, CommandError> {
    state.save_account(account, client_secret).await
}

/// Removes an account, its client secret and its cached token.
#[tauri::command]
pub async fn delete_account(state: State<'_, AppState>, id: String) -> Result<(), CommandError> {
    state.delete_account(&id).await?;
    Ok(())
}

/// Signs in and lists the sandboxes the account may use.
#[tauri::command]
pub async fn sign_in(state: State<'_, AppState>, account_id: String) -> Result<SignedIn, CommandError> {
    let account = state.account(&account_id)?;
    let client = state.client(&account, "").await?;
    Ok(accounts::sign_in(&account, &client).await?)
}
