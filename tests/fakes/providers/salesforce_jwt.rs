//! Salesforce's OAuth 2.0 JWT Bearer Flow for server-to-server integration (RFC 7523;
//! oauth-sources.md §2.3, [O30]): `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and
//! an `assertion`, a JWT signed RS256 with the key whose certificate the connected app holds
//! under "Use Digital Signatures". Its claims: `iss` the app's consumer key, `sub` the user's
//! username, `aud` the login server (`https://login.salesforce.com`, `https://test.salesforce.com`
//! for a sandbox, or the My Domain the request went to) and `exp` in seconds since the epoch.
//!
//! Refusals are `400 {error, error_description}` in Salesforce's words, checked in this order:
//! an assertion that is no RS256 JWT, or whose signature does not verify (no certificate
//! uploaded included), is `invalid_grant` "invalid assertion"; an `iss` other than the consumer
//! key is `invalid_client_id` "client identifier invalid"; a wrong `aud` is `invalid_grant`
//! "audience is invalid"; an `exp` passed is `invalid_grant` "expired authorization code" (what
//! Salesforce answers for an expired assertion) and one in milliseconds is `invalid_grant` with
//! a description saying so; no `sub` is "invalid assertion"; a user the app is not approved for
//! is [`JwtUsers`]'s error. The answer has no refresh token and, unlike the client credentials
//! flow's, no `signature` or `issued_at`.

use std::collections::HashMap;

use serde_json::json;

use super::ledger::Ledger;
use super::salesforce::{error, instance, App, JwtUsers, ORG_ID};
use crate::http::{Request, Response};
use crate::jwt::{now_secs, Expiry, Jwt};

pub(super) const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The user the fake's tokens are issued for, whatever username `sub` names.
pub const JWT_USER_ID: &str = "0055g00000FAKEJAAQ";

/// The login servers an assertion may be addressed to, besides the instance itself.
const LOGIN_SERVERS: [&str; 2] = ["https://login.salesforce.com", "https://test.salesforce.com"];

/// What an org grants the integration Adobe's setup describes.
const SCOPE: &str = "api custom_permissions id openid refresh_token";

pub(super) fn token(
    ledger: &mut Ledger,
    app: &App<'_>,
    prefix: &str,
    request: &Request,
    form: &HashMap<String, String>,
) -> Response {
    let invalid = || error("invalid_grant", "invalid assertion");
    let Ok(jwt) = Jwt::parse(form.get("assertion").map(String::as_str).unwrap_or_default()) else {
        return invalid();
    };
    if jwt.claim("iss") != Some(app.config.client_id.as_str()) {
        return error("invalid_client_id", "client identifier invalid");
    }
    if !app.certificate.is_some_and(|key| jwt.verifies_with(key)) {
        return invalid();
    }
    let instance = instance(request, prefix);
    let origin = instance.strip_suffix(prefix).unwrap_or(&instance);
    let audience = jwt.claim("aud").map(|aud| aud.trim_end_matches('/'));
    if !audience.is_some_and(|aud| LOGIN_SERVERS.contains(&aud) || aud == instance || aud == origin) {
        return error("invalid_grant", "audience is invalid");
    }
    match jwt.expiry(now_secs()) {
        Expiry::Until(_) => {}
        Expiry::Passed(_) => return error("invalid_grant", "expired authorization code"),
        Expiry::Milliseconds(_) => {
            return error(
                "invalid_grant",
                "invalid assertion: exp is in milliseconds; it must be in seconds since 1970-01-01T00:00:00Z",
            )
        }
        Expiry::Missing => return invalid(),
    }
    if jwt.claim("sub").is_none_or(|sub| sub.trim().is_empty()) {
        return invalid();
    }
    match app.config.jwt_users {
        JwtUsers::PreAuthorized => {}
        JwtUsers::NotApproved => return error("invalid_grant", "user hasn't approved this consumer"),
        JwtUsers::NotAssigned => {
            return error("invalid_app_access", "user is not admin approved to access this app")
        }
    }
    let access = ledger.issue_access(&format!("{ORG_ID}!fake-jwt-access"), &app.config.client_id);
    let body = json!({
        "access_token": access,
        "scope": SCOPE,
        "instance_url": instance,
        "id": format!("{instance}/id/{ORG_ID}/{JWT_USER_ID}"),
        "token_type": "Bearer",
    });
    Response::json(200, &body)
}

