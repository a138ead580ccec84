//! Adobe Experience Platform's Flow Service: base connections and connection specs, exploring
//! a connection's data, and the dataflows that read from it; with the gateway's other
//! services a dataflow needs (Schema Registry, Catalog, Identity Service, Data Prep), which
//! share its headers, retries and token.

mod chain;
mod client;
mod create;
mod data_prep;
mod dataflows;
mod error;
mod explore;
mod flows;
mod lookup;
mod model;
mod preview;
mod retry;
mod row_errors;
mod specs;
mod targets;
mod update;

pub use crate::adobe::error::ApiError;
pub use chain::{ChainObject, Made};
pub use client::{http_client, FlowClient, ListQuery, PlatformTarget};
pub use create::SameName;
pub use data_prep::{MappingCheck, PreviewRecord, MAX_PREVIEW_ROWS};
pub use dataflows::{ConnectionHealth, Dataflow, FlowSummary, LastRun, Run, RunError};
pub use error::FlowError;
pub use explore::{
    Column, ExploreItem, ExploreKind, ExploreSupport, Listing, Place, TableDetails, EXPLORE_PAGE,
};
pub use flows::{FlowDetails, FlowObject, FlowSpec, DATA_LAKE_SPEC};
pub use model::{
    AuthInfo, AuthParams, AuthSpec, Connection, ConnectionPage, ConnectionSpec, Created, NewConnection,
    PatchOp, Sandbox, SpecRef, TestOutcome, MASK,
};
pub use preview::{preview, RequestPreview};
pub use retry::RetryPolicy;
pub use row_errors::{FailedRow, FailedRows, MAX_FAILED_ROWS, MAX_ROW_FILES};
pub use specs::{SpecList, MAX_SPEC_LIST_BYTES};
pub use targets::{DatasetSummary, IdentityNamespace, SchemaField, SchemaTree, XdmClass, MAX_SCHEMA_FIELDS};
