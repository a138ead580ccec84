//! Adobe Experience Platform's Flow Service: base connections and connection specs.

mod client;
mod create;
mod error;
mod model;
mod preview;
mod retry;

pub use client::{http_client, FlowClient, ListQuery, PlatformTarget, SpecList};
pub use create::SameName;
pub use error::{ApiError, FlowError};
pub use model::{
    AuthInfo, AuthParams, AuthSpec, Connection, ConnectionPage, ConnectionSpec, Created, NewConnection,
    PatchOp, Sandbox, SpecRef, TestOutcome,
};
pub use preview::{preview, RequestPreview, MASK};
pub use retry::RetryPolicy;
