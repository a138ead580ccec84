//! OAuth consent for a form that needs tokens: BigQuery's refresh token from Google, or a
//! generic REST API's OAuth 2 refresh code from the provider the user names. Starting checks
//! the client and scopes and opens the loopback listener; finishing waits for the answer and
//! keeps the tokens in the keychain with the form's other stored secrets. The form (window or
//! terminal) learns only which fields are now set. Opening the browser is the caller's part.

mod profile;
mod slot;

use std::time::SystemTime;

use serde::Serialize;
use ts_rs::TS;
use url::Url;

pub use profile::{ProfileConsent, ProfileConsentRequest};
pub use slot::{ConsentSlot, FlowHandle, FlowRun, ForForm, Purpose, Taken};

use crate::catalog::{FormValues, Source};
use crate::config::require_secure;
use crate::oauth::engine::{self, Consented, EngineError, ProviderBases, SessionSetup};
use crate::oauth::google::{
    self, ClientJsonError, ConsentError, ConsentSetup, GoogleClient, GoogleEndpoints, RedirectSetting,
    CONSENT_TIME_LIMIT,
};
use crate::oauth::providers::{Expiry, Provider};
use crate::operations::form_secrets;
use crate::profiles::ProfileBook;
use crate::secrets::credentials::{CredentialsError, SecretSets, StoredSecrets};
use crate::secrets::vault::Vault;
use crate::store::origins::TokenIssue;
use crate::Secret;

/// What a consent is asked for.
#[derive(Debug)]
pub struct ConsentRequest {
    pub source: Source,
    /// A REST API's provider: its authorization and token URLs. `None` is Google.
    pub provider: Option<(String, String)>,
    pub client_id: String,
    /// Empty when the form holds it in the keychain (`stored`).
    pub client_secret: Secret,
    /// Separated by spaces.
    pub scopes: String,
    /// A Web application client's registered redirect URI; `None` listens on any free port.
    pub redirect_uri: Option<String>,
    pub stored: Option<StoredSecrets>,
    /// A provider of the table, whose engine runs the consent; `None` is Google's or a REST
    /// API's own flow above.
    pub table_provider: Option<&'static Provider>,
    /// The form's values the provider's endpoints are built from (Zendesk's subdomain).
    pub values: FormValues,
    /// A paste-back provider's https redirect, the one registered on the user's app.
    pub https_redirect: Option<String>,
}

/// A consent under way: the page to open, and what to paste when nothing can listen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub url: String,
    pub redirect_uri: String,
    pub paste_only: Option<String>,
}

/// A finished consent: the fields now held in the keychain, and what is not secret about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub stored: StoredSecrets,
    /// For a REST API: the access token's expiry (`YYYY-MM-DD`), when the provider gave one.
    pub expiration_date: Option<String>,
    pub scopes: Vec<String>,
    /// For Google: when and for which client the refresh token was issued.
    pub issued: Option<TokenIssue>,
    /// The form's values a provider's consent filled that are not secret: the client ID, an
    /// expiry date, Mailchimp's data-centre host.
    pub values: Vec<FilledValue>,
}

/// A form value a consent filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FilledValue {
    pub param: String,
    pub value: String,
}

/// Where the tokens are kept.
#[derive(Debug, Clone, Copy)]
pub struct Keychain<'a> {
    pub sets: &'a SecretSets,
    pub profiles: &'a ProfileBook,
    pub vault: &'a Vault,
}

