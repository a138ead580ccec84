//! Adobe IMS access tokens for OAuth Server-to-Server credentials: `POST /ims/token/v3` with
//! the client-credentials grant, cached until shortly before they expire.

use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;
use url::Url;

use crate::adobe::error::ApiError;
use crate::secret::Secret;

/// The scopes Adobe Developer Console shows for Experience Platform credentials.
pub const DEFAULT_SCOPES: &str =
    "openid,AdobeID,read_organizations,additional_info.projectedProductContext,session";

/// How long before its expiry a cached token is replaced, at most.
const RENEW_AHEAD: Duration = Duration::from_secs(5 * 60);
/// The longest an access token is trusted to live.
const MAX_TOKEN_LIFETIME_SECS: u64 = 24 * 60 * 60;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImsError {
    #[error(
        "Adobe IMS refused the client ID or client secret ({code}). Copy both from the OAuth \
         Server-to-Server credential of your project in Adobe Developer Console."
    )]
    InvalidClient { code: String },
    #[error(
        "Adobe IMS refused the scopes ({detail}). Use the scopes listed on the credential in Adobe \
         Developer Console, separated by commas."
    )]
    InvalidScope { detail: String },
    #[error("Adobe IMS refused the sign-in: {0}")]
    Rejected(ApiError),
    #[error("The pasted access token was refused or has expired. Paste a fresh token, or sign in with client credentials.")]
    PastedTokenRejected,
    #[error("Could not reach Adobe IMS ({reason}). Check your network connection and try again.")]
    Network { reason: String },
    #[error("Adobe IMS answered with a body Flow Connect could not read ({detail}). Try again later.")]
    UnexpectedResponse { detail: String },
}

/// How the app obtains its Adobe access token.
#[derive(Debug, Clone)]
pub enum ImsCredentials {
    /// OAuth Server-to-Server: the client ID (also the `x-api-key`), its secret and scopes.
    ClientCredentials { client_id: String, client_secret: Secret, scopes: String },
    /// A token the user pasted, used as is until it is refused.
    AccessToken(Secret),
}

#[derive(Debug)]
struct CachedToken {
    token: Secret,
    renew_at: Instant,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    /// Seconds for `/ims/token/v3` (the old JWT exchange used milliseconds).
    expires_in: u64,
}

/// Hands out a valid access token, fetching a new one when the cached one is due.
#[derive(Debug)]
pub struct ImsTokenProvider {
    http: reqwest::Client,
    token_url: Url,
    credentials: ImsCredentials,
    cached: Mutex<Option<CachedToken>>,
}

impl ImsTokenProvider {
    /// `ims_base` is the IMS host, such as `https://ims-na1.adobelogin.com`.
    pub fn new(http: reqwest::Client, ims_base: &Url, credentials: ImsCredentials) -> Self {
        let mut token_url = ims_base.clone();
        token_url.set_path("/ims/token/v3");
        Self { http, token_url, credentials, cached: Mutex::new(None) }
    }

    /// A token that is valid for a while yet.
    pub async fn access_token(&self) -> Result<Secret, ImsError> {
        let (client_id, client_secret, scopes) = match &self.credentials {
            ImsCredentials::AccessToken(token) => return Ok(token.clone()),
            ImsCredentials::ClientCredentials { client_id, client_secret, scopes } => {
                (client_id, client_secret, scopes)
            }
        };
        // Holding the lock across the request makes concurrent callers share one fetch.
        let mut cached = self.cached.lock().await;
        if let Some(hit) = cached.as_ref().filter(|c| Instant::now() < c.renew_at) {
            return Ok(hit.token.clone());
        }
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client_id.as_str()),
            ("client_secret", client_secret.expose()),
            ("scope", scopes.as_str()),
        ];
        // The parameters go in the body: query strings end up in logs.
        let response = self
            .http
            .post(self.token_url.clone())
            .form(&form)
            .send()
            .await
            .map_err(|e| ImsError::Network { reason: e.without_url().to_string() })?;
        let status = response.status().as_u16();
        let request_id =
            response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = crate::http_body::read_capped(response)
            .await
            .map_err(|e| ImsError::Network { reason: e.to_string() })?;
        if !(200..300).contains(&status) {
            let error = ApiError::from_body(status, &body, request_id).scrub([client_secret.expose()]);
            return Err(match error.code.as_deref() {
                Some("invalid_client" | "unauthorized_client") => {
                    ImsError::InvalidClient { code: error.code.clone().unwrap_or_default() }
                }
                Some("invalid_scope") => ImsError::InvalidScope { detail: error.message },
                _ => ImsError::Rejected(error),
            });
        }
        let parsed: TokenResponse = serde_json::from_slice(&body)
            .map_err(|e| ImsError::UnexpectedResponse { detail: e.to_string() })?;
        // IMS tokens live 24 hours; a longer or nonsensical lifetime (the legacy exchange gave
        // milliseconds) is capped there rather than trusted to overflow the clock.
        let lifetime = Duration::from_secs(parsed.expires_in.min(MAX_TOKEN_LIFETIME_SECS));
        let ahead = RENEW_AHEAD.min(lifetime / 10);
        let token = Secret::new(parsed.access_token);
        let now = Instant::now();
        let renew_at = now.checked_add(lifetime - ahead).unwrap_or(now);
        *cached = Some(CachedToken { token: token.clone(), renew_at });
        tracing::debug!(expires_in = parsed.expires_in, "fetched an Adobe IMS access token");
        Ok(token)
    }

    /// Drops `rejected` from the cache after the service refused it, so the next call fetches
    /// a new token. Returns whether a new token can be fetched at all.
    pub async fn invalidate(&self, rejected: &Secret) -> bool {
        if matches!(self.credentials, ImsCredentials::AccessToken(_)) {
            return false;
        }
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|c| &c.token == rejected) {
            *cached = None;
        }
        true
    }
}
