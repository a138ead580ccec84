//! Tokens minted with client credentials for a spec that holds only the access token:
//! OneTrust Integration, whose token "does not refresh automatically" and lives at most a year
//! (oauth-sources.md §2.2 [O9]). The client's ID and secret mint a token at the instance's
//! `/api/access/v1/oauth/token`; the secret is kept in the keychain so the token can be minted
//! again before it ends, without a person. The secret goes only to the host the form names.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;
use url::Url;

use super::engine::ProviderBases;
use super::providers::FormValues;
use crate::config::require_secure;
use crate::http_body::read_capped;
use crate::Secret;

/// The longest provider message kept.
const MAX_MESSAGE_CHARS: usize = 300;
/// OneTrust's longest token lifespan: an `expires_in` beyond it is read as this.
const MAX_LIFETIME_SECS: i64 = 366 * 86_400;

/// A source whose token is minted with client credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mint {
    /// The provider's id (its base in `FLOW_CONNECT_PROVIDER_BASES`) and what it is called.
    pub id: &'static str,
    pub provider: &'static str,
    pub spec_ids: &'static [&'static str],
    /// The param naming the instance's host.
    pub host: &'static str,
    pub path: &'static str,
    /// The param the token goes into.
    pub token: &'static str,
}

static ONETRUST: Mint = Mint {
    id: "onetrust",
    provider: "OneTrust",
    spec_ids: &["cf16d886-c627-4872-9936-fb08d6cba8cc"],
    host: "host",
    path: "/api/access/v1/oauth/token",
    token: "accessToken",
};

pub static MINTS: [&Mint; 1] = [&ONETRUST];

/// What the catalog says of a method whose token is minted here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MintedToken {
    pub provider: String,
    /// The field the token fills.
    pub token_field: String,
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MintError {
    #[error("Fill in {0} first: the token is minted there.")]
    Missing(&'static str),
    #[error("{0} must be the host of your instance (such as https://app.onetrust.com): the client secret is sent there.")]
    BadHost(&'static str),
    #[error("{provider} refused the client credentials ({status}): {message}")]
    Refused { provider: &'static str, status: u16, message: String },
    #[error("{provider} answered something other than a token ({detail}). Check the host.")]
    Unreadable { provider: &'static str, detail: String },
    #[error("Could not reach {provider} ({reason}). Check the host and your network connection.")]
    Network { provider: &'static str, reason: String },
}

/// A token just minted.
#[derive(Debug)]
pub struct Minted {
    pub token: Secret,
    /// Milliseconds since the epoch, when the provider said.
    pub expires_at: Option<i64>,
}

/// The mint of a method of `spec_id` holding params `names`: by the source and the params.
pub fn mint_for<'a>(spec_id: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'static Mint> {
    let names: Vec<&str> = names.into_iter().collect();
    MINTS.iter().copied().find(|m| {
        m.spec_ids.iter().any(|id| id.eq_ignore_ascii_case(spec_id.trim()))
            && names.contains(&m.host)
            && names.contains(&m.token)
    })
}

impl Mint {
    /// The token address on the host the form names (a bare host is taken as https).
    pub fn token_url(&self, values: &FormValues, bases: &ProviderBases) -> Result<Url, MintError> {
        let typed = values.get(self.host).map(Secret::expose).map(str::trim).unwrap_or_default();
        if typed.is_empty() {
            return Err(MintError::Missing(self.host));
        }
        let text = if typed.contains("://") { typed.to_owned() } else { format!("https://{typed}") };
        let url = Url::parse(&text)
            .ok()
            .filter(|u| require_secure(u).is_ok() && u.host_str().is_some())
            .ok_or(MintError::BadHost(self.host))?;
        let mut token = url;
        token.set_path(self.path);
        token.set_query(None);
        token.set_fragment(None);
        Ok(bases.place(self.id, token))
    }

    /// Mints a token with the client; `now_ms` dates its end.
    pub async fn mint(
        &self,
        values: &FormValues,
        client_id: &str,
        client_secret: &Secret,
        http: &reqwest::Client,
        bases: &ProviderBases,
        now_ms: i64,
    ) -> Result<Minted, MintError> {
        let url = self.token_url(values, bases)?;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client_id.trim()),
            ("client_secret", client_secret.expose()),
        ];
        let provider = self.provider;
        let response = http
            .post(url)
            .header("accept", "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| MintError::Network { provider, reason: e.without_url().to_string() })?;
        let status = response.status();
        let body = read_capped(response)
            .await
            .map_err(|e| MintError::Unreadable { provider, detail: e.to_string() })?;
        let json: Option<Value> = serde_json::from_slice(&body).ok();
        if !status.is_success() {
            let text = |name: &str| json.as_ref().and_then(|j| j.get(name)).and_then(Value::as_str);
            let message = match (text("error"), text("error_description")) {
                (Some(e), Some(d)) => format!("{e}: {d}"),
                (Some(m), None) | (None, Some(m)) => m.to_owned(),
                (None, None) => status.canonical_reason().unwrap_or("").to_owned(),
            };
            let message = message.chars().take(MAX_MESSAGE_CHARS).collect();
            return Err(MintError::Refused { provider, status: status.as_u16(), message });
        }
        let json = json.ok_or_else(|| MintError::Unreadable { provider, detail: "not JSON".into() })?;
        let token = json
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| MintError::Unreadable { provider, detail: "no access_token".into() })?;
        let expires_at = json
            .get("expires_in")
            .and_then(Value::as_i64)
            .filter(|s| *s > 0)
            .map(|s| now_ms.saturating_add(s.min(MAX_LIFETIME_SECS) * 1000));
        Ok(Minted { token: Secret::new(token), expires_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(host: &str) -> FormValues {
        FormValues::from([("host".to_owned(), Secret::new(host))])
    }

    #[test]
    fn the_token_is_minted_on_the_host_named_over_https() {
        let onetrust =
            mint_for("cf16d886-c627-4872-9936-fb08d6cba8cc", ["host", "accessToken"]).expect("OneTrust");
        let none = ProviderBases::default();
        for host in ["app.onetrust.com", "https://app.onetrust.com/some/page?x=1"] {
            assert_eq!(
                onetrust.token_url(&form(host), &none).unwrap().as_str(),
                "https://app.onetrust.com/api/access/v1/oauth/token"
            );
        }
        assert_eq!(
            onetrust.token_url(&form("http://app.onetrust.com"), &none),
            Err(MintError::BadHost("host"))
        );
        assert_eq!(onetrust.token_url(&form(""), &none), Err(MintError::Missing("host")));
        assert_eq!(mint_for("cf16d886-c627-4872-9936-fb08d6cba8cc", ["host"]), None);
    }
}
