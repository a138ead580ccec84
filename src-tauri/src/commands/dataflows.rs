//! Dataflows from a connection: the wizard's plan (checked, with its mappings previewed on the
//! table's rows), the create made exactly once and resumed or undone, and a connection's
//! dataflows read, watched (with a run's failed rows), enabled, disabled and deleted. Each
//! command reads its request and calls core's dataflows door.

use flow_connect_core::adobe::flow::{FailedRows, FlowDetails, Run};
use flow_connect_core::dataflows::manage::FlowMapping;
use flow_connect_core::dataflows::Creation;
use flow_connect_core::operations::{
    ConnectionDataflows, ConnectionTarget, CreationRequest, DataflowCreated, FlowChange, FlowChangeRequest,
    FlowRequest, Operations, PlanOutcome, PlanRequest, RunRequest, TargetOptions,
};
use tauri::State;

use crate::error::CommandError;

/// The datasets, classes and identity namespaces the target step chooses from, and the flow
/// specs that fit the connection.
#[tauri::command]
pub async fn dataflow_options(
    ops: State<'_, Operations>,
    request: ConnectionTarget,
) -> Result<TargetOptions, CommandError> {
    ops.dataflows().target_options(&request).await
}

/// The plan checked against the sandbox, its mappings validated and previewed; nothing made.
#[tauri::command]
pub async fn plan_dataflow(
    ops: State<'_, Operations>,
    request: PlanRequest,
) -> Result<PlanOutcome, CommandError> {
    ops.dataflows().plan(&request).await
}

/// A new schema and dataset made as the creation's first steps, and the mappings previewed on
/// them.
#[tauri::command]
pub async fn make_dataflow_target(
    ops: State<'_, Operations>,
    request: PlanRequest,
) -> Result<PlanOutcome, CommandError> {
    ops.dataflows().make_target(&request).await
}

#[tauri::command]
pub async fn create_dataflow(
    ops: State<'_, Operations>,
    request: PlanRequest,
) -> Result<DataflowCreated, CommandError> {
    ops.dataflows().create(&request).await
}

/// Goes on with a creation that failed, making only what is missing.
#[tauri::command]
pub async fn resume_dataflow(
    ops: State<'_, Operations>,
    request: CreationRequest,
) -> Result<Creation, CommandError> {
    ops.dataflows().resume(&request).await
}

/// Deletes what a creation made, the dataflow first.
#[tauri::command]
pub async fn undo_dataflow(
    ops: State<'_, Operations>,
    request: CreationRequest,
) -> Result<Creation, CommandError> {
    ops.dataflows().delete_made(&request).await
}

/// A connection's dataflows, with the creations of it that did not finish.
#[tauri::command]
pub async fn connection_dataflows(
    ops: State<'_, Operations>,
    request: ConnectionTarget,
) -> Result<ConnectionDataflows, CommandError> {
    ops.dataflows().of_target(&request).await
}

#[tauri::command]
pub async fn dataflow_details(
    ops: State<'_, Operations>,
    request: FlowRequest,
) -> Result<FlowDetails, CommandError> {
    ops.dataflows().show(&request).await
}

/// The mappings the flow runs now, for a new version made from them.
#[tauri::command]
pub async fn dataflow_mapping(
    ops: State<'_, Operations>,
    request: FlowRequest,
) -> Result<FlowMapping, CommandError> {
    ops.dataflows().mapping(&request).await
}

/// A dataflow's runs, newest first: what the run watch polls.
#[tauri::command]
pub async fn dataflow_runs(
    ops: State<'_, Operations>,
    request: FlowRequest,
) -> Result<Vec<Run>, CommandError> {
    ops.dataflows().runs(&request).await
}

/// The rows a run could not ingest, with Adobe's errors: none when the dataflow had error
/// diagnostics off.
#[tauri::command]
pub async fn dataflow_failed_rows(
    ops: State<'_, Operations>,
    request: RunRequest,
) -> Result<FailedRows, CommandError> {
    ops.dataflows().failed_rows(&request).await
}

#[tauri::command]
pub async fn set_dataflow_enabled(
    ops: State<'_, Operations>,
    request: FlowRequest,
    enabled: bool,
) -> Result<FlowDetails, CommandError> {
    ops.dataflows().set_enabled(&request, enabled).await
}

/// Renames, reschedules or remaps a dataflow over the version the user saw.
#[tauri::command]
pub async fn change_dataflow(
    ops: State<'_, Operations>,
    request: FlowChangeRequest,
) -> Result<FlowChange, CommandError> {
    ops.dataflows().change(&request).await
}

/// Deletes a dataflow with its source and target connections.
#[tauri::command]
pub async fn delete_dataflow(ops: State<'_, Operations>, request: FlowRequest) -> Result<(), CommandError> {
    ops.dataflows().delete(&request).await
}
