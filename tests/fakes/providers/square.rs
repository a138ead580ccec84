//! Square: consent at `connect.squareup.com/oauth2/authorize`, tokens at `/oauth2/token`
//! (oauth-sources.md §2.1, [O5][O23]). Production Square takes https redirects only
//! (`http://localhost` is Sandbox's), so the fake refuses any other with an error page and the
//! user pastes back where the browser lands. The token endpoint ("ObtainToken") takes a JSON
//! body; its answer carries `expires_at`, an ISO 8601 time 30 days on, and no `expires_in`.
//! Code-flow refresh tokens do not expire and are kept on refresh. Errors are Square's API
//! shape, `{errors: [{category, code, detail}]}`.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::ledger::{is_json, json_fields, redirect, Grant, Issued};
use super::Ctx;
use crate::http::{Request, Response};

/// Square's access-token lifetime [O23].
const ACCESS_SECONDS: u64 = 30 * 86_400;
/// The merchant who consents.
pub const MERCHANT_ID: &str = "MLFAKEMERCHANT01";

pub(super) fn handle(ctx: Ctx<'_>, method: &str, path: &str, request: &Request) -> Response {
    match (method, path) {
        ("GET", "/oauth2/authorize") => authorize(ctx, request),
        ("POST", "/oauth2/token") => token(ctx, request),
        _ => Response::html(404, "Not found"),
    }
}

fn error(status: u16, category: &str, code: &str, detail: &str) -> Response {
    Response::json(status, &json!({ "errors": [{ "category": category, "code": code, "detail": detail }] }))
}

fn authorize(ctx: Ctx<'_>, request: &Request) -> Response {
    let q = |name: &str| request.query(name).unwrap_or_default().to_owned();
    if q("client_id") != ctx.client.client_id {
        return Response::html(400, "<h1>Error</h1><p>The application ID is invalid.</p>");
    }
    // Without `redirect_uri` Square uses the one set on the application's OAuth page.
    let redirect_uri = request.query("redirect_uri").unwrap_or(&ctx.client.redirect_uri).to_owned();
    if url::Url::parse(&redirect_uri).map_or(true, |url| url.scheme() != "https") {
        return Response::html(400, "<h1>Error</h1><p>The redirect URL must use HTTPS.</p>");
    }
    let state = q("state");
    if ctx.deny {
        let pairs = [("error", "access_denied"), ("error_description", "user_denied"), ("state", &state)];
        return redirect(&redirect_uri, &pairs);
    }
    let grant = Grant {
        client_id: q("client_id"),
        redirect_uri: redirect_uri.clone(),
        challenge: None,
        scope: q("scope"),
    };
    let code = ctx.ledger.issue_code("sq0cgp-fake-code", grant);
    redirect(&redirect_uri, &[("code", &code), ("response_type", "code"), ("state", &state)])
}

fn token(ctx: Ctx<'_>, request: &Request) -> Response {
    if !is_json(request) {
        return error(
            400,
            "INVALID_REQUEST_ERROR",
            "INVALID_CONTENT_TYPE",
            "Content-Type must be application/json",
        );
    }
    let Some(fields) = json_fields(request) else {
        return error(400, "INVALID_REQUEST_ERROR", "BAD_REQUEST", "The body is not a JSON object");
    };
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    for required in ["client_id", "grant_type"] {
        if field(required).is_empty() {
            let detail = format!("Missing required parameter `{required}`");
            return error(400, "INVALID_REQUEST_ERROR", "MISSING_REQUIRED_PARAMETER", &detail);
        }
    }
    if field("client_id") != ctx.client.client_id || field("client_secret") != ctx.client.client_secret {
        return error(401, "AUTHENTICATION_ERROR", "UNAUTHORIZED", "Invalid client_id or client_secret");
    }
    match field("grant_type") {
        "authorization_code" => {
            let Some(grant) = ctx.ledger.take_code(field("code")) else {
                return error(
                    401,
                    "AUTHENTICATION_ERROR",
                    "UNAUTHORIZED",
                    "Authorization code is invalid or already used",
                );
            };
            let redirect_wrong = fields.get("redirect_uri").is_some_and(|uri| *uri != grant.redirect_uri);
            if grant.client_id != field("client_id") || redirect_wrong {
                return error(
                    401,
                    "AUTHENTICATION_ERROR",
                    "UNAUTHORIZED",
                    "Authorization code does not match the request",
                );
            }
            let access = ctx.ledger.issue_access("EAAAfake-access", &grant.client_id);
            let refresh = ctx.ledger.mint("EQAAfake-refresh");
            let issued =
                Issued { client_id: grant.client_id, scope: grant.scope, access_token: access.clone() };
            ctx.ledger.refresh_tokens.insert(refresh.clone(), issued);
            answer(&access, &refresh)
        }
        "refresh_token" => {
            let refresh = field("refresh_token").to_owned();
            let Some(issued) = ctx.ledger.refresh_tokens.get(&refresh).cloned() else {
                return error(
                    401,
                    "AUTHENTICATION_ERROR",
                    "UNAUTHORIZED",
                    "Refresh token is invalid or revoked",
                );
            };
            let access = ctx.ledger.issue_access("EAAAfake-access", &issued.client_id);
            if let Some(entry) = ctx.ledger.refresh_tokens.get_mut(&refresh) {
                entry.access_token = access.clone();
            }
            answer(&access, &refresh)
        }
        _ => error(
            400,
            "INVALID_REQUEST_ERROR",
            "INVALID_VALUE",
            "grant_type must be authorization_code or refresh_token",
        ),
    }
}

