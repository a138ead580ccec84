//! The OAuth providers whose consent can fill a source's tokens, as data: each provider's
//! endpoints (fixed, or a template over a strictly checked form value), scopes, redirect rule,
//! PKCE, how its token response maps onto the spec's params, and the lifetimes and deadlines
//! it documents (for the expiry radar). [`matching`] finds the provider of a sign-in method by
//! the spec it belongs to and the params it holds, never by its name.
//!
//! The consent flow itself (listener, browser, token exchange) reads this table; Google's
//! flow in [`super::google`] predates it. Facts come from the research note
//! `oauth-sources.md`, cited per provider.

mod endpoint;
mod error;
mod fixed_hosts;
mod form_hosts;
mod matching;
mod provider;
mod table;
mod token_response;

#[cfg(test)]
mod matching_tests;

pub use endpoint::{Endpoint, FormValues, ValueRule};
pub use error::ProviderError;
pub use fixed_hosts::{
    BIGQUERY_SCOPE, BIGQUERY_SPEC_ID, GOOGLE_ADS, GOOGLE_ADS_SCOPE, GOOGLE_BIGQUERY, HUBSPOT, MAILCHIMP,
    SQUARE,
};
pub use form_hosts::{GENERIC_REST, REST_AUTHORIZATION_URL, ZENDESK, ZOHO, ZOHO_ACCOUNTS_HOSTS};
pub use matching::{matching, matching_params};
pub use provider::{
    AfterToken, Deadline, ExpiryRule, FieldMap, Lifetime, Pkce, Provider, RedirectPolicy, RefreshRule,
    Scopes, TokenBody, TokenKind, TokenRules, REGISTERED_PORT,
};
pub use table::{by_id, PROVIDERS};
pub use token_response::{Expiry, RefreshOutcome, TokenReading};
