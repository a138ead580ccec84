//! The authorization-code flow with PKCE that gets a BigQuery refresh token from Google:
//! build the consent URL, turn the redirect into tokens, verify and revoke them.

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use url::Url;

use std::time::Duration;

use super::listener::{state_matches, Callback, ListenerError};
use crate::http_body::{CappedOAuthClient, OAuthHttpError};
use crate::secret::Secret;

/// The longest paste taken: the address a browser ends on (code, state, scopes) is well under
/// 2 KiB, and what is pasted crosses IPC or a terminal, so more is a wrong copy, not an answer.
pub const MAX_PASTED_LEN: usize = 8 * 1024;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConsentError {
    #[error("The answer from Google does not belong to this sign-in (its state differs). Start again from Flow Connect.")]
    StateMismatch,
    #[error("Consent was declined in the browser. Start again and allow access to BigQuery.")]
    AccessDenied,
    #[error("Google refused the sign-in ({code}): {description}")]
    Refused { code: String, description: String },
    #[error(
        "Google sent no refresh token. Remove Flow Connect's access at myaccount.google.com/permissions, then sign in again so Google asks for consent anew."
    )]
    NoRefreshToken,
    #[error("Google did not grant BigQuery access (granted: {granted}). Start again and tick the BigQuery permission.")]
    MissingScope { granted: String },
    #[error(
        "Google says the code or refresh token is invalid or expired (invalid_grant). Sign in again; if your OAuth app is in Testing status, its refresh tokens expire after 7 days — publish the app to keep them."
    )]
    InvalidGrant,
    #[error("Google does not know this client ID and secret (invalid_client). Copy both from the OAuth client in the Google Cloud console, or import its JSON file.")]
    InvalidClient,
    #[error("This OAuth client may not use this flow (unauthorized_client). Use a client of type Desktop app or Web application.")]
    UnauthorizedClient,
    #[error(
        "The redirect URI does not match the client's (redirect_uri_mismatch). For a Web application client, add {redirect_uri} to its authorized redirect URIs, or use a Desktop app client."
    )]
    RedirectUriMismatch { redirect_uri: String },
    #[error("Could not reach Google ({reason}). Check your network connection and try again.")]
    Network { reason: String },
    #[error("The pasted text has no code: paste the whole address the browser ended on, or just the code.")]
    NothingPasted,
    #[error("The pasted text is longer than any address the browser ends on ({max} characters at most). Copy only the address from the browser's address bar, then paste it again.")]
    PasteTooLong { max: usize },
    #[error(transparent)]
    Listener(#[from] ListenerError),
}

/// The OAuth client the user created in the Google Cloud console.
#[derive(Debug, Clone)]
pub struct GoogleClient {
    pub client_id: String,
    pub client_secret: Secret,
}

/// Google's endpoints (from the `FLOW_CONNECT_GOOGLE_*` configuration).
#[derive(Debug, Clone)]
pub struct GoogleEndpoints {
    pub auth: Url,
    pub token: Url,
    pub revoke: Url,
}

/// A consent in progress: the URL to open and what is needed to finish it. The PKCE verifier
/// is not `Clone`, so each flow can be finished once.
#[derive(Debug)]
pub struct PendingConsent {
    pub url: Url,
    pub redirect_uri: String,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
    scopes: Vec<String>,
}

/// What a finished consent gives.
#[derive(Debug, Clone)]
pub struct GoogleTokens {
    pub refresh_token: Secret,
    pub access_token: Secret,
    pub scopes: Vec<String>,
    /// How long the access token lives, when the provider says.
    pub expires_in: Option<Duration>,
}

impl GoogleTokens {
    /// The day the access token expires, as the `format: date` (`YYYY-MM-DD`, UTC) that the
    /// generic REST spec's `expirationDate` takes.
    pub fn expiration_date(&self, now: std::time::SystemTime) -> Option<String> {
        let at = now.checked_add(self.expires_in?)?.duration_since(std::time::UNIX_EPOCH).ok()?;
        Some(crate::dates::civil_date(at.as_secs() / 86_400))
    }
}

