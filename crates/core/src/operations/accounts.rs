//! The accounts door: Adobe accounts listed, saved, removed and signed in, their sandboxes, and
//! which account a name means. The window's account commands and the CLI's `accounts` and
//! `sandboxes` subcommands call these and nothing else of the account book.

use super::Operations;
use crate::accounts::{self, Account, SignedIn};
use crate::adobe::flow::Sandbox;
use crate::operations::failure::{ErrorCode, Failure};
use crate::secret::Secret;

/// Adobe accounts: list, save, remove, sign in, sandboxes; which account a name means.
#[derive(Debug)]
pub struct Accounts<'a> {
    pub(super) ops: &'a Operations,
}

/// One account, by its id.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AccountRequest {
    pub account_id: String,
}

/// An account to add (its id empty) or edit, with the client secret to keep in the keychain.
#[derive(Debug, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SaveAccountRequest {
    pub account: Account,
    /// Left empty on an edit, the stored secret is kept.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub client_secret: Option<Secret>,
}

/// Why no account was picked: both say what to do next.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PickError {
    #[error("There is no Adobe account yet. Add one first (in the app, or with `accounts add`).")]
    NoAccount,
    #[error("There is more than one account: name the one to use.")]
    WhichAccount,
}

impl From<PickError> for Failure {
    fn from(e: PickError) -> Self {
        match e {
            PickError::NoAccount => Failure::new(ErrorCode::NotFound, e.to_string()),
            PickError::WhichAccount => Failure::new(ErrorCode::Validation, e.to_string()),
        }
    }
}

impl Accounts<'_> {
    pub fn list(&self) -> Vec<Account> {
        self.ops.accounts.list()
    }

    /// Adds or edits an account. The client secret goes to the keychain with the file write
    /// (and is undone if the write fails); the cached IMS token is dropped, so the next call
    /// signs in with what was saved.
    pub async fn save(&self, request: SaveAccountRequest) -> Result<Account, Failure> {
        let saved = self.ops.accounts.save(request.account, request.client_secret).await?;
        self.ops.tokens.forget(&saved.id);
        tracing::info!(id = %saved.id, "account saved");
        Ok(saved)
    }

    /// Removes an account, its client secret and its cached token.
    pub async fn remove(&self, account_id: &str) -> Result<Account, Failure> {
        let removed = self.ops.accounts.delete(account_id).await?;
        self.ops.tokens.forget(account_id);
        tracing::info!(id = %account_id, "account removed");
        Ok(removed)
    }

    /// Signs in (an IMS token, reused by later calls) and lists the sandboxes the account may
    /// use: active ones, the default first, with the one to preselect.
    pub async fn sign_in(&self, account_id: &str) -> Result<SignedIn, Failure> {
        let account = self.ops.account(account_id)?;
        // Listing sandboxes needs no sandbox.
        let client = self.ops.client(&account, "").await?;
        Ok(accounts::sign_in(&account, &client).await?)
    }

    /// The sandboxes the account may use, as [`Accounts::sign_in`] lists them.
    pub async fn sandboxes(&self, account_id: &str) -> Result<Vec<Sandbox>, Failure> {
        Ok(self.sign_in(account_id).await?.sandboxes)
    }

    /// The account `name_or_id` names; else `fallback` (the account a profile was saved with)
    /// when it still exists; else the only one.
    pub fn pick_or(&self, name_or_id: Option<&str>, fallback: Option<&str>) -> Result<Account, Failure> {
        let fallback = fallback.filter(|id| self.ops.account(id).is_ok());
        self.pick(name_or_id.or(fallback))
    }

    /// The account `name_or_id` names (its id, or its display name ignoring case); the only
    /// account when `None` and there is one.
    pub fn pick(&self, name_or_id: Option<&str>) -> Result<Account, Failure> {
        let accounts = self.list();
        match name_or_id.map(str::trim) {
            // Two accounts named alike are refused with their ids, never the first taken.
            Some(wanted) => Ok(crate::names::resolve(
                accounts,
                wanted,
                crate::names::Kind::Account,
                crate::names::Where::default(),
                |a| a.id.as_str(),
                |a| a.display_name.as_str(),
            )?),
            None => match <[Account; 1]>::try_from(accounts) {
                Ok([only]) => Ok(only),
                Err(all) if all.is_empty() => Err(PickError::NoAccount.into()),
                Err(_) => Err(PickError::WhichAccount.into()),
            },
        }
    }

    /// Uses `secret` as the account's client secret for this process, not the keychain's
    /// (the CLI's `--account-secret`).
    pub async fn use_secret(&self, account: &Account, secret: Secret) -> Result<(), Failure> {
        let http = self.ops.http().await?;
        self.ops.tokens.use_secret(account, http, &self.ops.endpoints.ims, secret);
        Ok(())
    }
}
