//! Google's limit on refresh tokens: a Google account holds at most 100 live refresh tokens
//! per OAuth client, and a new consent past that silently ends the oldest (oauth-sources.md
//! §2.1 [A9]). Flow Connect counts the tokens it recorded for a client (each once, however many
//! connections and profiles share it) so the form warns before a consent would end one, and
//! lets the user reuse a token a profile already holds instead of signing in again.
//!
//! The count is what this computer made: tokens made elsewhere for the same client are not
//! known, so the warning says "at least".

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::consent::{Consent, ConsentResult};
use super::form_secrets;
use crate::catalog::ConsentKind;
use crate::dates::now_ms;
use crate::operations::failure::{ErrorCode, Failure};
use crate::secrets::credentials::StoredSecrets;
use crate::store::origins::{TokenHolder, TESTING_LIFETIME_MS};

/// Google's limit per account and client.
pub const GOOGLE_TOKEN_LIMIT: usize = 100;
/// The form warns from here on, before the limit is reached.
const WARN_FROM: usize = 90;

/// The refresh tokens of one Google client that Flow Connect knows are live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GoogleTokens {
    pub live: usize,
    pub limit: usize,
    /// What a new consent does to the count, in one sentence, when it is worth saying.
    pub warning: Option<String>,
    /// Profiles of this source holding a live token of the client, to reuse.
    pub reusable: Vec<ReusableToken>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReusableToken {
    pub profile_id: String,
    pub profile_name: String,
    #[ts(type = "number")]
    pub issued_at: i64,
}

/// Which client's tokens, for which source's form.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GoogleTokensRequest {
    pub spec_id: String,
    pub client_id: String,
}

/// A profile's token taken into a form.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReuseTokenRequest {
    pub spec_id: String,
    pub profile_id: String,
    /// The form's client: a refresh token works only with the client it was issued to.
    pub client_id: String,
    /// The form's own stored secrets, which the token joins.
    #[serde(default)]
    #[ts(optional)]
    pub stored: Option<StoredSecrets>,
}

impl Consent<'_> {
    /// How many live refresh tokens of `client_id` Flow Connect recorded, and the profiles of
    /// the form's source whose token can be reused.
    pub async fn google_tokens(&self, request: &GoogleTokensRequest) -> GoogleTokens {
        let ops = self.ops;
        let client_id = request.client_id.trim();
        let (_, testing) = ops.origins.everything().await;
        let now = now_ms();
        let mut live = 0;
        let mut reusable = Vec::new();
        for (issue, holders) in ops.origins.google_tokens(client_id).await {
            let ends = issue.expires_at.or_else(|| {
                testing
                    .contains(&issue.client_id)
                    .then(|| issue.issued_at.saturating_add(TESTING_LIFETIME_MS))
            });
            if ends.is_some_and(|at| at <= now) {
                continue;
            }
            live += 1;
            for holder in holders {
                let TokenHolder::Profile(id) = holder else { continue };
                let Some(profile) = ops.profiles.profile(&id).await else { continue };
                if profile.spec_id == request.spec_id
                    && profile.secret_fields.iter().any(|f| f == "refreshToken")
                {
                    reusable.push(ReusableToken {
                        profile_id: profile.id,
                        profile_name: profile.name,
                        issued_at: issue.issued_at,
                    });
                }
            }
        }
        let warning = match live {
            n if n >= GOOGLE_TOKEN_LIMIT => Some(format!(
                "Flow Connect made at least {n} live refresh tokens for this OAuth client: Google keeps {GOOGLE_TOKEN_LIMIT} per account, so a new consent with the same Google account silently ends the oldest, and its connection stops. Reuse a saved token instead, or use another client."
            )),
            n if n >= WARN_FROM => Some(format!(
                "Flow Connect made {n} live refresh tokens for this OAuth client; Google keeps {GOOGLE_TOKEN_LIMIT} per account and ends the oldest silently past that. Reusing a saved token keeps the count down."
            )),
            _ => None,
        };
        GoogleTokens { live, limit: GOOGLE_TOKEN_LIMIT, warning, reusable }
    }

    /// Takes the refresh token a profile of the same source holds into the form's keychain
    /// set (keychain to keychain), with its issue, instead of a new consent.
    pub async fn reuse_token(&self, request: &ReuseTokenRequest) -> Result<ConsentResult, Failure> {
        let ops = self.ops;
        let source = ops.catalog().source(None, &request.spec_id)?;
        let google = source.auth_methods.iter().any(|m| matches!(m.consent, ConsentKind::Google { .. }));
        let profile = ops.profiles.profile(&request.profile_id).await.filter(|p| p.spec_id == source.spec_id);
        let (Some(profile), true) = (profile, google) else {
            return Err(Failure::new(
                ErrorCode::NotFound,
                "That profile holds no Google refresh token for this source. Sign in instead.",
            ));
        };
        let issued = ops.origins.profile_token(&profile.id).await;
        if issued.as_ref().is_none_or(|i| i.client_id != request.client_id.trim()) {
            return Err(Failure::new(
                ErrorCode::Validation,
                "That profile's refresh token was issued to another OAuth client: it works only with that client. Sign in instead.",
            ));
        }
        let from = StoredSecrets { set: profile.secret_set(), fields: vec!["refreshToken".into()] };
        let mut values = crate::catalog::FormValues::new();
        form_secrets::fill(&from, &source, &ops.sets, &ops.profiles, &ops.vault, &mut values).await?;
        let token = values.remove("refreshToken").ok_or_else(|| {
            Failure::new(
                ErrorCode::NotFound,
                "The profile's refresh token is no longer in the keychain. Sign in instead.",
            )
        })?;
        let stored = form_secrets::extend(
            request.stored.as_ref(),
            &source,
            &ops.sets,
            &ops.profiles,
            &ops.vault,
            vec![("refreshToken".into(), token)],
        )
        .await?;
        Ok(ConsentResult { stored, expiration_date: None, scopes: Vec::new(), issued, values: Vec::new() })
    }
}
