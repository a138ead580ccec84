use flow_connect_core::accounts::{self, Account, SignedIn};
use flow_connect_core::Secret;
use tauri::{AppHandle, State};

use crate::accounts_store;
use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

#[tauri::command]
pub async fn list_accounts(app: AppHandle) -> Result<Vec<Account>, CommandError> {
    accounts_store::load(&app)
}

/// Adds or updates an account. The client secret goes to the keychain first, so a saved
/// account always has one; leaving it empty on an edit keeps the stored one.
#[tauri::command]
pub async fn save_account(
    app: AppHandle,
    state: State<'_, AppState>,
    mut account: Account,
    client_secret: Option<Secret>,
) -> Result<Account, CommandError> {
    let errors = account.validate();
    if !errors.is_empty() {
        let message = errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" ");
        return Err(CommandError::new(ErrorCode::Validation, message));
    }
    account.org_id = account.org_id.trim().to_owned();
    account.client_id = account.client_id.trim().to_owned();
    let mut all = accounts_store::load(&app)?;
    let is_new = account.id.is_empty() || !all.iter().any(|a| a.id == account.id);
    if account.id.is_empty() {
        account.id = new_id();
    }
    match client_secret.filter(|s| !s.is_empty()) {
        Some(secret) => state.vault.set(&account.secret_key(), secret).await?,
        None if is_new => return Err(CommandError::new(
            ErrorCode::Validation,
            "Enter the client secret of the credential (Adobe Developer Console, OAuth Server-to-Server).",
        )),
        None => {}
    }
    all.retain(|a| a.id != account.id);
    all.push(account.clone());
    accounts_store::save(&app, &all)?;
    state.forget(&account.id);
    Ok(account)
}

#[tauri::command]
pub async fn delete_account(
    app: AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> Result<(), CommandError> {
    let account = accounts_store::find(&app, &id)?;
    state.vault.delete(&account.secret_key()).await?;
    let mut all = accounts_store::load(&app)?;
    all.retain(|a| a.id != id);
    accounts_store::save(&app, &all)?;
    state.forget(&id);
    Ok(())
}

/// Signs in and lists the sandboxes the account may use.
#[tauri::command]
pub async fn sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    account_id: String,
) -> Result<SignedIn, CommandError> {
    let account = accounts_store::find(&app, &account_id)?;
    let client = state.client(&account, "").await?;
    Ok(accounts::sign_in(&account, &client).await?)
}

fn new_id() -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    format!("acct-{nanos:x}")
}
