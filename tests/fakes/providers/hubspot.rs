//! HubSpot: consent at `app.hubspot.com/oauth/authorize`, tokens at
//! `api.hubapi.com/oauth/v1/token` (oauth-sources.md §2.1, [O20][O21]). Redirect URIs are
//! registered and compared exactly, and `http` is allowed only for `localhost` [O20].
//! `code_verifier` is accepted [O21], so a code issued with a challenge needs it. Access
//! tokens last 30 minutes; a refresh keeps the refresh token [O21][O22].
//!
//! HubSpot's token endpoint does not answer RFC 6749 errors but `400` with
//! `{status, message, correlationId}`, `status` being `BAD_AUTH_CODE`, `BAD_CLIENT_ID`,
//! `BAD_REDIRECT_URI`, `BAD_REFRESH_TOKEN` or `BAD_GRANT_TYPE`, with the messages client
//! libraries and [O22] quote ("missing or unknown auth code", "missing or invalid refresh
//! token"). Which status a wrong secret gets is not documented; `BAD_CLIENT_ID` is assumed.

use serde_json::json;

use super::ledger::{form, pkce_matches, plain_http_outside, redirect, Grant, Issued};
use super::Ctx;
use crate::http::{Request, Response};

/// HubSpot's access-token lifetime [O21].
const ACCESS_SECONDS: u64 = 30 * 60;

pub(super) fn handle(ctx: Ctx<'_>, method: &str, path: &str, request: &Request) -> Response {
    match (method, path) {
        ("GET", "/oauth/authorize") => authorize(ctx, request),
        ("POST", "/oauth/v1/token") => token(ctx, request),
        _ => Response::html(404, "Not found"),
    }
}

fn error(status: &str, message: &str) -> Response {
    let body = json!({
        "status": status,
        "message": message,
        "correlationId": uuid::Uuid::new_v4().to_string(),
    });
    Response::json(400, &body)
}

/// HubSpot shows its own error page instead of redirecting when the app or redirect is wrong,
/// since it cannot trust the redirect.
fn authorize(ctx: Ctx<'_>, request: &Request) -> Response {
    let q = |name: &str| request.query(name).unwrap_or_default().to_owned();
    if q("client_id") != ctx.client.client_id {
        return Response::html(400, "Couldn't complete the connection: the app's client_id is unknown.");
    }
    let redirect_uri = q("redirect_uri");
    if plain_http_outside(&redirect_uri, &["localhost"]) {
        return Response::html(400, "The redirect URL must use https; http is allowed only for localhost.");
    }
    if redirect_uri != ctx.client.redirect_uri {
        return Response::html(400, "The redirect URL does not match the app's redirect URL.");
    }
    let challenge = request.query("code_challenge").map(str::to_owned);
    if challenge.is_some() && q("code_challenge_method") != "S256" {
        return Response::html(400, "Unsupported code_challenge_method; use S256.");
    }
    let state = q("state");
    if ctx.deny {
        return redirect(&redirect_uri, &[("error", "access_denied"), ("state", &state)]);
    }
    let grant =
        Grant { client_id: q("client_id"), redirect_uri: redirect_uri.clone(), challenge, scope: q("scope") };
    let code = ctx.ledger.issue_code("hubspot-code", grant);
    redirect(&redirect_uri, &[("code", &code), ("state", &state)])
}

fn token(ctx: Ctx<'_>, request: &Request) -> Response {
    let form = form(request);
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("client_id") != ctx.client.client_id {
        return error("BAD_CLIENT_ID", "missing or unknown client id");
    }
    if field("client_secret") != ctx.client.client_secret {
        return error("BAD_CLIENT_ID", "missing or invalid client secret");
    }
    match field("grant_type") {
        "authorization_code" => {
            let Some(grant) = ctx.ledger.take_code(field("code")) else {
                return error("BAD_AUTH_CODE", "missing or unknown auth code");
            };
            if grant.client_id != field("client_id") {
                return error("BAD_AUTH_CODE", "missing or unknown auth code");
            }
            if grant.redirect_uri != field("redirect_uri") {
                return error("BAD_REDIRECT_URI", "redirect URI does not match initial auth code URI");
            }
            if let Some(challenge) = &grant.challenge {
                if !pkce_matches(challenge, field("code_verifier")) {
                    return error("BAD_AUTH_CODE", "code_verifier does not match the code challenge");
                }
            }
            let access = ctx.ledger.issue_access("hubspot-access", &grant.client_id);
            let refresh = ctx.ledger.mint("hubspot-refresh");
            let issued =
                Issued { client_id: grant.client_id, scope: grant.scope, access_token: access.clone() };
            ctx.ledger.refresh_tokens.insert(refresh.clone(), issued);
            answer(&access, &refresh)
        }
        "refresh_token" => {
            let refresh = field("refresh_token").to_owned();
            let Some(issued) = ctx.ledger.refresh_tokens.get(&refresh).cloned() else {
                return error("BAD_REFRESH_TOKEN", "missing or invalid refresh token");
            };
            if issued.client_id != field("client_id") {
                return error("BAD_REFRESH_TOKEN", "missing or invalid refresh token");
            }
            // The refresh token is kept; only the access token is new.
            let access = ctx.ledger.issue_access("hubspot-access", &issued.client_id);
            if let Some(entry) = ctx.ledger.refresh_tokens.get_mut(&refresh) {
                entry.access_token = access.clone();
            }
            answer(&access, &refresh)
        }
        _ => error("BAD_GRANT_TYPE", "grant_type must be authorization_code or refresh_token"),
    }
}

