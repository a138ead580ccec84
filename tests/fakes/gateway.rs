//! The fake's Adobe IMS token endpoint, the API gateway's checks in front of every Platform
//! API (token, API key, org, content type), the sandbox header, and sandbox management.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};

use crate::http::{Request, Response};
use crate::platform::{flow_error, nonce, State};

pub(crate) fn ims_token(state: &mut State, request: &Request) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&request.body).into_owned().collect();
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let ims_error = |status, error: &str, description: &str| {
        Response::json(status, &json!({ "error": error, "error_description": description }))
    };
    if !request.header("content-type").is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")) {
        return ims_error(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
    }
    if field("grant_type") != "client_credentials" {
        return ims_error(400, "unsupported_grant_type", "grant_type must be client_credentials");
    }
    if field("client_id") != state.config.client_id || field("client_secret") != state.config.client_secret {
        return ims_error(401, "invalid_client", "invalid client_id or client_secret parameter");
    }
    let scopes: Vec<&str> = field("scope").split(',').map(str::trim).collect();
    for required in ["openid", "AdobeID"] {
        if !scopes.contains(&required) {
            return ims_error(400, "invalid_scope", &format!("scope must include {required}"));
        }
    }
    state.counter += 1;
    let token = format!("fake-access-token-{}-{}", state.counter, nonce());
    let lifetime = Duration::from_secs(state.config.token_lifetime_secs);
    state.tokens.insert(token.clone(), std::time::Instant::now() + lifetime);
    Response::json(
        200,
        &json!({ "access_token": token, "token_type": "bearer", "expires_in": state.config.token_lifetime_secs }),
    )
}

/// The API gateway's checks, in front of every Platform API.
pub(crate) fn gateway(state: &State, request: &Request) -> Result<(), Response> {
    let gateway_error = |status, code: &str, message: &str| {
        Err(Response::json(status, &json!({ "error_code": code, "message": message })))
    };
    let Some(authorization) = request.header("authorization") else {
        return gateway_error(403, "403010", "Oauth token is missing.");
    };
    let token = authorization.strip_prefix("Bearer ").unwrap_or_default();
    if state.tokens.get(token).is_none_or(|expiry| std::time::Instant::now() >= *expiry) {
        return gateway_error(401, "401013", "Oauth token is not valid");
    }
    match request.header("x-api-key") {
        None => return gateway_error(403, "403000", "Api Key is required"),
        Some(key) if key != state.config.client_id => {
            return gateway_error(403, "403003", "Api Key is invalid")
        }
        _ => {}
    }
    match request.header("x-gw-ims-org-id") {
        None => return gateway_error(400, "400003", "Missing header: x-gw-ims-org-id"),
        Some(org) if org != state.config.org_id => {
            return gateway_error(403, "403027", "User region is missing")
        }
        _ => {}
    }
    if matches!(request.method.as_str(), "POST" | "PATCH" | "PUT")
        && !request.header("content-type").is_some_and(|c| c.starts_with("application/json"))
    {
        return Err(Response::json(
            400,
            &json!({
                "type": "/placeholder/type/uri", "status": 400, "title": "BadRequestError",
                "detail": "A valid content-type must be specified",
            }),
        ));
    }
    Ok(())
}

pub(crate) fn sandbox_header(state: &State, request: &Request) -> Result<(), Response> {
    let Some(name) = request.header("x-sandbox-name") else {
        return Err(flow_error(400, 2105, "Bad Request", "header x-sandbox-name is missing"));
    };
    let active = state.config.sandboxes.iter().any(|(n, _, s, _, _)| n == name && s == "active");
    if !active {
        return Err(flow_error(404, 2100, "Not Found", &format!("Sandbox {name} not found")));
    }
    Ok(())
}

pub(crate) fn sandboxes(state: &State, request: &Request) -> Response {
    if !request.header("accept").is_some_and(|a| a.contains("application/json") || a.contains("*/*")) {
        return Response::json(
            406,
            &json!({ "error_code": "406000", "message": "Accept: application/json is required" }),
        );
    }
    let items: Vec<Value> = state
        .config
        .sandboxes
        .iter()
        .map(|(name, title, sandbox_state, kind, default)| json!({
            "name": name, "title": title, "state": sandbox_state, "type": kind, "isDefault": default,
            "region": "VA7", "etag": 1, "createdDate": "2024-01-01 00:00:00", "lastModifiedDate": "2024-01-01 00:00:00",
            "createdBy": "fake", "modifiedBy": "fake",
        }))
        .collect();
    let count = items.len();
    Response::json(
        200,
        &json!({ "sandboxes": items, "_page": { "limit": 200, "count": count }, "_links": {} }),
    )
}
