//! What the commands share: endpoints, one HTTP client, the keychain, the live catalog, the
//! profile book, the running consent, and one token provider per signed-in account so IMS
//! tokens are reused.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use flow_connect_core::accounts::Account;
use flow_connect_core::catalog::LiveCatalog;
use flow_connect_core::config::Endpoints;
use flow_connect_core::flow::{http_client, FlowClient};
use flow_connect_core::ims::ImsTokenProvider;
use flow_connect_core::profiles::{ProfileBook, StoreNotice};
use flow_connect_core::vault::{KeyringStore, Vault};

use crate::consent_slot::ConsentSlot;
use crate::error::{CommandError, ErrorCode};

pub struct AppState {
    pub endpoints: Endpoints,
    /// Built once, off the main thread: with the system's OpenSSL, making a TLS client loads
    /// and parses the whole certificate bundle (about 100 ms of CPU on a small machine), which
    /// must not hold up the window. `warm_up` starts it as soon as the app is set up.
    http: tokio::sync::OnceCell<reqwest::Client>,
    pub vault: Arc<Vault>,
    pub catalog: LiveCatalog,
    pub consent: ConsentSlot,
    pub profiles: ProfileBook,
    /// What happened to the profiles file at start-up, until the UI has shown it.
    pub profiles_notice: Mutex<Option<String>>,
    tokens: Mutex<HashMap<String, Arc<ImsTokenProvider>>>,
}

impl AppState {
    /// `keychain_service` names the app's keychain entries (the app identifier); the profiles
    /// file lives in `data_dir`. Opening it reads one file and makes no keychain call.
    pub fn new(endpoints: Endpoints, keychain_service: &str, data_dir: &Path) -> Result<Self, CommandError> {
        let vault = Arc::new(Vault::new(KeyringStore::new(keychain_service)));
        let (profiles, notice) = ProfileBook::open(data_dir.join("profiles.json"), Arc::clone(&vault))?;
        let profiles_notice = match notice {
            Some(StoreNotice::MovedAside { moved_to, reason }) => Some(format!(
                "Your saved profiles could not be read ({reason}), so Flow Connect set the file aside as {} and started an empty list. Your keychain entries are untouched.",
                moved_to.display()
            )),
            Some(StoreNotice::Migrated { from }) => {
                tracing::info!(from, "profiles file migrated to the current version");
                None
            }
            None => None,
        };
        Ok(Self {
            endpoints,
            http: tokio::sync::OnceCell::new(),
            vault,
            catalog: LiveCatalog::default(),
            consent: ConsentSlot::default(),
            profiles,
            profiles_notice: Mutex::new(profiles_notice),
            tokens: Mutex::default(),
        })
    }

    /// The shared HTTP client; the first caller builds it on a blocking thread, the others wait.
    pub async fn http(&self) -> Result<reqwest::Client, CommandError> {
        let client = self
            .http
            .get_or_try_init(|| async {
                tokio::task::spawn_blocking(|| http_client(Duration::from_secs(30))).await.map_err(|e| {
                    tracing::error!(error = %e, "the HTTP client could not be built");
                    CommandError::new(
                        ErrorCode::Network,
                        "Flow Connect could not set up HTTPS: the system's OpenSSL did not start. Reinstall the libssl3 package, then restart Flow Connect.",
                    )
                })
            })
            .await?;
        Ok(client.clone())
    }

    /// Builds the HTTP client in the background while the window loads, so the first request
    /// does not pay for it.
    pub async fn warm_up(&self) {
        // A failure is reported again, with its advice, to the first command that needs HTTP.
        let _ = self.http().await;
    }

    /// A Flow Service client for `account` in `sandbox`, reusing the account's token.
    pub async fn client(&self, account: &Account, sandbox: &str) -> Result<FlowClient, CommandError> {
        let http = self.http().await?;
        let cached = self.tokens.lock().unwrap_or_else(PoisonError::into_inner).get(&account.id).cloned();
        let tokens = match cached {
            Some(tokens) => tokens,
            None => {
                let secret = self.vault.get(&account.secret_key()).await?.ok_or_else(|| {
                    CommandError::new(
                        ErrorCode::Validation,
                        format!("The client secret of “{}” is not in the keychain: edit the account and enter it again.", account.display_name),
                    )
                })?;
                let tokens = account.token_provider(http.clone(), &self.endpoints.ims, secret);
                self.tokens
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(account.id.clone(), Arc::clone(&tokens));
                tokens
            }
        };
        Ok(account.client(http, &self.endpoints.platform, tokens, sandbox))
    }

    /// Drops an account's token after its credentials changed or it was removed.
    pub fn forget(&self, account_id: &str) {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner).remove(account_id);
    }
}
