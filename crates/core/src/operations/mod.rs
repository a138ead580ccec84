//! Everything one Flow Connect process holds, and the operations the window and the command
//! line share: the data files (accounts, profiles, origins), the keychain, the live catalog,
//! one HTTP client and one IMS token per account. The app's commands and the CLI's
//! subcommands are thin adapters over these methods, so both do exactly the same thing.

mod accounts;
mod catalog;
mod connections;
mod consent;
mod credentials;
mod dataflows;
pub mod failure;
pub mod form_consent;
pub mod form_secrets;
mod google_tokens;
mod lifecycle;
mod notices;
mod profiles;
mod promotion;
mod promotion_apply;
mod promotion_consent;
mod promotion_export;
mod promotion_promote;
pub mod renew;

pub use accounts::Accounts;
pub use catalog::Catalog;
pub use connections::Connections;
pub use consent::{
    Consent, ConsentDoorError, ConsentRequest, ConsentResult, ImportGoogleClientRequest,
    ImportedGoogleClient, OAuthProvider, PasteConsentRequest, TokenCheck,
};
pub use credentials::{Credentials, RenewalReport, RenewalResult};
pub use dataflows::{
    ConnectionDataflows, CreationRequest, DataflowCreated, Dataflows, FlowChange, FlowChangeRequest,
    FlowRequest, FlowSpecChoice, PlanOutcome, PlanRequest, RunRequest, TargetOptions,
};
pub use google_tokens::{
    GoogleTokens, GoogleTokensRequest, ReusableToken, ReuseTokenRequest, GOOGLE_TOKEN_LIMIT,
};
pub use lifecycle::Lifecycle;
pub use notices::{MovedEndpoint, Notices};
pub use profiles::Profiles;
pub use promotion::{
    AppliedItem, ApplyOutcome, ApplyReport, Drifted, Promotion, PromotionPlan, PromotionRequest,
};
pub use promotion_export::{ExportRequest, ExportedManifest};
pub use promotion_promote::{PromoteConsentRequest, PromoteRequest, PromotionPreview, SecretSource};

pub use accounts::{AccountRequest, PickError, SaveAccountRequest};
pub use catalog::{
    ComposeConnectionStringRequest, FormCheck, FormCheckRequest, ImportKeyFileRequest, ImportedKeyFile,
    LoadSourceRequest, RefreshCatalogRequest, SearchCatalogRequest, SourceRequestError,
    SplitConnectionString, SplitConnectionStringRequest, MAX_CONNECTION_STRING,
};
pub use connections::{
    default_connection_name, ConnectionRequest, ConnectionTarget, ConnectionsError, CreateOutcome,
    CredentialsChecked, JwtRequest, JwtSigned, KeyFormRequest, KeyPairMade, Labels, ListRequest, ListSize,
    MintRequest, OriginView, ProfileValues, RenameRequest, SandboxRequest, TokenMinted,
};
pub use lifecycle::{
    ExploreRequest, LifecycleError, OpenRenewRequest, ProfileTokenRequest, RecordProfileTokenRequest,
    RenewRequest, SummariesRequest, TableRequest, TestingClientRequest, TokenStatusRequest,
};
pub use profiles::{
    export_path, suggested_export_path, ProfileList, ProfileListRequest, ProfileRequest, ProfileUpdateError,
    RenameProfileRequest, SavedProfile,
};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::accounts::{Account, AccountBook, TokenCache};
use crate::adobe::flow::{http_client, FlowClient};
use crate::catalog::{CatalogCache, LiveCatalog};
use crate::config::Endpoints;
use crate::dataflows::Journal;
use crate::oauth::google::GoogleEndpoints;
use crate::operations::failure::{ErrorCode, Failure};
use crate::profiles::ProfileBook;
use crate::promotion::Records;
use crate::secrets::credentials::SecretSets;
use crate::secrets::renewal::RenewalKeys;
use crate::secrets::vault::{KeyringStore, Vault};
use crate::store::data_file::StoreNotice;
use crate::store::origins::Origins;
use form_consent::ConsentSlot;

/// The keychain service and data folder name of Flow Connect: the app's identifier, which
/// the app and flow-connect-cli share so they see the same accounts, profiles and secrets.
pub const APP_IDENTIFIER: &str = "io.flowconnect.desktop";

