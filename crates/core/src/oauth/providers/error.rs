//! The one error of the provider table: a form value a template refuses, or a token response
//! the provider's rules cannot read. No variant echoes a value: every form value is treated as
//! possibly secret (`FormValues` holds `Secret`s), and a token response holds tokens.

/// Why an endpoint could not be built or a token response could not be read.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProviderError {
    #[error("Fill in {field} first: the provider's sign-in address is built from it.")]
    MissingValue { field: &'static str },
    #[error("{field} is not {expected}. Correct it; the sign-in address is built from it.")]
    RefusedValue { field: &'static str, expected: String },
    #[error("The provider's token response has no {field}.")]
    MissingInResponse { field: &'static str },
    #[error("The provider's token response has an unreadable {field}.")]
    UnreadableInResponse { field: &'static str },
}

impl ProviderError {
    /// The form field to mark next to the message, when the error is about one. The window
    /// branches on this instead of reading the message.
    pub fn form_field(&self) -> Option<&'static str> {
        // Exhaustive on purpose: a new variant must decide whether it belongs to a field.
        match self {
            Self::MissingValue { field } | Self::RefusedValue { field, .. } => Some(field),
            Self::MissingInResponse { .. } | Self::UnreadableInResponse { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_value_errors_name_their_field_and_response_errors_none() {
        assert_eq!(ProviderError::MissingValue { field: "subdomain" }.form_field(), Some("subdomain"));
        let refused = ProviderError::RefusedValue { field: "subdomain", expected: "one label".into() };
        assert_eq!(refused.form_field(), Some("subdomain"));
        assert_eq!(ProviderError::MissingInResponse { field: "access_token" }.form_field(), None);
        assert_eq!(ProviderError::UnreadableInResponse { field: "expires_at" }.form_field(), None);
    }
}
