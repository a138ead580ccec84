//! Mailchimp: consent at `login.mailchimp.com/oauth2/authorize`, tokens at `/oauth2/token`,
//! and the account's data centre at `/oauth2/metadata` (oauth-sources.md §2.2, [O11][O28]).
//! No scopes; tokens never expire, so the answer is `expires_in: 0` with `scope: null` and no
//! refresh token; the redirect must be the registered one exactly (`127.0.0.1` in
//! development). The metadata call takes `Authorization: OAuth {access_token}`. [O28] is
//! secondary (client libraries), so the details of the error bodies are assumed to be RFC
//! 6749's `{error, error_description}`.

use serde_json::json;

use super::ledger::{form, redirect, Grant};
use super::Ctx;
use crate::http::{Request, Response};

/// The data centre the fake's account lives in.
pub const DATA_CENTRE: &str = "us19";

pub(super) fn handle(ctx: Ctx<'_>, method: &str, path: &str, request: &Request) -> Response {
    match (method, path) {
        ("GET", "/oauth2/authorize") => authorize(ctx, request),
        ("POST", "/oauth2/token") => token(ctx, request),
        ("GET", "/oauth2/metadata") => metadata(&ctx, request),
        _ => Response::html(404, "Not found"),
    }
}

fn error(status: u16, error: &str, description: &str) -> Response {
    Response::json(status, &json!({ "error": error, "error_description": description }))
}

fn authorize(ctx: Ctx<'_>, request: &Request) -> Response {
    let q = |name: &str| request.query(name).unwrap_or_default().to_owned();
    if q("client_id") != ctx.client.client_id {
        return Response::html(400, "Invalid client_id");
    }
    let redirect_uri = q("redirect_uri");
    if redirect_uri != ctx.client.redirect_uri {
        return Response::html(400, "Invalid redirect_uri: it does not match the registered one");
    }
    let state = q("state");
    if ctx.deny {
        return redirect(&redirect_uri, &[("error", "access_denied"), ("state", &state)]);
    }
    let grant = Grant {
        client_id: q("client_id"),
        redirect_uri: redirect_uri.clone(),
        challenge: None,
        scope: String::new(),
    };
    let code = ctx.ledger.issue_code("mailchimp-code", grant);
    redirect(&redirect_uri, &[("code", &code), ("state", &state)])
}

fn token(ctx: Ctx<'_>, request: &Request) -> Response {
    let form = form(request);
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("client_id") != ctx.client.client_id || field("client_secret") != ctx.client.client_secret {
        return error(401, "invalid_client", "Invalid client credentials");
    }
    if field("grant_type") != "authorization_code" {
        return error(400, "unsupported_grant_type", "Only authorization_code is supported");
    }
    let Some(grant) = ctx.ledger.take_code(field("code")) else {
        return error(400, "invalid_grant", "Invalid authorization code");
    };
    if grant.client_id != field("client_id") || grant.redirect_uri != field("redirect_uri") {
        return error(400, "invalid_grant", "The redirect_uri does not match the authorization");
    }
    let access = ctx.ledger.issue_access("mailchimp-access", &grant.client_id);
    // `expires_in: 0` means "never" here, which a strict RFC 6749 client would misread.
    Response::json(200, &json!({ "access_token": access, "expires_in": 0, "scope": null }))
}