#[derive(Debug)]
pub struct Operations {
    endpoints: Endpoints,
    data_dir: PathBuf,
    /// Built once, off the async runtime: with the system's OpenSSL, making a TLS client
    /// loads and parses the whole certificate bundle (about 100 ms of CPU on a small machine).
    http: tokio::sync::OnceCell<reqwest::Client>,
    vault: Arc<Vault>,
    catalog: LiveCatalog,
    consent: ConsentSlot,
    profiles: ProfileBook,
    accounts: AccountBook,
    /// Where connections came from, and the refresh tokens' issue dates.
    origins: Origins,
    /// What each manifest apply made, by org, sandbox and key.
    promotions: Records,
    /// Each dataflow creation and the objects it has made.
    journal: Journal,
    /// The secret sets of forms (consent tokens, imported client secrets).
    sets: SecretSets,
    /// Keys and secrets kept so a signed credential can be made again unattended.
    renewal: RenewalKeys,
    /// One IMS token per signed-in account, reused by every client.
    tokens: TokenCache,
    /// What happened to the data files at start-up, until `take_notices` hands it out.
    notices: std::sync::Mutex<Vec<String>>,
}

/// One door per subject: what the window's commands and the CLI's subcommands call. Each door
/// borrows the process's state; its methods hold every rule of the subject, so the two shells
/// only read arguments and shape results.
impl Operations {
    pub fn accounts(&self) -> Accounts<'_> {
        Accounts { ops: self }
    }

    pub fn catalog(&self) -> Catalog<'_> {
        Catalog { ops: self }
    }

    pub fn connections(&self) -> Connections<'_> {
        Connections { ops: self }
    }

    pub fn profiles(&self) -> Profiles<'_> {
        Profiles { ops: self }
    }

    pub fn consent(&self) -> Consent<'_> {
        Consent { ops: self }
    }

    /// Explore, health, renewal and the tokens' standing of connections already made.
    pub fn lifecycle(&self) -> Lifecycle<'_> {
        Lifecycle { ops: self }
    }

    /// Dataflows: planned, made exactly once, resumed or undone, and managed.
    pub fn dataflows(&self) -> Dataflows<'_> {
        Dataflows { ops: self }
    }

    /// What will stop working and when: the expiry radar.
    pub fn credentials(&self) -> Credentials<'_> {
        Credentials { ops: self }
    }

    /// Promotion as code: a manifest planned and applied against a sandbox.
    pub fn promotion(&self) -> Promotion<'_> {
        Promotion { ops: self }
    }
}

