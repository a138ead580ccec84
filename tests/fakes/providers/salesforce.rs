//! Salesforce's token endpoint at `{My Domain}/services/oauth2/token` (oauth-sources.md §2.3,
//! [O1][O29][O30]), for its two server-to-server grants. Neither has consent or a refresh
//! token.
//!
//! The Client Credentials Flow: a connected app (or External Client App) with "Enable Client
//! Credentials Flow" and a Run As user mints an access token from its consumer key and secret,
//! sent in the form body or as HTTP Basic (RFC 6749 §2.3.1). The body must be form-encoded;
//! anything else reads as no `grant_type`. The answer is Salesforce's: `access_token`,
//! `signature` (base64 HMAC-SHA256 of `id` and `issued_at` keyed with the consumer secret),
//! `scope`, `instance_url`, `id` (the identity URL `{instance}/id/{org id}/{user id}`),
//! `token_type: "Bearer"` and `issued_at` in milliseconds as a string; no `expires_in` (the
//! session lasts the org's timeout). Errors are `400` with RFC 6749's `{error,
//! error_description}` in Salesforce's words: the grant type is checked first, then the client
//! id, the secret, and the flow's switch and run-as user.
//!
//! The JWT Bearer Flow (RFC 7523) is in `salesforce_jwt.rs`. Its app verifies assertions with
//! the certificate uploaded under "Use Digital Signatures", which a test sets with
//! [`FakeProviders::set_salesforce_certificate`](super::FakeProviders::set_salesforce_certificate)
//! or by posting the PEM to `/salesforce/__fake/certificate`.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use openssl::pkey::{PKey, Public};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::ledger::{client_credentials, form, Ledger};
use super::salesforce_jwt;
use crate::http::{Request, Response};

/// Where the token is minted, below the instance.
pub(super) const TOKEN_PATH: &str = "/services/oauth2/token";

/// The org and the run-as user the fake's connected app runs as.
pub const ORG_ID: &str = "00D5g00000FAKEOEAQ";
pub const RUN_AS_USER_ID: &str = "0055g00000FAKEUAAQ";

/// The connected app the fake knows. Its `Debug` leaves the consumer secret out.
#[derive(Clone)]
pub struct SalesforceConfig {
    /// The consumer key.
    pub client_id: String,
    /// The consumer secret.
    pub client_secret: String,
    /// "Enable Client Credentials Flow" is ticked on the app.
    pub flow_enabled: bool,
    /// A Run As user is set for the flow.
    pub run_as_user: bool,
    /// Whether the JWT bearer flow's user may use the app.
    pub jwt_users: JwtUsers,
}

/// Who the JWT bearer flow may act for: a JWT names its user in `sub`, and Salesforce issues
/// a token only for a user the app is approved for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtUsers {
    /// "Admin approved users are pre-authorized" and the user's profile or permission set is
    /// assigned to the app: the setup Adobe's AWS page asks for.
    PreAuthorized,
    /// "All users may self-authorize", and the user never approved the app in a flow that
    /// issued a refresh token: `invalid_grant`, "user hasn't approved this consumer".
    NotApproved,
    /// "Admin approved users are pre-authorized", but the user's profile is not assigned:
    /// `invalid_app_access`, "user is not admin approved to access this app".
    NotAssigned,
}

impl Default for SalesforceConfig {
    fn default() -> Self {
        Self {
            client_id: "salesforce-client".into(),
            client_secret: "salesforce-secret".into(),
            flow_enabled: true,
            run_as_user: true,
            jwt_users: JwtUsers::PreAuthorized,
        }
    }
}

impl fmt::Debug for SalesforceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SalesforceConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("flow_enabled", &self.flow_enabled)
            .field("run_as_user", &self.run_as_user)
            .field("jwt_users", &self.jwt_users)
            .finish()
    }
}

/// What the token endpoint knows of the connected app: its settings, and the certificate
/// uploaded to it, if any.
pub(super) struct App<'a> {
    pub config: &'a SalesforceConfig,
    pub certificate: Option<&'a PKey<Public>>,
}

/// `prefix` is the path the instance was reached under (`/salesforce`, or nothing at the
/// root), which `instance_url` and `id` keep.
pub(super) fn handle(
    ledger: &mut Ledger,
    app: &App<'_>,
    prefix: &str,
    method: &str,
    path: &str,
    request: &Request,
) -> Response {
    match (method, path) {
        ("POST", TOKEN_PATH) => token(ledger, app, prefix, request),
        _ => Response::html(404, "Not found"),
    }
}

