//! Microsoft Entra ID's token endpoint (the Microsoft identity platform v2), for the client
//! credentials an app registration holds: `POST /{tenant}/oauth2/v2.0/token` with a form of
//! `grant_type=client_credentials`, `client_id`, `client_secret` and a `scope` naming one
//! resource with `/.default` (`https://org.crm.dynamics.com/.default`). This is what a Dynamics
//! service principal signs in with (oauth-sources.md §2.3); the tenant is in the path, not a
//! param of the spec. Served under the provider id `entra`, with Entra's own path below it.
//!
//! Errors are Entra's: a JSON body of `error`, `error_description` (an `AADSTS…` code, the
//! message, then the trace and correlation ids and timestamp on lines of their own),
//! `error_codes`, `timestamp`, `trace_id`, `correlation_id` and `error_uri`. An unknown tenant
//! is `400 invalid_request` AADSTS90002; an unknown app `400 unauthorized_client` AADSTS700016;
//! a wrong secret `401 invalid_client` AADSTS7000215, and the right one past its expiry
//! AADSTS7000222; a scope without `/.default` `400 invalid_scope` AADSTS1002012. The answer is
//! `{token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token}`.

use std::collections::HashMap;
use std::fmt;

use serde_json::json;

use super::iso8601_utc;
use super::ledger::{form, Ledger};
use crate::http::{Request, Response};
use crate::jwt::now_secs;

/// An Entra access token's lifetime, as the endpoint reports it.
const TOKEN_SECONDS: u64 = 3599;

/// The tenant and its app registration. `Debug` leaves the secret out.
#[derive(Clone)]
pub struct EntraConfig {
    /// The directory (tenant) id.
    pub tenant_id: String,
    /// The tenant's initial domain, which names it in the path as well as its id.
    pub tenant_domain: String,
    /// The directory's display name, which AADSTS700016 quotes.
    pub tenant_name: String,
    /// The app registration's application (client) id.
    pub client_id: String,
    /// The client secret's value (not its id).
    pub client_secret: String,
    /// The secret's expiry, chosen when it was made, has passed.
    pub secret_expired: bool,
}

impl Default for EntraConfig {
    fn default() -> Self {
        Self {
            tenant_id: "5f2b8c4e-9a1d-4e7b-8c3f-6d0a2e9b1c47".into(),
            tenant_domain: "flowconnectfake.onmicrosoft.com".into(),
            tenant_name: "Flow Connect Fake".into(),
            client_id: "a3c1e5f7-2b4d-4f68-9e0a-7c5b3d1f9e24".into(),
            client_secret: "entra-secret".into(),
            secret_expired: false,
        }
    }
}

impl fmt::Debug for EntraConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntraConfig")
            .field("tenant_id", &self.tenant_id)
            .field("tenant_domain", &self.tenant_domain)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("secret_expired", &self.secret_expired)
            .finish()
    }
}

pub(super) fn handle(
    ledger: &mut Ledger,
    config: &EntraConfig,
    method: &str,
    path: &str,
    request: &Request,
) -> Response {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("POST", [tenant, "oauth2", "v2.0", "token"]) => token(ledger, config, tenant, request),
        _ => Response::html(404, "Not found"),
    }
}

/// Entra's error body for `AADSTS{code}`, with fresh trace and correlation ids.
fn error(status: u16, error: &str, code: u32, message: &str) -> Response {
    let trace_id = uuid::Uuid::new_v4().to_string();
    let correlation_id = uuid::Uuid::new_v4().to_string();
    let timestamp = iso8601_utc(now_secs()).replace('T', " ");
    let description = format!(
        "AADSTS{code}: {message}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}"
    );
    Response::json(
        status,
        &json!({
            "error": error, "error_description": description, "error_codes": [code],
            "timestamp": timestamp, "trace_id": trace_id, "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
        }),
    )
}

/// AADSTS900144, for a parameter the request must hold.
fn missing(name: &str) -> Response {
    error(
        400,
        "invalid_request",
        900_144,
        &format!("The request body must contain the following parameter: '{name}'."),
    )
}

