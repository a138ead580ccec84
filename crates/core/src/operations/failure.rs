//! What a failed operation hands its caller, the window or the command line: a stable `code`
//! to branch on (the UI's handling, the CLI's exit code) and a message that says what to do
//! next. Every error of the core is classified here, once.

use crate::accounts::AccountError;
use crate::adobe::flow::FlowError;
use crate::adobe::ims::ImsError;
use crate::catalog::{CatalogError, RequestError};
use crate::config::ConfigError;
use crate::names::NameError;
use crate::oauth::engine::EngineError;
use crate::oauth::google::{ClientJsonError, ConsentError, ListenerError};
use crate::operations::form_consent::FormConsentError;
use crate::profiles::ProfileError;
use crate::secrets::credentials::CredentialsError;
use crate::secrets::vault::VaultError;
use crate::store::origins::OriginsError;
use serde::Serialize;
use ts_rs::TS;

/// The codes callers branch on. Add one only when a caller (the UI, the CLI's exit code)
/// treats it differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum ErrorCode {
    /// A value the user entered is not accepted; the message names the field.
    Validation,
    /// An endpoint variable is wrong.
    Configuration,
    /// Adobe IMS refused the sign-in.
    AdobeSignIn,
    /// Flow Service or sandbox management answered with an error.
    AdobeRejected,
    /// Adobe could not be reached.
    Network,
    /// The source or auth method is not in the catalog.
    UnknownSource,
    /// The system keychain is missing, locked or not answering.
    Keychain,
    /// The app's own data file could not be read or written.
    Storage,
    /// Google (or the REST API's OAuth provider) refused or did not finish the consent.
    GoogleSignIn,
    /// The user cancelled; nothing to report.
    Cancelled,
    /// The sandbox already has a connection of this source with this name: rename, or confirm.
    Duplicate,
    /// The account, profile or connection named does not exist (any more).
    NotFound,
    /// The name matches two or more accounts, profiles or connections: give the id.
    Ambiguous,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, rename = "CommandError")]
pub struct Failure {
    pub code: ErrorCode,
    pub message: String,
}

impl Failure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Self::new(ErrorCode::Configuration, e.to_string())
    }
}

impl From<ImsError> for Failure {
    fn from(e: ImsError) -> Self {
        let code = match e {
            ImsError::Network { .. } => ErrorCode::Network,
            // Adobe refused the account's credentials, or answered a sign-in with nonsense:
            // either way the account is what the user fixes.
            ImsError::InvalidClient { .. }
            | ImsError::InvalidScope { .. }
            | ImsError::Rejected(_)
            | ImsError::PastedTokenRejected
            | ImsError::UnexpectedResponse { .. } => ErrorCode::AdobeSignIn,
        };
        Self::new(code, e.to_string())
    }
}

impl From<NameError> for Failure {
    fn from(e: NameError) -> Self {
        let code = match e {
            NameError::Ambiguous { .. } => ErrorCode::Ambiguous,
            NameError::NotFound { .. } => ErrorCode::NotFound,
        };
        Self::new(code, e.to_string())
    }
}

impl From<FlowError> for Failure {
    fn from(e: FlowError) -> Self {
        match e {
            FlowError::Ims(e) => e.into(),
            FlowError::Name(e) => e.into(),
            FlowError::Network { .. } | FlowError::CreateUnconfirmed { .. } => {
                Self::new(ErrorCode::Network, e.to_string())
            }
            FlowError::DuplicateName { .. } => Self::new(ErrorCode::Duplicate, e.to_string()),
            FlowError::Api(ref api) if api.status == 404 => Self::new(ErrorCode::NotFound, e.to_string()),
            // A malformed id was never sent: it is the caller's input, not Adobe's refusal.
            FlowError::InvalidId { .. } => Self::new(ErrorCode::Validation, e.to_string()),
            FlowError::Api(_) | FlowError::UnexpectedResponse { .. } => {
                Self::new(ErrorCode::AdobeRejected, e.to_string())
            }
        }
    }
}

