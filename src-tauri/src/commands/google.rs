//! OAuth consent for the forms that need tokens: BigQuery's refresh token from Google, and a
//! generic REST API's OAuth 2 refresh code from the provider the user names. The consent page
//! opens in the system browser (Google blocks embedded ones); the tokens go straight to the
//! keychain and the form learns only which of its fields are now set. The same holds for an
//! imported client JSON: its client secret goes to the keychain, never back to the page.

use std::time::SystemTime;

use flow_connect_core::catalog::{FormValues, Source};
use flow_connect_core::config::require_secure;
use flow_connect_core::credentials::StoredSecrets;
use flow_connect_core::form_secrets;
use flow_connect_core::google::{
    self, import_client_json, ClientJsonError, ConsentError, ConsentSetup, GoogleClient, GoogleEndpoints,
    RedirectSetting, CONSENT_TIME_LIMIT,
};
use flow_connect_core::origins::TokenIssue;
use flow_connect_core::Secret;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;
use url::Url;

use super::catalog::resolve_source;
use crate::consent_slot::{ForForm, Purpose};
use crate::error::{CommandError, ErrorCode};
use crate::state::AppState;

/// A client secret JSON from the Google Cloud console, read into the form: the client ID as a
/// value, the client secret into the keychain.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportedGoogleClient {
    pub client_id: String,
    /// The form's stored secrets, now with the client secret among them.
    pub stored: StoredSecrets,
    /// The registered redirect URI of a Web application client; `None` for a Desktop app client.
    pub redirect_uri: Option<String>,
}

/// The most of a client JSON file read: the console's files are well under 1 KiB.
const MAX_CLIENT_JSON: usize = 64 * 1024;

#[tauri::command]
pub async fn import_google_client(
    state: State<'_, AppState>,
    spec_id: String,
    stored: Option<StoredSecrets>,
    text: String,
) -> Result<ImportedGoogleClient, CommandError> {
    if text.len() > MAX_CLIENT_JSON {
        return Err(ClientJsonError::NotAClientFile.into());
    }
    let imported = import_client_json(&text)?;
    let source = resolve_source(&state, None, &spec_id)?;
    let stored = form_secrets::extend(
        stored.as_ref(),
        &source,
        &state.sets,
        &state.profiles,
        &state.vault,
        vec![("clientSecret".to_owned(), imported.client_secret)],
    )
    .await?;
    Ok(ImportedGoogleClient {
        client_id: imported.client_id,
        stored,
        redirect_uri: match imported.redirect {
            RedirectSetting::AnyPort => None,
            RedirectSetting::Fixed { uri, .. } => Some(uri),
        },
    })
}

/// The authorization and token URLs of a REST API's OAuth provider.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OAuthProvider {
    pub authorization_url: String,
    pub token_url: String,
}

