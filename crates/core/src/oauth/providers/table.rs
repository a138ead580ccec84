//! Every shipped provider, in one list the consent engine, the window and the CLI read.

use super::fixed_hosts::{GOOGLE_ADS, GOOGLE_BIGQUERY, HUBSPOT, MAILCHIMP, SQUARE};
use super::form_hosts::{GENERIC_REST, ZENDESK, ZOHO};
use super::provider::Provider;

/// The provider table.
pub static PROVIDERS: [&Provider; 8] =
    [&GOOGLE_BIGQUERY, &GOOGLE_ADS, &HUBSPOT, &ZENDESK, &ZOHO, &SQUARE, &MAILCHIMP, &GENERIC_REST];

/// The provider with this [`Provider::id`].
pub fn by_id(id: &str) -> Option<&'static Provider> {
    PROVIDERS.iter().copied().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use url::Url;

    use super::*;
    use crate::oauth::providers::endpoint::Endpoint;
    use crate::oauth::providers::provider::{AfterToken, RedirectPolicy, Scopes, REGISTERED_PORT};

    fn endpoints(p: &Provider) -> Vec<Endpoint> {
        let mut all = vec![p.authorization, p.token];
        if let AfterToken::DataCentreLookup { host, metadata_url, .. } = p.after_token {
            all.extend([host, Endpoint::Fixed(metadata_url)]);
        }
        all
    }

    #[test]
    fn every_endpoint_is_https() {
        for provider in PROVIDERS {
            for endpoint in endpoints(provider) {
                let template = match endpoint {
                    Endpoint::Fixed(url) => url,
                    Endpoint::Template { template, .. } => template,
                };
                // A template that is one whole user-given URL is checked as https when filled.
                if template.starts_with('{') {
                    continue;
                }
                assert!(template.starts_with("https://"), "{}: {template}", provider.id);
                if let Endpoint::Fixed(url) = endpoint {
                    let url = Url::parse(url).expect("a URL");
                    assert_eq!(url.scheme(), "https", "{}", provider.id);
                }
            }
        }
    }

    #[test]
    fn ids_and_specs_are_unique() {
        let ids: HashSet<&str> = PROVIDERS.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), PROVIDERS.len());
        let specs: Vec<&str> = PROVIDERS.iter().flat_map(|p| p.spec_ids.iter().copied()).collect();
        assert_eq!(specs.iter().collect::<HashSet<_>>().len(), specs.len(), "a spec belongs to one provider");
        assert_eq!(by_id("zendesk").map(|p| p.display_name), Some("Zendesk"));
        assert!(by_id("nope").is_none());
    }

    #[test]
    fn registered_redirects_are_loopback_on_the_one_fixed_port() {
        for provider in PROVIDERS {
            if let RedirectPolicy::RegisteredLoopback { uri } = provider.redirect {
                let url = Url::parse(uri).expect("a URI");
                assert_eq!(url.scheme(), "http", "{}", provider.id);
                assert!(matches!(url.host_str(), Some("localhost" | "127.0.0.1")), "{}", provider.id);
                assert_eq!(url.port(), Some(REGISTERED_PORT), "{}", provider.id);
            }
        }
    }

    #[test]
    fn every_provider_fills_a_token_and_fixed_scopes_are_not_empty() {
        for provider in PROVIDERS {
            let fields = provider.fields;
            assert!(fields.access_token.or(fields.refresh_token).is_some(), "{}", provider.id);
            if let Scopes::Fixed(scopes) = provider.scopes {
                assert!(!scopes.is_empty(), "{}", provider.id);
            }
            for lifetime in provider.lifetimes {
                assert!(!lifetime.source.is_empty() && !lifetime.when.is_empty(), "{}", provider.id);
            }
            for deadline in provider.deadlines {
                assert_eq!(deadline.date.len(), 10, "{}", provider.id);
            }
        }
    }
}
