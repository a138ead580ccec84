//! What the dataflows door is asked and answers: one type per operation, the same for the
//! window (deserialized from the UI, exported to TypeScript) and the command line.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::adobe::flow::{
    DatasetSummary, FlowDetails, IdentityNamespace, MappingCheck, PreviewRecord, XdmClass,
};
use crate::dataflows::create::Prepared;
use crate::dataflows::journal::Creation;
use crate::dataflows::DataflowPlan;

/// A plan, for a sandbox of an account.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanRequest {
    pub account_id: String,
    pub sandbox: String,
    pub plan: DataflowPlan,
    /// The creation this plan continues: the one whose target was made for the preview.
    #[serde(default)]
    #[ts(optional)]
    pub creation_id: Option<String>,
}

/// What a plan comes to, before anything is made.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanOutcome {
    pub prepared: Prepared,
    /// Each mapping's standing, from Data Prep (for an existing schema; a new one is checked
    /// once it exists).
    pub checks: Vec<MappingCheck>,
    /// The explored rows as they would land, with each row's errors.
    pub preview: Vec<PreviewRecord>,
    /// A dataflow this plan made already in this sandbox.
    pub existing: Option<Creation>,
    /// The creation the plan continues (its target made), when it names one.
    pub creation: Option<Creation>,
}

/// What a create came to.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DataflowCreated {
    pub creation: Creation,
    /// The plan had made this dataflow before: nothing was created.
    pub existed: bool,
}

/// What a new or an existing target can be chosen from, read in one go.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TargetOptions {
    pub datasets: Vec<DatasetSummary>,
    /// Record and time-series classes a new schema can be built on.
    pub classes: Vec<XdmClass>,
    pub namespaces: Vec<IdentityNamespace>,
    /// The flow specs that read from the connection's source into the data lake: the user
    /// picks when there are several, and is told when there is none.
    pub flow_specs: Vec<FlowSpecChoice>,
}

/// A flow spec the user may pick, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FlowSpecChoice {
    pub id: String,
    pub name: String,
}

/// The dataflows of a connection, and the creations recorded for it here.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionDataflows {
    pub flows: Vec<FlowDetails>,
    /// Creations of this connection that did not finish: resume or undo them.
    pub unfinished: Vec<Creation>,
}

/// A change to a dataflow, made over the version (`etag`) the user saw.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FlowChangeRequest {
    pub account_id: String,
    pub sandbox: String,
    pub flow_id: String,
    pub etag: String,
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub schedule: Option<crate::dataflows::SchedulePlan>,
    /// A new version of the flow's mapping set, wired to the flow.
    #[serde(default)]
    #[ts(optional)]
    pub mappings: Option<Vec<crate::dataflows::MappingRow>>,
}

/// What a change came to.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "outcome")]
#[ts(export)]
pub enum FlowChange {
    Changed {
        flow: FlowDetails,
    },
    /// Someone changed the dataflow since it was read: nothing was written; here it is now.
    Stale {
        flow: FlowDetails,
    },
}

/// One recorded creation, by id.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CreationRequest {
    pub account_id: String,
    pub sandbox: String,
    pub creation_id: String,
}

/// One dataflow, by id.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FlowRequest {
    pub account_id: String,
    pub sandbox: String,
    pub flow_id: String,
}

/// One run of a dataflow, by id.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunRequest {
    pub account_id: String,
    pub sandbox: String,
    pub flow_id: String,
    pub run_id: String,
}
