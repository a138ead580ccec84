//! Google's OAuth consent for BigQuery refresh tokens: the authorization-code flow with PKCE
//! (`consent`), the loopback listener that catches the browser's redirect (`listener`), and the
//! import of the client JSON the Google Cloud console offers (`client_json`), and a whole
//! consent raced between the listener and a manual paste (`session`).

mod client_json;
mod consent;
mod listener;
mod session;

pub use client_json::{import_client_json, ClientJsonError, ImportedClient, RedirectSetting};
pub use consent::{
    callback_from_paste, finish, revoke, start, verify, ConsentError, GoogleClient, GoogleEndpoints,
    GoogleTokens, PendingConsent, MAX_PASTED_LEN,
};

pub use listener::{
    parse_callback, state_matches, wait_or_time_out, Callback, CallbackListener, Canceller, ListenerError,
    LoopbackHost, MAX_CONNECTIONS,
};
pub use session::{begin, ConsentHandle, ConsentRun, ConsentSetup, CONSENT_TIME_LIMIT};
