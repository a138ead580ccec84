//! Where the app sends its requests. Every endpoint can be moved with an environment variable,
//! which is how the demo and the tests point the app at the fakes on loopback.

use std::net::IpAddr;

use url::{Host, Url};

pub const PLATFORM_URL_VAR: &str = "FLOW_CONNECT_PLATFORM_URL";
pub const IMS_URL_VAR: &str = "FLOW_CONNECT_IMS_URL";
pub const GOOGLE_AUTH_URL_VAR: &str = "FLOW_CONNECT_GOOGLE_AUTH_URL";
pub const GOOGLE_TOKEN_URL_VAR: &str = "FLOW_CONNECT_GOOGLE_TOKEN_URL";
pub const GOOGLE_REVOKE_URL_VAR: &str = "FLOW_CONNECT_GOOGLE_REVOKE_URL";

const DEFAULT_PLATFORM_URL: &str = "https://platform.adobe.io";
const DEFAULT_IMS_URL: &str = "https://ims-na1.adobelogin.com";
const DEFAULT_GOOGLE_AUTH_URL: &str = "https://accounts.google.com/o/oauth2/v2/auth";
const DEFAULT_GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";
const DEFAULT_GOOGLE_REVOKE_URL: &str = "https://oauth2.googleapis.com/revoke";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("{var} is not a valid URL ({reason}). Set it to an address such as {example}.")]
    InvalidUrl { var: &'static str, reason: String, example: &'static str },
    #[error(
        "{var} uses {scheme}://, but only https:// is allowed (plain http:// only for 127.0.0.1, \
         ::1 or localhost). Change it to an https:// address."
    )]
    InsecureUrl { var: &'static str, scheme: String },
}

/// The endpoints in force, read once at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Adobe's API gateway; Flow Service and sandbox management hang below it.
    pub platform: Url,
    /// Adobe IMS, which issues the access token.
    pub ims: Url,
    pub google_auth: Url,
    pub google_token: Url,
    pub google_revoke: Url,
}

impl Endpoints {
    /// Reads the `FLOW_CONNECT_*` variables from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|var| std::env::var(var).ok())
    }

    /// Builds the endpoints from any variable lookup; unset or empty variables take the default.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let read = |var: &'static str, default: &'static str| {
            let value = lookup(var).filter(|v| !v.trim().is_empty());
            parse_endpoint(var, value.as_deref().unwrap_or(default), default)
        };
        Ok(Self {
            platform: read(PLATFORM_URL_VAR, DEFAULT_PLATFORM_URL)?,
            ims: read(IMS_URL_VAR, DEFAULT_IMS_URL)?,
            google_auth: read(GOOGLE_AUTH_URL_VAR, DEFAULT_GOOGLE_AUTH_URL)?,
            google_token: read(GOOGLE_TOKEN_URL_VAR, DEFAULT_GOOGLE_TOKEN_URL)?,
            google_revoke: read(GOOGLE_REVOKE_URL_VAR, DEFAULT_GOOGLE_REVOKE_URL)?,
        })
    }
}

impl Endpoints {
    /// The endpoints moved away from Adobe's and Google's own, as (variable, address) pairs in
    /// a fixed order: the window shows them in a banner and the CLI names them once on standard
    /// error, since an account's client secret and the users' tokens go there.
    pub fn overridden(&self) -> Vec<(&'static str, String)> {
        let defaults = Self::default();
        [
            (PLATFORM_URL_VAR, &self.platform, &defaults.platform),
            (IMS_URL_VAR, &self.ims, &defaults.ims),
            (GOOGLE_AUTH_URL_VAR, &self.google_auth, &defaults.google_auth),
            (GOOGLE_TOKEN_URL_VAR, &self.google_token, &defaults.google_token),
            (GOOGLE_REVOKE_URL_VAR, &self.google_revoke, &defaults.google_revoke),
        ]
        .into_iter()
        .filter(|(_, url, default)| url != default)
        .map(|(var, url, _)| (var, shown(url)))
        .collect()
    }
}