fn metadata(ctx: &Ctx<'_>, request: &Request) -> Response {
    let token = request.header("authorization").and_then(|h| h.strip_prefix("OAuth ")).unwrap_or_default();
    if !ctx.ledger.access_tokens.contains_key(token.trim()) {
        return error(401, "invalid_token", "The access token is missing, invalid or revoked");
    }
    let body = json!({
        "dc": DATA_CENTRE,
        "role": "owner",
        "accountname": "Fake Outfitters",
        "user_id": 41_503_277,
        "login": {
            "email": "owner@fake-outfitters.example",
            "avatar": null,
            "login_id": 41_503_277,
            "login_name": "fakeoutfitters",
            "login_email": "owner@fake-outfitters.example",
        },
        "login_url": "https://login.mailchimp.com",
        "api_endpoint": format!("https://{DATA_CENTRE}.api.mailchimp.com"),
    });
    Response::json(200, &body)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{authorize, browser, post_form, read, start, start_with};
    use super::super::ProvidersConfig;

    const REDIRECT: &str = "http://127.0.0.1:47615/callback";

    async fn code(base: &str) -> String {
        let query = [
            ("response_type", "code"),
            ("client_id", "mailchimp-client"),
            ("redirect_uri", REDIRECT),
            ("state", "mc"),
        ];
        let (status, back) = authorize(&format!("{base}/oauth2/authorize"), &query).await;
        assert_eq!((status, back.get("state").map(String::as_str)), (302, Some("mc")));
        back["code"].clone()
    }

    fn exchange<'a>(code: &'a str, secret: &'a str) -> [(&'static str, &'a str); 5] {
        [
            ("grant_type", "authorization_code"),
            ("client_id", "mailchimp-client"),
            ("client_secret", secret),
            ("redirect_uri", REDIRECT),
            ("code", code),
        ]
    }

    #[tokio::test]
    async fn a_code_becomes_a_never_expiring_token_whose_metadata_names_the_data_centre() {
        let fake = start().await;
        let base = fake.base("mailchimp");
        let code = code(&base).await;
        let (status, body) =
            post_form(&format!("{base}/oauth2/token"), &exchange(&code, "mailchimp-secret")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["expires_in"], 0);
        assert!(body["scope"].is_null() && body.get("refresh_token").is_none());
        let token = body["access_token"].as_str().expect("token");

        let metadata = format!("{base}/oauth2/metadata");
        let response = browser()
            .get(&metadata)
            .header("authorization", format!("OAuth {token}"))
            .send()
            .await
            .expect("metadata");
        let (status, meta) = read(response).await;
        assert_eq!(status, 200);
        assert_eq!((meta["dc"].as_str(), meta["role"].as_str()), (Some("us19"), Some("owner")));
        assert_eq!(meta["api_endpoint"], "https://us19.api.mailchimp.com");
        assert_eq!(meta["login_url"], "https://login.mailchimp.com");
        assert!(fake.live_refresh_tokens("mailchimp").is_empty());
    }

    #[tokio::test]
    async fn metadata_needs_the_token_in_mailchimp_s_header() {
        let fake = start().await;
        let metadata = format!("{}/oauth2/metadata", fake.base("mailchimp"));
        let (status, _) = read(browser().get(&metadata).send().await.expect("metadata")).await;
        assert_eq!(status, 401);
        let wrong = browser()
            .get(&metadata)
            .header("authorization", "OAuth not-a-token")
            .send()
            .await
            .expect("metadata");
        let (status, body) = read(wrong).await;
        assert_eq!((status, body["error"].as_str()), (401, Some("invalid_token")));
    }

    #[tokio::test]
    async fn a_reused_code_a_wrong_secret_and_a_denial_are_refused() {
        let fake = start().await;
        let base = fake.base("mailchimp");
        let token_url = format!("{base}/oauth2/token");
        let code = code(&base).await;
        let (status, body) = post_form(&token_url, &exchange(&code, "wrong")).await;
        assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
        assert_eq!(post_form(&token_url, &exchange(&code, "mailchimp-secret")).await.0, 200);
        let (status, body) = post_form(&token_url, &exchange(&code, "mailchimp-secret")).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));

        let denying = start_with(ProvidersConfig { deny: true, ..ProvidersConfig::default() }).await;
        let url = format!("{}/oauth2/authorize", denying.base("mailchimp"));
        let (status, back) =
            authorize(&url, &[("client_id", "mailchimp-client"), ("redirect_uri", REDIRECT), ("state", "s")])
                .await;
        assert_eq!(status, 302);
        assert_eq!(
            (back.get("error").map(String::as_str), back.get("state").map(String::as_str)),
            (Some("access_denied"), Some("s"))
        );
        assert!(!back.contains_key("code"));
    }
}