#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConsentRequest {
    /// The form's source: the tokens are kept for it.
    pub spec_id: String,
    /// `None` for Google (BigQuery); the provider's URLs for a generic REST API.
    pub provider: Option<OAuthProvider>,
    pub client_id: String,
    /// As typed; empty when the form holds it in the keychain (`stored`).
    #[ts(type = "string")]
    pub client_secret: Secret,
    /// Space-separated, as OAuth sends them.
    pub scopes: String,
    /// A Web application client's registered loopback redirect URI; `None` for a Desktop app
    /// client, which takes any free port.
    pub redirect_uri: Option<String>,
    /// The form's stored secrets, to keep the new tokens with.
    pub stored: Option<StoredSecrets>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConsentStarted {
    pub url: String,
    pub redirect_uri: String,
    /// False when no system browser could be opened: the user copies the URL instead.
    pub browser_opened: bool,
    /// Set when Flow Connect cannot listen for the redirect (its port is taken or out of
    /// reach): what to paste instead, in one sentence.
    pub paste_only: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConsentResult {
    /// The fields now held in the keychain.
    pub stored: StoredSecrets,
    /// For a REST API: the access token's expiry (`YYYY-MM-DD`), when the provider gave one.
    pub expiration_date: Option<String>,
    pub scopes: Vec<String>,
    /// When and for which client Google issued the refresh token.
    pub issued: Option<TokenIssue>,
}

/// Starts a consent (cancelling any other) and opens its page in the system browser.
#[tauri::command]
pub async fn begin_consent(
    state: State<'_, AppState>,
    request: ConsentRequest,
) -> Result<ConsentStarted, CommandError> {
    let client_id = request.client_id.trim().to_owned();
    let source = resolve_source(&state, None, &request.spec_id)?;
    let client_secret = match request.client_secret.is_empty() {
        false => request.client_secret,
        true => stored_client_secret(&state, &source, request.stored.as_ref()).await?,
    };
    if client_id.is_empty() || client_secret.is_empty() {
        return Err(CommandError::new(
            ErrorCode::Validation,
            "Enter the OAuth client ID and secret first, or import the client JSON file.",
        ));
    }
    let (endpoints, purpose) = match &request.provider {
        None => (google_endpoints(&state), Purpose::GoogleRefreshToken),
        Some(provider) => (provider_endpoints(provider)?, Purpose::RestTokens),
    };
    let scopes: Vec<String> = request.scopes.split_whitespace().map(str::to_owned).collect();
    if scopes.is_empty() {
        return Err(CommandError::new(ErrorCode::Validation, "Enter at least one scope to ask for."));
    }
    let redirect = match request.redirect_uri.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => RedirectSetting::AnyPort,
        Some(uri) => RedirectSetting::registered(uri)?,
    };
    if let Some(stored) = &request.stored {
        StoredSecrets::check_set(&stored.set)?;
    }
    let client = GoogleClient { client_id, client_secret };
    let (handle, run) = google::begin(ConsentSetup { client, endpoints, scopes, redirect }).await?;
    let paste_only = handle.not_listening().map(|why| {
        format!(
            "Flow Connect cannot listen at {} ({why}), so after you allow access the browser will show an error page: copy that page's whole address and paste it below.",
            handle.redirect_uri()
        )
    });
    let started = ConsentStarted {
        url: handle.url().to_string(),
        redirect_uri: handle.redirect_uri().to_owned(),
        browser_opened: false,
        paste_only,
    };
    state.consent.replace(
        handle,
        run,
        ForForm { source, stored: request.stored, purpose, client_id: request.client_id.trim().to_owned() },
    );
    // Detached: xdg-open may wait for the browser it starts, the command must not.
    let browser_opened = match open::that_detached(&started.url) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "no system browser opened for the consent page");
            false
        }
    };
    tracing::info!(?purpose, browser_opened, listening = started.paste_only.is_none(), "consent started");
    Ok(ConsentStarted { browser_opened, ..started })
}

/// The client secret the form holds in the keychain, within the form's binding.
async fn stored_client_secret(
    state: &AppState,
    source: &Source,
    stored: Option<&StoredSecrets>,
) -> Result<Secret, CommandError> {
    let Some(stored) = stored.filter(|s| s.fields.iter().any(|f| f == "clientSecret")) else {
        return Ok(Secret::default());
    };
    let only = StoredSecrets { set: stored.set.clone(), fields: vec!["clientSecret".into()] };
    let mut values = FormValues::new();
    form_secrets::fill(&only, source, &state.sets, &state.profiles, &state.vault, &mut values).await?;
    Ok(values.remove("clientSecret").unwrap_or_default())
}

/// Waits (up to five minutes) for the consent's answer, then keeps the tokens in the keychain.
#[tauri::command]
pub async fn finish_consent(state: State<'_, AppState>) -> Result<ConsentResult, CommandError> {
    let http = state.http().await?;
    let taken = state.consent.take_run().ok_or_else(|| {
        CommandError::new(ErrorCode::Validation, "No sign-in is waiting. Start it again from the form.")
    })?;
    let outcome = taken.run.finish(CONSENT_TIME_LIMIT, &http).await;
    state.consent.clear(taken.id);
    let tokens = outcome.map_err(|e| match (e, taken.form.purpose) {
        (ConsentError::NoRefreshToken, Purpose::RestTokens) => CommandError::new(
            ErrorCode::GoogleSignIn,
            "The provider sent no refresh token. Add the scope it needs for offline access (often offline_access) and try again.",
        ),
        (e, _) => e.into(),
    })?;
    let form = taken.form;
    let mut new = vec![("refreshToken".to_owned(), tokens.refresh_token.clone())];
    let mut expiration_date = None;
    if form.purpose == Purpose::RestTokens {
        new.insert(0, ("accessToken".to_owned(), tokens.access_token.clone()));
        expiration_date = tokens.expiration_date(SystemTime::now());
    }
    let kept = form_secrets::extend(
        form.stored.as_ref(),
        &form.source,
        &state.sets,
        &state.profiles,
        &state.vault,
        new,
    )
    .await;
    let stored = match kept {
        Ok(stored) => stored,
        Err(e) => {
            // A refresh token nobody holds must not stay valid at Google.
            if form.purpose == Purpose::GoogleRefreshToken {
                if let Err(revoke) =
                    google::revoke(&tokens.refresh_token, &google_endpoints(&state), &http).await
                {
                    tracing::warn!(error = %revoke, "the unkept refresh token could not be revoked");
                }
            }
            return Err(e.into());
        }
    };
    tracing::info!(purpose = ?form.purpose, "consent finished; tokens kept in the keychain");
    // When, and for which client, the refresh token was issued: no secret, and what the app
    // needs to tell a Testing app's seven days.
    let issued = (form.purpose == Purpose::GoogleRefreshToken).then(|| TokenIssue {
        issued_at: flow_connect_core::dates::now_ms(),
        client_id: form.client_id.clone(),
        expires_at: None,
    });
    Ok(ConsentResult { stored, expiration_date, scopes: tokens.scopes, issued })
}