fn answer(access: &str, refresh: &str) -> Response {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let body = json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_at": iso8601_utc(now + ACCESS_SECONDS),
        "merchant_id": MERCHANT_ID,
        "refresh_token": refresh,
    });
    Response::json(200, &body)
}

/// `secs` since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`; the civil date is Howard Hinnant's
/// days-to-date algorithm, since the fakes have no date crate.
pub(crate) fn iso8601_utc(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rest = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3_600, rest % 3_600 / 60, rest % 60)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{authorize, browser, post_form, post_json, read, start};
    use super::iso8601_utc;

    const REDIRECT: &str = "https://flow-connect.example/square/callback";

    async fn code(base: &str) -> String {
        let query = [
            ("client_id", "square-client"),
            ("scope", "PAYMENTS_READ"),
            ("state", "sq-st"),
            ("redirect_uri", REDIRECT),
        ];
        let (status, back) = authorize(&format!("{base}/oauth2/authorize"), &query).await;
        assert_eq!(status, 302);
        assert_eq!(back["state"], "sq-st");
        back["code"].clone()
    }

    #[test]
    fn dates_are_iso_8601_utc() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601_utc(1_767_225_599), "2025-12-31T23:59:59Z");
    }

    #[tokio::test]
    async fn a_json_exchange_answers_expires_at_and_no_expires_in() {
        let fake = start().await;
        let base = fake.base("square");
        let code = code(&base).await;
        let body = json!({ "client_id": "square-client", "client_secret": "square-secret", "code": code,
                           "grant_type": "authorization_code", "redirect_uri": REDIRECT });
        let (status, answer) = post_json(&format!("{base}/oauth2/token"), &body).await;
        assert_eq!(status, 200, "{answer}");
        assert!(answer.get("expires_in").is_none());
        let expires_at = answer["expires_at"].as_str().expect("expires_at");
        assert!(expires_at.ends_with('Z') && expires_at.len() == 20, "{expires_at}");
        assert_eq!(
            (answer["token_type"].as_str(), answer["merchant_id"].as_str()),
            (Some("bearer"), Some(super::MERCHANT_ID))
        );
        assert_eq!(
            fake.live_refresh_tokens("square"),
            vec![answer["refresh_token"].as_str().unwrap().to_owned()]
        );

        let (status, again) = post_json(&format!("{base}/oauth2/token"), &body).await;
        assert_eq!(status, 401, "a code is spent once");
        assert_eq!(again["errors"][0]["code"], "UNAUTHORIZED");
    }

    #[tokio::test]
    async fn an_http_redirect_a_form_body_and_a_wrong_secret_are_refused() {
        let fake = start().await;
        let base = fake.base("square");
        let query = [("client_id", "square-client"), ("redirect_uri", "http://localhost:47615/callback")];
        let response =
            browser().get(format!("{base}/oauth2/authorize")).query(&query).send().await.expect("authorize");
        assert_eq!(response.status().as_u16(), 400);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));

        let code = code(&base).await;
        let form = [
            ("client_id", "square-client"),
            ("client_secret", "square-secret"),
            ("code", &code),
            ("grant_type", "authorization_code"),
        ];
        let (status, body) = post_form(&format!("{base}/oauth2/token"), &form).await;
        assert_eq!((status, body["errors"][0]["code"].as_str()), (400, Some("INVALID_CONTENT_TYPE")));

        let wrong = json!({ "client_id": "square-client", "client_secret": "nope", "code": code, "grant_type": "authorization_code" });
        let response =
            browser().post(format!("{base}/oauth2/token")).json(&wrong).send().await.expect("token");
        let (status, body) = read(response).await;
        assert_eq!(status, 401);
        assert_eq!(body["errors"][0]["category"], "AUTHENTICATION_ERROR");
        assert!(body["errors"][0]["detail"].is_string());
    }
}
