//! The consent engine for every provider of the table (`oauth::providers`): the authorization
//! request (state, PKCE where the provider takes it, its redirect rule), the token exchange in
//! the body encoding the provider wants, the response read by the provider's rules, the step
//! after the token (Mailchimp's data centre), and the values that then fill the sign-in
//! method's params. The browser, the loopback listener and the keychain are the caller's: this
//! module only speaks to the provider, and every token it sees stays in a `Secret`.

mod authorize;
mod bases;
mod error;
mod exchange;
mod session;

pub use authorize::{begin, Pending};
pub use bases::{ProviderBases, PROVIDER_BASES_VAR};
pub use error::EngineError;
pub use exchange::{finish, Consented, FilledParam};
pub use session::{open, SessionHandle, SessionRun, SessionSetup};
