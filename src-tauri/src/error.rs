//! What a failed command hands the UI: a stable `code` the UI can branch on, and a message
//! that says what to do next. Nothing else of an error crosses the IPC boundary.

use flow_connect_core::accounts::AccountError;
use flow_connect_core::catalog::{CatalogError, RequestError};
use flow_connect_core::config::ConfigError;
use flow_connect_core::credentials::CredentialsError;
use flow_connect_core::flow::FlowError;
use flow_connect_core::form_consent::FormConsentError;
use flow_connect_core::google::{ClientJsonError, ConsentError, ListenerError};
use flow_connect_core::ims::ImsError;
use flow_connect_core::origins::OriginsError;
use flow_connect_core::profiles::ProfileError;
use flow_connect_core::renew::RenewError;
use flow_connect_core::vault::VaultError;
use serde::Serialize;
use ts_rs::TS;

/// The codes the UI knows. Add one only when the UI treats it differently.
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CommandError {
    pub code: ErrorCode,
    pub message: String,
}

impl CommandError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl From<ConfigError> for CommandError {
    fn from(e: ConfigError) -> Self {
        Self::new(ErrorCode::Configuration, e.to_string())
    }
}

impl From<ImsError> for CommandError {
    fn from(e: ImsError) -> Self {
        let code = match e {
            ImsError::Network { .. } => ErrorCode::Network,
            _ => ErrorCode::AdobeSignIn,
        };
        Self::new(code, e.to_string())
    }
}

impl From<FlowError> for CommandError {
    fn from(e: FlowError) -> Self {
        match e {
            FlowError::Ims(e) => e.into(),
            FlowError::Network { .. } | FlowError::CreateUnconfirmed { .. } => {
                Self::new(ErrorCode::Network, e.to_string())
            }
            FlowError::DuplicateName { .. } => Self::new(ErrorCode::Duplicate, e.to_string()),
            _ => Self::new(ErrorCode::AdobeRejected, e.to_string()),
        }
    }
}

impl From<FormConsentError> for CommandError {
    fn from(e: FormConsentError) -> Self {
        match e {
            FormConsentError::Consent(e) => e.into(),
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

impl From<RenewError> for CommandError {
    fn from(e: RenewError) -> Self {
        match e {
            RenewError::Request(e) => e.into(),
            RenewError::Flow(e) => e.into(),
            RenewError::UnknownMethod(_) => Self::new(ErrorCode::UnknownSource, e.to_string()),
        }
    }
}

impl From<OriginsError> for CommandError {
    fn from(e: OriginsError) -> Self {
        match e {
            OriginsError::Write(_) => Self::new(ErrorCode::Storage, e.to_string()),
        }
    }
}

impl From<CatalogError> for CommandError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::Flow(e) => e.into(),
            CatalogError::Interrupted(_) => Self::new(ErrorCode::AdobeRejected, e.to_string()),
        }
    }
}

impl From<VaultError> for CommandError {
    fn from(e: VaultError) -> Self {
        Self::new(ErrorCode::Keychain, e.to_string())
    }
}

impl From<RequestError> for CommandError {
    fn from(e: RequestError) -> Self {
        let code = match e {
            RequestError::UnknownAuthMethod { .. } => ErrorCode::UnknownSource,
            _ => ErrorCode::Validation,
        };
        Self::new(code, e.to_string())
    }
}

impl From<ConsentError> for CommandError {
    fn from(e: ConsentError) -> Self {
        let code = match e {
            ConsentError::Listener(ListenerError::Cancelled) => ErrorCode::Cancelled,
            ConsentError::Network { .. } => ErrorCode::Network,
            ConsentError::NothingPasted => ErrorCode::Validation,
            _ => ErrorCode::GoogleSignIn,
        };
        Self::new(code, e.to_string())
    }
}

impl From<ProfileError> for CommandError {
    fn from(e: ProfileError) -> Self {
        match e {
            ProfileError::Vault(e) => e.into(),
            ProfileError::Credentials(e) => e.into(),
            ProfileError::Write { .. } | ProfileError::Read { .. } => {
                Self::new(ErrorCode::Storage, e.to_string())
            }
            _ => Self::new(ErrorCode::Validation, e.to_string()),
        }
    }
}

impl From<AccountError> for CommandError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Vault(e) => e.into(),
            AccountError::Write { .. } | AccountError::Read { .. } => {
                Self::new(ErrorCode::Storage, e.to_string())
            }
            AccountError::Invalid(_)
            | AccountError::NoSecret
            | AccountError::NotFound
            | AccountError::SecretMissing { .. } => Self::new(ErrorCode::Validation, e.to_string()),
        }
    }
}

impl std::error::Error for CommandError {}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<ClientJsonError> for CommandError {
    fn from(e: ClientJsonError) -> Self {
        Self::new(ErrorCode::Validation, e.to_string())
    }
}

impl From<CredentialsError> for CommandError {
    fn from(e: CredentialsError) -> Self {
        match e {
            CredentialsError::Vault(e) => e.into(),
            CredentialsError::Index { .. } => Self::new(ErrorCode::Storage, e.to_string()),
            _ => Self::new(ErrorCode::Validation, e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message() {
        let error = CommandError::new(ErrorCode::Network, "Check your network connection.");
        let json = serde_json::to_value(&error).expect("serialisable");
        assert_eq!(
            json,
            serde_json::json!({ "code": "Network", "message": "Check your network connection." })
        );
    }

    #[test]
    fn configuration_errors_keep_their_advice() {
        let err = flow_connect_core::config::Endpoints::from_lookup(|_| Some("http://example.com".into()))
            .expect_err("insecure");
        let command_error = CommandError::from(err);
        assert_eq!(command_error.code, ErrorCode::Configuration);
        assert!(command_error.message.contains("https://"));
    }
}
