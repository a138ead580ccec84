//! Dataflows from a connection to the data lake: the plan (the user's choices), its checks
//! against the flow spec, the schema and mappings proposed from the source's columns, the
//! request bodies, and the creation that makes each object exactly once, recorded step by
//! step in `dataflow-steps.json`. Plain Rust over the Adobe clients; the window's wizard and
//! `flow-connect-cli dataflow` are adapters of the operations door.

pub mod bodies;
pub mod checks;
pub mod create;
pub mod journal;
pub mod manage;
pub mod mapping;
pub mod plan;

pub use checks::PlanError;
pub use create::{DataflowError, Prepared};
pub use journal::{Creation, CreationState, Journal, JournalError, MadeStep};
pub use mapping::ProposedMapping;
pub use plan::{
    DataflowPlan, FileFormat, IdentityPlan, MappingRow, PlanColumn, SchedulePlan, SourcePlan, SourceType,
    TargetPlan,
};
