//! The authorization request: the provider's consent page with the client, the redirect the
//! provider's rule allows, the scopes, a fresh `state` and, where the provider takes it, a PKCE
//! challenge. The token endpoint is resolved here too, from the same form, so the code goes to
//! the host the consent came from.

use oauth2::{CsrfToken, PkceCodeChallenge};
use url::Url;

use super::bases::ProviderBases;
use super::error::EngineError;
use crate::oauth::providers::FormValues;
use crate::oauth::providers::{Pkce, Provider, RedirectPolicy, Scopes};
use crate::Secret;

/// A consent under way: the page to open, and what finishing it needs. Not `Clone`: a PKCE
/// verifier is spent by one exchange.
#[derive(Debug)]
pub struct Pending {
    pub provider: &'static Provider,
    /// The consent page, to open in the browser.
    pub url: Url,
    pub redirect_uri: String,
    pub(super) state: String,
    pub(super) verifier: Option<Secret>,
    pub(super) token_url: Url,
}

impl Pending {
    /// The `state` sent with the consent page; the answer must carry it back.
    pub fn state(&self) -> &str {
        &self.state
    }
}

/// Begins a consent with `provider` for the form's `values`, asking for `scopes` (the table's
/// own when they are fixed) and coming back to `redirect_uri`, which must be what the
/// provider's rule allows: a loopback address for a loopback provider (the registered one
/// exactly where it must be registered), an https address for a paste-back provider.
pub fn begin(
    provider: &'static Provider,
    values: &FormValues,
    client_id: &str,
    scopes: &[String],
    redirect_uri: &str,
    bases: &ProviderBases,
) -> Result<Pending, EngineError> {
    if client_id.trim().is_empty() {
        return Err(EngineError::MissingClientId { provider: provider.display_name });
    }
    check_redirect(provider, redirect_uri)?;
    let mut url = bases.place(provider.id, provider.authorization.resolve(values)?);
    let token_url = bases.place(provider.id, provider.token.resolve(values)?);
    let state = CsrfToken::new_random().secret().clone();
    let scope = match provider.scopes {
        Scopes::Fixed(fixed) => fixed.join(" "),
        Scopes::ChosenByUser { .. } => scopes.join(" "),
        Scopes::NoScopes => String::new(),
    };
    let verifier = {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id.trim())
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", &state);
        if !scope.trim().is_empty() {
            query.append_pair("scope", scope.trim());
        }
        for (name, value) in provider.authorize_extras {
            query.append_pair(name, value);
        }
        match provider.pkce {
            Pkce::S256 => {
                let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
                query
                    .append_pair("code_challenge", challenge.as_str())
                    .append_pair("code_challenge_method", challenge.method().as_str());
                Some(Secret::new(verifier.secret().clone()))
            }
            Pkce::NotSent => None,
        }
    };
    Ok(Pending { provider, url, redirect_uri: redirect_uri.to_owned(), state, verifier, token_url })
}