impl From<FormConsentError> for Failure {
    fn from(e: FormConsentError) -> Self {
        match e {
            FormConsentError::Consent(e) => e.into(),
            FormConsentError::Engine(e) => e.into(),
            FormConsentError::Credentials(e) => e.into(),
            FormConsentError::Redirect(e) => e.into(),
            FormConsentError::NoRestRefreshToken => Self::new(ErrorCode::GoogleSignIn, e.to_string()),
            FormConsentError::NoClient
            | FormConsentError::NoScopes
            | FormConsentError::InsecureProviderUrl(_)
            | FormConsentError::NoneWaiting => Self::new(ErrorCode::Validation, e.to_string()),
        }
    }
}

impl From<OriginsError> for Failure {
    fn from(e: OriginsError) -> Self {
        match e {
            OriginsError::Write(_) | OriginsError::Refused(_) => Self::new(ErrorCode::Storage, e.to_string()),
        }
    }
}

impl From<CatalogError> for Failure {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::Flow(e) => e.into(),
            CatalogError::Interrupted(_) => Self::new(ErrorCode::AdobeRejected, e.to_string()),
        }
    }
}

impl From<VaultError> for Failure {
    fn from(e: VaultError) -> Self {
        Self::new(ErrorCode::Keychain, e.to_string())
    }
}

impl From<RequestError> for Failure {
    fn from(e: RequestError) -> Self {
        let code = match e {
            RequestError::UnknownAuthMethod { .. } => ErrorCode::UnknownSource,
            RequestError::Invalid(_) => ErrorCode::Validation,
        };
        Self::new(code, e.to_string())
    }
}

impl From<EngineError> for Failure {
    fn from(e: EngineError) -> Self {
        let code = match &e {
            EngineError::Provider(p) if p.form_field().is_some() => ErrorCode::Validation,
            EngineError::MissingClientId { .. }
            | EngineError::HttpsRedirectNeeded { .. }
            | EngineError::Pasted { .. } => ErrorCode::Validation,
            EngineError::Configuration { .. } => ErrorCode::Configuration,
            EngineError::Cancelled => ErrorCode::Cancelled,
            EngineError::Network { .. } => ErrorCode::Network,
            // The provider, or the browser's answer, refused or did not finish the consent.
            EngineError::Provider(_)
            | EngineError::StateMismatch
            | EngineError::AccessDenied { .. }
            | EngineError::Refused { .. }
            | EngineError::Unreadable { .. }
            | EngineError::TimedOut { .. }
            | EngineError::Waiting { .. } => ErrorCode::GoogleSignIn,
        };
        Self::new(code, e.to_string())
    }
}

impl From<ConsentError> for Failure {
    fn from(e: ConsentError) -> Self {
        let code = match e {
            ConsentError::Listener(ListenerError::Cancelled) => ErrorCode::Cancelled,
            ConsentError::Network { .. } => ErrorCode::Network,
            ConsentError::NothingPasted | ConsentError::PasteTooLong { .. } => ErrorCode::Validation,
            // Google, or the browser's answer, refused the consent: the user signs in again.
            ConsentError::Listener(_)
            | ConsentError::StateMismatch
            | ConsentError::AccessDenied
            | ConsentError::Refused { .. }
            | ConsentError::NoRefreshToken
            | ConsentError::MissingScope { .. }
            | ConsentError::InvalidGrant
            | ConsentError::InvalidClient
            | ConsentError::UnauthorizedClient
            | ConsentError::RedirectUriMismatch { .. } => ErrorCode::GoogleSignIn,
        };
        Self::new(code, e.to_string())
    }
}

