//! `connection-origins.json`: where each connection made here came from (which account and
//! profile), when its Google refresh token was issued and by which OAuth client, and which
//! clients the user marked as in Google's "Testing" status. No secret is in it: a client ID
//! is public, and a token is recorded only by its issue time.
//!
//! Written like the other data files: a copy is changed, written atomically, then kept.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::store::data_file::{self, StoreNotice, Unreadable};
use crate::store::shared_file::{EditError, Refused};
use crate::store::shared_file::{SharedFile, Stored};

pub const SCHEMA_VERSION: u32 = 1;
/// Google expires refresh tokens of an app in "Testing" status seven days after consent.
pub const TESTING_LIFETIME_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// The most origins kept: the oldest are forgotten first.
const MAX_ORIGINS: usize = 20_000;

/// A refresh token, by when and for which client it was issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TokenIssue {
    /// Milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub issued_at: i64,
    pub client_id: String,
    /// When Google said the grant ends (`refresh_token_expires_in`), for time-limited grants;
    /// for another provider, when its refresh token ends, if it said.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
    /// The provider of the table that issued it (`hubspot`, `zendesk`, …); none for Google's
    /// BigQuery consent, whose tokens the Testing-status rules apply to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub provider: Option<String>,
    /// When the access token issued with it ends, if the provider said: what stops a
    /// connection whose spec holds no refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub access_expires_at: Option<i64>,
}

/// Where one connection came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Origin {
    pub connection_id: String,
    pub account_id: String,
    pub sandbox: String,
    pub spec_id: String,
    #[serde(default)]
    pub profile_id: Option<String>,
    #[serde(default)]
    pub profile_name: Option<String>,
    #[ts(type = "number")]
    pub created_at: i64,
    #[serde(default)]
    pub refresh_token: Option<TokenIssue>,
    /// The JWT Flow Connect signed for the connection, and where its key is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub signed: Option<SignedCredential>,
    /// When the client secret ends, as the user entered it (Entra and Salesforce secrets
    /// have an end chosen when they are made; nothing Flow Connect can read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub secret_expires_at: Option<i64>,
    /// The access token Flow Connect minted with client credentials, and where the client's
    /// secret is kept to mint the next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub minted: Option<MintedCredential>,
}

/// An access token minted here with client credentials (OneTrust).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MintedCredential {
    pub renewal_set: String,
    /// The provider's name, as the catalog gives it.
    pub provider: String,
    /// The client's ID: public, sent with the kept secret.
    pub client_id: String,
    /// Milliseconds since the epoch, when the provider said.
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
}

/// A JWT credential signed here: what it claims, until when, and the renewal set (in the
/// keychain) holding the key it was signed with, so it can be signed again unattended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignedCredential {
    pub renewal_set: String,
    pub claims: crate::keys::JwtClaims,
    /// Milliseconds since the epoch: the JWT's `exp`.
    #[ts(type = "number")]
    pub expires_at: i64,
}

/// Who holds a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenHolder {
    Connection(String),
    Profile(String),
}

/// What the UI shows of a token: the record, whether its client is (or seems to be) in
/// Testing status, and then when it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TokenStatus {
    pub issue: TokenIssue,
    pub testing: bool,
    #[ts(type = "number | null")]
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OriginFile {
    schema_version: u32,
    origins: Vec<Origin>,
    #[serde(default)]
    testing_clients: Vec<String>,
    /// The refresh token each profile holds, by profile id.
    #[serde(default)]
    profile_tokens: std::collections::BTreeMap<String, TokenIssue>,
}

