//! The providers whose endpoints are the same for everyone: Google (for BigQuery and for
//! Google Ads), HubSpot, Square and Mailchimp. Facts are from the research note
//! `oauth-sources.md` (§2.1–§4); each names the note's source key (`[O5]`…) or URL. Where the
//! note marks a fact as inferred or unverified, the comment says so.

use super::endpoint::{Endpoint, ValueRule};
use super::provider::{
    AfterToken, Deadline, ExpiryRule, FieldMap, Lifetime, Pkce, Provider, RedirectPolicy, RefreshRule,
    Scopes, TokenBody, TokenKind, TokenRules, DAY,
};
/// BigQuery's connection spec id: the one source whose tokens Google's BigQuery consent issues.
/// The only place it is spelled out in code; the catalog and the tests name BigQuery by it.
pub const BIGQUERY_SPEC_ID: &str = "3c9b37f8-13a6-43d8-bad3-b863b941fedd";
/// The scope BigQuery's consent asks for: read access to the project's data.
pub const BIGQUERY_SCOPE: &str = "https://www.googleapis.com/auth/bigquery";

/// Google's authorization endpoint; `config.rs` holds the same default, which
/// `FLOW_CONNECT_GOOGLE_AUTH_URL` moves to the fakes in tests.
const GOOGLE_AUTH: &str = "https://accounts.google.com/o/oauth2/v2/auth";
/// Google's token endpoint (`FLOW_CONNECT_GOOGLE_TOKEN_URL` moves it).
const GOOGLE_TOKEN: &str = "https://oauth2.googleapis.com/token";

/// Google's fields on both its sources: a client id, secret and refresh token; neither spec
/// has an access-token field, since AEP mints its own from the refresh token.
/// Google issues a refresh token only for offline access, and again on a later consent only
/// when asked to show the consent screen (as the BigQuery consent does).
const GOOGLE_OFFLINE: &[(&str, &str)] = &[("access_type", "offline"), ("prompt", "consent")];

const GOOGLE_FIELDS: FieldMap = FieldMap {
    access_token: None,
    refresh_token: Some("refreshToken"),
    client_id: Some("clientId"),
    client_secret: Some("clientSecret"),
    expiry_date: None,
};

/// Google's refresh-token lifetimes, the same for every Google source.
const GOOGLE_REFRESH_LIFETIMES: [Lifetime; 2] = [
    Lifetime {
        token: TokenKind::RefreshToken,
        seconds: Some(7 * DAY),
        when: "while the client's OAuth consent screen is in Testing status",
        source: "oauth-sources.md §2.1 and google-oauth.md §A9",
    },
    Lifetime {
        token: TokenKind::RefreshToken,
        // "Six months" in the source, counted as 182 days.
        seconds: Some(182 * DAY),
        when: "revoked after six months unused",
        source: "oauth-sources.md §2.1 and google-oauth.md §A9",
    },
];

/// Google for BigQuery `3c9b37f8-…`: loopback on any port with PKCE S256 (a Desktop client;
/// its secret is still sent), scope `…/auth/bigquery`. Its spec's "Basic Authentication" is
/// this OAuth set. Refresh tokens die after 7 days while the consent screen is in Testing, after
/// 6 months unused, and the oldest of 100 per account and client dies silently
/// (oauth-sources.md §2.1, google-oauth.md §A9).
pub static GOOGLE_BIGQUERY: Provider = Provider {
    id: "google-bigquery",
    display_name: "Google (BigQuery)",
    spec_ids: &[BIGQUERY_SPEC_ID],
    authorization: Endpoint::Fixed(GOOGLE_AUTH),
    token: Endpoint::Fixed(GOOGLE_TOKEN),
    scopes: Scopes::Fixed(&[BIGQUERY_SCOPE]),
    redirect: RedirectPolicy::AnyLoopback,
    pkce: Pkce::S256,
    token_body: TokenBody::Form,
    authorize_extras: GOOGLE_OFFLINE,
    fields: GOOGLE_FIELDS,
    also_needs: &[],
    response: TokenRules { expiry: ExpiryRule::ExpiresIn, refresh: RefreshRule::Kept },
    after_token: AfterToken::Nothing,
    lifetimes: &GOOGLE_REFRESH_LIFETIMES,
    deadlines: &[],
};

/// Google Ads' scope [O17].
pub const GOOGLE_ADS_SCOPE: &str = "https://www.googleapis.com/auth/adwords";

