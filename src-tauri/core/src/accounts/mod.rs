//! Adobe accounts: the non-secret description of an OAuth Server-to-Server credential (saved
//! in `accounts.json`, `file` and `book`) and signing in with it. The client secret lives in
//! the keychain under [`Account::secret_key`].

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

use crate::catalog::FieldError;
use crate::flow::{FlowClient, FlowError, PlatformTarget, Sandbox};
use crate::ims::{ImsCredentials, ImsTokenProvider, DEFAULT_SCOPES};
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
    /// The `acct-…` id an older Flow Connect gave the account, until its keychain entry has
    /// moved to the UUID. Not part of the UI's type.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "legacyId")]
    #[ts(skip)]
    pub legacy_id: Option<String>,
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
    pub fn token_provider(
        &self,
        http: reqwest::Client,
        ims: &Url,
        client_secret: Secret,
    ) -> Arc<ImsTokenProvider> {
        Arc::new(ImsTokenProvider::new(
            http,
            ims,
            ImsCredentials::ClientCredentials {
                client_id: self.client_id.clone(),
                client_secret,
                scopes: self.scopes.clone(),
            },
        ))
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
        if self.scopes.split(',').all(|s| s.trim().is_empty()) {
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
