//! Zendesk: consent at `{sub}.zendesk.com/oauth/authorizations/new`, tokens at
//! `/oauth/tokens` (oauth-sources.md §2.2, [O24][O25]). Redirects are https except `localhost`
//! and `127.0.0.1`, and public clients must use PKCE [O25]; the core's client is public, so a
//! consent without an S256 challenge is refused, and a client secret, when sent, must match.
//! The token endpoint ("Create Token for Grant Type") takes a form or JSON body and accepts
//! `expires_in` (over 300 s, under 172,800 s and under the refresh token's) and
//! `refresh_token_expires_in` (604,800 s to 7,776,000 s). A refresh returns a new refresh token
//! and deletes the previous pair [O24]. Errors are RFC 6749's `{error, error_description}`.

use std::collections::HashMap;

use serde_json::json;

use super::ledger::{form, is_json, json_fields, pkce_matches, plain_http_outside, redirect, Grant, Issued};
use super::Ctx;
use crate::http::{Request, Response};

/// Zendesk's defaults when a request names no lifetime: 30 minutes and 30 days, the ones its
/// 2026 global clients get.
const DEFAULT_ACCESS_SECONDS: u64 = 30 * 60;
const DEFAULT_REFRESH_SECONDS: u64 = 30 * 86_400;

pub(super) fn handle(ctx: Ctx<'_>, method: &str, path: &str, request: &Request) -> Response {
    match (method, path) {
        ("GET", "/oauth/authorizations/new") => authorize(ctx, request),
        ("POST", "/oauth/tokens") => token(ctx, request),
        _ => Response::html(404, "Not found"),
    }
}

fn error(status: u16, error: &str, description: &str) -> Response {
    Response::json(status, &json!({ "error": error, "error_description": description }))
}

fn authorize(ctx: Ctx<'_>, request: &Request) -> Response {
    let q = |name: &str| request.query(name).unwrap_or_default().to_owned();
    if q("client_id") != ctx.client.client_id {
        return Response::html(400, "Invalid authorization request: unknown client_id.");
    }
    let redirect_uri = q("redirect_uri");
    if plain_http_outside(&redirect_uri, &["localhost", "127.0.0.1"])
        || redirect_uri != ctx.client.redirect_uri
    {
        return Response::html(400, "Invalid authorization request: redirect_uri is not registered.");
    }
    let state = q("state");
    if q("response_type") != "code" {
        return redirect(&redirect_uri, &[("error", "unsupported_response_type"), ("state", &state)]);
    }
    // RFC 7636 §4.4.1: a server that requires PKCE answers a consent without it (or with
    // another method) by redirecting with `invalid_request`.
    let challenge = q("code_challenge");
    if challenge.is_empty() || q("code_challenge_method") != "S256" {
        let description = "Public clients must use PKCE with code_challenge_method=S256";
        return redirect(
            &redirect_uri,
            &[("error", "invalid_request"), ("error_description", description), ("state", &state)],
        );
    }
    if ctx.deny {
        return redirect(&redirect_uri, &[("error", "access_denied"), ("state", &state)]);
    }
    let grant = Grant {
        client_id: q("client_id"),
        redirect_uri: redirect_uri.clone(),
        challenge: Some(challenge),
        scope: q("scope"),
    };
    let code = ctx.ledger.issue_code("zendesk-code", grant);
    redirect(&redirect_uri, &[("code", &code), ("state", &state)])
}

/// The requested lifetimes, or Zendesk's complaint about them.
fn lifetimes(fields: &HashMap<String, String>) -> Result<(u64, u64), Response> {
    let read = |name: &str, default: u64| match fields.get(name) {
        None => Ok(default),
        Some(text) => text
            .parse::<u64>()
            .map_err(|_| error(400, "invalid_request", &format!("{name} must be a number"))),
    };
    let access = read("expires_in", DEFAULT_ACCESS_SECONDS)?;
    let refresh = read("refresh_token_expires_in", DEFAULT_REFRESH_SECONDS)?;
    if !(604_800..=7_776_000).contains(&refresh) {
        return Err(error(
            400,
            "invalid_request",
            "refresh_token_expires_in must be between 604800 and 7776000",
        ));
    }
    if access <= 300 || access >= 172_800 || access >= refresh {
        return Err(error(
            400,
            "invalid_request",
            "expires_in must be over 300, under 172800 and under refresh_token_expires_in",
        ));
    }
    Ok((access, refresh))
}

