//! The consent door: OAuth consent for a form or a profile (begin, finish, paste, cancel),
//! Google's verify and revoke of the form's refresh token, and the import of a Google client
//! JSON. Which consent a sign-in method gets is the catalog's (`AuthMethod.consent`). The
//! shells only open the browser (or print the address) and show what comes back: the tokens
//! and the client secret go to the keychain here and never back to a shell.

use std::future::Future;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::form_consent::{self, FilledValue, Finished, Started};
use super::Operations;
use crate::catalog::{ConsentKind, FormValues, Source};
use crate::oauth::google::{self, GoogleClient, RedirectSetting};
use crate::oauth::providers;
use crate::operations::failure::{ErrorCode, Failure};
use crate::operations::form_secrets;
use crate::profiles::Profile;
use crate::secrets::credentials::StoredSecrets;
use crate::secrets::key_files::{display_name, read_client_json};
use crate::store::origins::TokenIssue;
use crate::Secret;

/// The authorization and token URLs of a REST API's OAuth provider.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OAuthProvider {
    pub authorization_url: String,
    pub token_url: String,
}

/// A form's consent.
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
    /// The account whose catalog the source is read from (a source beyond the built-in ones,
    /// such as HubSpot, is the org's); the built-in catalog when `None`.
    #[serde(default)]
    #[ts(optional)]
    pub account_id: Option<String>,
    /// A provider of the table (the method's `ConsentKind::Provider`), whose engine runs the
    /// consent.
    #[serde(default)]
    #[ts(optional)]
    pub provider_id: Option<String>,
    /// The form's values the provider's endpoints are built from (Zendesk's subdomain); no
    /// secret is needed here.
    #[serde(default)]
    #[ts(type = "Record<string, string>")]
    pub values: FormValues,
    /// A paste-back provider's https redirect, registered on the user's app.
    #[serde(default)]
    #[ts(optional)]
    pub https_redirect: Option<String>,
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
    /// Form values a provider's consent filled that are not secret (client ID, data-centre
    /// host, expiry date): the form sets them.
    pub values: Vec<FilledValue>,
}

/// Manual mode: the address the browser ended on (or the bare code), pasted by the user.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PasteConsentRequest {
    #[ts(type = "string")]
    pub pasted: Secret,
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

/// A Google client JSON for the form of `spec_id`: the dropped file, else one the user picks.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportGoogleClientRequest {
    pub spec_id: String,
    pub stored: Option<StoredSecrets>,
    pub path: Option<String>,
}

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

/// Why a token check, or a profile's consent, is refused before anything is sent.
#[derive(Debug, thiserror::Error)]
pub enum ConsentDoorError {
    #[error("{source_name}'s sign-in method is not one Google issues tokens for, so Flow Connect does not send its token to Google. Check the token with its own provider.")]
    NotGoogle { source_name: String },
    #[error("Enter the {0} first.")]
    Missing(&'static str),
    #[error("The profile “{profile}” signs in with “{method}” of {source_name}, which takes its tokens as typed values, not from a consent. Give them with `create --profile … --secret FIELD=env:VARIABLE`.")]
    NoConsent { profile: String, method: String, source_name: String },
    #[error("Give the provider's authorization URL with --authorization-url.")]
    NoAuthorizationUrl,
    #[error(
        "{provider} does not issue tokens for {source_name}, so Flow Connect does not sign in there for it."
    )]
    NotTheProvider { provider: String, source_name: String },
}

// Here rather than in `failure`, so the classification does not need this module back.
impl From<ConsentDoorError> for Failure {
    fn from(e: ConsentDoorError) -> Self {
        match e {
            ConsentDoorError::NotGoogle { .. }
            | ConsentDoorError::Missing(_)
            | ConsentDoorError::NoConsent { .. }
            | ConsentDoorError::NoAuthorizationUrl
            | ConsentDoorError::NotTheProvider { .. } => Self::new(ErrorCode::Validation, e.to_string()),
        }
    }
}