/// Builds the consent URL: PKCE S256, a random state, offline access and a forced consent
/// screen, so that Google returns a refresh token.
pub fn start(
    client: &GoogleClient,
    endpoints: &GoogleEndpoints,
    scopes: &[String],
    redirect_uri: &str,
) -> Result<PendingConsent, ConsentError> {
    let oauth = BasicClient::new(ClientId::new(client.client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(endpoints.auth.clone()))
        .set_redirect_uri(
            RedirectUrl::new(redirect_uri.to_owned())
                .map_err(|_| ConsentError::RedirectUriMismatch { redirect_uri: redirect_uri.to_owned() })?,
        );
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = oauth
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes.iter().cloned().map(Scope::new))
        .set_pkce_challenge(challenge)
        .add_extra_param("access_type", "offline")
        .add_extra_param("prompt", "consent")
        .url();
    Ok(PendingConsent {
        url,
        redirect_uri: redirect_uri.to_owned(),
        state,
        verifier,
        scopes: scopes.to_vec(),
    })
}

impl PendingConsent {
    /// The `state` sent with the consent URL.
    pub fn state(&self) -> &str {
        self.state.secret()
    }

    /// Manual mode: what the user pasted back, the whole redirected URL or just the code.
    pub fn callback_from_paste(&self, pasted: &str) -> Result<Callback, ConsentError> {
        callback_from_paste(pasted, self.state.secret())
    }
}

/// Reads what the user pasted back: the whole redirected URL, or just the code, which carries
/// no state and can only have come from the tab of the flow whose `state` is given.
pub fn callback_from_paste(pasted: &str, state: &str) -> Result<Callback, ConsentError> {
    let pasted = pasted.trim();
    if pasted.len() > MAX_PASTED_LEN {
        return Err(ConsentError::PasteTooLong { max: MAX_PASTED_LEN });
    }
    if let Ok(url) = Url::parse(pasted) {
        return super::listener::parse_callback(&url).ok_or(ConsentError::NothingPasted);
    }
    if pasted.is_empty() || pasted.contains(char::is_whitespace) {
        return Err(ConsentError::NothingPasted);
    }
    Ok(Callback::Code { code: Secret::new(pasted), state: state.to_owned() })
}

/// Turns Google's redirect into tokens, checking the state first and the granted scopes last.
pub async fn finish(
    pending: PendingConsent,
    callback: Callback,
    client: &GoogleClient,
    endpoints: &GoogleEndpoints,
    http: &reqwest::Client,
) -> Result<GoogleTokens, ConsentError> {
    let (code, state) = match callback {
        Callback::Code { code, state } => (code, state),
        Callback::Error { error, description, state } => {
            if !state_matches(pending.state.secret(), &state) {
                return Err(ConsentError::StateMismatch);
            }
            return Err(match error.as_str() {
                "access_denied" => ConsentError::AccessDenied,
                _ => map_code(&error, description.unwrap_or_default(), &pending.redirect_uri),
            });
        }
    };
    if !state_matches(pending.state.secret(), &state) {
        return Err(ConsentError::StateMismatch);
    }
    let oauth =
        BasicClient::new(ClientId::new(client.client_id.clone()))
            .set_client_secret(ClientSecret::new(client.client_secret.expose().to_owned()))
            .set_token_uri(TokenUrl::from_url(endpoints.token.clone()))
            .set_redirect_uri(RedirectUrl::new(pending.redirect_uri.clone()).map_err(|_| {
                ConsentError::RedirectUriMismatch { redirect_uri: pending.redirect_uri.clone() }
            })?);
    let response = oauth
        .exchange_code(AuthorizationCode::new(code.expose().to_owned()))
        .set_pkce_verifier(pending.verifier)
        .request_async(&CappedOAuthClient(http))
        .await
        .map_err(|e| map_token_error(e, &pending.redirect_uri))?;
    let granted: Vec<String> = response
        .scopes()
        .map(|s| s.iter().map(|s| s.to_string()).collect())
        .unwrap_or_else(|| pending.scopes.clone());
    if let Some(missing) = pending.scopes.iter().find(|s| s.contains("bigquery") && !granted.contains(s)) {
        tracing::debug!(%missing, "a requested scope was not granted");
        return Err(ConsentError::MissingScope { granted: granted.join(" ") });
    }
    let refresh_token = response.refresh_token().ok_or(ConsentError::NoRefreshToken)?;
    Ok(GoogleTokens {
        refresh_token: Secret::new(refresh_token.secret().clone()),
        access_token: Secret::new(response.access_token().secret().clone()),
        scopes: granted,
        expires_in: response.expires_in(),
    })
}