pub(super) fn error(error: &str, description: &str) -> Response {
    Response::json(400, &json!({ "error": error, "error_description": description }))
}

/// Where the request came: the fake's origin and the prefix it was under.
pub(super) fn instance(request: &Request, prefix: &str) -> String {
    let host = request.header("host").unwrap_or("127.0.0.1");
    format!("http://{host}{prefix}")
}

fn token(ledger: &mut Ledger, app: &App<'_>, prefix: &str, request: &Request) -> Response {
    let form = form(request);
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => client_credentials_grant(ledger, app.config, prefix, request, &form),
        Some(salesforce_jwt::GRANT_TYPE) => salesforce_jwt::token(ledger, app, prefix, request, &form),
        _ => error("unsupported_grant_type", "grant type not supported"),
    }
}

fn client_credentials_grant(
    ledger: &mut Ledger,
    config: &SalesforceConfig,
    prefix: &str,
    request: &Request,
    form: &std::collections::HashMap<String, String>,
) -> Response {
    let (client_id, client_secret) = client_credentials(request, form);
    if client_id != config.client_id {
        return error("invalid_client_id", "client identifier invalid");
    }
    if client_secret != config.client_secret {
        return error("invalid_client", "invalid client credentials");
    }
    if !config.flow_enabled || !config.run_as_user {
        return error("invalid_grant", "no client credentials user enabled");
    }
    let instance = instance(request, prefix);
    let id = format!("{instance}/id/{ORG_ID}/{RUN_AS_USER_ID}");
    let issued_at = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis()).to_string();
    let access = ledger.issue_access(&format!("{ORG_ID}!fake-access"), &client_id);
    let body = json!({
        "access_token": access,
        "signature": signature(&config.client_secret, &id, &issued_at),
        "scope": "api",
        "instance_url": instance,
        "id": id,
        "token_type": "Bearer",
        "issued_at": issued_at,
    });
    Response::json(200, &body)
}

/// Salesforce's `signature`: base64 of HMAC-SHA256 over `id` then `issued_at`, keyed with
/// the consumer secret, so a client can tell the answer came from the server it trusts.
pub fn signature(secret: &str, id: &str, issued_at: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(hmac_sha256(secret.as_bytes(), format!("{id}{issued_at}").as_bytes()))
}

