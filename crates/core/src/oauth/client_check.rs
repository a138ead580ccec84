//! Checks before create: a client-credentials sign-in (Salesforce's "OAuth2 Client
//! Credential", SAP Commerce, PayPal) is tried directly at its provider, so a wrong secret, a
//! connected app whose client-credentials flow is off, or one without a run-as user fails in
//! seconds with the provider's own words, before anything is sent to Adobe. The secret goes
//! only to the token address built from a value the user typed in the form (the instance URL,
//! the token endpoint), over https (or loopback), never to a host nobody named.

use serde_json::Value;
use url::Url;

use super::providers::FormValues;
use crate::config::require_secure;
use crate::http_body::read_capped;
use crate::Secret;

/// The longest provider message kept.
const MAX_MESSAGE_CHARS: usize = 300;

/// A source whose sign-in method mints tokens with client credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientCheck {
    /// What the window calls the provider.
    pub provider: &'static str,
    pub spec_ids: &'static [&'static str],
    pub client_id: &'static str,
    pub client_secret: &'static str,
    pub token: TokenAt,
}

/// Where the token endpoint is, from the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAt {
    /// `path` on the origin of the URL in `param` (Salesforce's instance URL).
    PathOn { param: &'static str, path: &'static str },
    /// The whole URL in `param` (SAP Commerce's `tokenEndpoint`).
    Param(&'static str),
}

/// Salesforce and Service Cloud: `POST {instance}/services/oauth2/token` with
/// `grant_type=client_credentials` (oauth-sources.md §2.3 [O1][O29]).
static SALESFORCE: ClientCheck = ClientCheck {
    provider: "Salesforce",
    spec_ids: &["cfc0fee1-7dc0-40ef-b73e-d8b134c436f5", "cb66ab34-8619-49cb-96d1-39b37ede86ea"],
    client_id: "clientId",
    client_secret: "clientSecret",
    token: TokenAt::PathOn { param: "environmentUrl", path: "/services/oauth2/token" },
};

/// SAP Commerce: the token endpoint is a param of its own [O16].
static SAP_COMMERCE: ClientCheck = ClientCheck {
    provider: "SAP Commerce",
    spec_ids: &["d8ee38de-7ae9-4058-9610-c79ce75f8e92"],
    client_id: "clientId",
    client_secret: "clientSecret",
    token: TokenAt::Param("tokenEndpoint"),
};

/// PayPal: `POST {host}/v1/oauth2/token` [O16].
static PAYPAL: ClientCheck = ClientCheck {
    provider: "PayPal",
    spec_ids: &["221c7626-58f6-4eec-8ee2-042b0226f03b"],
    client_id: "clientId",
    client_secret: "clientSecret",
    token: TokenAt::PathOn { param: "host", path: "/v1/oauth2/token" },
};

