//! What can go wrong in a consent, each said so the user knows what to do next. No variant
//! holds a token, a code or a secret: a provider's own message is kept (it says what to fix)
//! but cut short, and it never echoes what was sent.

use super::super::providers::ProviderError;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EngineError {
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error("The setting {detail} is not an https address (or http on this computer's loopback).")]
    Configuration { detail: String },
    #[error("{provider} needs a client ID: copy it from your app's settings at {provider}.")]
    MissingClientId { provider: &'static str },
    #[error("{provider} takes https redirect addresses only: enter the https address registered on your app, then paste back the address the browser ends on.")]
    HttpsRedirectNeeded { provider: &'static str },
    #[error(
        "The answer does not belong to this sign-in (its state differs). Start again from Flow Connect."
    )]
    StateMismatch,
    #[error("Consent was declined at {provider}. Start again and allow access.")]
    AccessDenied { provider: &'static str },
    #[error("{provider} refused the sign-in ({status}): {message}")]
    Refused { provider: &'static str, status: u16, message: String },
    #[error("{provider}'s answer could not be read ({detail}). Try again; if it goes on, the provider may have changed its API.")]
    Unreadable { provider: &'static str, detail: String },
    #[error("Could not reach {provider} ({reason}). Check your network connection and try again.")]
    Network { provider: &'static str, reason: String },
    #[error("The sign-in was cancelled.")]
    Cancelled,
    #[error("No answer came from {provider} within {minutes} minutes. Start the sign-in again.")]
    TimedOut { provider: &'static str, minutes: u64 },
    #[error("{reason}")]
    Waiting { reason: String },
    /// What was pasted is not an answer (no code, or far too long); the reason says which.
    #[error("{reason}")]
    Pasted { reason: String },
}
