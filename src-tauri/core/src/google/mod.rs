//! Google's OAuth consent for BigQuery refresh tokens: the loopback listener that catches the
//! redirect, and the helpers around it.

mod listener;

pub use listener::{parse_callback, state_matches, Callback, CallbackListener, Canceller, ListenerError};
