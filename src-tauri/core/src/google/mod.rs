//! Google's OAuth consent for BigQuery refresh tokens: the authorization-code flow with PKCE
//! (`consent`), and the loopback listener that catches the browser's redirect (`listener`).

mod consent;
mod listener;

pub use consent::{
    finish, revoke, start, verify, ConsentError, GoogleClient, GoogleEndpoints, GoogleTokens, PendingConsent,
    BIGQUERY_SCOPE,
};

pub use listener::{parse_callback, state_matches, Callback, CallbackListener, Canceller, ListenerError};