#[derive(Debug, thiserror::Error)]
pub enum OriginsError {
    #[error("Flow Connect could not save where the connection came from ({0}). Free some disk space; the connection itself is made.")]
    Write(#[source] std::io::Error),
    /// The file on disk cannot be read now (a newer Flow Connect wrote it): not overwritten.
    #[error(transparent)]
    Refused(#[from] Refused),
}

#[derive(Debug)]
pub struct Origins {
    file: SharedFile<OriginFile>,
}

impl Stored for OriginFile {
    fn load(path: &Path) -> std::io::Result<(Self, Option<StoreNotice>)> {
        data_file::open_versioned(path, SCHEMA_VERSION, parse, || OriginFile {
            schema_version: SCHEMA_VERSION,
            ..OriginFile::default()
        })
    }
    fn reread(path: &Path) -> Result<(Self, Option<StoreNotice>), Unreadable> {
        Ok(match data_file::read_versioned(path, parse)? {
            Some((file, _)) => (file, None),
            None => (OriginFile { schema_version: SCHEMA_VERSION, ..OriginFile::default() }, None),
        })
    }
    fn store(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        data_file::write_atomically(path, &bytes)
    }
}

impl Origins {
    /// Opens `path`; a missing file is empty and an unreadable one is set aside.
    pub fn open(path: PathBuf) -> (Self, Option<StoreNotice>) {
        let (file, notice) = SharedFile::open(path.clone()).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "connection origins not read; starting empty");
            let empty = OriginFile { schema_version: SCHEMA_VERSION, ..OriginFile::default() };
            // The path cannot be read now; the next read tries again.
            (SharedFile::empty(path, empty), None)
        });
        (Self { file }, notice)
    }

    /// Records (or replaces) the origin of a connection.
    pub async fn record(&self, origin: Origin) -> Result<(), OriginsError> {
        self.change(|file| {
            file.origins.retain(|o| o.connection_id != origin.connection_id);
            file.origins.push(origin);
            let excess = file.origins.len().saturating_sub(MAX_ORIGINS);
            file.origins.drain(..excess);
        })
        .await
    }

    /// Notes a new refresh token for a connection made here (after a renewal).
    pub async fn set_token(
        &self,
        connection_id: &str,
        issue: Option<TokenIssue>,
    ) -> Result<(), OriginsError> {
        self.change(|file| {
            if let Some(origin) = file.origins.iter_mut().find(|o| o.connection_id == connection_id) {
                origin.refresh_token = issue;
            }
        })
        .await
    }

    /// Notes the JWT a connection now carries; the renewal set it replaces is returned, for
    /// the caller to forget once this is written.
    pub async fn set_signed(
        &self,
        connection_id: &str,
        signed: SignedCredential,
    ) -> Result<Option<String>, OriginsError> {
        let mut replaced = None;
        self.change(|file| {
            if let Some(origin) = file.origins.iter_mut().find(|o| o.connection_id == connection_id) {
                replaced = origin.signed.replace(signed).map(|old| old.renewal_set);
            }
        })
        .await?;
        Ok(replaced)
    }

    /// Notes the access token minted for a connection.
    pub async fn set_minted(
        &self,
        connection_id: &str,
        minted: MintedCredential,
    ) -> Result<(), OriginsError> {
        self.change(|file| {
            if let Some(origin) = file.origins.iter_mut().find(|o| o.connection_id == connection_id) {
                origin.minted = Some(minted);
            }
        })
        .await
    }

    /// Notes the refresh token a profile now holds.
    pub async fn set_profile_token(&self, profile_id: &str, issue: TokenIssue) -> Result<(), OriginsError> {
        self.change(|file| {
            file.profile_tokens.insert(profile_id.to_owned(), issue);
        })
        .await
    }

    /// Every profile's recorded token, by profile id.
    pub async fn profile_tokens(&self) -> Vec<(String, TokenIssue)> {
        self.file.read(|file| file.profile_tokens.iter().map(|(id, t)| (id.clone(), t.clone())).collect())
    }

    pub async fn profile_token(&self, profile_id: &str) -> Option<TokenIssue> {
        self.file.read(|file| file.profile_tokens.get(profile_id).cloned())
    }

    pub async fn forget(&self, connection_id: &str) -> Result<(), OriginsError> {
        self.change(|file| file.origins.retain(|o| o.connection_id != connection_id)).await
    }

    /// Marks (or unmarks) an OAuth client as in Google's Testing status.
    pub async fn mark_testing(&self, client_id: &str, testing: bool) -> Result<(), OriginsError> {
        let client_id = client_id.trim().to_owned();
        self.change(|file| {
            file.testing_clients.retain(|c| *c != client_id);
            if testing {
                file.testing_clients.push(client_id);
            }
        })
        .await
    }

    /// The origins of connections in `sandbox` of `account_id`.
    pub async fn of(&self, account_id: &str, sandbox: &str) -> Vec<Origin> {
        self.file.read(|file| {
            file.origins
                .iter()
                .filter(|o| o.account_id == account_id && o.sandbox == sandbox)
                .cloned()
                .collect()
        })
    }

    /// The Google refresh tokens recorded for `client_id`, each once however many connections
    /// and profiles hold it, with who holds them: connections by id, profiles by id.
    pub async fn google_tokens(&self, client_id: &str) -> Vec<(TokenIssue, Vec<TokenHolder>)> {
        self.file.read(|file| {
            let mut found: Vec<(TokenIssue, Vec<TokenHolder>)> = Vec::new();
            let held = file
                .origins
                .iter()
                .filter_map(|o| {
                    o.refresh_token.as_ref().map(|t| (t, TokenHolder::Connection(o.connection_id.clone())))
                })
                .chain(file.profile_tokens.iter().map(|(id, t)| (t, TokenHolder::Profile(id.clone()))));
            for (issue, holder) in held {
                if issue.provider.is_some() || issue.client_id != client_id {
                    continue;
                }
                match found.iter_mut().find(|(i, _)| i.issued_at == issue.issued_at) {
                    Some((_, holders)) => holders.push(holder),
                    None => found.push((issue.clone(), vec![holder])),
                }
            }
            found.sort_by_key(|(issue, _)| issue.issued_at);
            found
        })
    }

    /// Every origin, for the expiry radar, with the clients marked as in Testing status.
    pub async fn everything(&self) -> (Vec<Origin>, Vec<String>) {
        self.file.read(|file| (file.origins.clone(), file.testing_clients.clone()))
    }

    pub async fn origin(&self, connection_id: &str) -> Option<Origin> {
        self.file.read(|file| file.origins.iter().find(|o| o.connection_id == connection_id).cloned())
    }

    /// How a token stands: a client marked as in Testing, or a grant Google gave an end to,
    /// has an expiry date.
    pub async fn status(&self, issue: &TokenIssue) -> TokenStatus {
        // Testing status is Google's: another provider's end date is its own rule.
        let google = issue.provider.is_none();
        let marked = google && self.file.read(|file| file.testing_clients.contains(&issue.client_id));
        let testing = marked || (google && issue.expires_at.is_some());
        let expires_at =
            issue.expires_at.or_else(|| marked.then(|| issue.issued_at.saturating_add(TESTING_LIFETIME_MS)));
        TokenStatus { issue: issue.clone(), testing, expires_at }
    }

    async fn change(&self, edit: impl FnOnce(&mut OriginFile)) -> Result<(), OriginsError> {
        let file = self.file.edit().await.map_err(|e| match e {
            EditError::Refused(refused) => OriginsError::Refused(refused),
            other => OriginsError::Write(std::io::Error::other(other)),
        })?;
        let mut next = file.current();
        edit(&mut next);
        file.commit(next).await.map_err(OriginsError::Write)
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Why the file cannot be read now, once each time it stops being readable.
    pub fn take_notice(&self) -> Option<Refused> {
        self.file.take_notice()
    }
}

