//! The token exchange: the code (checked against the `state` sent) and the PKCE verifier go to
//! the token endpoint resolved when the consent began, in the provider's body encoding; the
//! answer is read by the provider's rules, the step after the token is taken, and the values
//! that fill the sign-in method's params come back, each in a `Secret`.

use serde_json::{Map, Value};

use super::authorize::Pending;
use super::bases::ProviderBases;
use super::error::EngineError;
use crate::http_body::read_capped;
use crate::oauth::google::{state_matches, Callback};
use crate::oauth::providers::{AfterToken, Provider, TokenBody, TokenReading};
use crate::Secret;

/// The longest provider message kept: enough for what to fix, never a page of HTML.
const MAX_MESSAGE_CHARS: usize = 300;

/// One param of the sign-in method, filled by the consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilledParam {
    pub param: &'static str,
    pub value: Secret,
    /// Whether it goes to the keychain (a token or the client secret) or stays a form value
    /// (the client ID, an expiry date, a host).
    pub secret: bool,
}

/// A finished consent: the params to fill, and what the provider said about expiry.
#[derive(Debug)]
pub struct Consented {
    pub provider: &'static Provider,
    pub params: Vec<FilledParam>,
    pub reading: TokenReading,
}

/// Turns the provider's answer (`callback`) into the params to fill, `now` being the seconds
/// since the Unix epoch the answer's `expires_in` counts from.
pub async fn finish(
    pending: Pending,
    callback: Callback,
    client_id: &str,
    client_secret: &Secret,
    http: &reqwest::Client,
    bases: &ProviderBases,
    now: u64,
) -> Result<Consented, EngineError> {
    let provider = pending.provider;
    let code = match callback {
        Callback::Error { error, description, state } => {
            if !state_matches(&pending.state, &state) {
                return Err(EngineError::StateMismatch);
            }
            if error == "access_denied" {
                return Err(EngineError::AccessDenied { provider: provider.display_name });
            }
            let message = description.map_or(error.clone(), |d| format!("{error}: {d}"));
            return Err(EngineError::Refused {
                provider: provider.display_name,
                status: 400,
                message: cut(&message),
            });
        }
        Callback::Code { code, state } => {
            if !state_matches(&pending.state, &state) {
                return Err(EngineError::StateMismatch);
            }
            code
        }
    };
    let mut params: Vec<(&str, &str)> = vec![
        ("grant_type", "authorization_code"),
        ("code", code.expose()),
        ("redirect_uri", &pending.redirect_uri),
        ("client_id", client_id.trim()),
    ];
    if !client_secret.is_empty() {
        params.push(("client_secret", client_secret.expose()));
    }
    if let Some(verifier) = &pending.verifier {
        params.push(("code_verifier", verifier.expose()));
    }
    let request = http.post(pending.token_url.clone()).header("accept", "application/json");
    let request = match provider.token_body {
        TokenBody::Form => request.form(&params),
        TokenBody::Json => {
            let body: Map<String, Value> =
                params.iter().map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned()))).collect();
            request.json(&body)
        }
    };
    let answer = send(provider, request).await?;
    let reading = provider.response.read(&answer, now)?;
    let mut filled = Vec::new();
    let mut fill = |param: Option<&'static str>, value: Option<String>, secret: bool| {
        if let (Some(param), Some(value)) = (param, value) {
            filled.push(FilledParam { param, value: Secret::new(value), secret });
        }
    };
    let text =
        |name: &str| answer.get(name).and_then(Value::as_str).filter(|v| !v.is_empty()).map(str::to_owned);
    let access = text("access_token");
    fill(provider.fields.access_token, access.clone(), true);
    fill(provider.fields.refresh_token, text("refresh_token"), true);
    fill(provider.fields.client_id, Some(client_id.trim().to_owned()), false);
    fill(
        provider.fields.client_secret,
        Some(client_secret.expose().to_owned()).filter(|s| !s.is_empty()),
        true,
    );
    fill(provider.fields.expiry_date, reading.expiration_date(), false);
    if let AfterToken::DataCentreLookup { metadata_url, host, host_param } = provider.after_token {
        let url = bases.place(
            provider.id,
            url::Url::parse(metadata_url).map_err(|_| unreadable(provider, "metadata address"))?,
        );
        let token = access.unwrap_or_default();
        let metadata =
            send(provider, http.get(url).header("authorization", format!("OAuth {token}"))).await?;
        let dc = metadata
            .get("dc")
            .and_then(Value::as_str)
            .ok_or_else(|| unreadable(provider, "no data centre"))?;
        let host = host.resolve_value(Some(dc))?;
        fill(Some(host_param), Some(host.as_str().trim_end_matches('/').to_owned()), false);
    }
    Ok(Consented { provider, params: filled, reading })
}

/// Sends `request` and reads its JSON answer, or the provider's refusal in its own words.
async fn send(provider: &'static Provider, request: reqwest::RequestBuilder) -> Result<Value, EngineError> {
    let network = |e: reqwest::Error| EngineError::Network {
        provider: provider.display_name,
        reason: e.without_url().to_string(),
    };
    let response = request.send().await.map_err(network)?;
    let status = response.status();
    let body = read_capped(response).await.map_err(|e| unreadable(provider, &e.to_string()))?;
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    if !status.is_success() {
        let message = json
            .as_ref()
            .and_then(message_of)
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_owned());
        return Err(EngineError::Refused {
            provider: provider.display_name,
            status: status.as_u16(),
            message: cut(&message),
        });
    }
    json.filter(Value::is_object).ok_or_else(|| unreadable(provider, "not a JSON object"))
}

/// A provider's own words for a refusal, in the shapes providers use: RFC 6749's `error` and
/// `error_description`, HubSpot's `status` and `message`, Square's `errors[].detail`.
fn message_of(json: &Value) -> Option<String> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
    if let Some(error) = text(json.get("error")) {
        return Some(match text(json.get("error_description")) {
            Some(description) => format!("{error}: {description}"),
            None => error,
        });
    }
    if let Some(message) = text(json.get("message")) {
        return Some(match text(json.get("status")) {
            Some(status) => format!("{status}: {message}"),
            None => message,
        });
    }
    let first = json.get("errors").and_then(Value::as_array).and_then(|e| e.first())?;
    let code = text(first.get("code"));
    let detail = text(first.get("detail")).or_else(|| text(first.get("message")))?;
    Some(code.map_or(detail.clone(), |c| format!("{c}: {detail}")))
}

fn cut(message: &str) -> String {
    message.chars().take(MAX_MESSAGE_CHARS).collect()
}

fn unreadable(provider: &'static Provider, detail: &str) -> EngineError {
    EngineError::Unreadable { provider: provider.display_name, detail: detail.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refusals_are_read_in_each_provider_s_shape() {
        let rfc = json!({ "error": "invalid_grant", "error_description": "The code was already used." });
        assert_eq!(message_of(&rfc).as_deref(), Some("invalid_grant: The code was already used."));
        let hubspot = json!({ "status": "BAD_AUTH_CODE", "message": "missing or unknown auth code" });
        assert_eq!(message_of(&hubspot).as_deref(), Some("BAD_AUTH_CODE: missing or unknown auth code"));
        let square = json!({ "errors": [{ "category": "AUTHENTICATION_ERROR", "code": "UNAUTHORIZED", "detail": "Bad client secret." }] });
        assert_eq!(message_of(&square).as_deref(), Some("UNAUTHORIZED: Bad client secret."));
        assert_eq!(message_of(&json!({})), None);
        assert_eq!(cut(&"x".repeat(1_000)).len(), MAX_MESSAGE_CHARS);
    }
}