#[derive(Debug, thiserror::Error)]
pub enum FormConsentError {
    #[error("Enter the OAuth client ID and secret first, or import the client JSON file.")]
    NoClient,
    #[error("Enter at least one scope to ask for.")]
    NoScopes,
    #[error("Enter the provider's {0} as an https:// address (http:// only for localhost).")]
    InsecureProviderUrl(&'static str),
    #[error(
        "No sign-in is waiting for this address: it has already finished, was cancelled or ran out of time. Start the sign-in again, then paste the address the browser ends on."
    )]
    NoneWaiting,
    #[error(
        "The provider sent no refresh token. Add the scope it needs for offline access (often offline_access) and try again."
    )]
    NoRestRefreshToken,
    #[error(transparent)]
    Redirect(#[from] ClientJsonError),
    #[error(transparent)]
    Consent(#[from] ConsentError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
}

/// Starts a consent, cancelling any other in `slot`.
pub async fn begin(
    slot: &ConsentSlot,
    mut request: ConsentRequest,
    google_endpoints: GoogleEndpoints,
    keychain: Keychain<'_>,
) -> Result<Started, FormConsentError> {
    let client_id = request.client_id.trim().to_owned();
    let client_secret = match request.client_secret.is_empty() {
        false => std::mem::take(&mut request.client_secret),
        true => stored_client_secret(&request.source, request.stored.as_ref(), keychain).await?,
    };
    if client_id.is_empty() || client_secret.is_empty() {
        return Err(FormConsentError::NoClient);
    }
    if let Some(provider) = request.table_provider {
        return begin_with_table(slot, request, provider, client_id, client_secret, &google_endpoints).await;
    }
    let (endpoints, purpose) = match &request.provider {
        None => (google_endpoints, Purpose::GoogleRefreshToken),
        Some((auth, token)) => (provider_endpoints(auth, token)?, Purpose::RestTokens),
    };
    let scopes: Vec<String> = request.scopes.split_whitespace().map(str::to_owned).collect();
    if scopes.is_empty() {
        return Err(FormConsentError::NoScopes);
    }
    let redirect = match request.redirect_uri.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => RedirectSetting::AnyPort,
        Some(uri) => RedirectSetting::registered(uri)?,
    };
    if let Some(stored) = &request.stored {
        StoredSecrets::check_set(&stored.set)?;
    }
    let client = GoogleClient { client_id: client_id.clone(), client_secret };
    let (handle, run) = google::begin(ConsentSetup { client, endpoints, scopes, redirect }).await?;
    let paste_only = handle.not_listening().map(|why| {
        format!(
            "Flow Connect cannot listen at {} ({why}), so after you allow access the browser will show an error page: copy that page's whole address and paste it below.",
            handle.redirect_uri()
        )
    });
    let started =
        Started { url: handle.url().to_string(), redirect_uri: handle.redirect_uri().to_owned(), paste_only };
    let form = ForForm { source: request.source, stored: request.stored, purpose, client_id };
    slot.replace(FlowHandle::Google(handle), FlowRun::Google(Box::new(run)), form);
    tracing::info!(?purpose, listening = started.paste_only.is_none(), "consent started");
    Ok(started)
}

/// A consent run by the table's engine: the provider's redirect rule decides whether Flow
/// Connect listens (any port, or the registered one) or the address is pasted back.
async fn begin_with_table(
    slot: &ConsentSlot,
    request: ConsentRequest,
    provider: &'static Provider,
    client_id: String,
    client_secret: Secret,
    google: &GoogleEndpoints,
) -> Result<Started, FormConsentError> {
    if let Some(stored) = &request.stored {
        StoredSecrets::check_set(&stored.set)?;
    }
    let setup = SessionSetup {
        provider,
        values: request.values,
        client_id: client_id.clone(),
        client_secret,
        scopes: request.scopes.split_whitespace().map(str::to_owned).collect(),
        https_redirect: request.https_redirect,
        // Google's other sources sign in where BigQuery's consent does: the Google endpoint
        // settings move them too.
        bases: ProviderBases::from_env()?.or_google(provider, google),
    };
    let (handle, run) = engine::open(setup).await?;
    let started = Started {
        url: handle.url().to_string(),
        redirect_uri: handle.redirect_uri().to_owned(),
        paste_only: handle.paste_only().map(str::to_owned),
    };
    let purpose = Purpose::ProviderTokens { provider: provider.id };
    let form = ForForm { source: request.source, stored: request.stored, purpose, client_id };
    slot.replace(FlowHandle::Provider(handle), FlowRun::Provider(Box::new(run)), form);
    tracing::info!(provider = provider.id, listening = started.paste_only.is_none(), "consent started");
    Ok(started)
}