impl Operations {
    /// `keychain_service` names the keychain entries; the data files live in `data_dir`.
    /// Opening reads the small data files, makes no keychain call and no request, and returns
    /// what happened to files that could not be read, in words for the user (`take_notices`
    /// hands the same out once more: use one or the other).
    pub fn open(
        endpoints: Endpoints,
        keychain_service: &str,
        data_dir: &Path,
    ) -> Result<(Self, Vec<String>), Failure> {
        // Made by the first start, for the user alone; an existing folder is left as it is.
        if let Err(e) = crate::store::data_file::create_private_folder(data_dir) {
            tracing::warn!(folder = %data_dir.display(), error = %e, "data folder not created");
        }
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
        let (journal, notice) = Journal::open(data_dir.join("dataflow-steps.json"));
        notices.extend(describe(
            notice,
            "The record of the dataflows being made",
            "The dataflows themselves are untouched in Experience Platform.",
        ));
        let (promotions, notice) = Records::open(data_dir.join("promotions.json"));
        notices.extend(describe(
            notice,
            "The record of what manifests applied",
            "What they made is untouched in Experience Platform; the next plan finds it by name.",
        ));
        let renewal = RenewalKeys::new(Arc::clone(&vault));
        let ops = Self {
            journal,
            renewal,
            promotions,
            endpoints,
            data_dir: data_dir.to_path_buf(),
            http: tokio::sync::OnceCell::new(),
            vault,
            catalog: LiveCatalog::with_cache(CatalogCache::new(data_dir)),
            consent: ConsentSlot::default(),
            profiles,
            accounts,
            sets,
            origins,
            tokens: TokenCache::default(),
            notices: std::sync::Mutex::new(notices.clone()),
        };
        Ok((ops, notices))
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Deletes the secret sets whose owning process has ended (this one's earlier runs, a CLI
    /// that crashed): no form refers to them now. A set a running process owns, such as a
    /// `flow-connect-cli consent` copying its tokens into a profile, is left alone.
    pub async fn sweep_secret_sets(&self) {
        match self.sets.sweep().await {
            Ok(0) => {}
            Ok(swept) => tracing::info!(swept, "secret sets of closed forms deleted"),
            Err(e) => tracing::warn!(error = %e, "secret sets not swept; tried again at the next start"),
        }
    }

    /// Finishes what opening the files started: a migrated accounts file is written back, its
    /// keychain entries moved and the profiles pointed at the new ids. A failure is logged and
    /// tried again at the next start; nothing is lost meanwhile.
    pub async fn finish_migrations(&self) {
        if self.accounts.migrated_ids().is_empty() {
            return;
        }
        let done = async {
            // The ids as written under the file's lock (the same in every process: they are
            // derived from the old ones).
            let renamed = self.accounts.persist().await?;
            self.profiles.rename_accounts(&renamed).await.map_err(Failure::from)?;
            self.accounts.finish_migration().await?;
            Ok::<_, Failure>(())
        };
        match done.await {
            Ok(()) => tracing::info!("accounts migrated to UUID ids"),
            Err(e) => {
                tracing::warn!(error = %e, "accounts migration not finished; it resumes at the next start")
            }
        }
    }

    /// The shared HTTP client; the first caller builds it on a blocking thread, the others wait.
    pub async fn http(&self) -> Result<reqwest::Client, Failure> {
        let client = self
            .http
            .get_or_try_init(|| async {
                tokio::task::spawn_blocking(|| http_client(Duration::from_secs(30))).await.map_err(|e| {
                    tracing::error!(error = %e, "the HTTP client could not be built");
                    Failure::new(
                        ErrorCode::Network,
                        "Flow Connect could not set up HTTPS: the system's OpenSSL did not start. Reinstall the libssl3 package, then try again.",
                    )
                })
            })
            .await?;
        Ok(client.clone())
    }

    /// A Flow Service client for `account` in `sandbox`, reusing the account's token.
    pub(crate) async fn client(&self, account: &Account, sandbox: &str) -> Result<FlowClient, Failure> {
        let http = self.http().await?;
        let (ims, platform) = (&self.endpoints.ims, &self.endpoints.platform);
        Ok(self.tokens.client(&self.accounts, account, http, ims, platform, sandbox).await?)
    }

    /// A Flow Service client for the account `account_id` in `sandbox`: what most operations
    /// start with.
    pub(crate) async fn client_for(&self, account_id: &str, sandbox: &str) -> Result<FlowClient, Failure> {
        let account = self.account(account_id)?;
        self.client(&account, sandbox).await
    }

    /// A client of the sandbox, once `connection_id` is known to be an id: a malformed one is
    /// the caller's input, refused before anything is sent.
    pub(crate) async fn client_of(
        &self,
        account_id: &str,
        sandbox: &str,
        connection_id: &str,
    ) -> Result<FlowClient, Failure> {
        FlowClient::check_connection_id(connection_id).map_err(ConnectionsError::InvalidId)?;
        self.client_for(account_id, sandbox).await
    }

    pub(crate) fn account(&self, id: &str) -> Result<Account, Failure> {
        Ok(self.accounts.find(id)?)
    }

    /// Google's endpoints in force.
    pub(crate) fn google_endpoints(&self) -> GoogleEndpoints {
        GoogleEndpoints {
            auth: self.endpoints.google_auth.clone(),
            token: self.endpoints.google_token.clone(),
            revoke: self.endpoints.google_revoke.clone(),
        }
    }

    /// What a consent keeps its tokens with.
    pub(crate) fn keychain(&self) -> form_consent::Keychain<'_> {
        form_consent::Keychain { sets: &self.sets, profiles: &self.profiles, vault: &self.vault }
    }
}

pub fn unknown_source() -> Failure {
    Failure::new(
        ErrorCode::UnknownSource,
        "This source or sign-in method is not in the catalog: pick it again from the list.",
    )
}

/// What the user is told about a data file set aside, or kept from a newer Flow Connect, at
/// start-up.
fn describe(notice: Option<StoreNotice>, what: &str, advice: &str) -> Option<String> {
    match notice? {
        StoreNotice::MovedAside { moved_to, reason } => Some(format!(
            "{what} could not be read ({reason}), so Flow Connect set the file aside as {} and started an empty list. {advice}",
            moved_to.display()
        )),
        // The advice is about a file set aside; this one is kept.
        StoreNotice::Newer { file, version } => Some(format!(
            "{what}: {} was written by a newer Flow Connect (schema version {version}). This one shows none of it and changes nothing in it, so nothing is lost: update this one (the app and flow-connect-cli).",
            file.display()
        )),
        StoreNotice::Migrated { from } => {
            tracing::info!(from, what, "data file migrated to the current version");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_s_identifier_is_the_one_the_window_is_configured_with() {
        let conf = include_str!("../../../../src-tauri/tauri.conf.json");
        let conf: serde_json::Value = serde_json::from_str(conf).expect("tauri.conf.json");
        assert_eq!(conf["identifier"], APP_IDENTIFIER);
    }
}
