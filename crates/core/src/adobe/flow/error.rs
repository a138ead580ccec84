//! What a Flow Service call can fail with: Adobe's answer (an [`ApiError`]), the network, the
//! token, or what Flow Connect checks itself.

use crate::adobe::error::ApiError;
use crate::adobe::ims::ImsError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FlowError {
    #[error("{0}")]
    Api(ApiError),
    #[error(
        "Could not reach Adobe Experience Platform ({reason}). Check your network connection and try again."
    )]
    Network { reason: String },
    #[error(transparent)]
    Ims(#[from] ImsError),
    #[error(
        "Adobe Experience Platform answered HTTP {status} with a body Flow Connect could not read ({detail}). \
         Try again; if it persists, the service may have changed."
    )]
    UnexpectedResponse { status: u16, detail: String },
    #[error(
        "This sandbox already has {count} connection(s) of this source named “{name}”. Rename this one, \
         or create it anyway to have two."
    )]
    DuplicateName { name: String, count: usize },
    #[error(
        "Adobe Experience Platform did not confirm the create ({reason}), and after looking for {seconds} s this \
         create's connection named “{name}” had not appeared. Open the Connections screen to check before you try \
         again: if it appears later, its description ends with “[flow-connect create …]”."
    )]
    CreateUnconfirmed { name: String, seconds: u64, reason: String },
    #[error("That is not a {what} ID (Adobe's IDs look like 5bd2c6a2-6e39-4a55-9f6a-3c4d29c1a7b0). Pick it again from the list.")]
    InvalidId { what: &'static str },
    /// A connection asked for by name: none or several have it.
    #[error(transparent)]
    Name(#[from] crate::names::NameError),
}

impl FlowError {
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            FlowError::Api(e) => Some(e),
            _ => None,
        }
    }
}
