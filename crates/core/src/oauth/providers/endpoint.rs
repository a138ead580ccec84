//! Where a provider's authorization and token endpoints are: a fixed https URL, or a template
//! over one form value (Zendesk's subdomain, Zoho's accounts host, the Generic REST API's own
//! URLs). A template never lets the value choose a host other than the one it stands for: the
//! value is checked against a strict rule first, and the built URL's host is checked again.

use url::Url;

use super::error::ProviderError;
use crate::Secret;

/// A form's values by param name: the catalog's `FormValues`, spelled here so the provider
/// table does not need the catalog (which asks the table which consent a method gets).
pub type FormValues = std::collections::BTreeMap<String, Secret>;

/// One endpoint of a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// The same https URL for every user.
    Fixed(&'static str),
    /// `template` with `{value}` replaced by the form value named `value`, once `rule` accepts
    /// it: `https://{subdomain}.zendesk.com/oauth/authorizations/new`.
    Template { template: &'static str, value: &'static str, rule: ValueRule },
}

/// What a form value filled into a template may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRule {
    /// One DNS label (`acme`) that becomes `acme.{parent}`. The whole origin
    /// `https://acme.{parent}` is taken too, because Zendesk's spec field holds that form.
    Subdomain { parent: &'static str },
    /// One of these hosts, bare or as `https://host`: a data centre's accounts server.
    HostIn(&'static [&'static str]),
    /// A whole https URL the user names: the Generic REST API's provider is the user's choice,
    /// so its host is whatever the user typed, but never plain http or with credentials in it.
    HttpsUrl,
}

/// The longest DNS label (RFC 1035 §2.3.4).
const MAX_LABEL: usize = 63;

impl Endpoint {
    /// The endpoint for this form, its template filled from `values`.
    pub fn resolve(&self, values: &FormValues) -> Result<Url, ProviderError> {
        match self {
            Self::Fixed(_) => self.resolve_value(None),
            Self::Template { value, .. } => {
                self.resolve_value(values.get(*value).map(|v| v.expose()).filter(|v| !v.trim().is_empty()))
            }
        }
    }

    /// The endpoint with its template filled from `raw` (a value read elsewhere than the form,
    /// such as Mailchimp's data centre from its metadata answer). A fixed endpoint ignores it.
    pub fn resolve_value(&self, raw: Option<&str>) -> Result<Url, ProviderError> {
        let (template, name, rule) = match *self {
            Self::Fixed(url) => return https(url, "the endpoint"),
            Self::Template { template, value, rule } => (template, value, rule),
        };
        let raw = raw.ok_or(ProviderError::MissingValue { field: name })?;
        let (text, host) = rule.accept(name, raw.trim())?;
        let url = https(&template.replace(&format!("{{{name}}}"), &text), name)?;
        // The rule already refused anything but a label or a listed host; this catches a
        // template and a rule that disagree, so a table mistake cannot send a code elsewhere.
        match host {
            Some(expected) if url.host_str() != Some(expected.as_str()) => {
                Err(ProviderError::RefusedValue { field: name, expected: rule.expected() })
            }
            _ => Ok(url),
        }
    }

    /// The fixed URL, when the endpoint is one.
    pub fn fixed(&self) -> Option<&'static str> {
        match self {
            Self::Fixed(url) => Some(url),
            Self::Template { .. } => None,
        }
    }
}

impl ValueRule {
    /// What the rule takes, for the message next to the field.
    pub fn expected(&self) -> String {
        match self {
            Self::Subdomain { parent } => format!("a subdomain such as acme (for acme.{parent})"),
            Self::HostIn(hosts) => format!("one of {}", hosts.join(", ")),
            Self::HttpsUrl => "an https:// address".to_owned(),
        }
    }

    /// The text to put into the template, and the host the built URL must then have.
    fn accept(&self, field: &'static str, raw: &str) -> Result<(String, Option<String>), ProviderError> {
        let refused = || ProviderError::RefusedValue { field, expected: self.expected() };
        match self {
            Self::Subdomain { parent } => {
                let bare = origin_host(raw)
                    .and_then(|host| host.strip_suffix(parent)?.strip_suffix('.').map(str::to_owned))
                    .unwrap_or_else(|| raw.to_ascii_lowercase());
                if !is_label(&bare) {
                    return Err(refused());
                }
                let host = format!("{bare}.{parent}");
                Ok((bare, Some(host)))
            }
            Self::HostIn(hosts) => {
                let host = origin_host(raw).unwrap_or_else(|| raw.to_ascii_lowercase());
                match hosts.iter().find(|h| **h == host) {
                    Some(h) => Ok(((*h).to_owned(), Some((*h).to_owned()))),
                    None => Err(refused()),
                }
            }
            Self::HttpsUrl => {
                let url = Url::parse(raw).map_err(|_| refused())?;
                let clean = url.scheme() == "https"
                    && url.host_str().is_some_and(|h| !h.is_empty())
                    && url.username().is_empty()
                    && url.password().is_none()
                    && url.fragment().is_none();
                if !clean {
                    return Err(refused());
                }
                let host = url.host_str().map(str::to_owned);
                Ok((url.to_string(), host))
            }
        }
    }
}