fn parse(bytes: &[u8]) -> Result<(OriginFile, u32), Unreadable> {
    data_file::parse_one_version(bytes, SCHEMA_VERSION)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("flow-connect-origins-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn origin(id: &str) -> Origin {
        Origin {
            connection_id: id.into(),
            account_id: "a".into(),
            sandbox: "prod".into(),
            spec_id: "s".into(),
            profile_id: Some("p".into()),
            profile_name: Some("Marketing".into()),
            created_at: 1,
            refresh_token: Some(TokenIssue {
                issued_at: 1_000,
                client_id: "c.apps".into(),
                expires_at: None,
                provider: None,
                access_expires_at: None,
            }),
            signed: None,
            secret_expires_at: None,
            minted: None,
        }
    }

    #[tokio::test]
    async fn origins_survive_a_restart_and_a_marked_client_gets_its_7_days() {
        let dir = scratch();
        let path = dir.join("connection-origins.json");
        let (origins, _) = Origins::open(path.clone());
        origins.record(origin("x")).await.unwrap();
        origins.mark_testing("c.apps", true).await.unwrap();
        let (again, notice) = Origins::open(path);
        assert!(notice.is_none());
        let found = again.of("a", "prod").await;
        assert_eq!(found, vec![origin("x")]);
        let status = again.status(found[0].refresh_token.as_ref().unwrap()).await;
        assert!(status.testing);
        assert_eq!(status.expires_at, Some(1_000 + TESTING_LIFETIME_MS));
        again.mark_testing("c.apps", false).await.unwrap();
        assert_eq!(again.status(found[0].refresh_token.as_ref().unwrap()).await.expires_at, None);
    }

    #[tokio::test]
    async fn a_google_token_shared_by_connections_and_a_profile_counts_once() {
        let (origins, _) = Origins::open(scratch().join("connection-origins.json"));
        origins.record(origin("x")).await.unwrap();
        origins.record(origin("y")).await.unwrap();
        let shared = origin("x").refresh_token.unwrap();
        origins.set_profile_token("p", shared.clone()).await.unwrap();
        let newer = TokenIssue { issued_at: 2_000, ..shared.clone() };
        origins.record(Origin { refresh_token: Some(newer.clone()), ..origin("z") }).await.unwrap();
        let other = TokenIssue { client_id: "other.apps".into(), ..shared.clone() };
        origins.record(Origin { refresh_token: Some(other), ..origin("w") }).await.unwrap();
        let found = origins.google_tokens("c.apps").await;
        assert_eq!(
            found,
            vec![
                (
                    shared,
                    vec![
                        TokenHolder::Connection("x".into()),
                        TokenHolder::Connection("y".into()),
                        TokenHolder::Profile("p".into())
                    ]
                ),
                (newer, vec![TokenHolder::Connection("z".into())]),
            ]
        );
    }

    #[tokio::test]
    async fn a_failed_write_changes_nothing() {
        let dir = scratch();
        let path = dir.join("connection-origins.json");
        let (origins, _) = Origins::open(path.clone());
        std::fs::create_dir(&path).unwrap();
        assert!(origins.record(origin("x")).await.is_err());
        assert!(origins.origin("x").await.is_none());
    }
}
