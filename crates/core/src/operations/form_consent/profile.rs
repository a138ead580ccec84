//! A saved profile's consent, as `flow-connect-cli consent --profile` runs it: which consent
//! the profile's sign-in method gets (the catalog's rule, the window's too), the token URL
//! (Google's, or the profile's own for a REST API), the scopes, and at the end the tokens kept
//! in the profile. The terminal only reads the secrets given, opens or prints the address and
//! reads a paste.

use super::{ConsentRequest, Finished, Started};
use crate::catalog::{ConsentKind, FormValues, Source};
use crate::oauth::providers::{self, Provider};
use crate::operations::consent::{Consent, ConsentDoorError};
use crate::operations::failure::Failure;
use crate::profiles::Profile;
use crate::Secret;

/// What the terminal asks for.
#[derive(Debug, Clone, Default)]
pub struct ProfileConsentRequest {
    /// The profile's name or id.
    pub profile: String,
    /// Space-separated; the method's default (Google's scope) when `None`.
    pub scopes: Option<String>,
    /// A REST API provider's authorization URL; its token URL is the profile's.
    pub authorization_url: Option<String>,
    pub redirect_uri: Option<String>,
}

/// A profile's consent being prepared: the profile, its source, and where its tokens come from.
#[derive(Debug, Clone)]
pub struct ProfileConsent {
    pub profile: Profile,
    /// The profile's source, by which the secrets given beside the consent are read.
    pub source: Source,
    /// Where the client secret and the consent's code are sent: the terminal says so before
    /// anything is (the profile may come from someone else's export). Empty when unknown.
    pub token_url: String,
    /// Values given beside the consent (a client secret): kept in the profile with the tokens.
    pub given: FormValues,
    provider: Option<(String, String)>,
    /// A provider of the table, whose engine runs the consent.
    table_provider: Option<&'static Provider>,
    scopes: String,
    redirect_uri: Option<String>,
}

impl Consent<'_> {
    /// Prepares the consent of a saved profile; refused for a sign-in method that takes its
    /// tokens as typed values, and for a REST API without its authorization URL.
    pub async fn for_profile(&self, request: ProfileConsentRequest) -> Result<ProfileConsent, Failure> {
        let profile = self.ops.profiles().find(&request.profile).await?;
        let source = self.ops.catalog().source(None, &profile.spec_id)?;
        let kind = source.auth_method(&profile.spec_name).map_or(ConsentKind::None, |m| m.consent.clone());
        let mut table_provider = None;
        let (token_url, provider, default_scopes) = match kind {
            ConsentKind::Google { scope } => (self.ops.google_endpoints().token.to_string(), None, scope),
            ConsentKind::Provider { id, scopes, .. } => {
                let found = providers::by_id(&id).ok_or_else(|| ConsentDoorError::NoConsent {
                    profile: profile.name.clone(),
                    method: profile.spec_name.clone(),
                    source_name: source.display_name.clone(),
                })?;
                table_provider = Some(found);
                (found.token.fixed().unwrap_or_default().to_owned(), None, scopes.join(" "))
            }
            ConsentKind::Rest => {
                let token_url = profile.values.get("accessTokenUrl").cloned().unwrap_or_default();
                let authorization = request.authorization_url.ok_or(ConsentDoorError::NoAuthorizationUrl)?;
                (token_url.clone(), Some((authorization, token_url)), String::new())
            }
            ConsentKind::None => {
                return Err(ConsentDoorError::NoConsent {
                    profile: profile.name,
                    method: profile.spec_name,
                    source_name: source.display_name,
                }
                .into())
            }
        };
        Ok(ProfileConsent {
            profile,
            source,
            token_url,
            given: FormValues::new(),
            provider,
            table_provider,
            scopes: request.scopes.unwrap_or(default_scopes),
            redirect_uri: request.redirect_uri,
        })
    }

    /// Starts the profile's consent (cancelling any other) with the client the profile holds,
    /// or the client secret given beside it; the terminal opens or prints `url`.
    pub async fn begin_for_profile(&self, consent: &ProfileConsent) -> Result<Started, Failure> {
        let ops = self.ops;
        let (stored, _) = ops.profiles().held_secrets(&consent.profile).await?;
        let request = ConsentRequest {
            source: consent.source.clone(),
            provider: consent.provider.clone(),
            client_id: consent.profile.values.get("clientId").cloned().unwrap_or_default(),
            client_secret: consent
                .given
                .get("clientSecret")
                .cloned()
                .unwrap_or_else(|| Secret::new(String::new())),
            scopes: consent.scopes.clone(),
            redirect_uri: consent.redirect_uri.clone(),
            stored: Some(stored),
            table_provider: consent.table_provider,
            // The profile's values a provider's endpoints are built from (Zendesk's subdomain).
            values: consent.profile.values.iter().map(|(k, v)| (k.clone(), Secret::new(v.clone()))).collect(),
            https_redirect: consent.redirect_uri.clone().filter(|uri| uri.starts_with("https://")),
        };
        Ok(super::begin(&ops.consent, request, ops.google_endpoints(), ops.keychain()).await?)
    }

    /// Waits for the profile's consent, then keeps its tokens (and the secrets given beside
    /// it) in the profile, as [`Consent::keep_in_profile`] does for the window's flow.
    pub async fn finish_for_profile(&self, consent: &ProfileConsent) -> Result<(Profile, Finished), Failure> {
        let finished = self.finish().await?;
        // What a provider's consent filled that is not secret (Mailchimp's host, an expiry
        // date) is kept in the profile beside the secrets given with it.
        let mut given = consent.given.clone();
        given.extend(finished.values.iter().map(|v| (v.param.clone(), Secret::new(v.value.clone()))));
        let kept = self.keep_in_profile(&consent.source, &consent.profile.id, &given, &finished).await?;
        Ok((kept, finished))
    }
}
