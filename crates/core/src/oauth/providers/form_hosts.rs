//! The providers whose endpoints depend on a form value: Zendesk (the account's subdomain),
//! Zoho (the data centre's accounts server) and the Generic REST API (URLs the user names).
//! Facts are from `oauth-sources.md`, with its source keys; inferred or unverified facts are
//! marked so.

use super::endpoint::{Endpoint, ValueRule};
use super::provider::{
    AfterToken, Deadline, ExpiryRule, FieldMap, Lifetime, Pkce, Provider, RedirectPolicy, RefreshRule,
    Scopes, TokenBody, TokenKind, TokenRules,
};

/// Zendesk's subdomain rule. The spec's `subdomain` field holds `https://x.zendesk.com` [O6],
/// so that form is taken as well as the bare label.
const ZENDESK_SUBDOMAIN: ValueRule = ValueRule::Subdomain { parent: "zendesk.com" };

/// Zendesk `0a27232b-…`: authorize at `https://{sub}.zendesk.com/oauth/authorizations/new`,
/// token at `/oauth/tokens`. Redirects are https except `localhost`/`127.0.0.1`, and public
/// clients must use PKCE [O25]. Since 2025-04-30 tokens can expire (`expires_in`,
/// `refresh_token_expires_in`), mandatory for all customers from 2026-04-30, and a refresh
/// returns a new refresh token and deletes the old pair [O24][O25]. The AEP spec holds only
/// `accessToken` [O6], so AEP cannot refresh and the connection dies when the token expires:
/// the radar's case. Whether Zendesk accepts any loopback port is not in the note, so the
/// redirect is a registered one. The scope `read` is Zendesk's read-only scope; it is not in
/// the note (unverified), hence only suggested.
pub static ZENDESK: Provider = Provider {
    id: "zendesk",
    display_name: "Zendesk",
    spec_ids: &["0a27232b-2c6e-4396-b8c6-c9fc24e37ba4"],
    authorization: Endpoint::Template {
        template: "https://{subdomain}.zendesk.com/oauth/authorizations/new",
        value: "subdomain",
        rule: ZENDESK_SUBDOMAIN,
    },
    token: Endpoint::Template {
        template: "https://{subdomain}.zendesk.com/oauth/tokens",
        value: "subdomain",
        rule: ZENDESK_SUBDOMAIN,
    },
    scopes: Scopes::ChosenByUser { suggested: &["read"] },
    redirect: RedirectPolicy::RegisteredLoopback { uri: "http://127.0.0.1:47615/callback" },
    pkce: Pkce::S256,
    token_body: TokenBody::Form,
    authorize_extras: &[],
    fields: FieldMap {
        access_token: Some("accessToken"),
        refresh_token: None,
        client_id: None,
        client_secret: None,
        expiry_date: None,
    },
    also_needs: &["subdomain"],
    response: TokenRules { expiry: ExpiryRule::ExpiresIn, refresh: RefreshRule::Rotated },
    after_token: AfterToken::Nothing,
    lifetimes: &[Lifetime {
        token: TokenKind::AccessToken,
        seconds: None,
        when: "the `expires_in` the client asked for; the spec has no refresh token, so it must be renewed before then",
        source: "[O24] support.zendesk.com/hc/en-us/articles/9182123625370",
    }],
    deadlines: &[Deadline {
        date: "2026-04-30",
        what: "Zendesk token expiry becomes mandatory for all customers",
        source: "[O24] support.zendesk.com/hc/en-us/articles/9182123625370",
    }],
};

/// Zoho's accounts servers, one per data centre [O4].
pub const ZOHO_ACCOUNTS_HOSTS: &[&str] = &[
    "accounts.zoho.com",
    "accounts.zoho.eu",
    "accounts.zoho.in",
    "accounts.zoho.com.au",
    "accounts.zoho.com.cn",
];

const ZOHO_ACCOUNTS: ValueRule = ValueRule::HostIn(ZOHO_ACCOUNTS_HOSTS);

/// Zoho CRM `929e4450-…`: the spec's `accountsUrl` is data-centre specific, and a mismatch
/// between it and `endpoint` breaks the refresh [O4]. The paths `/oauth/v2/auth` and
/// `/oauth/v2/token` are Zoho's standard ones, not re-read by the note (unverified). A fixed
/// registered redirect (or Zoho's "Self Client" grant code) is the note's inference from Zoho's
/// docs, not re-read (unverified). PKCE, scopes, the expiry field and refresh behaviour are
/// not in the note, so PKCE is not sent, scopes are the user's, and `expires_in` with a kept
/// refresh token is assumed (unverified).
pub static ZOHO: Provider = Provider {
    id: "zoho",
    display_name: "Zoho",
    spec_ids: &["929e4450-0237-4ed2-9404-b7e1e0a00309"],
    authorization: Endpoint::Template {
        template: "https://{accountsUrl}/oauth/v2/auth",
        value: "accountsUrl",
        rule: ZOHO_ACCOUNTS,
    },
    token: Endpoint::Template {
        template: "https://{accountsUrl}/oauth/v2/token",
        value: "accountsUrl",
        rule: ZOHO_ACCOUNTS,
    },
    scopes: Scopes::ChosenByUser { suggested: &[] },
    redirect: RedirectPolicy::RegisteredLoopback { uri: "http://localhost:47615/callback" },
    pkce: Pkce::NotSent,
    token_body: TokenBody::Form,
    authorize_extras: &[("access_type", "offline"), ("prompt", "consent")],
    fields: FieldMap {
        access_token: Some("accessToken"),
        refresh_token: Some("refreshToken"),
        client_id: Some("clientId"),
        client_secret: Some("clientSecret"),
        expiry_date: None,
    },
    also_needs: &["accountsUrl"],
    response: TokenRules { expiry: ExpiryRule::ExpiresIn, refresh: RefreshRule::Kept },
    after_token: AfterToken::Nothing,
    lifetimes: &[],
    deadlines: &[],
};

