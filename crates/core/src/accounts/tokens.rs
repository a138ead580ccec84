//! One IMS token provider per account, shared by every Flow Service client made for it, so an
//! access token is fetched once and reused until it expires, whichever screen (or command)
//! asks. An account whose credentials change is forgotten, and its next client signs in anew.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use url::Url;

use super::{Account, AccountBook, AccountError};
use crate::adobe::flow::FlowClient;
use crate::adobe::ims::ImsTokenProvider;

#[derive(Debug, Default)]
pub struct TokenCache {
    providers: Mutex<HashMap<String, Arc<ImsTokenProvider>>>,
}

impl TokenCache {
    /// A client for `account` in `sandbox` (empty: none yet), reusing the account's token. The
    /// client secret is read from the keychain only the first time.
    pub async fn client(
        &self,
        book: &AccountBook,
        account: &Account,
        http: reqwest::Client,
        ims: &Url,
        platform: &Url,
        sandbox: &str,
    ) -> Result<FlowClient, AccountError> {
        let cached = self.providers.lock().unwrap_or_else(PoisonError::into_inner).get(&account.id).cloned();
        let tokens = match cached {
            Some(tokens) => tokens,
            None => {
                let secret = book.client_secret(account).await?;
                let tokens = account.token_provider(http.clone(), ims, secret);
                // Two first calls at once both sign in; the later one's provider is kept.
                self.providers
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(account.id.clone(), Arc::clone(&tokens));
                tokens
            }
        };
        Ok(account.client(http, platform, tokens, sandbox))
    }

    /// Signs `account` in with `secret` given by the caller (a script's environment variable
    /// or file) instead of the keychain's: its clients from now on never read the keychain.
    pub fn use_secret(&self, account: &Account, http: reqwest::Client, ims: &Url, secret: crate::Secret) {
        let tokens = account.token_provider(http, ims, secret);
        self.providers.lock().unwrap_or_else(PoisonError::into_inner).insert(account.id.clone(), tokens);
    }

    /// Drops an account's token after its credentials changed or it was removed.
    pub fn forget(&self, account_id: &str) {
        self.providers.lock().unwrap_or_else(PoisonError::into_inner).remove(account_id);
    }
}
