//! Everything one Flow Connect process holds, and the operations the window and the command
//! line share: the data files (accounts, profiles, origins), the keychain, the live catalog,
//! one HTTP client and one IMS token per account. The app's commands and the CLI's
//! subcommands are thin adapters over these methods, so both do exactly the same thing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::accounts::{Account, AccountBook, TokenCache};
use crate::catalog::{self, builtin_source, CatalogCache, FormValues, LiveCatalog, Source};
use crate::config::Endpoints;
use crate::credentials::{SecretSets, StoredSecrets};
use crate::data_file::StoreNotice;
use crate::failure::{ErrorCode, Failure};
use crate::flow::{http_client, Created, FlowClient, NewConnection, SameName};
use crate::form_consent::{self, ConsentSlot};
use crate::form_secrets;
use crate::google::GoogleEndpoints;
use crate::origins::{Origin, Origins, TokenIssue};
use crate::profiles::ProfileBook;
use crate::renew::{self, Renewal};
use crate::secret::Secret;
use crate::vault::{KeyringStore, Vault};

/// The keychain service and data folder name of Flow Connect: the app's identifier, which
/// the app and flow-connect-cli share so they see the same accounts, profiles and secrets.
pub const APP_IDENTIFIER: &str = "io.flowconnect.desktop";

#[derive(Debug)]
pub struct Services {
    pub endpoints: Endpoints,
    data_dir: PathBuf,
    /// Built once, off the async runtime: with the system's OpenSSL, making a TLS client
    /// loads and parses the whole certificate bundle (about 100 ms of CPU on a small machine).
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
    /// One IMS token per signed-in account, reused by every client.
    tokens: TokenCache,
}

/// A filled form (or a profile), ready to become `POST /connections`.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionRequest {
    pub account_id: String,
    pub sandbox: String,
    pub spec_id: String,
    pub spec_name: String,
    pub name: String,
    pub description: String,
    #[ts(type = "Record<string, string>")]
    pub values: FormValues,
    /// Secret fields held in the keychain (a consent's tokens, a profile's secrets); a value
    /// typed into the form wins over the stored one.
    #[serde(default)]
    #[ts(optional)]
    pub stored: Option<StoredSecrets>,
    /// The user saw that the sandbox already has a connection of this source with this name,
    /// and wants a second one.
    #[serde(default)]
    #[ts(optional)]
    pub allow_duplicate: Option<bool>,
    /// The profile the form was opened from, recorded as the connection's origin.
    #[serde(default)]
    #[ts(optional)]
    pub profile_id: Option<String>,
    /// The refresh token's issue, when a consent in this form made it.
    #[serde(default)]
    #[ts(optional)]
    pub token: Option<TokenIssue>,
}

/// New credentials for a connection, sent with the etag the form was opened with.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RenewRequest {
    pub account_id: String,
    pub sandbox: String,
    pub connection_id: String,
    pub etag: String,
    pub spec_id: String,
    pub spec_name: String,
    #[ts(type = "Record<string, string>")]
    pub values: FormValues,
    #[serde(default)]
    #[ts(optional)]
    pub stored: Option<StoredSecrets>,
    /// Also put the new secrets into this profile.
    #[serde(default)]
    #[ts(optional)]
    pub update_profile: Option<String>,
    /// The new refresh token's issue, when a consent made it.
    #[serde(default)]
    #[ts(optional)]
    pub token: Option<TokenIssue>,
}