/// Google for Google Ads `d771e9c1-…` (beta, "temporarily unavailable" banner [O2]): the same
/// endpoints and loopback + PKCE engine as BigQuery, its own scope `…/auth/adwords`; access
/// tokens last 3,600 s and Desktop clients get offline access by default [O17]. The 7-day
/// Testing trap applies as for BigQuery. A secondary page claims the developer token was
/// replaced by a project "API access level" on 2026-09-09: unverified [O19], so no deadline
/// is recorded for it.
pub static GOOGLE_ADS: Provider = Provider {
    id: "google-ads",
    display_name: "Google (Google Ads)",
    spec_ids: &["d771e9c1-4f26-40dc-8617-ce58c4b53702"],
    authorization: Endpoint::Fixed(GOOGLE_AUTH),
    token: Endpoint::Fixed(GOOGLE_TOKEN),
    scopes: Scopes::Fixed(&[GOOGLE_ADS_SCOPE]),
    redirect: RedirectPolicy::AnyLoopback,
    pkce: Pkce::S256,
    token_body: TokenBody::Form,
    authorize_extras: GOOGLE_OFFLINE,
    fields: GOOGLE_FIELDS,
    also_needs: &[],
    response: TokenRules { expiry: ExpiryRule::ExpiresIn, refresh: RefreshRule::Kept },
    after_token: AfterToken::Nothing,
    lifetimes: &[
        Lifetime {
            token: TokenKind::AccessToken,
            seconds: Some(3_600),
            when: "every Google Ads access token",
            source: "[O17] developers.google.com/google-ads/api/docs/oauth/internals",
        },
        GOOGLE_REFRESH_LIFETIMES[0],
        GOOGLE_REFRESH_LIFETIMES[1],
    ],
    deadlines: &[],
};

/// HubSpot `cc6a4487-…`: authorize at `app.hubspot.com/oauth/authorize`, token at
/// `api.hubapi.com/oauth/v1/token`, the endpoint the note documents; v1 is deprecated on
/// 2027-02-16 and v3 takes every param in the body [O21]. The v3 token URL is not in the
/// note, so v1 stays until it is checked. Redirects must be registered and are validated;
/// `http` only for `localhost` [O20], hence a registered `localhost` URI. `code_verifier` is
/// accepted [O21]. Scopes are set on the user's app [O3]. Access tokens last 30 minutes;
/// refresh tokens until the app is uninstalled or access revoked [O21][O22].
pub static HUBSPOT: Provider = Provider {
    id: "hubspot",
    display_name: "HubSpot",
    spec_ids: &["cc6a4487-9e91-433e-a3a3-9cf6626c1806"],
    authorization: Endpoint::Fixed("https://app.hubspot.com/oauth/authorize"),
    token: Endpoint::Fixed("https://api.hubapi.com/oauth/v1/token"),
    scopes: Scopes::ChosenByUser { suggested: &[] },
    redirect: RedirectPolicy::RegisteredLoopback { uri: "http://localhost:47615/callback" },
    pkce: Pkce::S256,
    token_body: TokenBody::Form,
    authorize_extras: &[],
    fields: FieldMap {
        access_token: Some("accessToken"),
        refresh_token: Some("refreshToken"),
        client_id: Some("clientId"),
        client_secret: Some("clientSecret"),
        expiry_date: None,
    },
    also_needs: &[],
    response: TokenRules { expiry: ExpiryRule::ExpiresIn, refresh: RefreshRule::Kept },
    after_token: AfterToken::Nothing,
    lifetimes: &[
        Lifetime {
            token: TokenKind::AccessToken,
            seconds: Some(30 * 60),
            when: "every HubSpot access token; AEP refreshes it with the refresh token",
            source: "[O21] developers.hubspot.com/changelog/upcoming-expiration-of-oauth-access-tokens-is-changing",
        },
        Lifetime {
            token: TokenKind::RefreshToken,
            seconds: None,
            when: "until the app is uninstalled or its access revoked (BAD_REFRESH_TOKEN)",
            source: "[O3][O22]",
        },
    ],
    deadlines: &[Deadline {
        date: "2027-02-16",
        what: "HubSpot's v1 OAuth token endpoints close; whether AEP's refresher moves off v1 first is unknown",
        source: "[O21] developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/delete-refresh-token.md",
    }],
};

