//! OAuth consent for the forms that need tokens: BigQuery's refresh token from Google, and a
//! generic REST API's OAuth 2 refresh code from the provider the user names. Core's consent
//! door holds every rule; the window only opens the consent page in the system browser (Google
//! blocks embedded ones). The tokens go straight to the keychain and the form learns only which
//! of its fields are now set; the same holds for an imported client JSON's client secret.

use flow_connect_core::operations::form_consent::Started;
use flow_connect_core::operations::{
    ConsentRequest, ConsentResult, GoogleTokens, GoogleTokensRequest, ImportGoogleClientRequest,
    ImportedGoogleClient, PasteConsentRequest, ReuseTokenRequest, TokenCheck,
};
use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::error::CommandError;
use crate::file_dialog;
use flow_connect_core::operations::Operations;

/// Reads a client JSON: the file dropped on the form, else the one picked in the OS's open
/// dialog; `None` when the user cancelled. Core reads the file, not the page, so the client
/// secret goes from disk to the keychain without passing through JavaScript.
#[tauri::command]
pub async fn import_google_client(
    app: AppHandle,
    ops: State<'_, Operations>,
    request: ImportGoogleClientRequest,
) -> Result<Option<ImportedGoogleClient>, CommandError> {
    let pick = || file_dialog::pick_secret_file(&app, "Google client JSON file", true);
    ops.consent().import_client(request, pick).await
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

/// Starts a consent (cancelling any other) and opens its page in the system browser.
#[tauri::command]
pub async fn begin_consent(
    ops: State<'_, Operations>,
    request: ConsentRequest,
) -> Result<ConsentStarted, CommandError> {
    let started = ops.consent().begin(request).await?;
    Ok(opened(started))
}

/// Opens a started consent's page in the system browser, and says whether it could.
pub(super) fn opened(started: Started) -> ConsentStarted {
    // Detached: xdg-open may wait for the browser it starts, the command must not.
    let browser_opened = match open::that_detached(&started.url) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, "no system browser opened for the consent page");
            false
        }
    };
    ConsentStarted {
        url: started.url,
        redirect_uri: started.redirect_uri,
        browser_opened,
        paste_only: started.paste_only,
    }
}

/// Waits (up to five minutes) for the consent's answer, then keeps the tokens in the keychain.
#[tauri::command]
pub async fn finish_consent(ops: State<'_, Operations>) -> Result<ConsentResult, CommandError> {
    Ok(ops.consent().finish().await?.into())
}

/// Manual mode: the address the browser ended on (or the bare code), pasted by the user.
#[tauri::command]
pub fn paste_consent(ops: State<'_, Operations>, request: PasteConsentRequest) -> Result<(), CommandError> {
    ops.consent().paste(&request.pasted)
}

#[tauri::command]
pub fn cancel_consent(ops: State<'_, Operations>) {
    ops.consent().cancel();
}

/// "Verify": trades the refresh token for an access token at Google.
#[tauri::command]
pub async fn verify_google_token(
    ops: State<'_, Operations>,
    request: TokenCheck,
) -> Result<(), CommandError> {
    ops.consent().verify(request).await
}

/// "Revoke": withdraws the refresh token at Google and forgets the stored copy.
#[tauri::command]
pub async fn revoke_google_token(
    ops: State<'_, Operations>,
    request: TokenCheck,
) -> Result<(), CommandError> {
    ops.consent().revoke(request).await
}

/// How many live refresh tokens of a Google client Flow Connect made, with a warning near
/// Google's limit of 100 and the profiles whose token can be reused.
#[tauri::command]
pub async fn google_tokens(
    ops: State<'_, Operations>,
    request: GoogleTokensRequest,
) -> Result<GoogleTokens, CommandError> {
    Ok(ops.consent().google_tokens(&request).await)
}

/// A profile's refresh token taken into the form, instead of a new consent.
#[tauri::command]
pub async fn reuse_google_token(
    ops: State<'_, Operations>,
    request: ReuseTokenRequest,
) -> Result<ConsentResult, CommandError> {
    ops.consent().reuse_token(&request).await
}
