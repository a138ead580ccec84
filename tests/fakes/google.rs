//! A fake of Google's OAuth endpoints, after the reference: the authorization endpoint
//! redirects back with a code (or `error=access_denied`), the token endpoint checks the
//! client, the code, the redirect URI and the PKCE verifier, and refresh and revoke work.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::task::JoinHandle;

use crate::http::{self, Outcome, Request, Response};

#[derive(Debug, Clone)]
pub struct GoogleConfig {
    pub client_id: String,
    pub client_secret: String,
    /// The user declines consent.
    pub deny: bool,
    /// Answer the exchange without a refresh token (as Google does without prompt=consent).
    pub omit_refresh_token: bool,
    /// The scope the user grants; `None` grants what was asked.
    pub granted_scope: Option<String>,
}

impl Default for GoogleConfig {
    fn default() -> Self {
        Self {
            client_id: "fake-google-client.apps.googleusercontent.com".into(),
            client_secret: "GOCSPX-fake-google-secret".into(),
            deny: false,
            omit_refresh_token: false,
            granted_scope: None,
        }
    }
}

#[derive(Debug)]
struct Grant {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    scope: String,
}

#[derive(Debug, Default)]
struct State {
    codes: HashMap<String, Grant>,
    refresh_tokens: HashMap<String, String>,
    revoked: Vec<String>,
    authorize_queries: Vec<Vec<(String, String)>>,
    counter: u64,
}

#[derive(Debug)]
pub struct FakeGoogle {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl Drop for FakeGoogle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeGoogle {
    pub async fn start(config: GoogleConfig) -> std::io::Result<Self> {
        // Google's tokens are unique; so are these, across the fakes of one process and of
        // the processes of one run (an end-to-end run keeps one keychain for every suite).
        static STARTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let instance = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let counter = u64::from(std::process::id()) * 1_000_000 + instance * 10_000;
        let state = Arc::new(Mutex::new(State { counter, ..State::default() }));
        let shared = Arc::clone(&state);
        let (addr, task) = http::serve(SocketAddr::from(([127, 0, 0, 1], 0)), move |request| {
            let outcome = Outcome::Respond(handle(&shared, &config, &request));
            async move { outcome }
        })
        .await?;
        Ok(Self { addr, state, task })
    }

    pub fn auth_url(&self) -> String {
        format!("http://{}/o/oauth2/v2/auth", self.addr)
    }

