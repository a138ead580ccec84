//! OAuth consent for the forms that need tokens: BigQuery's refresh token from Google, and a
//! generic REST API's OAuth 2 refresh code from the provider the user names. The consent page
//! opens in the system browser (Google blocks embedded ones); the tokens go straight to the
//! keychain and the form learns only which of its fields are now set. The same holds for an
//! imported client JSON: its client secret goes to the keychain, never back to the page.

use std::path::PathBuf;

use flow_connect_core::catalog::{ConsentKind, FormValues, Source};
use flow_connect_core::oauth::google::{self, GoogleClient, RedirectSetting};
use flow_connect_core::secrets::credentials::StoredSecrets;
use flow_connect_core::secrets::key_files::{display_name, read_client_json};
use flow_connect_core::store::origins::TokenIssue;
use flow_connect_core::Secret;
use flow_connect_core::{operations::form_consent, operations::form_secrets};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::commands::key_files::key_file_failure;
use crate::error::{CommandError, ErrorCode};
use crate::file_dialog;
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
    /// The file's name, for the form to say what it read.
    pub file_name: String,
}

/// Reads a client JSON: the file dropped on the form (`path`), else the one picked in the OS's
/// open dialog; `None` when the user cancelled. The file is read here, not by the page, so the
/// client secret goes from disk to the keychain without passing through JavaScript.
#[tauri::command]
pub async fn import_google_client(
    app: AppHandle,
    state: State<'_, AppState>,
    spec_id: String,
    stored: Option<StoredSecrets>,
    path: Option<String>,
) -> Result<Option<ImportedGoogleClient>, CommandError> {
    let path = match path {
        Some(dropped) => PathBuf::from(dropped),
        None => match file_dialog::pick_secret_file(&app, "Google client JSON file", true).await {
            Some(picked) => picked,
            None => return Ok(None),
        },
    };
    let imported = read_client_json(&path).map_err(key_file_failure)?;
    let source = state.source(None, &spec_id)?;
    let stored = form_secrets::extend(
        stored.as_ref(),
        &source,
        &state.sets,
        &state.profiles,
        &state.vault,
        vec![("clientSecret".to_owned(), imported.client_secret)],
    )
    .await?;
    Ok(Some(ImportedGoogleClient {
        client_id: imported.client_id,
        stored,
        redirect_uri: match imported.redirect {
            RedirectSetting::AnyPort => None,
            RedirectSetting::Fixed { uri, .. } => Some(uri),
        },
        file_name: display_name(&path),
    }))
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
    let source = state.source(None, &request.spec_id)?;
    let asked = form_consent::ConsentRequest {
        source,
        provider: request.provider.map(|p| (p.authorization_url, p.token_url)),
        client_id: request.client_id,
        client_secret: request.client_secret,
        scopes: request.scopes,
        redirect_uri: request.redirect_uri,
        stored: request.stored,
    };
    let started =
        form_consent::begin(&state.consent, asked, state.google_endpoints(), state.keychain()).await?;
    // Detached: xdg-open may wait for the browser it starts, the command must not.
    let browser_opened = match open::that_detached(&started.url) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "no system browser opened for the consent page");
            false
        }
    };
    Ok(ConsentStarted {
        url: started.url,
        redirect_uri: started.redirect_uri,
        browser_opened,
        paste_only: started.paste_only,
    })
}

/// Waits (up to five minutes) for the consent's answer, then keeps the tokens in the keychain.
#[tauri::command]
pub async fn finish_consent(state: State<'_, AppState>) -> Result<ConsentResult, CommandError> {
    let http = state.http().await?;
    let done =
        form_consent::finish(&state.consent, &http, &state.google_endpoints(), state.keychain()).await?;
    Ok(ConsentResult {
        stored: done.stored,
        expiration_date: done.expiration_date,
        scopes: done.scopes,
        issued: done.issued,
    })
}