#[cfg(test)]
mod tests {
    use openssl::pkey::{PKey, Private};
    use openssl::rsa::Rsa;
    use serde_json::{json, Value};

    use super::super::test_support::{browser, post_form, read, start, start_with};
    use super::super::{ProvidersConfig, SalesforceConfig};
    use super::*;
    use crate::jwt::sign;
    use crate::keys::self_signed_certificate;

    fn key() -> PKey<Private> {
        PKey::from_rsa(Rsa::generate(2048).expect("an RSA key")).expect("a key")
    }

    fn claims(exp: Value) -> Value {
        json!({ "iss": "salesforce-client", "sub": "integration@acme.example",
                "aud": "https://login.salesforce.com", "exp": exp })
    }

    fn in_five_minutes() -> Value {
        json!(now_secs() + 300)
    }

    async fn exchange(url: &str, assertion: &str) -> (u16, (String, String)) {
        let (status, body) = post_form(url, &[("grant_type", GRANT_TYPE), ("assertion", assertion)]).await;
        let text = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
        (status, (text("error"), text("error_description")))
    }

    fn refusal(error: &str, description: &str) -> (u16, (String, String)) {
        (400, (error.to_owned(), description.to_owned()))
    }

    #[tokio::test]
    async fn an_assertion_signed_with_the_uploaded_certificate_s_key_gets_a_bearer_token() {
        let fake = start().await;
        let signer = key();
        fake.set_salesforce_certificate(&self_signed_certificate(&signer, "Flow Connect").expect("cert"))
            .expect("a certificate");
        let base = fake.base("salesforce");
        let assertion = sign(&signer, &claims(in_five_minutes())).expect("signed");
        let url = format!("{base}{}", super::super::salesforce::TOKEN_PATH);
        let (status, body) = post_form(&url, &[("grant_type", GRANT_TYPE), ("assertion", &assertion)]).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((body["token_type"].as_str(), body["scope"].as_str()), (Some("Bearer"), Some(SCOPE)));
        assert_eq!(body["instance_url"], base.as_str());
        assert_eq!(body["id"], format!("{base}/id/{ORG_ID}/{JWT_USER_ID}").as_str());
        assert!(body.get("refresh_token").is_none() && body.get("signature").is_none(), "{body}");
        let access = body["access_token"].as_str().expect("access token");
        assert_eq!(fake.live_access_tokens("salesforce"), vec![access.to_owned()]);

        let sent = fake.requests().pop().expect("logged");
        assert_eq!(sent.body_keys, ["grant_type", "assertion"]);
        assert!(!format!("{sent:?}").contains(&assertion), "the assertion is not logged");

        // At the root, as at a My Domain, the instance's own origin is an audience too.
        let mut at_root = claims(in_five_minutes());
        at_root["aud"] = json!(fake.url());
        let assertion = sign(&signer, &at_root).expect("signed");
        let (status, _) = exchange(&format!("{}/services/oauth2/token", fake.url()), &assertion).await;
        assert_eq!(status, 200);
    }