/// "Verify": trades the refresh token for an access token.
pub async fn verify(
    refresh_token: &Secret,
    client: &GoogleClient,
    endpoints: &GoogleEndpoints,
    http: &reqwest::Client,
) -> Result<(), ConsentError> {
    let oauth = BasicClient::new(ClientId::new(client.client_id.clone()))
        .set_client_secret(ClientSecret::new(client.client_secret.expose().to_owned()))
        .set_token_uri(TokenUrl::from_url(endpoints.token.clone()));
    oauth
        .exchange_refresh_token(&RefreshToken::new(refresh_token.expose().to_owned()))
        .request_async(&CappedOAuthClient(http))
        .await
        .map(drop)
        .map_err(|e| map_token_error(e, ""))
}

type TokenError = RequestTokenError<OAuthHttpError, oauth2::basic::BasicErrorResponse>;

fn map_token_error(error: TokenError, redirect_uri: &str) -> ConsentError {
    match error {
        RequestTokenError::ServerResponse(response) => {
            let description = response.error_description().cloned().unwrap_or_default();
            match response.error() {
                BasicErrorResponseType::InvalidGrant => ConsentError::InvalidGrant,
                BasicErrorResponseType::InvalidClient => ConsentError::InvalidClient,
                BasicErrorResponseType::UnauthorizedClient => ConsentError::UnauthorizedClient,
                other => map_code(other.as_ref(), description, redirect_uri),
            }
        }
        // The capped reader's refusal: the server answered, with far too much.
        RequestTokenError::Request(oauth2::HttpClientError::Other(reason)) => {
            ConsentError::Refused { code: "response_too_large".into(), description: reason }
        }
        RequestTokenError::Request(e) => ConsentError::Network { reason: e.to_string() },
        RequestTokenError::Parse(e, _) => {
            ConsentError::Refused { code: "unreadable_response".into(), description: e.to_string() }
        }
        RequestTokenError::Other(message) => {
            ConsentError::Refused { code: "unexpected_response".into(), description: message }
        }
    }
}

fn map_code(code: &str, description: String, redirect_uri: &str) -> ConsentError {
    match code {
        "invalid_grant" => ConsentError::InvalidGrant,
        "invalid_client" => ConsentError::InvalidClient,
        "unauthorized_client" => ConsentError::UnauthorizedClient,
        "redirect_uri_mismatch" => {
            ConsentError::RedirectUriMismatch { redirect_uri: redirect_uri.to_owned() }
        }
        _ => ConsentError::Refused { code: code.to_owned(), description },
    }
}

/// "Revoke": withdraws the refresh token (and the consent behind it) at Google. The token
/// travels in the form body, not the URL, so it never lands in a request log.
pub async fn revoke(
    refresh_token: &Secret,
    endpoints: &GoogleEndpoints,
    http: &reqwest::Client,
) -> Result<(), ConsentError> {
    let response = http
        .post(endpoints.revoke.clone())
        .form(&[("token", refresh_token.expose())])
        .send()
        .await
        .map_err(|e| ConsentError::Network { reason: e.without_url().to_string() })?;
    if response.status().is_success() {
        return Ok(());
    }
    let status = response.status().as_u16();
    let body: serde_json::Value = crate::http_body::read_capped(response)
        .await
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    tracing::debug!(status, "the revoke was refused");
    let code = body["error"].as_str().unwrap_or("revoke_failed").to_owned();
    let description = body["error_description"].as_str().unwrap_or_default().to_owned();
    Err(ConsentError::Refused { code, description })
}
