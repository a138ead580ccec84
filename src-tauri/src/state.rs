//! What the commands share: endpoints, one HTTP client, the keychain, the live catalog, the
//! profile book, the running consent, and one token provider per signed-in account so IMS
//! tokens are reused.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use flow_connect_core::accounts::{Account, AccountBook, TokenCache};
use flow_connect_core::catalog::{CatalogCache, LiveCatalog};
use flow_connect_core::config::Endpoints;
use flow_connect_core::credentials::SecretSets;
use flow_connect_core::data_file::FolderLock;
use flow_connect_core::flow::{http_client, FlowClient};
use flow_connect_core::form_consent::ConsentSlot;
use flow_connect_core::origins::Origins;
use flow_connect_core::profiles::{ProfileBook, StoreNotice};
use flow_connect_core::vault::{KeyringStore, Vault};

use crate::error::{CommandError, ErrorCode};

pub struct AppState {
    pub endpoints: Endpoints,
    /// Held while the app runs: no other process writes the data folder meanwhile.
    _lock: FolderLock,
    /// Built once, off the main thread: with the system's OpenSSL, making a TLS client loads
    /// and parses the whole certificate bundle (about 100 ms of CPU on a small machine), which
    /// must not hold up the window. `warm_up` starts it as soon as the app is set up.
    http: tokio::sync::OnceCell<reqwest::Client>,
    pub vault: Arc<Vault>,
    pub catalog: LiveCatalog,
    pub consent: ConsentSlot,
    pub profiles: ProfileBook,
    pub accounts: AccountBook,
    /// Where connections came from, and the refresh tokens' issue dates.
    pub origins: Origins,
    /// The secret sets of forms (consent tokens, imported client secrets).
    pub sets: SecretSets,
    /// What happened to the data files at start-up, until the UI has shown it.
    pub notices: Mutex<Vec<String>>,
    /// One IMS token per signed-in account, reused by every client.
    tokens: TokenCache,
}

impl AppState {
    /// `keychain_service` names the app's keychain entries (the app identifier); the accounts
    /// and profiles files and the index of form secrets live in `data_dir`, which is locked first.
    /// Opening reads those three small files and makes no keychain call.
    pub fn new(endpoints: Endpoints, keychain_service: &str, data_dir: &Path) -> Result<Self, CommandError> {
        let lock = FolderLock::acquire(data_dir)
            .map_err(|e| CommandError::new(ErrorCode::Storage, e.to_string()))?;
        let vault = Arc::new(Vault::new(KeyringStore::new(keychain_service)));
        let mut notices = Vec::new();
        let (accounts, notice) = AccountBook::open(data_dir.join("accounts.json"), Arc::clone(&vault))?;
        notices.extend(describe(
            notice,
            "Your Adobe accounts",
            "Add them again; their client secrets may still be in the keychain.",
        ));
        let (profiles, notice) = ProfileBook::open(data_dir.join("profiles.json"), Arc::clone(&vault))?;
        notices.extend(describe(notice, "Your saved profiles", "Your keychain entries are untouched."));
        let sets = SecretSets::open(data_dir.join("secret-sets.json"), Arc::clone(&vault));
        let (origins, notice) = Origins::open(data_dir.join("connection-origins.json"));
        notices.extend(describe(
            notice,
            "Where your connections came from",
            "The connections themselves are untouched.",
        ));
        Ok(Self {
            endpoints,
            _lock: lock,
            http: tokio::sync::OnceCell::new(),
            vault,
            catalog: LiveCatalog::with_cache(CatalogCache::new(data_dir)),
            consent: ConsentSlot::default(),
            profiles,
            accounts,
            sets,
            origins,
            notices: Mutex::new(notices),
            tokens: TokenCache::default(),
        })
    }

    /// Deletes the secret sets of forms from before this start: no form refers to them now.
    pub async fn sweep_secret_sets(&self) {
        match self.sets.sweep().await {
            Ok(0) => {}
            Ok(swept) => tracing::info!(swept, "secret sets of closed forms deleted"),
            Err(e) => tracing::warn!(error = %e, "secret sets not swept; tried again at the next start"),
        }
    }

    /// Finishes what opening the files started, off the window's path: a migrated accounts
    /// file is written back, its keychain entries moved and the profiles pointed at the new
    /// ids. A failure is logged and tried again at the next start; nothing is lost meanwhile.
    pub async fn finish_migrations(&self) {
        let renamed = self.accounts.migrated_ids();
        if renamed.is_empty() {
            return;
        }
        let done = async {
            self.accounts.persist().await?;
            self.profiles.rename_accounts(&renamed).await.map_err(CommandError::from)?;
            self.accounts.finish_migration().await?;
            Ok::<_, CommandError>(())
        };
        match done.await {
            Ok(()) => tracing::info!(accounts = renamed.len(), "accounts migrated to UUID ids"),
            Err(e) => {
                tracing::warn!(error = %e, "accounts migration not finished; it resumes at the next start")
            }
        }
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
        let (ims, platform) = (&self.endpoints.ims, &self.endpoints.platform);
        Ok(self.tokens.client(&self.accounts, account, http, ims, platform, sandbox).await?)
    }

    pub fn account(&self, id: &str) -> Result<Account, CommandError> {
        Ok(self.accounts.find(id)?)
    }

    /// Drops an account's token after its credentials changed or it was removed.
    pub fn forget(&self, account_id: &str) {
        self.tokens.forget(account_id);
    }
}

/// What the user is told about a data file set aside at start-up.
fn describe(notice: Option<StoreNotice>, what: &str, advice: &str) -> Option<String> {
    match notice? {
        StoreNotice::MovedAside { moved_to, reason } => Some(format!(
            "{what} could not be read ({reason}), so Flow Connect set the file aside as {} and started an empty list. {advice}",
            moved_to.display()
        )),
        StoreNotice::Migrated { from } => {
            tracing::info!(from, what, "data file migrated to the current version");
            None
        }
    }
}