/// Manual mode: the address the browser ended on (or the bare code), pasted by the user.
#[tauri::command]
pub fn paste_consent(state: State<'_, AppState>, pasted: Secret) -> Result<(), CommandError> {
    state
        .consent
        .with_handle(|handle| handle.paste(pasted.expose()))
        .unwrap_or(Err(ConsentError::Listener(google::ListenerError::Cancelled)))
        .map_err(CommandError::from)
}

#[tauri::command]
pub fn cancel_consent(state: State<'_, AppState>) {
    state.consent.with_handle(google::ConsentHandle::cancel);
}

/// Verify and revoke are Google's, so the form is BigQuery's.
const BIGQUERY: &str = "3c9b37f8-13a6-43d8-bad3-b863b941fedd";

/// The form's client and refresh token, with any of them held in the keychain.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TokenCheck {
    #[ts(type = "Record<string, string>")]
    pub values: FormValues,
    pub stored: Option<StoredSecrets>,
}

/// "Verify": trades the refresh token for an access token at Google.
#[tauri::command]
pub async fn verify_google_token(state: State<'_, AppState>, check: TokenCheck) -> Result<(), CommandError> {
    let (client, refresh_token) = token_and_client(&state, check).await?;
    google::verify(&refresh_token, &client, &google_endpoints(&state), &state.http().await?).await?;
    Ok(())
}

/// "Revoke": withdraws the refresh token at Google and forgets the stored copy.
#[tauri::command]
pub async fn revoke_google_token(state: State<'_, AppState>, check: TokenCheck) -> Result<(), CommandError> {
    let stored_set =
        check.stored.as_ref().filter(|s| s.fields.iter().any(|f| f == "refreshToken")).map(|s| s.set.clone());
    let (_, refresh_token) = token_and_client(&state, check).await?;
    google::revoke(&refresh_token, &google_endpoints(&state), &state.http().await?).await?;
    if let Some(set) = stored_set {
        state.vault.delete(&StoredSecrets::key(&set, "refreshToken")).await?;
    }
    tracing::info!("refresh token revoked");
    Ok(())
}

async fn token_and_client(
    state: &AppState,
    check: TokenCheck,
) -> Result<(GoogleClient, Secret), CommandError> {
    let mut values = check.values;
    if let Some(stored) = &check.stored {
        let source = resolve_source(state, None, BIGQUERY)?;
        form_secrets::fill(stored, &source, &state.sets, &state.profiles, &state.vault, &mut values).await?;
    }
    let mut take = |field: &str, what: &str| {
        values
            .remove(field)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| CommandError::new(ErrorCode::Validation, format!("Enter the {what} first.")))
    };
    let refresh_token = take("refreshToken", "refresh token (or sign in with Google)")?;
    let client_id = take("clientId", "client ID")?.expose().trim().to_owned();
    let client_secret = take("clientSecret", "client secret")?;
    Ok((GoogleClient { client_id, client_secret }, refresh_token))
}

fn google_endpoints(state: &AppState) -> GoogleEndpoints {
    GoogleEndpoints {
        auth: state.endpoints.google_auth.clone(),
        token: state.endpoints.google_token.clone(),
        revoke: state.endpoints.google_revoke.clone(),
    }
}

fn provider_endpoints(provider: &OAuthProvider) -> Result<GoogleEndpoints, CommandError> {
    let parse = |value: &str, what: &str| {
        let url = Url::parse(value.trim()).ok().filter(|u| require_secure(u).is_ok());
        url.ok_or_else(|| {
            CommandError::new(
                ErrorCode::Validation,
                format!("Enter the provider's {what} as an https:// address (http:// only for localhost)."),
            )
        })
    };
    let auth = parse(&provider.authorization_url, "authorization URL")?;
    let token = parse(&provider.token_url, "token URL")?;
    // Nothing revokes at a generic provider; the token URL only fills the field.
    Ok(GoogleEndpoints { auth, token: token.clone(), revoke: token })
}
