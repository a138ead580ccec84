//! Adobe Experience Platform's Flow Service: base connections and connection specs, exploring
//! a connection's data, and the dataflows that read from it.

mod client;
mod create;
mod dataflows;
mod error;
mod explore;
mod lookup;
mod model;
mod preview;
mod retry;
mod specs;
mod update;

pub use crate::adobe::error::ApiError;
pub use client::{http_client, FlowClient, ListQuery, PlatformTarget};
pub use create::SameName;
pub use dataflows::{ConnectionHealth, Dataflow, FlowSummary, LastRun, Run, RunError};
pub use error::FlowError;
pub use explore::{
    Column, ExploreItem, ExploreKind, ExploreSupport, Listing, Place, TableDetails, EXPLORE_PAGE,
};
pub use model::{
    AuthInfo, AuthParams, AuthSpec, Connection, ConnectionPage, ConnectionSpec, Created, NewConnection,
    PatchOp, Sandbox, SpecRef, TestOutcome, MASK,
};
pub use preview::{preview, RequestPreview};
pub use retry::RetryPolicy;
pub use specs::{SpecList, MAX_SPEC_LIST_BYTES};
