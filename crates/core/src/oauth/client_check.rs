//! Checks before create: a client-credentials sign-in (Salesforce's "OAuth2 Client
//! Credential", SAP Commerce, PayPal, Dynamics' Entra service principal) is tried directly at
//! its provider, so a wrong secret, a connected app whose client-credentials flow is off, or
//! one without a run-as user fails in seconds with the provider's own words, before anything
//! is sent to Adobe. The secret goes only to the token address built from a value the user
//! typed in the form (the instance URL, the token endpoint) or to the provider's own sign-in
//! host (Microsoft's, for the tenant the user typed), over https (or loopback), never to a
//! host nobody named.

use serde_json::Value;
use url::Url;

use super::engine::ProviderBases;
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
    /// Microsoft Entra ID's v2 token endpoint of the tenant the user types for the check (the
    /// spec has no tenant param), asking for `{origin of resource}/.default`.
    Entra { resource: &'static str },
}

/// The value of a check that is not a spec param: the Entra tenant, typed for the check only
/// and never sent to Adobe (`auth.params` are built from the method's params alone).
pub const TENANT_VALUE: &str = "~tenant";
/// Where Microsoft's identity platform signs in; the fakes move it with the `entra` base.
const ENTRA_LOGIN: &str = "https://login.microsoftonline.com";
const ENTRA_ID: &str = "entra";

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

/// Dynamics' "Service Principal Key Based Authentication": an Entra app's client credentials
/// [O15][O31]; the resource is the Dynamics instance.
static DYNAMICS: ClientCheck = ClientCheck {
    provider: "Microsoft Entra ID",
    spec_ids: &["38ad80fe-8b06-4938-94f4-d4ee80266b07"],
    client_id: "servicePrincipalId",
    client_secret: "servicePrincipalKey",
    token: TokenAt::Entra { resource: "serviceUri" },
};

pub static CHECKS: [&ClientCheck; 4] = [&SALESFORCE, &SAP_COMMERCE, &PAYPAL, &DYNAMICS];

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckError {
    #[error("Fill in {field} first: the check signs in with it.")]
    Missing { field: &'static str },
    #[error("Enter the directory (tenant) ID or domain of the Entra app, such as contoso.onmicrosoft.com.")]
    Tenant,
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
            Self::Tenant => Some(TENANT_VALUE),
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
        let token_param = check.token.param();
        check.spec_ids.iter().any(|id| id.eq_ignore_ascii_case(spec_id.trim()))
            && [check.client_id, check.client_secret, token_param].iter().all(|p| names.contains(p))
    })
}

impl TokenAt {
    /// The form param the token address is read from.
    fn param(self) -> &'static str {
        match self {
            Self::PathOn { param, .. } | Self::Param(param) | Self::Entra { resource: param } => param,
        }
    }
}

impl ClientCheck {
    /// Whether the check asks for the Entra tenant ([`TENANT_VALUE`]).
    pub fn asks_tenant(&self) -> bool {
        matches!(self.token, TokenAt::Entra { .. })
    }