fn check_redirect(provider: &'static Provider, redirect_uri: &str) -> Result<(), EngineError> {
    let refused = || EngineError::Configuration { detail: format!("the redirect address {redirect_uri}") };
    let url = Url::parse(redirect_uri).map_err(|_| refused())?;
    let loopback =
        url.scheme() == "http" && matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match provider.redirect {
        RedirectPolicy::AnyLoopback if loopback => Ok(()),
        // The provider compares it to the one registered on the app, character for character.
        RedirectPolicy::RegisteredLoopback { uri } if redirect_uri == uri => Ok(()),
        RedirectPolicy::HttpsOnlyPaste if url.scheme() == "https" => Ok(()),
        RedirectPolicy::HttpsOnlyPaste => {
            Err(EngineError::HttpsRedirectNeeded { provider: provider.display_name })
        }
        RedirectPolicy::AnyLoopback | RedirectPolicy::RegisteredLoopback { .. } => Err(refused()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::providers::{GOOGLE_ADS, HUBSPOT, MAILCHIMP, SQUARE, ZENDESK};

    fn values(pairs: &[(&str, &str)]) -> FormValues {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), Secret::new(*v))).collect()
    }

    fn query(url: &Url) -> Vec<(String, String)> {
        url.query_pairs().into_owned().collect()
    }

    fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
        pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    #[test]
    fn a_pkce_provider_gets_a_challenge_and_keeps_the_verifier() {
        let form = values(&[("subdomain", "acme")]);
        let pending = begin(
            &ZENDESK,
            &form,
            "zd-client",
            &["read".into()],
            "http://127.0.0.1:47615/callback",
            &ProviderBases::default(),
        )
        .unwrap();
        assert_eq!(pending.url.host_str(), Some("acme.zendesk.com"));
        assert_eq!(pending.token_url.as_str(), "https://acme.zendesk.com/oauth/tokens");
        let q = query(&pending.url);
        assert_eq!(get(&q, "code_challenge_method"), Some("S256"));
        assert!(get(&q, "code_challenge").is_some_and(|c| c.len() >= 43));
        assert_eq!(get(&q, "state"), Some(pending.state()));
        assert!(pending.verifier.is_some());
        assert!(!format!("{pending:?}").contains(pending.verifier.as_ref().unwrap().expose()), "redacted");
    }

    #[test]
    fn scopes_and_extras_follow_the_table() {
        let none = FormValues::default();
        let ads = begin(
            &GOOGLE_ADS,
            &none,
            "id",
            &["ignored".into()],
            "http://127.0.0.1:5555/",
            &ProviderBases::default(),
        )
        .unwrap();
        let q = query(&ads.url);
        assert_eq!(get(&q, "scope"), Some("https://www.googleapis.com/auth/adwords"), "a fixed scope wins");
        assert_eq!(get(&q, "access_type"), Some("offline"));
        let chimp =
            begin(&MAILCHIMP, &none, "id", &[], "http://127.0.0.1:47615/callback", &ProviderBases::default())
                .unwrap();
        assert_eq!(get(&query(&chimp.url), "scope"), None, "Mailchimp has no scopes");
        assert!(chimp.verifier.is_none());
        let hub = begin(
            &HUBSPOT,
            &none,
            "id",
            &["crm.objects.contacts.read".into()],
            "http://localhost:47615/callback",
            &ProviderBases::default(),
        )
        .unwrap();
        assert_eq!(get(&query(&hub.url), "scope"), Some("crm.objects.contacts.read"));
    }

    #[test]
    fn each_redirect_rule_is_kept() {
        let none = FormValues::default();
        let bases = ProviderBases::default();
        assert!(
            begin(&HUBSPOT, &none, "id", &[], "http://localhost:9999/callback", &bases).is_err(),
            "not the registered one"
        );
        assert_eq!(
            begin(&SQUARE, &none, "id", &[], "http://127.0.0.1:47615/callback", &bases).unwrap_err(),
            EngineError::HttpsRedirectNeeded { provider: "Square" }
        );
        assert!(begin(&SQUARE, &none, "id", &[], "https://example.com/back", &bases).is_ok());
        assert!(begin(&GOOGLE_ADS, &none, "id", &[], "https://example.com/back", &bases).is_err());
        assert_eq!(
            begin(&GOOGLE_ADS, &none, " ", &[], "http://127.0.0.1:1/", &bases).unwrap_err(),
            EngineError::MissingClientId { provider: "Google (Google Ads)" }
        );
    }

    #[test]
    fn a_moved_provider_is_asked_at_its_base() {
        let bases = ProviderBases::parse("zendesk=http://127.0.0.1:8123/zendesk").unwrap();
        let form = values(&[("subdomain", "https://acme.zendesk.com")]);
        let pending = begin(&ZENDESK, &form, "id", &[], "http://127.0.0.1:47615/callback", &bases).unwrap();
        assert!(pending.url.as_str().starts_with("http://127.0.0.1:8123/zendesk/oauth/authorizations/new?"));
        assert_eq!(pending.token_url.as_str(), "http://127.0.0.1:8123/zendesk/oauth/tokens");
    }
}