fn token(ledger: &mut Ledger, config: &EntraConfig, tenant: &str, request: &Request) -> Response {
    if !tenant.eq_ignore_ascii_case(&config.tenant_id) && !tenant.eq_ignore_ascii_case(&config.tenant_domain)
    {
        return error(
            400,
            "invalid_request",
            90_002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are \
                 signing into the correct cloud. Check with your subscription administrator, this may \
                 happen if there are no active subscriptions for the tenant."
            ),
        );
    }
    let form: HashMap<String, String> = form(request);
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    match field("grant_type") {
        "" => return missing("grant_type"),
        "client_credentials" => {}
        other => {
            return error(
                400,
                "unsupported_grant_type",
                70_003,
                &format!("The app requested an unsupported grant type '{other}'."),
            )
        }
    }
    let client_id = field("client_id");
    if client_id.is_empty() {
        return missing("client_id");
    }
    if !client_id.eq_ignore_ascii_case(&config.client_id) {
        return error(
            400,
            "unauthorized_client",
            700_016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. This can \
                 happen if the application has not been installed by the administrator of the tenant or \
                 consented to by any user in the tenant. You may have sent your authentication request to \
                 the wrong tenant.",
                config.tenant_name
            ),
        );
    }
    let secret = field("client_secret");
    if secret.is_empty() {
        return error(
            401,
            "invalid_client",
            7_000_218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        );
    }
    if secret != config.client_secret {
        return error(
            401,
            "invalid_client",
            7_000_215,
            &format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client \
                 secret value, not the client secret ID, for a secret added to app '{}'.",
                config.client_id
            ),
        );
    }
    if config.secret_expired {
        return error(
            401,
            "invalid_client",
            7_000_222,
            &format!(
                "The provided client secret keys for app '{}' are expired. Visit the Azure portal to create \
                 new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate \
                 credentials for added security: https://aka.ms/certCreds.",
                config.client_id
            ),
        );
    }
    let scope = field("scope");
    if scope.is_empty() {
        return missing("scope");
    }
    if !scope.split_whitespace().all(|s| s.ends_with("/.default")) {
        return error(
            400,
            "invalid_scope",
            1_002_012,
            &format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a \
                 scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        );
    }
    let access = ledger.issue_access("entra-access", &config.client_id);
    Response::json(
        200,
        &json!({
            "token_type": "Bearer", "expires_in": TOKEN_SECONDS, "ext_expires_in": TOKEN_SECONDS,
            "access_token": access,
        }),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::super::test_support::{post_form, start, start_with};
    use super::super::ProvidersConfig;
    use super::*;

    const DYNAMICS: &str = "https://acme.crm.dynamics.com/.default";

    fn mint<'a>(secret: &'a str, scope: &'a str) -> Vec<(&'static str, &'a str)> {
        vec![
            ("grant_type", "client_credentials"),
            ("client_id", "a3c1e5f7-2b4d-4f68-9e0a-7c5b3d1f9e24"),
            ("client_secret", secret),
            ("scope", scope),
        ]
    }

    fn url(base: &str, tenant: &str) -> String {
        format!("{base}/{tenant}/oauth2/v2.0/token")
    }

    /// The refusal's status, `error`, first AADSTS code, and whether its body has Entra's shape.
    fn refused((status, body): (u16, Value)) -> (u16, String, u64) {
        for member in ["timestamp", "trace_id", "correlation_id", "error_uri"] {
            assert!(body[member].is_string(), "{member} in {body}");
        }
        let code = body["error_codes"][0].as_u64().unwrap_or_default();
        let description = body["error_description"].as_str().unwrap_or_default();
        assert!(description.starts_with(&format!("AADSTS{code}: ")), "{description}");
        assert!(description.contains("\r\nTrace ID: ") && description.contains("\r\nCorrelation ID: "));
        (status, body["error"].as_str().unwrap_or_default().to_owned(), code)
    }

    #[tokio::test]
    async fn the_app_s_secret_mints_a_token_at_its_tenant_by_id_or_domain() {
        let fake = start().await;
        let base = fake.base("entra");
        for tenant in ["5f2b8c4e-9a1d-4e7b-8c3f-6d0a2e9b1c47", "flowconnectfake.onmicrosoft.com"] {
            let (status, body) = post_form(&url(&base, tenant), &mint("entra-secret", DYNAMICS)).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["token_type"], "Bearer");
            assert_eq!(
                (body["expires_in"].as_u64(), body["ext_expires_in"].as_u64()),
                (Some(3599), Some(3599))
            );
            assert!(body["access_token"].is_string());
        }
        assert_eq!(fake.live_access_tokens("entra").len(), 2);
        let sent = fake.requests().pop().expect("logged");
        assert_eq!(sent.path, "/entra/flowconnectfake.onmicrosoft.com/oauth2/v2.0/token");
        assert_eq!(sent.body_keys, ["grant_type", "client_id", "client_secret", "scope"]);
        assert!(!format!("{sent:?}").contains("entra-secret"));
        assert!(fake.bases_var().contains(&format!("entra={}/entra", fake.url())));
    }

    #[tokio::test]
    async fn each_mistake_gets_its_aadsts_code() {
        let fake = start().await;
        let base = fake.base("entra");
        let tenant = "5f2b8c4e-9a1d-4e7b-8c3f-6d0a2e9b1c47";
        let unknown_tenant =
            post_form(&url(&base, "00000000-0000-0000-0000-000000000000"), &mint("entra-secret", DYNAMICS))
                .await;
        assert_eq!(refused(unknown_tenant.clone()), (400, "invalid_request".into(), 90_002));
        assert!(unknown_tenant.1["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("Tenant '00000000-0000-0000-0000-000000000000' not found")));

        let mut stranger = mint("entra-secret", DYNAMICS);
        stranger[1].1 = "11111111-2222-3333-4444-555555555555";
        let unknown_app = post_form(&url(&base, tenant), &stranger).await;
        assert_eq!(refused(unknown_app), (400, "unauthorized_client".into(), 700_016));

        let wrong_secret =
            post_form(&url(&base, tenant), &mint("the-secret-id-not-its-value", DYNAMICS)).await;
        assert!(wrong_secret.1["error_description"]
            .as_str()
            .is_some_and(|d| !d.contains("the-secret-id-not-its-value")));
        assert_eq!(refused(wrong_secret), (401, "invalid_client".into(), 7_000_215));

        let no_default = post_form(
            &url(&base, tenant),
            &mint("entra-secret", "https://acme.crm.dynamics.com/user_impersonation"),
        )
        .await;
        assert_eq!(refused(no_default), (400, "invalid_scope".into(), 1_002_012));
        let no_scope = post_form(&url(&base, tenant), &mint("entra-secret", "")).await;
        assert_eq!(refused(no_scope), (400, "invalid_request".into(), 900_144));
        assert!(fake.live_access_tokens("entra").is_empty());
    }

    #[tokio::test]
    async fn an_expired_secret_is_told_from_a_wrong_one() {
        let entra = EntraConfig { secret_expired: true, ..EntraConfig::default() };
        let fake = start_with(ProvidersConfig { entra, ..ProvidersConfig::default() }).await;
        let token_url = url(&fake.base("entra"), "5f2b8c4e-9a1d-4e7b-8c3f-6d0a2e9b1c47");
        let expired = post_form(&token_url, &mint("entra-secret", DYNAMICS)).await;
        assert!(expired.1["error_description"].as_str().is_some_and(|d| d.contains("are expired")));
        assert_eq!(refused(expired), (401, "invalid_client".into(), 7_000_222));
        let wrong = post_form(&token_url, &mint("another-secret", DYNAMICS)).await;
        assert_eq!(refused(wrong), (401, "invalid_client".into(), 7_000_215));
        assert!(!format!("{:?}", EntraConfig::default()).contains("entra-secret"));
    }
}