/// Manual mode: the address the browser ended on (or the bare code), pasted by the user.
#[tauri::command]
pub fn paste_consent(state: State<'_, AppState>, pasted: Secret) -> Result<(), CommandError> {
    form_consent::paste(&state.consent, pasted.expose()).map_err(CommandError::from)
}

#[tauri::command]
pub fn cancel_consent(state: State<'_, AppState>) {
    state.consent.with_handle(google::ConsentHandle::cancel);
}

/// The form's client and refresh token, with any of them held in the keychain.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TokenCheck {
    /// The form's source and sign-in method: verify and revoke are Google's, so core must
    /// give that method Google's consent.
    pub spec_id: String,
    pub spec_name: String,
    #[ts(type = "Record<string, string>")]
    pub values: FormValues,
    pub stored: Option<StoredSecrets>,
}

/// "Verify": trades the refresh token for an access token at Google.
#[tauri::command]
pub async fn verify_google_token(state: State<'_, AppState>, check: TokenCheck) -> Result<(), CommandError> {
    let (client, refresh_token) = token_and_client(&state, check).await?;
    google::verify(&refresh_token, &client, &state.google_endpoints(), &state.http().await?).await?;
    Ok(())
}

/// "Revoke": withdraws the refresh token at Google and forgets the stored copy.
#[tauri::command]
pub async fn revoke_google_token(state: State<'_, AppState>, check: TokenCheck) -> Result<(), CommandError> {
    let stored_set =
        check.stored.as_ref().filter(|s| s.fields.iter().any(|f| f == "refreshToken")).map(|s| s.set.clone());
    let (_, refresh_token) = token_and_client(&state, check).await?;
    google::revoke(&refresh_token, &state.google_endpoints(), &state.http().await?).await?;
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
    let source = state.source(None, &check.spec_id)?;
    require_google_consent(&source, &check.spec_name)?;
    let mut values = check.values;
    if let Some(stored) = &check.stored {
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

/// Verify and revoke send the form's token to Google, so the form's method must be one core
/// gives Google's consent (`ConsentKind::of`, the rule of the window and the CLI alike): a
/// token of any other source is never sent there.
fn require_google_consent(source: &Source, spec_name: &str) -> Result<(), CommandError> {
    if source.auth_method(spec_name).is_some_and(|m| matches!(m.consent, ConsentKind::Google { .. })) {
        return Ok(());
    }
    Err(CommandError::new(
        ErrorCode::Validation,
        format!(
            "{}'s sign-in method is not one Google issues tokens for, so Flow Connect does not send its token to Google. Check the token with its own provider.",
            source.display_name
        ),
    ))
}

#[cfg(test)]
mod tests {
    use flow_connect_core::catalog::builtin_sources;

    use super::*;

    #[test]
    fn only_a_method_with_googles_consent_goes_to_google() {
        let sources = builtin_sources();
        let bigquery = sources.iter().find(|s| s.spec_key == "google-big-query").expect("BigQuery");
        let google = bigquery
            .auth_methods
            .iter()
            .find(|m| matches!(m.consent, ConsentKind::Google { .. }))
            .expect("a method");
        assert!(require_google_consent(bigquery, &google.spec_name).is_ok());
        let service =
            bigquery.auth_methods.iter().find(|m| m.consent == ConsentKind::None).expect("a method");
        let refused = require_google_consent(bigquery, &service.spec_name).expect_err("not Google's");
        assert_eq!(refused.code, ErrorCode::Validation);
        assert!(require_google_consent(bigquery, "No such method").is_err());
        // A REST API's OAuth method has a client and a refresh token too, but its provider's own consent.
        let rest = sources
            .iter()
            .flat_map(|s| s.auth_methods.iter().map(move |m| (s, m)))
            .find(|(_, m)| m.consent == ConsentKind::Rest)
            .expect("a REST method");
        assert!(require_google_consent(rest.0, &rest.1.spec_name).is_err());
    }
}