/// Waits (up to five minutes) for the current consent's answer, then keeps the tokens in the
/// keychain. A Google refresh token that cannot be kept is revoked: nobody would hold it.
pub async fn finish(
    slot: &ConsentSlot,
    http: &reqwest::Client,
    google_endpoints: &GoogleEndpoints,
    keychain: Keychain<'_>,
) -> Result<Finished, FormConsentError> {
    let taken = slot.take_run().ok_or(FormConsentError::NoneWaiting)?;
    let run = match taken.run {
        FlowRun::Google(run) => *run,
        FlowRun::Provider(run) => {
            let outcome = run.finish(CONSENT_TIME_LIMIT, http, crate::dates::now_s).await;
            slot.clear(taken.id);
            return keep_provider_tokens(outcome?, taken.form, keychain).await;
        }
    };
    let outcome = run.finish(CONSENT_TIME_LIMIT, http).await;
    slot.clear(taken.id);
    let form = taken.form;
    let tokens = outcome.map_err(|e| match (e, form.purpose) {
        (ConsentError::NoRefreshToken, Purpose::RestTokens) => FormConsentError::NoRestRefreshToken,
        (e, _) => e.into(),
    })?;
    let mut new = vec![("refreshToken".to_owned(), tokens.refresh_token.clone())];
    let mut expiration_date = None;
    if form.purpose == Purpose::RestTokens {
        new.insert(0, ("accessToken".to_owned(), tokens.access_token.clone()));
        expiration_date = tokens.expiration_date(SystemTime::now());
    }
    let kept = form_secrets::extend(
        form.stored.as_ref(),
        &form.source,
        keychain.sets,
        keychain.profiles,
        keychain.vault,
        new,
    )
    .await;
    let stored = match kept {
        Ok(stored) => stored,
        Err(e) => {
            if form.purpose == Purpose::GoogleRefreshToken {
                if let Err(revoke) = google::revoke(&tokens.refresh_token, google_endpoints, http).await {
                    tracing::warn!(error = %revoke, "the unkept refresh token could not be revoked");
                }
            }
            return Err(e.into());
        }
    };
    tracing::info!(purpose = ?form.purpose, "consent finished; tokens kept in the keychain");
    // When, and for which client, the refresh token was issued: no secret, and what tells a
    // Testing app's seven days.
    let issued = (form.purpose == Purpose::GoogleRefreshToken).then(|| TokenIssue {
        issued_at: crate::dates::now_ms(),
        client_id: form.client_id.clone(),
        expires_at: None,
        provider: None,
        access_expires_at: None,
    });
    Ok(Finished { stored, expiration_date, scopes: tokens.scopes, issued, values: Vec::new() })
}

/// Keeps a provider's tokens (and the client secret) in the keychain with the form's other
/// secrets, and hands back the values that are not secret.
async fn keep_provider_tokens(
    consented: Consented,
    form: ForForm,
    keychain: Keychain<'_>,
) -> Result<Finished, FormConsentError> {
    let (secret, plain): (Vec<_>, Vec<_>) = consented.params.into_iter().partition(|p| p.secret);
    let new = secret.into_iter().map(|p| (p.param.to_owned(), p.value)).collect();
    let stored = form_secrets::extend(
        form.stored.as_ref(),
        &form.source,
        keychain.sets,
        keychain.profiles,
        keychain.vault,
        new,
    )
    .await?;
    tracing::info!(provider = consented.provider.id, "consent finished; tokens kept in the keychain");
    // What expires and when, never the tokens: the connection made from this form records it
    // for the expiry radar.
    let ms = |expiry: Expiry| match expiry {
        Expiry::At { unix_seconds } => i64::try_from(unix_seconds).ok().map(|s| s.saturating_mul(1_000)),
        Expiry::Never | Expiry::Unknown => None,
    };
    let issued = TokenIssue {
        issued_at: crate::dates::now_ms(),
        client_id: form.client_id.clone(),
        expires_at: ms(consented.reading.refresh_expiry),
        provider: Some(consented.provider.id.to_owned()),
        access_expires_at: ms(consented.reading.access_expiry),
    };
    Ok(Finished {
        stored,
        expiration_date: consented.reading.expiration_date(),
        scopes: Vec::new(),
        issued: Some(issued),
        values: plain
            .into_iter()
            .map(|p| FilledValue { param: p.param.to_owned(), value: p.value.expose().to_owned() })
            .collect(),
    })
}