fn token(ctx: Ctx<'_>, request: &Request) -> Response {
    let fields = if is_json(request) {
        let Some(fields) = json_fields(request) else {
            return error(400, "invalid_request", "The body is not a JSON object");
        };
        fields
    } else {
        form(request)
    };
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    let secret_wrong = fields.get("client_secret").is_some_and(|s| *s != ctx.client.client_secret);
    if field("client_id") != ctx.client.client_id || secret_wrong {
        return error(401, "invalid_client", "Client authentication failed");
    }
    let (access_seconds, refresh_seconds) = match lifetimes(&fields) {
        Ok(lifetimes) => lifetimes,
        Err(refusal) => return refusal,
    };
    let (client_id, scope) = match field("grant_type") {
        "authorization_code" => {
            let Some(grant) = ctx.ledger.take_code(field("code")) else {
                return error(
                    400,
                    "invalid_grant",
                    "The authorization code is invalid, expired or already used",
                );
            };
            if grant.client_id != field("client_id") || grant.redirect_uri != field("redirect_uri") {
                return error(
                    400,
                    "invalid_grant",
                    "The redirect_uri or client does not match the authorization",
                );
            }
            let challenge = grant.challenge.as_deref().unwrap_or_default();
            if !pkce_matches(challenge, field("code_verifier")) {
                return error(400, "invalid_grant", "The code_verifier does not match the code_challenge");
            }
            (grant.client_id, grant.scope)
        }
        "refresh_token" => {
            // Rotation: the old refresh token and its access token are deleted, so a second
            // use of the old refresh token is refused.
            let Some(old) = ctx.ledger.refresh_tokens.remove(field("refresh_token")) else {
                return error(400, "invalid_grant", "The refresh token is invalid, expired or revoked");
            };
            ctx.ledger.access_tokens.remove(&old.access_token);
            (old.client_id, old.scope)
        }
        _ => {
            return error(
                400,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            )
        }
    };
    let access = ctx.ledger.issue_access("zendesk-access", &client_id);
    let refresh = ctx.ledger.mint("zendesk-refresh");
    let issued = Issued { client_id, scope: scope.clone(), access_token: access.clone() };
    ctx.ledger.refresh_tokens.insert(refresh.clone(), issued);
    let body = json!({
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "scope": scope,
        "expires_in": access_seconds,
        "refresh_token_expires_in": refresh_seconds,
    });
    Response::json(200, &body)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_support::{authorize, pkce, post_form, post_json, start};

    const REDIRECT: &str = "http://127.0.0.1:47615/callback";

    async fn consent(
        base: &str,
        challenge: Option<&str>,
    ) -> (u16, std::collections::HashMap<String, String>) {
        let mut query = vec![
            ("response_type", "code"),
            ("client_id", "zendesk-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "read"),
            ("state", "zd-state"),
        ];
        if let Some(challenge) = challenge {
            query.extend([("code_challenge", challenge), ("code_challenge_method", "S256")]);
        }
        authorize(&format!("{base}/oauth/authorizations/new"), &query).await
    }

    #[tokio::test]
    async fn a_form_exchange_then_a_refresh_rotates_and_voids_the_old_refresh_token() {
        let fake = start().await;
        let base = fake.base("zendesk");
        let (verifier, challenge) = pkce("zendesk-verifier-0123456789-0123456789-0123");
        let (status, back) = consent(&base, Some(&challenge)).await;
        assert_eq!(status, 302);
        assert_eq!(back["state"], "zd-state");
        let token_url = format!("{base}/oauth/tokens");
        let form = [
            ("grant_type", "authorization_code"),
            ("code", back["code"].as_str()),
            ("client_id", "zendesk-client"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("expires_in", "172000"),
            ("refresh_token_expires_in", "7776000"),
        ];
        let (status, body) = post_form(&token_url, &form).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            (body["expires_in"].as_u64(), body["refresh_token_expires_in"].as_u64()),
            (Some(172_000), Some(7_776_000))
        );
        assert_eq!((body["token_type"].as_str(), body["scope"].as_str()), (Some("bearer"), Some("read")));
        let first = body["refresh_token"].as_str().expect("refresh token").to_owned();

        let refresh = json!({ "grant_type": "refresh_token", "refresh_token": first, "client_id": "zendesk-client", "client_secret": "zendesk-secret" });
        let (status, rotated) = post_json(&token_url, &refresh).await;
        assert_eq!(status, 200, "{rotated}");
        let second = rotated["refresh_token"].as_str().expect("a new refresh token").to_owned();
        assert_ne!(second, first);
        assert_eq!(fake.live_refresh_tokens("zendesk"), vec![second]);
        assert_eq!(
            fake.live_access_tokens("zendesk"),
            vec![rotated["access_token"].as_str().unwrap().to_owned()]
        );

        let (status, again) = post_json(&token_url, &refresh).await;
        assert_eq!((status, again["error"].as_str()), (400, Some("invalid_grant")));
    }

    #[tokio::test]
    async fn a_consent_without_pkce_is_refused() {
        let fake = start().await;
        let (status, back) = consent(&fake.base("zendesk"), None).await;
        assert_eq!(status, 302);
        assert_eq!(back.get("error").map(String::as_str), Some("invalid_request"));
        assert!(!back.contains_key("code"));
    }

    #[tokio::test]
    async fn a_reused_code_a_wrong_secret_and_a_wrong_redirect_are_refused() {
        let fake = start().await;
        let base = fake.base("zendesk");
        let token_url = format!("{base}/oauth/tokens");
        let (verifier, challenge) = pkce("zendesk-verifier-0123456789-0123456789-4567");
        let exchange = |code: String, secret: &str| {
            json!({ "grant_type": "authorization_code", "code": code, "client_id": "zendesk-client",
                    "client_secret": secret, "redirect_uri": REDIRECT, "code_verifier": verifier })
        };

        let (_, back) = consent(&base, Some(&challenge)).await;
        let (status, body) = post_json(&token_url, &exchange(back["code"].clone(), "wrong")).await;
        assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));
        assert!(body["error_description"].is_string());

        let (_, back) = consent(&base, Some(&challenge)).await;
        let (status, _) = post_json(&token_url, &exchange(back["code"].clone(), "zendesk-secret")).await;
        assert_eq!(status, 200);
        let (status, body) = post_json(&token_url, &exchange(back["code"].clone(), "zendesk-secret")).await;
        assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));

        let url = format!("{base}/oauth/authorizations/new");
        let (status, _) = authorize(
            &url,
            &[("client_id", "zendesk-client"), ("redirect_uri", "http://localhost:47615/callback")],
        )
        .await;
        assert_eq!(status, 400);
    }
}