pub static CHECKS: [&ClientCheck; 3] = [&SALESFORCE, &SAP_COMMERCE, &PAYPAL];

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckError {
    #[error("Fill in {field} first: the check signs in with it.")]
    Missing { field: &'static str },
    #[error("{field} must be an https:// address (http:// only on this computer): the client secret is sent there.")]
    NotHttps { field: &'static str },
    #[error("{provider} refused the client credentials ({status}): {message}")]
    Refused { provider: &'static str, status: u16, message: String },
    #[error("{provider} answered something other than a token ({detail}). Check the address in {field}.")]
    Unreadable { provider: &'static str, field: &'static str, detail: String },
    #[error("Could not reach {provider} ({reason}). Check the address and your network connection.")]
    Network { provider: &'static str, reason: String },
}

impl CheckError {
    /// The form field to mark next to the message, when the error is about one.
    pub fn form_field(&self) -> Option<&'static str> {
        match self {
            Self::Missing { field } | Self::NotHttps { field } | Self::Unreadable { field, .. } => {
                Some(field)
            }
            Self::Refused { .. } | Self::Network { .. } => None,
        }
    }
}

/// The check for a sign-in method of `spec_id` holding params `names`: by the source and the
/// params the check needs, never by the method's name.
pub fn check_for<'a>(
    spec_id: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> Option<&'static ClientCheck> {
    let names: Vec<&str> = names.into_iter().collect();
    CHECKS.iter().copied().find(|check| {
        let token_param = match check.token {
            TokenAt::PathOn { param, .. } | TokenAt::Param(param) => param,
        };
        check.spec_ids.iter().any(|id| id.eq_ignore_ascii_case(spec_id.trim()))
            && [check.client_id, check.client_secret, token_param].iter().all(|p| names.contains(p))
    })
}

impl ClientCheck {
    /// The token endpoint the form names.
    pub fn token_url(&self, values: &FormValues) -> Result<Url, CheckError> {
        let (param, path) = match self.token {
            TokenAt::PathOn { param, path } => (param, Some(path)),
            TokenAt::Param(param) => (param, None),
        };
        let typed = values.get(param).map(Secret::expose).map(str::trim).filter(|v| !v.is_empty());
        let url = Url::parse(typed.ok_or(CheckError::Missing { field: param })?)
            .ok()
            .filter(|u| require_secure(u).is_ok() && u.host_str().is_some())
            .ok_or(CheckError::NotHttps { field: param })?;
        Ok(match path {
            // Only the origin the user typed: a path or query of theirs is not the token's.
            Some(path) => {
                let mut token = url.clone();
                token.set_path(path);
                token.set_query(None);
                token.set_fragment(None);
                token
            }
            None => url,
        })
    }

    /// Mints a token with the form's client credentials; `Ok` when the provider issues one.
    /// The token itself is dropped unread.
    pub async fn run(&self, values: &FormValues, http: &reqwest::Client) -> Result<(), CheckError> {
        let url = self.token_url(values)?;
        let value = |field: &'static str| {
            values
                .get(field)
                .map(Secret::expose)
                .filter(|v| !v.is_empty())
                .ok_or(CheckError::Missing { field })
        };
        let (id, secret) = (value(self.client_id)?, value(self.client_secret)?);
        let form = [("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)];
        let network = |e: reqwest::Error| CheckError::Network {
            provider: self.provider,
            reason: e.without_url().to_string(),
        };
        let response =
            http.post(url).header("accept", "application/json").form(&form).send().await.map_err(network)?;
        let status = response.status();
        let field = match self.token {
            TokenAt::PathOn { param, .. } | TokenAt::Param(param) => param,
        };
        let unreadable = |detail: String| CheckError::Unreadable { provider: self.provider, field, detail };
        let body = read_capped(response).await.map_err(|e| unreadable(e.to_string()))?;
        let json: Option<Value> = serde_json::from_slice(&body).ok();
        if !status.is_success() {
            let message = json
                .as_ref()
                .and_then(message_of)
                .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_owned());
            return Err(CheckError::Refused { provider: self.provider, status: status.as_u16(), message });
        }
        match json.as_ref().and_then(|j| j.get("access_token")).and_then(Value::as_str) {
            Some(token) if !token.is_empty() => Ok(()),
            _ => Err(unreadable("no access_token".into())),
        }
    }
}

/// RFC 6749's `error` and `error_description`, cut short.
fn message_of(json: &Value) -> Option<String> {
    let text = |name: &str| json.get(name).and_then(Value::as_str).filter(|s| !s.is_empty());
    let message = match (text("error"), text("error_description")) {
        (Some(error), Some(description)) => format!("{error}: {description}"),
        (Some(error), None) => error.to_owned(),
        (None, Some(description)) => description.to_owned(),
        (None, None) => return None,
    };
    Some(message.chars().take(MAX_MESSAGE_CHARS).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> FormValues {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), Secret::new(*v))).collect()
    }

    #[test]
    fn a_check_is_found_by_source_and_params_never_by_name() {
        let salesforce = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5";
        let oauth = ["environmentUrl", "clientId", "clientSecret", "apiVersion"];
        assert_eq!(check_for(salesforce, oauth).map(|c| c.provider), Some("Salesforce"));
        let basic = ["environmentUrl", "username", "password", "securityToken"];
        assert_eq!(check_for(salesforce, basic), None, "a password sign-in mints nothing");
        assert_eq!(check_for("00000000-0000-0000-0000-000000000000", oauth), None);
    }

    #[test]
    fn the_secret_goes_only_to_the_origin_the_user_typed_over_https() {
        let url = SALESFORCE
            .token_url(&form(&[("environmentUrl", "https://acme.my.salesforce.com/lightning/page?x=1")]))
            .unwrap();
        assert_eq!(url.as_str(), "https://acme.my.salesforce.com/services/oauth2/token");
        for bad in ["http://acme.my.salesforce.com", "acme.my.salesforce.com", "ftp://x"] {
            assert_eq!(
                SALESFORCE.token_url(&form(&[("environmentUrl", bad)])),
                Err(CheckError::NotHttps { field: "environmentUrl" }),
                "{bad}"
            );
        }
        assert_eq!(SALESFORCE.token_url(&form(&[])), Err(CheckError::Missing { field: "environmentUrl" }));
        let sap =
            SAP_COMMERCE.token_url(&form(&[("tokenEndpoint", "https://auth.example/oauth/token")])).unwrap();
        assert_eq!(sap.as_str(), "https://auth.example/oauth/token");
    }

    #[test]
    fn the_provider_s_words_are_kept() {
        let refused = serde_json::json!({ "error": "invalid_grant", "error_description": "no client credentials user enabled" });
        assert_eq!(
            message_of(&refused).as_deref(),
            Some("invalid_grant: no client credentials user enabled")
        );
        assert_eq!(message_of(&serde_json::json!({})), None);
    }
}