/// Square `2acf109f-…`: `connect.squareup.com/oauth2/authorize` and `/oauth2/token`. https
/// redirects only, `http://localhost` only in Sandbox, so production needs the paste path.
/// Access tokens last 30 days; Square recommends refreshing at least every 7 days; code-flow
/// refresh tokens do not expire. The response has `expires_at` (an ISO string), not
/// `expires_in` [O5][O23]. PKCE is not sent: the note read only the code flow with a secret
/// (the PKCE variant's page was cut off).
pub static SQUARE: Provider = Provider {
    id: "square",
    display_name: "Square",
    spec_ids: &["2acf109f-9b66-4d5e-bc18-ebb2adcff8d5"],
    authorization: Endpoint::Fixed("https://connect.squareup.com/oauth2/authorize"),
    token: Endpoint::Fixed("https://connect.squareup.com/oauth2/token"),
    scopes: Scopes::ChosenByUser {
        suggested: &["CUSTOMERS_READ", "PAYMENTS_READ", "ORDERS_READ", "MERCHANT_PROFILE_READ"],
    },
    redirect: RedirectPolicy::HttpsOnlyPaste,
    pkce: Pkce::NotSent,
    token_body: TokenBody::Json,
    authorize_extras: &[],
    fields: FieldMap {
        access_token: Some("accessToken"),
        refresh_token: Some("refreshToken"),
        client_id: Some("clientId"),
        client_secret: Some("clientSecret"),
        expiry_date: None,
    },
    also_needs: &[],
    response: TokenRules { expiry: ExpiryRule::ExpiresAt, refresh: RefreshRule::Kept },
    after_token: AfterToken::Nothing,
    lifetimes: &[
        Lifetime {
            token: TokenKind::AccessToken,
            seconds: Some(30 * DAY),
            when:
                "every Square access token; AEP refreshes it, and Square recommends doing so at least weekly",
            source: "[O23] developer.squareup.com/docs/oauth-api/overview",
        },
        Lifetime {
            token: TokenKind::RefreshToken,
            seconds: None,
            when: "code-flow refresh tokens do not expire",
            source: "[O5][O23]",
        },
    ],
    deadlines: &[],
};

/// Mailchimp Members `2e8580db-…` (Campaigns has its own spec, whose id the note lacks):
/// `login.mailchimp.com/oauth2/authorize` and `/oauth2/token`; no scopes; tokens never
/// expire, no refresh token, `expires_in: 0`; the data centre comes from the metadata
/// endpoint; redirects are registered exactly, `127.0.0.1` in development [O11][O28]. All of
/// [O28] is secondary (client libraries, a skills page), and the `host` built from the data
/// centre (`https://{dc}.api.mailchimp.com`) is the note's inference: unverified.
pub static MAILCHIMP: Provider = Provider {
    id: "mailchimp",
    display_name: "Mailchimp",
    spec_ids: &["2e8580db-6489-4726-96de-e33f5f60295f"],
    authorization: Endpoint::Fixed("https://login.mailchimp.com/oauth2/authorize"),
    token: Endpoint::Fixed("https://login.mailchimp.com/oauth2/token"),
    scopes: Scopes::NoScopes,
    redirect: RedirectPolicy::RegisteredLoopback { uri: "http://127.0.0.1:47615/callback" },
    pkce: Pkce::NotSent,
    token_body: TokenBody::Form,
    authorize_extras: &[],
    fields: FieldMap {
        access_token: Some("accessToken"),
        refresh_token: None,
        client_id: None,
        client_secret: None,
        expiry_date: None,
    },
    also_needs: &["host"],
    response: TokenRules { expiry: ExpiryRule::ExpiresInZeroMeansNever, refresh: RefreshRule::NotIssued },
    after_token: AfterToken::DataCentreLookup {
        metadata_url: "https://login.mailchimp.com/oauth2/metadata",
        host: Endpoint::Template {
            template: "https://{dc}.api.mailchimp.com",
            value: "dc",
            rule: ValueRule::Subdomain { parent: "api.mailchimp.com" },
        },
        host_param: "host",
    },
    lifetimes: &[Lifetime {
        token: TokenKind::AccessToken,
        seconds: None,
        when: "never expires; lives until revoked",
        source: "[O28] (secondary sources)",
    }],
    deadlines: &[],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_google_sources_share_endpoints_but_not_scopes() {
        assert_eq!(GOOGLE_BIGQUERY.authorization, GOOGLE_ADS.authorization);
        assert_eq!(GOOGLE_BIGQUERY.token, GOOGLE_ADS.token);
        assert_eq!(GOOGLE_BIGQUERY.scopes, Scopes::Fixed(&["https://www.googleapis.com/auth/bigquery"]));
        assert_eq!(GOOGLE_ADS.scopes, Scopes::Fixed(&["https://www.googleapis.com/auth/adwords"]));
        assert_ne!(GOOGLE_BIGQUERY.spec_ids, GOOGLE_ADS.spec_ids);
    }

    #[test]
    fn mailchimp_s_data_centre_cannot_move_the_host() {
        let AfterToken::DataCentreLookup { host, host_param, .. } = MAILCHIMP.after_token else {
            panic!("Mailchimp looks its data centre up");
        };
        assert_eq!(host_param, "host");
        assert_eq!(
            host.resolve_value(Some("us21")).expect("a dc").as_str(),
            "https://us21.api.mailchimp.com/"
        );
        for dc in ["us21.evil.com", "evil.com/", "x@evil.com", "us21:8443", ""] {
            assert!(host.resolve_value(Some(dc)).is_err(), "{dc:?}");
        }
    }

    #[test]
    fn square_is_the_paste_path_with_expires_at() {
        assert_eq!(SQUARE.redirect, RedirectPolicy::HttpsOnlyPaste);
        assert_eq!(SQUARE.response.expiry, ExpiryRule::ExpiresAt);
    }
}
