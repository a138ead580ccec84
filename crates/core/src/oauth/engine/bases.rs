//! Where each provider is reached. Its table holds the real https endpoints; a test (or a
//! proxy an administrator runs) moves a provider to another origin with
//! `FLOW_CONNECT_PROVIDER_BASES="zendesk=http://127.0.0.1:8123/zendesk,…"`. Only the origin
//! moves: the path stays the provider's, so a fake serves the documented paths. An origin
//! other than https is taken for loopback only, as everywhere else in Flow Connect.

use std::collections::HashMap;

use url::Url;

use super::error::EngineError;
use crate::oauth::google::GoogleEndpoints;
use crate::oauth::providers::Provider;

/// The variable that moves providers to other origins.
pub const PROVIDER_BASES_VAR: &str = "FLOW_CONNECT_PROVIDER_BASES";

/// Providers moved to another origin, by provider id; empty for the real ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderBases(HashMap<String, Url>);

impl ProviderBases {
    /// The bases set in the environment, or none.
    pub fn from_env() -> Result<Self, EngineError> {
        std::env::var(PROVIDER_BASES_VAR).map_or_else(|_| Ok(Self::default()), |text| Self::parse(&text))
    }

    /// `id=url` pairs separated by commas.
    pub fn parse(text: &str) -> Result<Self, EngineError> {
        let mut bases = HashMap::new();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let refused = || EngineError::Configuration { detail: format!("{PROVIDER_BASES_VAR}: {pair}") };
            let (id, base) = pair.split_once('=').ok_or_else(refused)?;
            let base = Url::parse(base.trim()).map_err(|_| refused())?;
            let loopback = matches!(base.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
            if base.scheme() != "https" && !(base.scheme() == "http" && loopback) {
                return Err(refused());
            }
            bases.insert(id.trim().to_owned(), base);
        }
        Ok(Self(bases))
    }

    /// `url` as provider `id` is reached: its origin replaced by the base's (whose path is
    /// put in front of the provider's own), or unchanged when the provider is not moved.
    pub fn place(&self, id: &str, url: Url) -> Url {
        let Some(base) = self.0.get(id) else { return url };
        let mut placed = base.clone();
        let prefix = base.path().trim_end_matches('/');
        placed.set_path(&format!("{prefix}{}", url.path()));
        placed.set_query(url.query());
        placed
    }

    /// For a Google provider not moved here: the origin of the Google consent page Flow
    /// Connect is set to use (`FLOW_CONNECT_GOOGLE_AUTH_URL`), when it is not Google's own.
    /// Google's consent and token paths are then served at that one origin, as a proxy or a
    /// stand-in does.
    pub fn or_google(mut self, provider: &Provider, google: &GoogleEndpoints) -> Self {
        let moved = google.auth.host_str() != Some("accounts.google.com");
        if provider.id.starts_with("google-") && moved && !self.0.contains_key(provider.id) {
            let mut origin = google.auth.clone();
            origin.set_path("");
            origin.set_query(None);
            self.0.insert(provider.id.to_owned(), origin);
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_provider_keeps_its_path_and_query() {
        let bases =
            ProviderBases::parse("zendesk=http://127.0.0.1:8123/zendesk, hubspot=https://proxy.example/hs/")
                .unwrap();
        let token = Url::parse("https://acme.zendesk.com/oauth/tokens?x=1").unwrap();
        assert_eq!(bases.place("zendesk", token).as_str(), "http://127.0.0.1:8123/zendesk/oauth/tokens?x=1");
        let hubspot = Url::parse("https://api.hubapi.com/oauth/v1/token").unwrap();
        assert_eq!(bases.place("hubspot", hubspot).as_str(), "https://proxy.example/hs/oauth/v1/token");
        let square = Url::parse("https://connect.squareup.com/oauth2/token").unwrap();
        assert_eq!(bases.place("square", square.clone()), square, "a provider not moved stays");
    }

    #[test]
    fn google_s_other_sources_follow_the_google_setting() {
        use crate::oauth::providers::{GOOGLE_ADS, HUBSPOT};
        let url = |u: &str| Url::parse(u).unwrap();
        let fake = GoogleEndpoints {
            auth: url("http://127.0.0.1:9/o/oauth2/v2/auth"),
            token: url("http://127.0.0.1:9/token"),
            revoke: url("http://127.0.0.1:9/revoke"),
        };
        let moved = ProviderBases::default().or_google(&GOOGLE_ADS, &fake);
        let token = moved.place("google-ads", url("https://oauth2.googleapis.com/token"));
        assert_eq!(token.as_str(), "http://127.0.0.1:9/token");
        assert!(ProviderBases::default().or_google(&HUBSPOT, &fake).is_empty(), "not Google's");
        let real = GoogleEndpoints {
            auth: url("https://accounts.google.com/o/oauth2/v2/auth"),
            token: url("https://oauth2.googleapis.com/token"),
            revoke: url("https://oauth2.googleapis.com/revoke"),
        };
        assert!(ProviderBases::default().or_google(&GOOGLE_ADS, &real).is_empty(), "Google's own stays");
    }

    #[test]
    fn plain_http_is_taken_for_loopback_only() {
        assert!(ProviderBases::parse("zendesk=http://example.com/z").is_err());
        assert!(ProviderBases::parse("zendesk").is_err());
        assert!(ProviderBases::parse("").unwrap().is_empty());
        assert!(ProviderBases::parse("mailchimp=http://localhost:9/m").is_ok());
    }
}