impl Services {
    /// `keychain_service` names the keychain entries; the data files live in `data_dir`.
    /// Opening reads the small data files, makes no keychain call and no request, and returns
    /// what happened to files that could not be read, in words for the user.
    pub fn open(
        endpoints: Endpoints,
        keychain_service: &str,
        data_dir: &Path,
    ) -> Result<(Self, Vec<String>), Failure> {
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
        let services = Self {
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
        };
        Ok((services, notices))
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Deletes the secret sets of forms from before this start: no form refers to them now.
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
        let renamed = self.accounts.migrated_ids();
        if renamed.is_empty() {
            return;
        }
        let done = async {
            self.accounts.persist().await?;
            self.profiles.rename_accounts(&renamed).await.map_err(Failure::from)?;
            self.accounts.finish_migration().await?;
            Ok::<_, Failure>(())
        };
        match done.await {
            Ok(()) => tracing::info!(accounts = renamed.len(), "accounts migrated to UUID ids"),
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
    pub async fn client(&self, account: &Account, sandbox: &str) -> Result<FlowClient, Failure> {
        let http = self.http().await?;
        let (ims, platform) = (&self.endpoints.ims, &self.endpoints.platform);
        Ok(self.tokens.client(&self.accounts, account, http, ims, platform, sandbox).await?)
    }

    /// Uses `secret` as the account's client secret for this process, not the keychain's.
    pub async fn use_account_secret(&self, account: &Account, secret: Secret) -> Result<(), Failure> {
        let http = self.http().await?;
        self.tokens.use_secret(account, http, &self.endpoints.ims, secret);
        Ok(())
    }

    pub fn account(&self, id: &str) -> Result<Account, Failure> {
        Ok(self.accounts.find(id)?)
    }

    /// The account `name_or_id` names (its id, or its display name ignoring case); the only
    /// account when `None` and there is one.
    pub fn pick_account(&self, name_or_id: Option<&str>) -> Result<Account, Failure> {
        let accounts = self.accounts.list();
        match name_or_id.map(str::trim) {
            Some(wanted) => accounts
                .into_iter()
                .find(|a| a.id == wanted || a.display_name.eq_ignore_ascii_case(wanted))
                .ok_or_else(|| {
                    Failure::new(
                        ErrorCode::NotFound,
                        format!(
                            "No account is named “{wanted}”. See the accounts you have with `accounts list`."
                        ),
                    )
                }),
            None => match <[Account; 1]>::try_from(accounts) {
                Ok([only]) => Ok(only),
                Err(all) if all.is_empty() => Err(Failure::new(
                    ErrorCode::NotFound,
                    "There is no Adobe account yet. Add one first (in the app, or with `accounts add`).",
                )),
                Err(_) => Err(Failure::new(
                    ErrorCode::Validation,
                    "There is more than one account: name the one to use.",
                )),
            },
        }
    }

    /// Adds or edits an account; the cached IMS token is dropped, so the next call signs in
    /// with what was saved.
    pub async fn save_account(
        &self,
        account: Account,
        client_secret: Option<Secret>,
    ) -> Result<Account, Failure> {
        let saved = self.accounts.save(account, client_secret).await?;
        self.tokens.forget(&saved.id);
        tracing::info!(id = %saved.id, "account saved");
        Ok(saved)
    }

    /// Removes an account, its client secret and its cached token.
    pub async fn delete_account(&self, id: &str) -> Result<Account, Failure> {
        let removed = self.accounts.delete(id).await?;
        self.tokens.forget(id);
        tracing::info!(%id, "account removed");
        Ok(removed)
    }

    /// The live entry already fetched for the account's org, else the built-in one. Never a
    /// network call: the form runs this on every keystroke.
    pub fn source(&self, account_id: Option<&str>, spec_id: &str) -> Result<Source, Failure> {
        let live = match account_id {
            Some(id) => self.accounts.find(id).ok().and_then(|a| self.catalog.cached(&a.org_id, spec_id)),
            None => None,
        };
        live.or_else(|| builtin_source(spec_id).cloned()).ok_or_else(unknown_source)
    }

    /// The source as the account's org sees it now (the live spec, one request), or the
    /// built-in entry when the spec cannot be read.
    pub async fn live_source(&self, client: &FlowClient, spec_id: &str) -> Result<Source, Failure> {
        match self.catalog.source(client, spec_id).await {
            (Some(source), _) => Ok(source),
            (None, Some(error)) => Err(error.into()),
            (None, None) => Err(unknown_source()),
        }
    }

    /// The checked create body and a client for the request's account and sandbox.
    pub async fn prepare(&self, request: &ConnectionRequest) -> Result<(NewConnection, FlowClient), Failure> {
        let account = self.account(&request.account_id)?;
        let source = self.source(Some(&account.id), &request.spec_id)?;
        let mut values = request.values.clone();
        if let Some(stored) = &request.stored {
            form_secrets::fill(stored, &source, &self.sets, &self.profiles, &self.vault, &mut values).await?;
        }
        let new = catalog::new_connection(
            &source,
            &request.spec_name,
            &request.name,
            &request.description,
            &values,
        )?;
        let client = self.client(&account, &request.sandbox).await?;
        Ok((new, client))
    }

    /// Creates the connection (exactly once, `flow::create`) and records where it came from.
    /// A record that cannot be written is told in the result's note: the connection exists.
    pub async fn create(&self, request: &ConnectionRequest) -> Result<Created, Failure> {
        let (new, client) = self.prepare(request).await?;
        let same_name =
            if request.allow_duplicate == Some(true) { SameName::Allow } else { SameName::Refuse };
        let mut created = client.create_connection(&new, same_name).await?;
        tracing::info!(id = %created.id, spec = %request.spec_id, sandbox = %request.sandbox, "created a connection");
        let profile = match &request.profile_id {
            Some(id) => self.profiles.profile(id).await,
            None => None,
        };
        let origin = Origin {
            connection_id: created.id.clone(),
            account_id: request.account_id.clone(),
            sandbox: request.sandbox.clone(),
            spec_id: request.spec_id.clone(),
            profile_id: profile.as_ref().map(|p| p.id.clone()),
            profile_name: profile.map(|p| p.name),
            created_at: crate::dates::now_ms(),
            refresh_token: request.token.clone(),
        };
        if let Err(e) = self.origins.record(origin).await {
            tracing::warn!(error = %e, "connection origin not recorded");
            add_note(&mut created.note, e.to_string());
        }
        Ok(created)
    }

    /// Deletes a connection and forgets its origin.
    pub async fn delete_connection(&self, client: &FlowClient, connection_id: &str) -> Result<(), Failure> {
        client.delete_connection(connection_id).await?;
        tracing::info!(id = %connection_id, "deleted a connection");
        if let Err(e) = self.origins.forget(connection_id).await {
            tracing::warn!(error = %e, "the deleted connection's origin stays recorded");
        }
        Ok(())
    }

    /// Sends new credentials; then keeps the profile (when asked) and the token dates in step.
    /// The connection has the new credentials once Adobe accepted them, so a local record
    /// that fails afterwards is told in the note, not returned as if the renewal had failed.
    pub async fn renew(&self, request: &RenewRequest) -> Result<Renewal, Failure> {
        let account = self.account(&request.account_id)?;
        let source = self.source(Some(&account.id), &request.spec_id)?;
        let mut values = request.values.clone();
        if let Some(stored) = &request.stored {
            form_secrets::fill(stored, &source, &self.sets, &self.profiles, &self.vault, &mut values).await?;
        }
        let client = self.client(&account, &request.sandbox).await?;
        let mut renewal = renew::renew(
            &client,
            &source,
            &request.connection_id,
            &request.etag,
            &request.spec_name,
            &values,
        )
        .await?;
        let Renewal::Updated { note, .. } = &mut renewal else { return Ok(renewal) };
        if let Some(profile_id) = &request.update_profile {
            let kept = renew::update_profile(
                &self.profiles,
                &source,
                profile_id,
                &request.values,
                request.stored.clone(),
            )
            .await;
            match kept {
                Ok(_) => {
                    if let Some(token) = &request.token {
                        if let Err(e) = self.origins.set_profile_token(profile_id, token.clone()).await {
                            tracing::warn!(error = %e, "the profile's token date was not recorded");
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the renewed secrets were not kept in the profile");
                    *note = Some(format!(
                        "The connection has the new credentials, but the profile was not updated: {}",
                        Failure::from(e).message
                    ));
                }
            }
        }
        if request.token.is_some() {
            if let Err(e) = self.origins.set_token(&request.connection_id, request.token.clone()).await {
                tracing::warn!(error = %e, "the connection's token date was not recorded");
            }
        }
        Ok(renewal)
    }

    /// Google's endpoints in force.
    pub fn google_endpoints(&self) -> GoogleEndpoints {
        GoogleEndpoints {
            auth: self.endpoints.google_auth.clone(),
            token: self.endpoints.google_token.clone(),
            revoke: self.endpoints.google_revoke.clone(),
        }
    }

    /// What a consent keeps its tokens with.
    pub fn keychain(&self) -> form_consent::Keychain<'_> {
        form_consent::Keychain { sets: &self.sets, profiles: &self.profiles, vault: &self.vault }
    }
}

fn add_note(note: &mut Option<String>, more: String) {
    *note = Some(match note.take() {
        Some(earlier) => format!("{earlier} {more}"),
        None => more,
    });
}

pub fn unknown_source() -> Failure {
    Failure::new(
        ErrorCode::UnknownSource,
        "This source or sign-in method is not in the catalog: pick it again from the list.",
    )
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

/// Where an export of profiles goes in `folder`: `flow-connect-profiles-YYYY-MM-DD.json`, or
/// with `-2`, `-3` … when that name is taken, so an earlier export is never overwritten.
pub fn export_path(folder: &Path, today: &str) -> PathBuf {
    let stem = format!("flow-connect-profiles-{today}");
    let mut path = folder.join(format!("{stem}.json"));
    let mut n = 1;
    while path.exists() {
        n += 1;
        path = folder.join(format!("{stem}-{n}.json"));
    }
    path
}

/// Writes an export of the chosen profiles (all when `ids` is empty) into `folder`, and
/// returns where it went and how many it holds. Written atomically, never over another file.
pub async fn export_profiles_to(
    profiles: &ProfileBook,
    folder: &Path,
    ids: &[String],
) -> Result<(PathBuf, usize), Failure> {
    let (text, count) = profiles.export(ids).await;
    let today = crate::dates::civil_date(crate::dates::now_ms().max(0).unsigned_abs() / 86_400_000);
    let path = export_path(folder, &today);
    let written = path.clone();
    tokio::task::spawn_blocking(move || crate::data_file::write_atomically(&written, text.as_bytes()))
        .await
        .map_err(|e| Failure::new(ErrorCode::Storage, e.to_string()))?
        .map_err(|e| {
            Failure::new(
                ErrorCode::Storage,
                format!("Could not write {} ({e}). Check that the folder is writable.", path.display()),
            )
        })?;
    Ok((path, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_never_takes_the_name_of_an_earlier_one() {
        let dir = std::env::temp_dir().join(format!("flow-connect-export-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("dir");
        let first = export_path(&dir, "2026-12-02");
        assert_eq!(first, dir.join("flow-connect-profiles-2026-12-02.json"));
        std::fs::write(&first, "{}").expect("first");
        assert_eq!(export_path(&dir, "2026-12-02"), dir.join("flow-connect-profiles-2026-12-02-2.json"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_app_s_identifier_is_the_one_the_window_is_configured_with() {
        let conf = include_str!("../../tauri.conf.json");
        let conf: serde_json::Value = serde_json::from_str(conf).expect("tauri.conf.json");
        assert_eq!(conf["identifier"], APP_IDENTIFIER);
    }
}
