//! Adobe accounts: the non-secret description of an OAuth Server-to-Server credential (saved
//! in `accounts.json`, `file` and `book`) and signing in with it. The account's secret (the
//! client secret, or an access token the user pasted) lives in the keychain under
//! [`Account::secret_key`].

mod book;
mod file;
mod tokens;

pub use book::{AccountBook, AccountError};
pub use file::{AccountFile, SCHEMA_VERSION};
pub use tokens::TokenCache;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use crate::adobe::flow::{FlowClient, FlowError, PlatformTarget, Sandbox};
use crate::adobe::ims::{ImsCredentials, ImsTokenProvider, DEFAULT_SCOPES};
use crate::catalog::FieldError;
use crate::secret::Secret;

/// One Adobe credential; a user may keep several, for example one per org.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Account {
    pub id: String,
    pub display_name: String,
    /// The IMS org, sent as `x-gw-ims-org-id`.
    pub org_id: String,
    /// The credential's client ID, which is also the `x-api-key`.
    pub client_id: String,
    #[serde(default = "default_scopes")]
    pub scopes: String,
    /// The sandbox `name` to preselect.
    #[serde(default)]
    #[ts(optional)]
    pub default_sandbox: Option<String>,
    /// How the app gets its access token; older files, without the field, used a client secret.
    #[serde(default)]
    pub sign_in: SignIn,
    /// The `acct-…` id an older Flow Connect gave the account, until its keychain entry has
    /// moved to the UUID. Not part of the UI's type.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "legacyId")]
    #[ts(skip)]
    pub legacy_id: Option<String>,
}

/// How an account gets its Adobe access token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SignIn {
    /// OAuth Server-to-Server: the keychain holds the client secret, and a token is fetched
    /// from IMS (and again when it expires).
    #[default]
    ClientCredentials,
    /// The keychain holds an access token the user pasted (from Adobe Developer Console or
    /// another tool), used as it is until IMS refuses it; then the user pastes a new one.
    AccessToken,
}

fn default_scopes() -> String {
    DEFAULT_SCOPES.to_owned()
}

impl Account {
    /// Where the account's client secret is kept in the keychain.
    pub fn secret_key(&self) -> String {
        Self::secret_key_for(self.legacy_id.as_deref().unwrap_or(&self.id))
    }

    pub(crate) fn secret_key_for(id: &str) -> String {
        format!("account/{id}/clientSecret")
    }

    /// The token provider of this account; keep one per account so its token is reused.
    pub fn token_provider(&self, http: reqwest::Client, ims: &Url, secret: Secret) -> Arc<ImsTokenProvider> {
        let credentials = match self.sign_in {
            SignIn::ClientCredentials => ImsCredentials::ClientCredentials {
                client_id: self.client_id.clone(),
                client_secret: secret,
                scopes: self.scopes.clone(),
            },
            SignIn::AccessToken => ImsCredentials::AccessToken(secret),
        };
        Arc::new(ImsTokenProvider::new(http, ims, credentials))
    }

    /// A Flow Service client for `sandbox` (empty before one is chosen).
    pub fn client(
        &self,
        http: reqwest::Client,
        platform: &Url,
        tokens: Arc<ImsTokenProvider>,
        sandbox: &str,
    ) -> FlowClient {
        let target = PlatformTarget {
            api_key: self.client_id.clone(),
            org_id: self.org_id.clone(),
            sandbox: sandbox.to_owned(),
        };
        FlowClient::new(http, platform, tokens, target)
    }

    /// Checks what the user typed for a new or edited account.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut refuse = |field: &str, message: &str| {
            errors.push(FieldError { field: field.into(), message: message.into() })
        };
        if self.display_name.trim().is_empty() {
            refuse("displayName", "Give the account a name, such as “Acme production”.");
        }
        let org = self.org_id.trim();
        if !org.ends_with("@AdobeOrg") || org.len() <= "@AdobeOrg".len() {
            refuse("orgId", "Enter the organization ID from Adobe Developer Console; it ends in @AdobeOrg.");
        }
        if self.client_id.trim().is_empty() {
            refuse("clientId", "Enter the client ID (API key) of the OAuth Server-to-Server credential.");
        }
        // A pasted token carries its own scopes.
        if self.sign_in == SignIn::ClientCredentials && self.scopes.split(',').all(|s| s.trim().is_empty()) {
            refuse("scopes", "Enter the scopes of the credential, separated by commas.");
        }
        errors
    }
}

/// The sandboxes offered after signing in: active ones only, the default first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignedIn {
    pub sandboxes: Vec<Sandbox>,
    /// The sandbox to preselect: the account's own default, else the org's default.
    #[ts(optional)]
    pub preselected: Option<String>,
}

/// Signs in (fetching an IMS token) and lists the sandboxes the credential may use.
pub async fn sign_in(account: &Account, client: &FlowClient) -> Result<SignedIn, FlowError> {
    let mut sandboxes: Vec<Sandbox> =
        client.sandboxes().await?.into_iter().filter(|s| s.state == "active").collect();
    sandboxes.sort_by_key(|s| !s.is_default);
    let preselected = account
        .default_sandbox
        .clone()
        .filter(|name| sandboxes.iter().any(|s| &s.name == name))
        .or_else(|| sandboxes.first().map(|s| s.name.clone()));
    Ok(SignedIn { sandboxes, preselected })
}
