//! Reads the client secret JSON that the Google Cloud console offers for download. Its top
//! key tells the client type: `installed` is a Desktop app client (any loopback port works),
//! `web` a Web application client (the redirect URI must match one it lists, exactly).

use serde::Deserialize;
use url::Url;

use super::listener::LoopbackHost;
use crate::secret::Secret;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientJsonError {
    #[error("This is not a Google OAuth client file: download it from Google Cloud console → APIs & Operations → Credentials → your OAuth client → Download JSON.")]
    NotAClientFile,
    #[error("A Web application client needs an http://localhost or http://127.0.0.1 redirect URI. Add one (such as http://127.0.0.1:8085/) in the Google Cloud console, or use a Desktop app client.")]
    NoLoopbackRedirect,
    #[error("Flow Connect cannot receive the redirect at {uri}: {reason}. Register a redirect URI such as http://127.0.0.1:8085/callback, or use a Desktop app client.")]
    UnservableRedirect { uri: String, reason: &'static str },
}

/// How the redirect is caught for this client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectSetting {
    /// Desktop app: a random free port, path `/`.
    AnyPort,
    /// Web application: exactly this registered loopback URI.
    Fixed { host: LoopbackHost, port: u16, path: String, uri: String },
}

impl RedirectSetting {
    /// A Web application client's registered redirect URI, which must be plain `http` on a
    /// loopback host; it is kept exactly as typed, since Google compares it character for character.
    pub fn registered(uri: &str) -> Result<Self, ClientJsonError> {
        let uri = uri.trim();
        let url = Url::parse(uri).map_err(|_| ClientJsonError::NoLoopbackRedirect)?;
        let refuse = |reason| Err(ClientJsonError::UnservableRedirect { uri: uri.to_owned(), reason });
        if url.scheme() == "https" {
            return refuse("the app's listener speaks plain http on loopback, not https");
        }
        if url.scheme() != "http" {
            return Err(ClientJsonError::NoLoopbackRedirect);
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) if d.eq_ignore_ascii_case("localhost") => LoopbackHost::Localhost,
            Some(url::Host::Ipv4(ip)) if ip == std::net::Ipv4Addr::LOCALHOST => LoopbackHost::V4,
            Some(url::Host::Ipv6(ip)) if ip == std::net::Ipv6Addr::LOCALHOST => LoopbackHost::V6,
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => {
                return refuse("only 127.0.0.1 of the loopback range is listened on")
            }
            _ => return Err(ClientJsonError::NoLoopbackRedirect),
        };
        if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
            return refuse("a redirect URI cannot carry a fragment or a user name");
        }
        if url.port() == Some(0) {
            return refuse("port 0 is not a port a browser can be sent to");
        }
        Ok(Self::Fixed {
            host,
            port: url.port().unwrap_or(80),
            path: url.path().to_owned(),
            uri: uri.to_owned(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct ImportedClient {
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect: RedirectSetting,
}

#[derive(Deserialize)]
struct File {
    installed: Option<Entry>,
    web: Option<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    client_id: String,
    client_secret: String,
    #[serde(default)]
    redirect_uris: Vec<String>,
}

pub fn import_client_json(text: &str) -> Result<ImportedClient, ClientJsonError> {
    let file: File = serde_json::from_str(text).map_err(|_| ClientJsonError::NotAClientFile)?;
    match (file.installed, file.web) {
        (Some(entry), _) => Ok(ImportedClient {
            client_id: entry.client_id,
            client_secret: Secret::new(entry.client_secret),
            redirect: RedirectSetting::AnyPort,
        }),
        (None, Some(entry)) => {
            let redirect = entry
                .redirect_uris
                .iter()
                .find_map(|uri| RedirectSetting::registered(uri).ok())
                .ok_or(ClientJsonError::NoLoopbackRedirect)?;
            Ok(ImportedClient {
                client_id: entry.client_id,
                client_secret: Secret::new(entry.client_secret),
                redirect,
            })
        }
        (None, None) => Err(ClientJsonError::NotAClientFile),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_desktop_client_takes_any_port() {
        let imported = import_client_json(
            r#"{"installed":{"client_id":"1.apps.googleusercontent.com","project_id":"p","auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token","client_secret":"GOCSPX-s","redirect_uris":["http://localhost"]}}"#,
        )
        .expect("a desktop client");
        assert_eq!(imported.client_id, "1.apps.googleusercontent.com");
        assert_eq!(imported.client_secret.expose(), "GOCSPX-s");
        assert_eq!(imported.redirect, RedirectSetting::AnyPort);
    }

    #[test]
    fn a_web_client_keeps_its_loopback_redirect_exactly() {
        let imported = import_client_json(
            r#"{"web":{"client_id":"2.apps","client_secret":"GOCSPX-w","redirect_uris":["https://example.com/cb","http://localhost:8085/oauth/callback"]}}"#,
        )
        .expect("a web client");
        assert_eq!(
            imported.redirect,
            RedirectSetting::Fixed {
                host: LoopbackHost::Localhost,
                port: 8085,
                path: "/oauth/callback".into(),
                uri: "http://localhost:8085/oauth/callback".into()
            }
        );
        // The seed's setup: a Web client registered with plain http://localhost.
        let seed = import_client_json(
            r#"{"web":{"client_id":"3","client_secret":"s","redirect_uris":["http://localhost"]}}"#,
        )
        .expect("seed-style client");
        assert_eq!(
            seed.redirect,
            RedirectSetting::Fixed {
                host: LoopbackHost::Localhost,
                port: 80,
                path: "/".into(),
                uri: "http://localhost".into()
            }
        );
        for (uri, why) in [
            ("https://127.0.0.1:8085/", "https"),
            ("http://127.0.0.2:8085/", "127.0.0.1"),
            ("http://127.0.0.1:0/", "port 0"),
            ("http://user@localhost:8085/", "fragment or a user name"),
        ] {
            let err = RedirectSetting::registered(uri).expect_err(uri);
            assert!(err.to_string().contains(why), "{uri}: {err}");
        }
    }

    #[test]
    fn other_files_are_explained_without_their_content() {
        let err = import_client_json(r#"{"type":"service_account","private_key":"secret-key"}"#)
            .expect_err("not a client");
        assert_eq!(err, ClientJsonError::NotAClientFile);
        assert!(!err.to_string().contains("secret-key"));
        let no_loopback = import_client_json(
            r#"{"web":{"client_id":"x","client_secret":"y","redirect_uris":["https://a.example/cb"]}}"#,
        )
        .expect_err("no loopback");
        assert_eq!(no_loopback, ClientJsonError::NoLoopbackRedirect);
    }
}