/// The consent form's value for a REST provider's authorization URL. The spec has no such
/// param (only `accessTokenUrl`), so the form asks for it and it is never sent to Adobe.
pub const REST_AUTHORIZATION_URL: &str = "authorizationUrl";

/// The Generic REST API `4e98f16f-…` (`oAuth2RefreshCode`): any provider, so both endpoints
/// are URLs the user names; the token URL is the spec's own `accessTokenUrl`. Without a
/// refresh token and token URL AEP cannot refresh [flow-service-facts §4.3]. Redirect and PKCE
/// depend on the provider: any loopback port with S256, as Flow Connect's REST consent does
/// today (the note: "keep S256 on by default"). Expiry goes into the hidden `expirationDate`.
pub static GENERIC_REST: Provider = Provider {
    id: "generic-rest",
    display_name: "REST API provider",
    spec_ids: &["4e98f16f-87d6-4ef0-bdc6-7a2b0fe76e62"],
    authorization: Endpoint::Template {
        template: "{authorizationUrl}",
        value: REST_AUTHORIZATION_URL,
        rule: ValueRule::HttpsUrl,
    },
    token: Endpoint::Template {
        template: "{accessTokenUrl}",
        value: "accessTokenUrl",
        rule: ValueRule::HttpsUrl,
    },
    scopes: Scopes::ChosenByUser { suggested: &[] },
    redirect: RedirectPolicy::AnyLoopback,
    pkce: Pkce::S256,
    token_body: TokenBody::Form,
    authorize_extras: &[],
    fields: FieldMap {
        access_token: Some("accessToken"),
        refresh_token: Some("refreshToken"),
        client_id: Some("clientId"),
        client_secret: Some("clientSecret"),
        expiry_date: Some("expirationDate"),
    },
    also_needs: &["accessTokenUrl"],
    response: TokenRules { expiry: ExpiryRule::ExpiresIn, refresh: RefreshRule::Kept },
    after_token: AfterToken::Nothing,
    lifetimes: &[],
    deadlines: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::FormValues;
    use crate::secret::Secret;

    fn form(pairs: &[(&str, &str)]) -> FormValues {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), Secret::new(*v))).collect()
    }

    #[test]
    fn zendesk_builds_both_endpoints_from_the_subdomain() {
        let values = form(&[("subdomain", "https://acme.zendesk.com")]);
        assert_eq!(
            ZENDESK.authorization.resolve(&values).expect("auth").as_str(),
            "https://acme.zendesk.com/oauth/authorizations/new"
        );
        assert_eq!(
            ZENDESK.token.resolve(&values).expect("token").as_str(),
            "https://acme.zendesk.com/oauth/tokens"
        );
        for evil in ["acme.evil.com", "evil.com/", "acme@evil.com", "acme.zendesk.com.evil.com"] {
            assert!(ZENDESK.token.resolve(&form(&[("subdomain", evil)])).is_err(), "{evil}");
        }
    }

    #[test]
    fn zoho_takes_every_listed_data_centre_and_nothing_else() {
        for host in ZOHO_ACCOUNTS_HOSTS {
            let url = ZOHO.token.resolve(&form(&[("accountsUrl", &format!("https://{host}"))])).expect(host);
            assert_eq!(url.host_str(), Some(*host));
            assert_eq!(url.path(), "/oauth/v2/token");
        }
        assert!(ZOHO.authorization.resolve(&form(&[("accountsUrl", "https://accounts.zoho.co")])).is_err());
    }

    #[test]
    fn the_rest_provider_reads_both_urls_from_the_form() {
        let values = form(&[
            (REST_AUTHORIZATION_URL, "https://id.example.com/authorize"),
            ("accessTokenUrl", "https://id.example.com/token"),
        ]);
        assert_eq!(GENERIC_REST.authorization.resolve(&values).expect("auth").path(), "/authorize");
        assert_eq!(GENERIC_REST.token.resolve(&values).expect("token").path(), "/token");
        let plain = form(&[("accessTokenUrl", "http://id.example.com/token")]);
        assert!(GENERIC_REST.token.resolve(&plain).is_err());
    }
}
