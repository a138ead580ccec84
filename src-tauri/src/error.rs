//! What a failed command hands the UI: the core's `{code, message}`. Nothing else of an error
//! crosses the IPC boundary.

pub use flow_connect_core::operations::failure::{ErrorCode, Failure as CommandError};
