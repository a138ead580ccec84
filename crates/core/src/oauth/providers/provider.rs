//! What the consent engine knows about one OAuth provider, as plain `'static` data: its
//! endpoints, scopes, redirect rule, PKCE, where the token response goes in the spec, and the
//! lifetimes and deadlines it documents. No field holds a credential; the values a consent
//! produces are the engine's, and are kept in `Secret`s there.

use super::endpoint::Endpoint;

/// One OAuth provider, for the sources (connection specs) it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    /// A stable key, such as `zendesk`, for logs, the CLI and the expiry records.
    pub id: &'static str,
    /// What the window calls it.
    pub display_name: &'static str,
    /// The connection specs whose tokens this provider issues. Several sources share a shape
    /// (client id, secret and refresh token), so the spec, not the shape, says whose they are.
    pub spec_ids: &'static [&'static str],
    pub authorization: Endpoint,
    pub token: Endpoint,
    pub scopes: Scopes,
    pub redirect: RedirectPolicy,
    pub pkce: Pkce,
    /// How the token request's body is encoded.
    pub token_body: TokenBody,
    /// Parameters the authorization request adds for a refresh token: Google and Zoho issue
    /// one only with `access_type=offline`, and again on a later consent only with
    /// `prompt=consent`.
    pub authorize_extras: &'static [(&'static str, &'static str)],
    /// Which spec params receive what the consent yields; the params a method must hold.
    pub fields: FieldMap,
    /// Other params the method must hold: the form values a template reads, or what a lookup
    /// after the token fills.
    pub also_needs: &'static [&'static str],
    pub response: TokenRules,
    pub after_token: AfterToken,
    /// How long its tokens live, where the provider documents it; for the expiry radar.
    pub lifetimes: &'static [Lifetime],
    /// Dates after which something about this provider stops working.
    pub deadlines: &'static [Deadline],
}

/// The scopes a consent asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scopes {
    /// Always these: the one the source needs.
    Fixed(&'static [&'static str]),
    /// The user's app decides (HubSpot's and a REST API's scopes are set on the app); these are
    /// offered as a start, and may be empty.
    ChosenByUser { suggested: &'static [&'static str] },
    /// The provider has no scopes (Mailchimp).
    NoScopes,
}

/// How the browser comes back to Flow Connect after consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectPolicy {
    /// Any port on loopback: the listener binds a free one (a Google Desktop client).
    AnyLoopback,
    /// A loopback URL the user registers at the provider beforehand and which must match
    /// exactly, so the port is fixed. The window shows `uri` to register, with a copy button.
    RegisteredLoopback { uri: &'static str },
    /// The provider takes https redirects only: the user registers an https URL of their
    /// own, the browser ends there, and the user pastes the address back.
    HttpsOnlyPaste,
}

/// The fixed loopback port of every [`RedirectPolicy::RegisteredLoopback`] URI: one port, so a
/// URI registered once keeps working, picked high and outside the common dev-server ports.
pub const REGISTERED_PORT: u16 = 47615;

/// Whether the authorization request carries a PKCE challenge (RFC 7636).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pkce {
    /// `code_challenge_method=S256`; the client secret is still sent where the provider wants it.
    S256,
    /// Not sent: the provider does not document PKCE for this client type.
    NotSent,
}

/// How the token request carries its parameters. RFC 6749 says form-encoded; Square's token
/// endpoint takes JSON only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenBody {
    Form,
    Json,
}

/// Which spec param receives each thing the consent yields; `None` where the spec has no such
/// param. Every named param is one the matching method must hold, except `expiry_date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldMap {
    /// Receives `access_token`.
    pub access_token: Option<&'static str>,
    /// Receives `refresh_token`.
    pub refresh_token: Option<&'static str>,
    /// Receives the client id the consent used.
    pub client_id: Option<&'static str>,
    /// Receives the client secret the consent used.
    pub client_secret: Option<&'static str>,
    /// Receives the access token's expiry as a `YYYY-MM-DD` date, when the method holds it
    /// (the Generic REST API's hidden `expirationDate`). Optional: filled only if present.
    pub expiry_date: Option<&'static str>,
}

impl FieldMap {
    /// The params a matching method must hold.
    pub fn required(&self) -> impl Iterator<Item = &'static str> {
        [self.access_token, self.refresh_token, self.client_id, self.client_secret].into_iter().flatten()
    }
}

/// How to read the provider's token response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenRules {
    pub expiry: ExpiryRule,
    pub refresh: RefreshRule,
}

/// Where the access token's expiry is in the token response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryRule {
    /// `expires_in`, seconds from the response. A `0` is read as expiring at once: only a
    /// provider that documents otherwise gets [`ExpiryRule::ExpiresInZeroMeansNever`].
    ExpiresIn,
    /// `expires_in`, where `0` means the token never expires (Mailchimp).
    ExpiresInZeroMeansNever,
    /// `expires_at`, an ISO 8601 date-time string, and no `expires_in` (Square).
    ExpiresAt,
    /// The provider states no expiry in its response.
    NotGiven,
}

/// What a provider does with refresh tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshRule {
    /// It issues none.
    NotIssued,
    /// The refresh token stays valid across refreshes.
    Kept,
    /// Each refresh answers with a new refresh token and voids the old pair: the new one must
    /// be stored, or the next refresh fails (Zendesk).
    Rotated,
}

/// A step after the token exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterToken {
    Nothing,
    /// Mailchimp: the token does not say which data centre the account is in; a call to
    /// `metadata_url` with the token answers `dc`, which fills `host` into `host_param`.
    DataCentreLookup {
        metadata_url: &'static str,
        host: Endpoint,
        host_param: &'static str,
    },
}

/// A documented lifetime of one kind of token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub token: TokenKind,
    /// How long it lives, in seconds; `None` when that is not one documented time: it lives
    /// until an event (revocation, uninstall) or for what the client chose (Zendesk).
    pub seconds: Option<u64>,
    /// When this lifetime applies and what ends it, in one sentence for the radar.
    pub when: &'static str,
    /// Where the fact comes from (a key of `oauth-sources.md`'s source list, or a URL).
    pub source: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    AccessToken,
    RefreshToken,
}

/// A date after which something about the provider stops working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    /// `YYYY-MM-DD`.
    pub date: &'static str,
    pub what: &'static str,
    pub source: &'static str,
}

/// One day, in seconds.
pub(super) const DAY: u64 = 86_400;