/// Manual mode: what the user pasted back (the address the browser ended on, or the bare
/// code), handed to the consent waiting in `slot`. The window and the terminal both paste
/// through here, so both answer the same: [`FormConsentError::NoneWaiting`] when no consent is
/// waiting, and the paste's own error (too long, no code, another sign-in's) otherwise.
pub fn paste(slot: &ConsentSlot, pasted: &str) -> Result<(), FormConsentError> {
    let pasted = slot.with_handle(|handle| match handle {
        FlowHandle::Google(handle) => handle.paste(pasted).map_err(FormConsentError::from),
        FlowHandle::Provider(handle) => handle.paste(pasted).map_err(FormConsentError::from),
    });
    match pasted {
        None => Err(FormConsentError::NoneWaiting),
        // The run ended between the check and the hand-over.
        Some(Err(
            FormConsentError::Consent(ConsentError::Listener(google::ListenerError::Cancelled))
            | FormConsentError::Engine(EngineError::Cancelled),
        )) => Err(FormConsentError::NoneWaiting),
        Some(result) => result,
    }
}

/// Undoes a finished consent whose tokens could not be kept where they were going (copying
/// them into a profile failed): a Google refresh token is revoked, since nobody would hold it,
/// and the consent's own set is deleted. Failures here are logged: the caller reports why the
/// keep failed.
pub async fn abandon(
    finished: &Finished,
    http: &reqwest::Client,
    google_endpoints: &GoogleEndpoints,
    keychain: Keychain<'_>,
) {
    if finished.issued.is_some() {
        let key = StoredSecrets::key(&finished.stored.set, "refreshToken");
        match keychain.vault.get(&key).await {
            Ok(Some(token)) => match google::revoke(&token, google_endpoints, http).await {
                Ok(()) => tracing::info!("the unkept refresh token was revoked"),
                Err(e) => tracing::warn!(error = %e, "the unkept refresh token could not be revoked"),
            },
            Ok(None) => tracing::warn!("the unkept refresh token is no longer in the keychain"),
            Err(e) => tracing::warn!(error = %e, "the unkept refresh token could not be read to revoke it"),
        }
    }
    if !finished.stored.is_profile_set() {
        if let Err(e) = keychain.sets.discard(&finished.stored.set).await {
            tracing::warn!(error = %e, "the consent's secret set is left for a later sweep");
        }
    }
}

/// The client secret the form holds in the keychain, within the form's binding.
async fn stored_client_secret(
    source: &Source,
    stored: Option<&StoredSecrets>,
    keychain: Keychain<'_>,
) -> Result<Secret, FormConsentError> {
    let Some(stored) = stored.filter(|s| s.fields.iter().any(|f| f == "clientSecret")) else {
        return Ok(Secret::default());
    };
    let only = StoredSecrets { set: stored.set.clone(), fields: vec!["clientSecret".into()] };
    let mut values = FormValues::new();
    form_secrets::fill(&only, source, keychain.sets, keychain.profiles, keychain.vault, &mut values).await?;
    Ok(values.remove("clientSecret").unwrap_or_default())
}

/// A REST provider's consent and token endpoints, HTTPS only (loopback aside).
fn provider_endpoints(authorization_url: &str, token_url: &str) -> Result<GoogleEndpoints, FormConsentError> {
    let parse = |value: &str, what: &'static str| {
        let url = Url::parse(value.trim()).ok().filter(|u| require_secure(u).is_ok());
        url.ok_or(FormConsentError::InsecureProviderUrl(what))
    };
    let auth = parse(authorization_url, "authorization URL")?;
    let token = parse(token_url, "token URL")?;
    // Nothing revokes at a generic provider; the token URL only fills the field.
    Ok(GoogleEndpoints { auth, token: token.clone(), revoke: token })
}