    pub fn token_url(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    pub fn revoke_url(&self) -> String {
        format!("http://{}/revoke", self.addr)
    }

    /// The query of every authorization request, for assertions.
    pub fn authorize_queries(&self) -> Vec<Vec<(String, String)>> {
        lock(&self.state).authorize_queries.clone()
    }

    pub fn revoked(&self) -> Vec<String> {
        lock(&self.state).revoked.clone()
    }

    /// The refresh tokens issued and not revoked.
    pub fn refresh_tokens(&self) -> Vec<String> {
        lock(&self.state).refresh_tokens.keys().cloned().collect()
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

fn handle(shared: &Mutex<State>, config: &GoogleConfig, request: &Request) -> Response {
    let mut state = lock(shared);
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/o/oauth2/v2/auth") => authorize(&mut state, config, request),
        ("POST", "/token") => token(&mut state, config, request),
        // The user revoked the app's access (or a Testing app's 7 days ran out): every refresh
        // token issued so far stops working.
        ("POST", "/__fake/revoke-all") => {
            let tokens: Vec<String> = state.refresh_tokens.drain().map(|(token, _)| token).collect();
            state.revoked.extend(tokens);
            Response::json(200, &json!({}))
        }
        ("POST", "/revoke") => {
            let form = form(request);
            let token = request.query("token").map(str::to_owned).or_else(|| form.get("token").cloned());
            match token {
                Some(token) if state.refresh_tokens.remove(&token).is_some() => {
                    state.revoked.push(token);
                    Response::json(200, &json!({}))
                }
                _ => oauth_error(400, "invalid_token", "Token expired or revoked"),
            }
        }
        _ => Response::html(404, "Not found"),
    }
}

fn authorize(state: &mut State, config: &GoogleConfig, request: &Request) -> Response {
    state.authorize_queries.push(request.query.clone());
    let q = |name: &str| request.query(name).unwrap_or_default().to_owned();
    if q("client_id") != config.client_id {
        return Response::html(401, "Error 401: invalid_client. The OAuth client was not found.");
    }
    if q("response_type") != "code" || q("code_challenge_method") != "S256" || q("code_challenge").is_empty()
    {
        return Response::html(400, "Error 400: invalid_request");
    }
    let redirect_uri = q("redirect_uri");
    let mut location = url::Url::parse(&redirect_uri).expect("a redirect URI the client built");
    if config.deny {
        location.query_pairs_mut().append_pair("error", "access_denied").append_pair("state", &q("state"));
    } else {
        state.counter += 1;
        let code = format!("4/0fake-code-{}", state.counter);
        let scope = config.granted_scope.clone().unwrap_or_else(|| q("scope"));
        state.codes.insert(
            code.clone(),
            Grant {
                client_id: q("client_id"),
                redirect_uri: redirect_uri.clone(),
                challenge: q("code_challenge"),
                scope: scope.clone(),
            },
        );
        location
            .query_pairs_mut()
            .append_pair("state", &q("state"))
            .append_pair("code", &code)
            .append_pair("scope", &scope);
    }
    let mut response = Response::html(302, "Redirecting");
    response.headers.push(("location".into(), location.to_string()));
    response
}

fn form(request: &Request) -> HashMap<String, String> {
    url::form_urlencoded::parse(&request.body).into_owned().collect()
}

fn oauth_error(status: u16, error: &str, description: &str) -> Response {
    Response::json(status, &json!({ "error": error, "error_description": description }))
}

/// The client may authenticate in the body or with HTTP Basic, as RFC 6749 allows.
fn client_credentials(request: &Request, form: &HashMap<String, String>) -> (String, String) {
    if let Some(basic) = request.header("authorization").and_then(|h| h.strip_prefix("Basic ")) {
        let decoded = base64::engine::general_purpose::STANDARD.decode(basic).unwrap_or_default();
        let text = String::from_utf8_lossy(&decoded).into_owned();
        let (id, secret) = text.split_once(':').unwrap_or_default();
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        return (decode(id), decode(secret));
    }
    (
        form.get("client_id").cloned().unwrap_or_default(),
        form.get("client_secret").cloned().unwrap_or_default(),
    )
}

fn token(state: &mut State, config: &GoogleConfig, request: &Request) -> Response {
    let form = form(request);
    let (client_id, client_secret) = client_credentials(request, &form);
    if client_id != config.client_id || client_secret != config.client_secret {
        return oauth_error(401, "invalid_client", "The OAuth client was not found.");
    }
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let code = form.get("code").cloned().unwrap_or_default();
            let Some(grant) = state.codes.remove(&code) else {
                return oauth_error(400, "invalid_grant", "Malformed auth code.");
            };
            if grant.client_id != client_id {
                return oauth_error(400, "invalid_grant", "The code was issued to another client.");
            }
            if form.get("redirect_uri") != Some(&grant.redirect_uri) {
                return oauth_error(400, "redirect_uri_mismatch", "Bad Request");
            }
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            let challenge =
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if challenge != grant.challenge {
                return oauth_error(400, "invalid_grant", "Invalid code verifier.");
            }
            state.counter += 1;
            let mut body = json!({
                "access_token": format!("ya29.fake-{}", state.counter),
                "expires_in": 3599,
                "scope": grant.scope,
                "token_type": "Bearer",
            });
            if !config.omit_refresh_token {
                let refresh = format!("1//fake-refresh-{}", state.counter);
                state.refresh_tokens.insert(refresh.clone(), grant.scope);
                body["refresh_token"] = json!(refresh);
            }
            Response::json(200, &body)
        }
        Some("refresh_token") => {
            let refresh = form.get("refresh_token").cloned().unwrap_or_default();
            let Some(scope) = state.refresh_tokens.get(&refresh).cloned() else {
                return oauth_error(400, "invalid_grant", "Token has been expired or revoked.");
            };
            state.counter += 1;
            Response::json(
                200,
                &json!({
                    "access_token": format!("ya29.fake-{}", state.counter),
                    "expires_in": 3599, "scope": scope, "token_type": "Bearer",
                }),
            )
        }
        _ => oauth_error(400, "unsupported_grant_type", "Invalid grant_type."),
    }
}
