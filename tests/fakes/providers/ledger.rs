//! What the provider fakes share: one ledger per provider of the codes and tokens it has
//! issued, the PKCE check, reading form (url-encoded or multipart) or JSON bodies and a
//! client's credentials, and the redirect back to the client.

use std::collections::HashMap;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::http::{Request, Response};

/// The client a fake provider knows: its credentials and the redirect URI registered with it.
#[derive(Debug, Clone)]
pub struct ProviderClient {
    pub client_id: String,
    pub client_secret: String,
    /// The one redirect URI registered on the provider's app (Square: the fallback when the
    /// request names none, as Square uses the dashboard's).
    pub redirect_uri: String,
}

impl ProviderClient {
    pub fn new(id: &str, redirect_uri: &str) -> Self {
        Self {
            client_id: format!("{id}-client"),
            client_secret: format!("{id}-secret"),
            redirect_uri: redirect_uri.to_owned(),
        }
    }
}

/// What an authorization code was issued for; the exchange must match all of it.
#[derive(Debug, Clone)]
pub(super) struct Grant {
    pub client_id: String,
    pub redirect_uri: String,
    /// The S256 challenge sent with the consent, if any.
    pub challenge: Option<String>,
    pub scope: String,
}

/// A live refresh token and the access token issued with it, so that a rotation can void the
/// pair together (Zendesk deletes both).
#[derive(Debug, Clone)]
pub(super) struct Issued {
    pub client_id: String,
    pub scope: String,
    pub access_token: String,
}

/// One provider's codes and tokens.
#[derive(Debug, Default)]
pub(super) struct Ledger {
    counter: u64,
    codes: HashMap<String, Grant>,
    pub refresh_tokens: HashMap<String, Issued>,
    pub access_tokens: HashMap<String, String>,
}

impl Ledger {
    /// A value no earlier call returned, for codes and tokens.
    pub fn mint(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}-{}", self.counter)
    }

    pub fn issue_code(&mut self, prefix: &str, grant: Grant) -> String {
        let code = self.mint(prefix);
        self.codes.insert(code.clone(), grant);
        code
    }

    /// The grant behind `code`, which is spent whether or not the exchange then succeeds:
    /// RFC 6749 §4.1.2 makes codes single-use.
    pub fn take_code(&mut self, code: &str) -> Option<Grant> {
        self.codes.remove(code)
    }

    /// Records an access token (for the client `client_id`) as live.
    pub fn issue_access(&mut self, prefix: &str, client_id: &str) -> String {
        let token = self.mint(prefix);
        self.access_tokens.insert(token.clone(), client_id.to_owned());
        token
    }

    pub fn sorted_refresh_tokens(&self) -> Vec<String> {
        let mut tokens: Vec<String> = self.refresh_tokens.keys().cloned().collect();
        tokens.sort();
        tokens
    }

    pub fn sorted_access_tokens(&self) -> Vec<String> {
        let mut tokens: Vec<String> = self.access_tokens.keys().cloned().collect();
        tokens.sort();
        tokens
    }
}

/// Whether `verifier` hashes to `challenge` by RFC 7636's S256 method.
pub(super) fn pkce_matches(challenge: &str, verifier: &str) -> bool {
    let hashed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    !verifier.is_empty() && hashed == challenge
}

pub(super) fn is_json(request: &Request) -> bool {
    request.header("content-type").is_some_and(|t| t.trim().starts_with("application/json"))
}

/// A form body's fields: `application/x-www-form-urlencoded`, or `multipart/form-data`, which
/// OneTrust's own examples send (`curl --form`).
pub(super) fn form(request: &Request) -> HashMap<String, String> {
    match multipart_fields(request) {
        Some(fields) => fields.into_iter().collect(),
        None => url::form_urlencoded::parse(&request.body).into_owned().collect(),
    }
}

/// The fields of a `multipart/form-data` body (RFC 7578) in the order sent, or `None` when the
/// body is not one. A part without a name is skipped.
fn multipart_fields(request: &Request) -> Option<Vec<(String, String)>> {
    let (kind, parameters) = request.header("content-type")?.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let boundary = parameters.split(';').find_map(|p| p.trim().strip_prefix("boundary="))?.trim_matches('"');
    let body = String::from_utf8_lossy(&request.body);
    let mut fields = Vec::new();
    for part in body.split(&format!("--{boundary}")).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let Some((head, value)) = part.split_once("\r\n\r\n") else { continue };
        let disposition =
            head.lines().find(|line| line.to_ascii_lowercase().starts_with("content-disposition:"));
        let name = disposition.and_then(|line| {
            line.split(';').find_map(|p| p.trim().strip_prefix("name=")).map(|n| n.trim_matches('"'))
        });
        if let Some(name) = name {
            fields.push((name.to_owned(), value.strip_suffix("\r\n").unwrap_or(value).to_owned()));
        }
    }
    Some(fields)
}

/// The client id and secret: from `Authorization: Basic` when sent (each part form-decoded,
/// as RFC 6749 §2.3.1 encodes them), else from the body.
pub(super) fn client_credentials(request: &Request, form: &HashMap<String, String>) -> (String, String) {
    let basic = request
        .header("authorization")
        .and_then(|h| h.trim().strip_prefix("Basic "))
        .and_then(|encoded| base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    if let Some((id, secret)) = basic.as_deref().and_then(|pair| pair.split_once(':')) {
        let decode = |part: &str| {
            url::form_urlencoded::parse(format!("x={part}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        return (decode(id), decode(secret));
    }
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    (field("client_id"), field("client_secret"))
}

/// A JSON object's members as text (numbers as their digits), or `None` when the body is not
/// a JSON object; a `null` member counts as absent.
pub(super) fn json_fields(request: &Request) -> Option<HashMap<String, String>> {
    let serde_json::Value::Object(map) = serde_json::from_slice(&request.body).ok()? else { return None };
    Some(
        map.into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                (k, text)
            })
            .collect(),
    )
}

/// The names of the body's fields, JSON or form, for the request log; never their values.
pub(super) fn body_keys(request: &Request) -> Vec<String> {
    if request.body.is_empty() {
        return Vec::new();
    }
    if is_json(request) {
        return json_fields(request).map(|fields| fields.into_keys().collect()).unwrap_or_default();
    }
    if let Some(fields) = multipart_fields(request) {
        return fields.into_iter().map(|(name, _)| name).collect();
    }
    url::form_urlencoded::parse(&request.body).map(|(k, _)| k.into_owned()).collect()
}

/// A 302 back to `redirect_uri` with `pairs` added to its query; `state` only when the
/// request carried one, as RFC 6749 §4.1.2 asks.
pub(super) fn redirect(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut location) = url::Url::parse(redirect_uri) else {
        return Response::html(400, "Invalid redirect_uri");
    };
    {
        let mut query = location.query_pairs_mut();
        for (name, value) in pairs.iter().filter(|(name, value)| *name != "state" || !value.is_empty()) {
            query.append_pair(name, value);
        }
    }
    Response::html(302, "Redirecting").with_header("location", location.as_str())
}

/// Whether `uri` is `http` on a host other than the loopback names a provider lets through
/// without TLS (`hosts`).
pub(super) fn plain_http_outside(uri: &str, hosts: &[&str]) -> bool {
    match url::Url::parse(uri) {
        Ok(url) => {
            url.scheme() != "https"
                && !(url.scheme() == "http" && hosts.contains(&url.host_str().unwrap_or("")))
        }
        Err(_) => true,
    }
}