/// An address as it may be shown or logged: without a user name or password written into it
/// (`https://me:secret@proxy/`), which would otherwise reach the screen, the terminal and logs.
pub fn shown(url: &Url) -> String {
    let mut url = url.clone();
    // Both setters fail only for URLs that cannot carry credentials, which then carry none.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

/// [`shown`] for an address kept as text (a profile's token URL); one that does not parse is
/// shown as it is, since it then cannot be where a request goes either.
pub fn shown_text(url: &str) -> String {
    Url::parse(url).map(|u| shown(&u)).unwrap_or_else(|_| url.to_owned())
}

impl Default for Endpoints {
    fn default() -> Self {
        Self::from_lookup(|_| None).expect("the built-in endpoints are valid https URLs")
    }
}

fn parse_endpoint(var: &'static str, value: &str, example: &'static str) -> Result<Url, ConfigError> {
    let url = Url::parse(value.trim()).map_err(|e| ConfigError::InvalidUrl {
        var,
        reason: e.to_string(),
        example,
    })?;
    require_secure(&url).map_err(|scheme| match scheme {
        Some(scheme) => ConfigError::InsecureUrl { var, scheme },
        None => ConfigError::InvalidUrl { var, reason: "it has no host".into(), example },
    })?;
    Ok(url)
}

/// Accepts `https://` anywhere and `http://` on loopback only. On refusal returns the offending
/// scheme, or `None` when the URL has no host at all.
pub fn require_secure(url: &Url) -> Result<(), Option<String>> {
    let host = url.host().ok_or(None)?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&host) => Ok(()),
        other => Err(Some(other.to_owned())),
    }
}

pub fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// What the variable's endpoint is for, in the user's words (the window's banner says it).
pub fn purpose(var: &str) -> &'static str {
    match var {
        PLATFORM_URL_VAR => "Experience Platform's APIs",
        IMS_URL_VAR => "Adobe sign-in",
        GOOGLE_AUTH_URL_VAR => "Google's consent page",
        GOOGLE_TOKEN_URL_VAR => "Google's tokens",
        GOOGLE_REVOKE_URL_VAR => "Google's token revocation",
        _ => "requests",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_moved_endpoint_says_what_it_is_for() {
        assert_eq!(purpose(IMS_URL_VAR), "Adobe sign-in");
        assert_eq!(purpose(GOOGLE_TOKEN_URL_VAR), "Google's tokens");
    }

    #[test]
    fn defaults_are_adobe_and_google() {
        let endpoints = Endpoints::from_lookup(|_| None).expect("defaults");
        assert_eq!(endpoints.platform.as_str(), "https://platform.adobe.io/");
        assert_eq!(endpoints.ims.as_str(), "https://ims-na1.adobelogin.com/");
        assert_eq!(endpoints.google_token.as_str(), "https://oauth2.googleapis.com/token");
    }

    #[test]
    fn http_is_allowed_on_loopback_only() {
        for ok in ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9", "http://127.9.9.9"] {
            let endpoints = Endpoints::from_lookup(|v| (v == PLATFORM_URL_VAR).then(|| ok.into()));
            assert!(endpoints.is_ok(), "{ok} should be accepted");
        }
        let err = Endpoints::from_lookup(|v| (v == IMS_URL_VAR).then(|| "http://ims.example".into()))
            .expect_err("plain http to a remote host");
        assert_eq!(err, ConfigError::InsecureUrl { var: IMS_URL_VAR, scheme: "http".into() });
        assert!(err.to_string().contains("https://"));
    }

    #[test]
    fn only_moved_endpoints_are_announced() {
        assert!(Endpoints::default().overridden().is_empty());
        let same =
            Endpoints::from_lookup(|v| (v == IMS_URL_VAR).then(|| DEFAULT_IMS_URL.into())).expect("ok");
        assert!(same.overridden().is_empty(), "the default spelled out is no override");
        let moved = Endpoints::from_lookup(|v| match v {
            PLATFORM_URL_VAR => Some("http://127.0.0.1:9/".into()),
            GOOGLE_TOKEN_URL_VAR => Some("https://token.example/t".into()),
            _ => None,
        })
        .expect("ok");
        assert_eq!(
            moved.overridden(),
            [
                (PLATFORM_URL_VAR, "http://127.0.0.1:9/".to_owned()),
                (GOOGLE_TOKEN_URL_VAR, "https://token.example/t".to_owned())
            ]
        );
    }

    #[test]
    fn a_moved_endpoint_is_shown_without_credentials_written_into_it() {
        let moved = Endpoints::from_lookup(|v| {
            (v == IMS_URL_VAR).then(|| "https://me:hunter2@proxy.example:8443/ims".into())
        })
        .expect("ok");
        assert_eq!(moved.overridden(), [(IMS_URL_VAR, "https://proxy.example:8443/ims".to_owned())]);
        assert_eq!(shown(&moved.ims), "https://proxy.example:8443/ims");
        assert_eq!(shown_text("https://id:pw@oauth.example/token"), "https://oauth.example/token");
        assert_eq!(shown_text("not a url"), "not a url");
    }

    #[test]
    fn garbage_names_the_variable() {
        let err = Endpoints::from_lookup(|v| (v == GOOGLE_AUTH_URL_VAR).then(|| "not a url".into()))
            .expect_err("garbage");
        assert!(err.to_string().starts_with(GOOGLE_AUTH_URL_VAR));
    }
}