impl From<ProfileError> for Failure {
    fn from(e: ProfileError) -> Self {
        match e {
            ProfileError::Vault(e) => e.into(),
            ProfileError::Credentials(e) => e.into(),
            ProfileError::Write { .. } | ProfileError::Read { .. } | ProfileError::Refused(_) => {
                Self::new(ErrorCode::Storage, e.to_string())
            }
            ProfileError::NotFound => Self::new(ErrorCode::NotFound, e.to_string()),
            ProfileError::Name(e) => e.into(),
            ProfileError::NoName | ProfileError::NotAnExport | ProfileError::SecretInImport { .. } => {
                Self::new(ErrorCode::Validation, e.to_string())
            }
        }
    }
}

impl From<AccountError> for Failure {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Vault(e) => e.into(),
            AccountError::Write { .. } | AccountError::Read { .. } | AccountError::Refused(_) => {
                Self::new(ErrorCode::Storage, e.to_string())
            }
            AccountError::NotFound => Self::new(ErrorCode::NotFound, e.to_string()),
            AccountError::Invalid(_) | AccountError::NoSecret | AccountError::SecretMissing { .. } => {
                Self::new(ErrorCode::Validation, e.to_string())
            }
        }
    }
}

impl std::error::Error for Failure {}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<ClientJsonError> for Failure {
    fn from(e: ClientJsonError) -> Self {
        Self::new(ErrorCode::Validation, e.to_string())
    }
}

impl From<crate::keys::KeyError> for Failure {
    fn from(e: crate::keys::KeyError) -> Self {
        use crate::keys::KeyError;
        let code = match e {
            KeyError::NotAKey
            | KeyError::NeedsPassphrase
            | KeyError::WrongPassphrase
            | KeyError::WeakKey
            | KeyError::MissingClaim { .. }
            | KeyError::Lifetime { .. }
            | KeyError::NotAJwt => ErrorCode::Validation,
            KeyError::Crypto(_) => ErrorCode::Configuration,
        };
        Self::new(code, e.to_string())
    }
}

impl From<crate::secrets::renewal::RenewalKeysError> for Failure {
    fn from(e: crate::secrets::renewal::RenewalKeysError) -> Self {
        use crate::secrets::renewal::RenewalKeysError;
        match e {
            RenewalKeysError::Vault(e) => e.into(),
            RenewalKeysError::UnknownSet | RenewalKeysError::Missing(_) => {
                Self::new(ErrorCode::NotFound, e.to_string())
            }
        }
    }
}

impl From<CredentialsError> for Failure {
    fn from(e: CredentialsError) -> Self {
        match e {
            CredentialsError::Vault(e) => e.into(),
            CredentialsError::Index { .. } => Self::new(ErrorCode::Storage, e.to_string()),
            CredentialsError::UnknownSet
            | CredentialsError::Missing { .. }
            | CredentialsError::NotAllowed { .. } => Self::new(ErrorCode::Validation, e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_id_is_the_caller_s_input_and_an_unreadable_answer_adobe_s() {
        let invalid = Failure::from(FlowError::InvalidId { what: "connection" });
        assert_eq!(invalid.code, ErrorCode::Validation);
        let unreadable = Failure::from(FlowError::UnexpectedResponse { status: 502, detail: "html".into() });
        assert_eq!(unreadable.code, ErrorCode::AdobeRejected);
        let ims = Failure::from(ImsError::UnexpectedResponse { detail: "html".into() });
        assert_eq!(ims.code, ErrorCode::AdobeSignIn);
    }

    #[test]
    fn serialises_as_code_and_message() {
        let error = Failure::new(ErrorCode::Network, "Check your network connection.");
        let json = serde_json::to_value(&error).expect("serialisable");
        assert_eq!(
            json,
            serde_json::json!({ "code": "Network", "message": "Check your network connection." })
        );
    }

    #[test]
    fn configuration_errors_keep_their_advice() {
        let err = crate::config::Endpoints::from_lookup(|_| Some("http://example.com".into()))
            .expect_err("insecure");
        let command_error = Failure::from(err);
        assert_eq!(command_error.code, ErrorCode::Configuration);
        assert!(command_error.message.contains("https://"));
    }
}