impl From<Finished> for ConsentResult {
    fn from(done: Finished) -> Self {
        Self {
            stored: done.stored,
            expiration_date: done.expiration_date,
            scopes: done.scopes,
            issued: done.issued,
            values: done.values,
        }
    }
}

/// OAuth consent for a form or a profile: begin, finish, paste, cancel, verify, revoke, import a client.
#[derive(Debug)]
pub struct Consent<'a> {
    pub(super) ops: &'a Operations,
}

impl Consent<'_> {
    /// Starts a form's consent, cancelling any other; the shell opens `url` in a browser.
    pub async fn begin(&self, request: ConsentRequest) -> Result<Started, Failure> {
        let source = self.ops.catalog().source(request.account_id.as_deref(), &request.spec_id)?;
        // A provider of the table signs in only for the sources it serves: its tokens are
        // for its own APIs.
        let table_provider = match request.provider_id.as_deref() {
            None => None,
            Some(id) => {
                Some(providers::by_id(id).filter(|p| p.spec_ids.contains(&source.spec_id.as_str())).ok_or(
                    ConsentDoorError::NotTheProvider {
                        provider: id.to_owned(),
                        source_name: source.display_name.clone(),
                    },
                )?)
            }
        };
        let asked = form_consent::ConsentRequest {
            source,
            provider: request.provider.map(|p| (p.authorization_url, p.token_url)),
            client_id: request.client_id,
            client_secret: request.client_secret,
            scopes: request.scopes,
            redirect_uri: request.redirect_uri,
            stored: request.stored,
            table_provider,
            values: request.values,
            https_redirect: request.https_redirect,
        };
        Ok(form_consent::begin(&self.ops.consent, asked, self.ops.google_endpoints(), self.ops.keychain())
            .await?)
    }

    /// Waits (up to five minutes) for the consent's answer, then keeps the tokens in the keychain.
    pub async fn finish(&self) -> Result<Finished, Failure> {
        let http = self.ops.http().await?;
        let ops = self.ops;
        Ok(form_consent::finish(&ops.consent, &http, &ops.google_endpoints(), ops.keychain()).await?)
    }

    /// What the user pasted back; with no consent waiting, [`form_consent::FormConsentError::NoneWaiting`]
    /// in the window and the terminal alike.
    pub fn paste(&self, pasted: &Secret) -> Result<(), Failure> {
        Ok(form_consent::paste(&self.ops.consent, pasted.expose())?)
    }

    pub fn cancel(&self) {
        self.ops.consent.with_handle(form_consent::FlowHandle::cancel);
    }

    /// "Verify": trades the form's refresh token for an access token at Google.
    pub async fn verify(&self, check: TokenCheck) -> Result<(), Failure> {
        let (client, refresh_token) = self.token_and_client(check).await?;
        let http = self.ops.http().await?;
        google::verify(&refresh_token, &client, &self.ops.google_endpoints(), &http).await?;
        Ok(())
    }

    /// "Revoke": withdraws the refresh token at Google, then forgets the form's stored copy
    /// (the one entry the form held it in; a typed token has none).
    pub async fn revoke(&self, check: TokenCheck) -> Result<(), Failure> {
        let stored_set = check
            .stored
            .as_ref()
            .filter(|s| s.fields.iter().any(|f| f == "refreshToken"))
            .map(|s| s.set.clone());
        let (_, refresh_token) = self.token_and_client(check).await?;
        google::revoke(&refresh_token, &self.ops.google_endpoints(), &self.ops.http().await?).await?;
        if let Some(set) = stored_set {
            self.ops.vault.delete(&StoredSecrets::key(&set, "refreshToken")).await?;
        }
        tracing::info!("refresh token revoked");
        Ok(())
    }

    /// Reads a Google client JSON (the dropped one, else the one `pick` asks the user for;
    /// `None` when cancelled): the client ID comes back, the client secret goes to the
    /// keychain with the form's other stored secrets, never through the shell.
    pub async fn import_client<F, Fut>(
        &self,
        request: ImportGoogleClientRequest,
        pick: F,
    ) -> Result<Option<ImportedGoogleClient>, Failure>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Option<PathBuf>>,
    {
        let path = match request.path {
            Some(dropped) => PathBuf::from(dropped),
            None => match pick().await {
                Some(picked) => picked,
                None => return Ok(None),
            },
        };
        // The file's size is capped as it is read: a client JSON is small.
        let imported = read_client_json(&path)?;
        let source = self.ops.catalog().source(None, &request.spec_id)?;
        let ops = self.ops;
        let secret = vec![("clientSecret".to_owned(), imported.client_secret)];
        let stored = form_secrets::extend(
            request.stored.as_ref(),
            &source,
            &ops.sets,
            &ops.profiles,
            &ops.vault,
            secret,
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

    /// The form's Google client and refresh token, any of them filled from the keychain.
    async fn token_and_client(&self, check: TokenCheck) -> Result<(GoogleClient, Secret), Failure> {
        let source = self.ops.catalog().source(None, &check.spec_id)?;
        require_google_consent(&source, &check.spec_name)?;
        let mut values = check.values;
        if let Some(stored) = &check.stored {
            let ops = self.ops;
            form_secrets::fill(stored, &source, &ops.sets, &ops.profiles, &ops.vault, &mut values).await?;
        }
        let mut take = |field: &str, what: &'static str| {
            values.remove(field).filter(|v| !v.is_empty()).ok_or(ConsentDoorError::Missing(what))
        };
        let refresh_token = take("refreshToken", "refresh token (or sign in with Google)")?;
        let client_id = take("clientId", "client ID")?.expose().trim().to_owned();
        let client_secret = take("clientSecret", "client secret")?;
        Ok((GoogleClient { client_id, client_secret }, refresh_token))
    }

    /// Keeps a finished consent's tokens in the profile `profile_id` (with `given`, values typed
    /// beside it, such as a client secret), then deletes the consent's own set and records when
    /// Google issued the token. A refresh token the profile cannot keep is revoked: nobody
    /// would hold it.
    pub async fn keep_in_profile(
        &self,
        source: &Source,
        profile_id: &str,
        given: &FormValues,
        finished: &Finished,
    ) -> Result<Profile, Failure> {
        let ops = self.ops;
        let kept = ops.profiles().update(source, profile_id, given, Some(finished.stored.clone())).await;
        let kept = match kept {
            Ok(kept) => kept,
            Err(e) => {
                // The client was built for the consent already: this never builds it anew.
                if let Ok(http) = ops.http().await {
                    form_consent::abandon(finished, &http, &ops.google_endpoints(), ops.keychain()).await;
                }
                return Err(e.into());
            }
        };
        // The profile holds copies now; the consent's own set is no longer needed.
        if let Err(e) = ops.profiles().discard_secrets(&finished.stored).await {
            tracing::warn!(error = %e.message, "the consent's secret set is left for the app's start-up sweep");
        }
        if let Some(issue) = &finished.issued {
            if let Err(e) = ops.origins.set_profile_token(profile_id, issue.clone()).await {
                tracing::warn!(error = %e, "the profile's token date was not recorded");
            }
        }
        Ok(kept)
    }
}

/// Verify and revoke send the form's token to Google, so the form's method must be one core
/// gives Google's consent (`ConsentKind::of`, the rule of the window and the CLI alike): a
/// token of any other source is never sent there.
fn require_google_consent(source: &Source, spec_name: &str) -> Result<(), ConsentDoorError> {
    if source.auth_method(spec_name).is_some_and(|m| matches!(m.consent, ConsentKind::Google { .. })) {
        return Ok(());
    }
    Err(ConsentDoorError::NotGoogle { source_name: source.display_name.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::builtin_sources;

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
        assert_eq!(Failure::from(refused).code, ErrorCode::Validation);
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