fn answer(access: &str, refresh: &str) -> Response {
    let body = json!({
        "access_token": access,
        "refresh_token": refresh,
        "expires_in": ACCESS_SECONDS,
        "token_type": "bearer",
    });
    Response::json(200, &body)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{authorize, pkce, post_form, start};

    const REDIRECT: &str = "http://localhost:47615/callback";

    async fn consent(base: &str, challenge: &str) -> String {
        let (status, back) = authorize(
            &format!("{base}/oauth/authorize"),
            &[
                ("client_id", "hubspot-client"),
                ("redirect_uri", REDIRECT),
                ("scope", "crm.objects.contacts.read"),
                ("state", "st-1"),
                ("code_challenge", challenge),
                ("code_challenge_method", "S256"),
            ],
        )
        .await;
        assert_eq!(status, 302);
        assert_eq!(back.get("state").map(String::as_str), Some("st-1"));
        back.get("code").cloned().expect("a code")
    }

    fn exchange<'a>(code: &'a str, secret: &'a str, verifier: &'a str) -> Vec<(&'static str, &'a str)> {
        vec![
            ("grant_type", "authorization_code"),
            ("client_id", "hubspot-client"),
            ("client_secret", secret),
            ("redirect_uri", REDIRECT),
            ("code", code),
            ("code_verifier", verifier),
        ]
    }

    #[tokio::test]
    async fn a_code_becomes_thirty_minute_tokens_and_refreshing_keeps_the_refresh_token() {
        let fake = start().await;
        let base = fake.base("hubspot");
        let (verifier, challenge) = pkce("hubspot-verifier-0123456789-0123456789-0123");
        let code = consent(&base, &challenge).await;
        let token_url = format!("{base}/oauth/v1/token");
        let (status, body) = post_form(&token_url, &exchange(&code, "hubspot-secret", &verifier)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["expires_in"], 1800);
        assert_eq!(body["token_type"], "bearer");
        let refresh = body["refresh_token"].as_str().expect("refresh token").to_owned();
        assert_eq!(fake.live_refresh_tokens("hubspot"), vec![refresh.clone()]);

        let (status, again) = post_form(
            &token_url,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", "hubspot-client"),
                ("client_secret", "hubspot-secret"),
                ("refresh_token", &refresh),
            ],
        )
        .await;
        assert_eq!(status, 200, "{again}");
        assert_eq!(again["refresh_token"], refresh.as_str());
        assert_ne!(again["access_token"], body["access_token"]);

        let sent = fake.requests().into_iter().find(|r| r.path == "/hubspot/oauth/v1/token").expect("logged");
        assert!(sent.body_keys.contains(&"code_verifier".to_owned()));
        assert!(!format!("{sent:?}").contains(&verifier), "values are not logged");
    }

    #[tokio::test]
    async fn a_reused_code_and_a_wrong_secret_get_hubspot_s_error_shape() {
        let fake = start().await;
        let base = fake.base("hubspot");
        let token_url = format!("{base}/oauth/v1/token");
        let (verifier, challenge) = pkce("hubspot-verifier-0123456789-0123456789-4567");

        let code = consent(&base, &challenge).await;
        let (status, body) = post_form(&token_url, &exchange(&code, "wrong-secret", &verifier)).await;
        assert_eq!(status, 400);
        assert_eq!(body["status"], "BAD_CLIENT_ID");
        assert!(body["correlationId"].is_string() && body["message"].is_string(), "{body}");

        let code = consent(&base, &challenge).await;
        let (status, _) = post_form(&token_url, &exchange(&code, "hubspot-secret", &verifier)).await;
        assert_eq!(status, 200);
        let (status, body) = post_form(&token_url, &exchange(&code, "hubspot-secret", &verifier)).await;
        assert_eq!((status, body["status"].as_str()), (400, Some("BAD_AUTH_CODE")));

        let code = consent(&base, &challenge).await;
        let (_, body) = post_form(&token_url, &exchange(&code, "hubspot-secret", "another-verifier")).await;
        assert_eq!(body["status"], "BAD_AUTH_CODE", "the verifier is checked");
    }

    #[tokio::test]
    async fn redirects_must_be_the_registered_one_and_http_only_for_localhost() {
        let fake = start().await;
        let url = format!("{}/oauth/authorize", fake.base("hubspot"));
        for redirect in ["http://127.0.0.1:47615/callback", "http://localhost:47616/callback"] {
            let (status, _) =
                authorize(&url, &[("client_id", "hubspot-client"), ("redirect_uri", redirect)]).await;
            assert_eq!(status, 400, "{redirect}");
        }
        let (status, back) =
            authorize(&url, &[("client_id", "hubspot-client"), ("redirect_uri", REDIRECT)]).await;
        assert_eq!(status, 302);
        assert!(back.contains_key("code") && !back.contains_key("state"), "no state sent, none echoed");
    }
}