    #[tokio::test]
    async fn another_key_no_certificate_or_a_broken_token_is_an_invalid_assertion() {
        let fake = start().await;
        let url = format!("{}/services/oauth2/token", fake.base("salesforce"));
        let (signer, stranger) = (key(), key());
        let assertion = sign(&signer, &claims(in_five_minutes())).expect("signed");
        let invalid = refusal("invalid_grant", "invalid assertion");
        assert_eq!(exchange(&url, &assertion).await, invalid, "no certificate uploaded yet");

        // Uploaded through the control route, as a PEM body.
        let certificate = self_signed_certificate(&signer, "Flow Connect").expect("cert");
        let upload = format!("{}/__fake/certificate", fake.base("salesforce"));
        let response = browser().post(&upload).body(certificate).send().await.expect("upload");
        assert_eq!(response.status().as_u16(), 204);
        assert_eq!(exchange(&url, &assertion).await.0, 200);
        let response = browser().post(&upload).body("not a certificate").send().await.expect("upload");
        let (status, body) = read(response).await;
        assert_eq!(status, 400, "{body}");
        assert!(body["message"].as_str().is_some_and(|m| m.contains("PEM")), "{body}");
        assert!(fake.requests().iter().all(|r| !r.path.contains("__fake")), "control calls are not logged");

        let forged = sign(&stranger, &claims(in_five_minutes())).expect("signed");
        assert_eq!(exchange(&url, &forged).await, invalid);
        for broken in ["", "a.b", "not.a.jwt", &assertion.replace('.', "")] {
            assert_eq!(exchange(&url, broken).await, invalid, "{broken}");
        }
        let mut without_sub = claims(in_five_minutes());
        without_sub["sub"] = json!("");
        assert_eq!(exchange(&url, &sign(&signer, &without_sub).expect("signed")).await, invalid);
        assert_eq!(fake.live_access_tokens("salesforce").len(), 1, "only the one good exchange");
    }

    #[tokio::test]
    async fn an_expired_exp_milliseconds_a_wrong_iss_or_aud_are_each_named() {
        let fake = start().await;
        let signer = key();
        fake.set_salesforce_certificate(&self_signed_certificate(&signer, "Flow Connect").expect("cert"))
            .expect("a certificate");
        let url = format!("{}/services/oauth2/token", fake.base("salesforce"));
        let send = |claims: Value| {
            let assertion = sign(&signer, &claims).expect("signed");
            let url = url.clone();
            async move { exchange(&url, &assertion).await }
        };
        let passed = claims(json!(now_secs() - 60));
        assert_eq!(send(passed).await, refusal("invalid_grant", "expired authorization code"));
        let (status, (error, description)) = send(claims(json!((now_secs() + 300) * 1000))).await;
        assert_eq!((status, error.as_str()), (400, "invalid_grant"));
        assert!(description.contains("milliseconds") && description.contains("seconds"), "{description}");
        let mut other_app = claims(in_five_minutes());
        other_app["iss"] = json!("someone-else");
        assert_eq!(send(other_app).await, refusal("invalid_client_id", "client identifier invalid"));
        let mut elsewhere = claims(in_five_minutes());
        elsewhere["aud"] = json!("https://acme.force.com");
        assert_eq!(send(elsewhere).await, refusal("invalid_grant", "audience is invalid"));
        let mut no_exp = claims(Value::Null);
        no_exp.as_object_mut().expect("claims").remove("exp");
        assert_eq!(send(no_exp).await, refusal("invalid_grant", "invalid assertion"));
    }

    #[tokio::test]
    async fn a_user_the_app_is_not_approved_for_gets_salesforce_s_words() {
        for (jwt_users, expected) in [
            (JwtUsers::NotApproved, refusal("invalid_grant", "user hasn't approved this consumer")),
            (
                JwtUsers::NotAssigned,
                refusal("invalid_app_access", "user is not admin approved to access this app"),
            ),
        ] {
            let salesforce = SalesforceConfig { jwt_users, ..SalesforceConfig::default() };
            let fake = start_with(ProvidersConfig { salesforce, ..ProvidersConfig::default() }).await;
            let signer = key();
            fake.set_salesforce_certificate(&self_signed_certificate(&signer, "Flow Connect").expect("cert"))
                .expect("a certificate");
            let url = format!("{}/services/oauth2/token", fake.base("salesforce"));
            let assertion = sign(&signer, &claims(in_five_minutes())).expect("signed");
            assert_eq!(exchange(&url, &assertion).await, expected);
            assert!(fake.live_access_tokens("salesforce").is_empty());
        }
    }
}