/// The host of `https://host` or `https://host/`, lowercased; `None` for anything else (a
/// path, a port, a query, user info), which the caller then treats as a bare value.
fn origin_host(raw: &str) -> Option<String> {
    let rest = raw.strip_prefix("https://")?;
    let host = rest.strip_suffix('/').unwrap_or(rest);
    is_hostname(host).then(|| host.to_ascii_lowercase())
}

fn is_hostname(text: &str) -> bool {
    !text.is_empty() && text.split('.').all(|label| is_label(&label.to_ascii_lowercase()))
}

/// One lowercase DNS label: letters, digits and inner hyphens, 1 to 63 characters. Anything
/// that could end a host (`.`, `/`, `@`, `:`, `?`, `#`, `%`, `\`) is outside this set.
fn is_label(text: &str) -> bool {
    (1..=MAX_LABEL).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

/// `text` as an https URL, refused otherwise.
fn https(text: &str, field: &'static str) -> Result<Url, ProviderError> {
    match Url::parse(text) {
        Ok(url) if url.scheme() == "https" && url.host_str().is_some() => Ok(url),
        _ => Err(ProviderError::RefusedValue { field, expected: ValueRule::HttpsUrl.expected() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    const ZENDESK: Endpoint = Endpoint::Template {
        template: "https://{subdomain}.zendesk.com/oauth/authorizations/new",
        value: "subdomain",
        rule: ValueRule::Subdomain { parent: "zendesk.com" },
    };
    const ZOHO: Endpoint = Endpoint::Template {
        template: "https://{accountsUrl}/oauth/v2/auth",
        value: "accountsUrl",
        rule: ValueRule::HostIn(&["accounts.zoho.com", "accounts.zoho.eu"]),
    };
    const REST: Endpoint = Endpoint::Template {
        template: "{accessTokenUrl}",
        value: "accessTokenUrl",
        rule: ValueRule::HttpsUrl,
    };

    fn form(name: &str, value: &str) -> FormValues {
        FormValues::from([(name.to_owned(), Secret::new(value))])
    }

    #[test]
    fn a_zendesk_subdomain_is_taken_bare_or_as_the_spec_s_origin() {
        for given in ["acme", "ACME", " acme ", "https://acme.zendesk.com", "https://acme.zendesk.com/"] {
            let url = ZENDESK.resolve(&form("subdomain", given)).expect(given);
            assert_eq!(url.as_str(), "https://acme.zendesk.com/oauth/authorizations/new", "{given}");
        }
    }

    #[test]
    fn a_subdomain_that_would_change_the_host_is_refused() {
        for given in [
            "evil.com",
            "acme.evil.com/x",
            "evil.com/",
            "user@evil.com",
            "evil.com#",
            "evil.com?",
            "evil.com:443",
            "a/b",
            "a\\b",
            "%2e",
            "-acme",
            "acme-",
            "ac me",
            "https://acme.zendesk.com.evil.com",
            "https://evil.com",
            "http://acme.zendesk.com",
            "https://acme.zendesk.com/path",
            "ßtrasse",
            &"a".repeat(64),
        ] {
            let refused = ZENDESK.resolve(&form("subdomain", given));
            assert!(
                matches!(refused, Err(ProviderError::RefusedValue { field: "subdomain", .. })),
                "{given:?} gave {refused:?}"
            );
        }
    }

    #[test]
    fn a_missing_value_names_its_field() {
        assert_eq!(
            ZENDESK.resolve(&FormValues::new()),
            Err(ProviderError::MissingValue { field: "subdomain" })
        );
        assert_eq!(
            ZENDESK.resolve(&form("subdomain", "  ")),
            Err(ProviderError::MissingValue { field: "subdomain" })
        );
    }

    #[test]
    fn a_data_centre_host_must_be_a_listed_one() {
        for given in ["accounts.zoho.eu", "https://accounts.zoho.eu", "https://Accounts.Zoho.EU/"] {
            let url = ZOHO.resolve(&form("accountsUrl", given)).expect(given);
            assert_eq!(url.as_str(), "https://accounts.zoho.eu/oauth/v2/auth");
        }
        for given in [
            "accounts.zoho.evil",
            "accounts.zoho.eu.evil.com",
            "evil.com/accounts.zoho.eu",
            "x@accounts.zoho.eu",
        ] {
            assert!(ZOHO.resolve(&form("accountsUrl", given)).is_err(), "{given}");
        }
    }

    #[test]
    fn a_user_given_url_must_be_https_without_credentials() {
        let url =
            REST.resolve(&form("accessTokenUrl", "https://id.example.com/oauth/token?x=1")).expect("https");
        assert_eq!(url.host_str(), Some("id.example.com"));
        for given in [
            "http://id.example.com/token",
            "https://user:pw@id.example.com/token",
            "https://id.example.com/token#frag",
            "id.example.com/token",
            "javascript:alert(1)",
            "file:///etc/passwd",
        ] {
            assert!(REST.resolve(&form("accessTokenUrl", given)).is_err(), "{given}");
        }
    }

    #[test]
    fn a_fixed_endpoint_ignores_the_form() {
        let fixed = Endpoint::Fixed("https://login.example.com/authorize");
        assert_eq!(
            fixed.resolve(&form("subdomain", "evil.com")).expect("fixed").host_str(),
            Some("login.example.com")
        );
        assert_eq!(fixed.fixed(), Some("https://login.example.com/authorize"));
        assert_eq!(ZENDESK.fixed(), None);
        assert!(Endpoint::Fixed("http://login.example.com").resolve_value(None).is_err());
    }
}
