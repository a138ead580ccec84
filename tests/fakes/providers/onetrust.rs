//! OneTrust's client credentials token endpoint, `POST {host}/api/access/v1/oauth/token`
//! (oauth-sources.md §2.2, [O9]). The OneTrust Integration source holds only an access token,
//! which "does not refresh automatically"; its lifespan is set on the client and is at most a
//! year, so the client's credentials mint a new one before the old one ends. The body is a form,
//! url-encoded or multipart as OneTrust's own examples send it, or the client comes as HTTP
//! Basic. Errors are the OAuth server's: `401 {error: "invalid_client", error_description: "Bad
//! client credentials"}` for a wrong client, `400` for a missing or other grant type. The
//! answer is `{access_token, token_type: "bearer", expires_in, scope, jti}`; every token minted
//! stays live, as OneTrust does not void the previous one.

use std::fmt;

use serde_json::json;

use super::ledger::{client_credentials, form, Ledger};
use crate::http::{Request, Response};

/// The client OneTrust knows. `Debug` leaves the secret out.
#[derive(Clone)]
pub struct OneTrustConfig {
    pub client_id: String,
    pub client_secret: String,
    /// The token lifespan chosen on the client, in seconds: a year unless a test picks less.
    pub expires_in: u64,
    /// The scopes granted to the client.
    pub scope: String,
}

impl Default for OneTrustConfig {
    fn default() -> Self {
        Self {
            client_id: "onetrust-client".into(),
            client_secret: "onetrust-secret".into(),
            expires_in: 31_536_000,
            scope: "CONSENT".into(),
        }
    }
}

impl fmt::Debug for OneTrustConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OneTrustConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish()
    }
}

pub(super) fn handle(
    ledger: &mut Ledger,
    config: &OneTrustConfig,
    method: &str,
    path: &str,
    request: &Request,
) -> Response {
    match (method, path) {
        ("POST", "/api/access/v1/oauth/token") => token(ledger, config, request),
        _ => Response::html(404, "Not found"),
    }
}

fn error(status: u16, error: &str, description: &str) -> Response {
    Response::json(status, &json!({ "error": error, "error_description": description }))
}

fn token(ledger: &mut Ledger, config: &OneTrustConfig, request: &Request) -> Response {
    let form = form(request);
    let (client_id, client_secret) = client_credentials(request, &form);
    if client_id != config.client_id || client_secret != config.client_secret {
        return error(401, "invalid_client", "Bad client credentials");
    }
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        None | Some("") => return error(400, "invalid_request", "Missing grant type"),
        Some(other) => {
            return error(400, "unsupported_grant_type", &format!("Unsupported grant type: {other}"))
        }
    }
    let access = ledger.issue_access("onetrust-access", &client_id);
    Response::json(
        200,
        &json!({
            "access_token": access, "token_type": "bearer", "expires_in": config.expires_in,
            "scope": config.scope, "jti": uuid::Uuid::new_v4().to_string(),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{browser, post_form, read, start, start_with};
    use super::super::ProvidersConfig;
    use super::*;

    fn mint<'a>(id: &'a str, secret: &'a str) -> [(&'static str, &'a str); 3] {
        [("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)]
    }

    #[tokio::test]
    async fn the_client_mints_a_year_long_token_and_every_token_stays_live() {
        let fake = start().await;
        let url = format!("{}/api/access/v1/oauth/token", fake.base("onetrust"));
        let (status, first) = post_form(&url, &mint("onetrust-client", "onetrust-secret")).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(
            (first["token_type"].as_str(), first["expires_in"].as_u64()),
            (Some("bearer"), Some(31_536_000))
        );
        assert_eq!(first["scope"], "CONSENT");
        assert!(first["jti"].as_str().is_some_and(|j| j.len() == 36), "{first}");
        let (_, second) = post_form(&url, &mint("onetrust-client", "onetrust-secret")).await;
        assert_ne!(first["access_token"], second["access_token"]);
        assert_eq!(fake.live_access_tokens("onetrust").len(), 2);
        let sent = fake.requests().pop().expect("logged");
        assert_eq!(sent.body_keys, ["grant_type", "client_id", "client_secret"]);
        assert!(!format!("{sent:?}").contains("onetrust-secret"));
        assert!(fake.bases_var().contains(&format!("onetrust={}/onetrust", fake.url())));
    }

    #[tokio::test]
    async fn a_multipart_form_as_onetrust_documents_it_and_a_chosen_lifespan() {
        let onetrust = OneTrustConfig { expires_in: 86_400, ..OneTrustConfig::default() };
        let fake = start_with(ProvidersConfig { onetrust, ..ProvidersConfig::default() }).await;
        let url = format!("{}/api/access/v1/oauth/token", fake.base("onetrust"));
        let part = |name: &str, value: &str| {
            format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
        };
        let body = format!(
            "{}{}{}--XyZ--\r\n",
            part("grant_type", "client_credentials"),
            part("client_id", "onetrust-client"),
            part("client_secret", "onetrust-secret")
        );
        let response = browser()
            .post(&url)
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .body(body)
            .send()
            .await
            .expect("post");
        let (status, answer) = read(response).await;
        assert_eq!((status, answer["expires_in"].as_u64()), (200, Some(86_400)), "{answer}");
        let sent = fake.requests().pop().expect("logged");
        assert_eq!(sent.body_keys, ["grant_type", "client_id", "client_secret"]);
        assert!(!format!("{sent:?}").contains("onetrust-secret"));
    }

    #[tokio::test]
    async fn a_wrong_client_or_grant_gets_the_oauth_server_s_words() {
        let fake = start().await;
        let url = format!("{}/api/access/v1/oauth/token", fake.base("onetrust"));
        for (id, secret) in [("onetrust-client", "wrong"), ("someone", "onetrust-secret"), ("", "")] {
            let (status, body) = post_form(&url, &mint(id, secret)).await;
            assert_eq!(status, 401, "{body}");
            assert_eq!(
                (body["error"].as_str(), body["error_description"].as_str()),
                (Some("invalid_client"), Some("Bad client credentials"))
            );
        }
        let mut password = mint("onetrust-client", "onetrust-secret");
        password[0].1 = "password";
        let (status, body) = post_form(&url, &password).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("unsupported_grant_type")));
        let response = browser()
            .post(&url)
            .basic_auth("onetrust-client", Some("onetrust-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("post");
        assert_eq!(read(response).await.0, 200, "HTTP Basic carries the client too");
        assert_eq!(fake.live_access_tokens("onetrust").len(), 1);
    }
}