    /// The token endpoint the form names.
    pub fn token_url(&self, values: &FormValues, bases: &ProviderBases) -> Result<Url, CheckError> {
        let (param, path) = match self.token {
            TokenAt::PathOn { param, path } => (param, Some(path)),
            TokenAt::Param(param) => (param, None),
            TokenAt::Entra { resource } => {
                // The resource must be an https address the user typed; the tenant a GUID or
                // a domain, so nothing else can be spliced into the path.
                self.typed_url(values, resource)?;
                let tenant = values.get(TENANT_VALUE).map(Secret::expose).map(str::trim).unwrap_or_default();
                let plain = !tenant.is_empty()
                    && tenant.len() <= 100
                    && tenant.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
                    && !tenant.starts_with('.');
                if !plain {
                    return Err(CheckError::Tenant);
                }
                let url = Url::parse(&format!("{ENTRA_LOGIN}/{tenant}/oauth2/v2.0/token"))
                    .map_err(|_| CheckError::Tenant)?;
                return Ok(bases.place(ENTRA_ID, url));
            }
        };
        let url = self.typed_url(values, param)?;
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

    /// The https (or loopback) address the user typed in `param`.
    fn typed_url(&self, values: &FormValues, param: &'static str) -> Result<Url, CheckError> {
        let typed = values.get(param).map(Secret::expose).map(str::trim).filter(|v| !v.is_empty());
        Url::parse(typed.ok_or(CheckError::Missing { field: param })?)
            .ok()
            .filter(|u| require_secure(u).is_ok() && u.host_str().is_some())
            .ok_or(CheckError::NotHttps { field: param })
    }

    /// Mints a token with the form's client credentials; `Ok` when the provider issues one.
    /// The token itself is dropped unread.
    pub async fn run(
        &self,
        values: &FormValues,
        http: &reqwest::Client,
        bases: &ProviderBases,
    ) -> Result<(), CheckError> {
        let url = self.token_url(values, bases)?;
        let value = |field: &'static str| {
            values
                .get(field)
                .map(Secret::expose)
                .filter(|v| !v.is_empty())
                .ok_or(CheckError::Missing { field })
        };
        let (id, secret) = (value(self.client_id)?, value(self.client_secret)?);
        let mut form =
            vec![("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)];
        let scope = match self.token {
            TokenAt::Entra { resource } => {
                let origin = self.typed_url(values, resource)?.origin().ascii_serialization();
                Some(format!("{origin}/.default"))
            }
            _ => None,
        };
        if let Some(scope) = &scope {
            form.push(("scope", scope));
        }
        let network = |e: reqwest::Error| CheckError::Network {
            provider: self.provider,
            reason: e.without_url().to_string(),
        };
        let response =
            http.post(url).header("accept", "application/json").form(&form).send().await.map_err(network)?;
        let status = response.status();
        let field = self.token.param();
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
            .token_url(
                &form(&[("environmentUrl", "https://acme.my.salesforce.com/lightning/page?x=1")]),
                &ProviderBases::default(),
            )
            .unwrap();
        assert_eq!(url.as_str(), "https://acme.my.salesforce.com/services/oauth2/token");
        for bad in ["http://acme.my.salesforce.com", "acme.my.salesforce.com", "ftp://x"] {
            assert_eq!(
                SALESFORCE.token_url(&form(&[("environmentUrl", bad)]), &ProviderBases::default()),
                Err(CheckError::NotHttps { field: "environmentUrl" }),
                "{bad}"
            );
        }
        let none = ProviderBases::default();
        assert_eq!(
            SALESFORCE.token_url(&form(&[]), &none),
            Err(CheckError::Missing { field: "environmentUrl" })
        );
        let sap = SAP_COMMERCE
            .token_url(&form(&[("tokenEndpoint", "https://auth.example/oauth/token")]), &none)
            .unwrap();
        assert_eq!(sap.as_str(), "https://auth.example/oauth/token");
    }

    #[test]
    fn dynamics_is_checked_at_microsoft_for_the_tenant_typed() {
        let none = ProviderBases::default();
        let names = ["serviceUri", "servicePrincipalId", "servicePrincipalKey"];
        let check = check_for("38ad80fe-8b06-4938-94f4-d4ee80266b07", names).expect("Dynamics' check");
        assert!(check.asks_tenant());
        let values = |tenant: &str| {
            form(&[("serviceUri", "https://acme.crm.dynamics.com/main.aspx"), (TENANT_VALUE, tenant)])
        };
        assert_eq!(
            check.token_url(&values("contoso.onmicrosoft.com"), &none).unwrap().as_str(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        for bad in ["", "../common", "a/b", "x?y", ".evil"] {
            assert_eq!(check.token_url(&values(bad), &none), Err(CheckError::Tenant), "{bad:?}");
        }
        let moved = ProviderBases::parse("entra=http://127.0.0.1:9/entra").unwrap();
        assert_eq!(
            check.token_url(&values("72f988bf-86f1-41af-91ab-2d7cd011db47"), &moved).unwrap().as_str(),
            "http://127.0.0.1:9/entra/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"
        );
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