/// HMAC (RFC 2104) over SHA-256, whose block is 64 bytes.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{browser, post_form, read, start, start_with};
    use super::super::ProvidersConfig;
    use super::*;

    fn mint(id: &str, secret: &str) -> Vec<(&'static str, String)> {
        vec![
            ("grant_type", "client_credentials".into()),
            ("client_id", id.into()),
            ("client_secret", secret.into()),
        ]
    }

    async fn post(url: &str, form: &[(&'static str, String)]) -> (u16, serde_json::Value) {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        post_form(url, &pairs).await
    }

    fn refused(body: &serde_json::Value) -> (&str, &str) {
        (body["error"].as_str().unwrap_or_default(), body["error_description"].as_str().unwrap_or_default())
    }

    #[test]
    fn the_hmac_is_rfc_4231_s() {
        // RFC 4231 test case 2.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        // A key longer than the block is hashed first (test case 6).
        let mac = hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    #[tokio::test]
    async fn the_right_client_gets_a_bearer_token_for_the_run_as_user() {
        let fake = start().await;
        let base = fake.base("salesforce");
        let url = format!("{base}/services/oauth2/token");
        let (status, body) = post(&url, &mint("salesforce-client", "salesforce-secret")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["scope"], "api");
        assert_eq!(body["instance_url"], base.as_str());
        let id = format!("{base}/id/{ORG_ID}/{RUN_AS_USER_ID}");
        assert_eq!(body["id"], id.as_str());
        let issued_at = body["issued_at"].as_str().expect("issued_at is a string");
        assert!(issued_at.len() >= 13 && issued_at.bytes().all(|b| b.is_ascii_digit()), "{issued_at}");
        assert_eq!(body["signature"], signature("salesforce-secret", &id, issued_at).as_str());
        assert!(body.get("refresh_token").is_none() && body.get("expires_in").is_none(), "{body}");
        let access = body["access_token"].as_str().expect("access token");
        assert!(access.starts_with("00D"), "{access}");
        assert_eq!(fake.live_access_tokens("salesforce"), vec![access.to_owned()]);

        let sent = fake.requests().pop().expect("logged");
        assert_eq!(sent.path, "/salesforce/services/oauth2/token");
        assert_eq!(sent.body_keys, ["grant_type", "client_id", "client_secret"]);
        assert!(!format!("{sent:?}").contains("salesforce-secret"), "values are not logged");
    }

    #[tokio::test]
    async fn the_token_path_is_answered_at_the_root_as_at_a_my_domain() {
        let fake = start().await;
        let url = format!("{}/services/oauth2/token", fake.url());
        let (status, body) = post(&url, &mint("salesforce-client", "salesforce-secret")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["instance_url"], fake.url().as_str());
        assert_eq!(body["id"], format!("{}/id/{ORG_ID}/{RUN_AS_USER_ID}", fake.url()).as_str());
        let (status, body) = post(&url, &mint("salesforce-client", "wrong-secret")).await;
        assert_eq!((status, refused(&body)), (400, ("invalid_client", "invalid client credentials")));
        assert_eq!(fake.live_access_tokens("salesforce").len(), 1, "one ledger for both addresses");
        let response = browser().post(format!("{}/services/oauth2/revoke", fake.url())).send().await;
        assert_eq!(response.expect("post").status().as_u16(), 404, "only the token path");
    }

    #[tokio::test]
    async fn http_basic_carries_the_client_as_rfc_6749_allows() {
        let fake = start().await;
        let url = format!("{}/services/oauth2/token", fake.base("salesforce"));
        let send = |id: &str, secret: &str| {
            browser()
                .post(&url)
                .basic_auth(id, Some(secret))
                .form(&[("grant_type", "client_credentials")])
                .send()
        };
        let (status, body) = read(send("salesforce-client", "salesforce-secret").await.expect("post")).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = read(send("salesforce-client", "wrong").await.expect("post")).await;
        assert_eq!((status, refused(&body)), (400, ("invalid_client", "invalid client credentials")));
    }

    #[tokio::test]
    async fn an_unknown_client_and_a_wrong_secret_are_told_apart() {
        let fake = start().await;
        let url = format!("{}/services/oauth2/token", fake.base("salesforce"));
        let (status, body) = post(&url, &mint("someone-else", "salesforce-secret")).await;
        assert_eq!((status, refused(&body)), (400, ("invalid_client_id", "client identifier invalid")));
        let (status, body) = post(&url, &mint("", "")).await;
        assert_eq!((status, refused(&body)), (400, ("invalid_client_id", "client identifier invalid")));
        let (status, body) = post(&url, &mint("salesforce-client", "wrong-secret")).await;
        assert_eq!((status, refused(&body)), (400, ("invalid_client", "invalid client credentials")));
        assert!(fake.live_access_tokens("salesforce").is_empty());
    }

    #[tokio::test]
    async fn a_flow_switched_off_or_without_a_run_as_user_mints_nothing() {
        for salesforce in [
            SalesforceConfig { run_as_user: false, ..SalesforceConfig::default() },
            SalesforceConfig { flow_enabled: false, ..SalesforceConfig::default() },
        ] {
            let fake = start_with(ProvidersConfig { salesforce, ..ProvidersConfig::default() }).await;
            let url = format!("{}/services/oauth2/token", fake.base("salesforce"));
            let (status, body) = post(&url, &mint("salesforce-client", "salesforce-secret")).await;
            assert_eq!(
                (status, refused(&body)),
                (400, ("invalid_grant", "no client credentials user enabled"))
            );
            // A wrong secret is still reported as such first.
            let (_, body) = post(&url, &mint("salesforce-client", "wrong-secret")).await;
            assert_eq!(refused(&body).0, "invalid_client");
        }
    }

    #[tokio::test]
    async fn another_grant_type_or_a_json_body_is_not_supported() {
        let fake = start().await;
        let url = format!("{}/services/oauth2/token", fake.base("salesforce"));
        let mut password = mint("salesforce-client", "salesforce-secret");
        password[0].1 = "password".into();
        let (status, body) = post(&url, &password).await;
        assert_eq!((status, refused(&body)), (400, ("unsupported_grant_type", "grant type not supported")));
        let json = json!({ "grant_type": "client_credentials",
                           "client_id": "salesforce-client", "client_secret": "salesforce-secret" });
        let (status, body) = read(browser().post(&url).json(&json).send().await.expect("post")).await;
        assert_eq!((status, refused(&body).0), (400, "unsupported_grant_type"));
        let response = browser().get(&url).send().await.expect("get");
        assert_eq!(response.status().as_u16(), 404);
    }
}
