// Dataflows from a connection: the wizard's plan and create, resume and undo, and the
// dataflows of a connection with their runs and a run's failed rows.
import { call } from "./ipc";
import type { ConnectionDataflows } from "../bindings/ConnectionDataflows";
import type { ConnectionTarget } from "../bindings/ConnectionTarget";
import type { Creation } from "../bindings/Creation";
import type { CreationRequest } from "../bindings/CreationRequest";
import type { DataflowCreated } from "../bindings/DataflowCreated";
import type { FailedRows } from "../bindings/FailedRows";
import type { FlowChange } from "../bindings/FlowChange";
import type { FlowChangeRequest } from "../bindings/FlowChangeRequest";
import type { FlowDetails } from "../bindings/FlowDetails";
import type { FlowMapping } from "../bindings/FlowMapping";
import type { FlowRequest } from "../bindings/FlowRequest";
import type { PlanOutcome } from "../bindings/PlanOutcome";
import type { PlanRequest } from "../bindings/PlanRequest";
import type { Run } from "../bindings/Run";
import type { RunRequest } from "../bindings/RunRequest";
import type { TargetOptions } from "../bindings/TargetOptions";

export function dataflowOptions(
  accountId: string,
  sandbox: string,
  connectionId: string,
): Promise<TargetOptions> {
  const request: ConnectionTarget = { accountId, sandbox, connectionId };
  return call<TargetOptions>("dataflow_options", { request });
}

/** The plan checked and its mappings previewed; nothing made. */
export function planDataflow(request: PlanRequest): Promise<PlanOutcome> {
  return call<PlanOutcome>("plan_dataflow", { request });
}

/** Makes a new schema and dataset (the creation's first steps) and previews the rows on them. */
export function makeDataflowTarget(request: PlanRequest): Promise<PlanOutcome> {
  return call<PlanOutcome>("make_dataflow_target", { request });
}

export function createDataflow(request: PlanRequest): Promise<DataflowCreated> {
  return call<DataflowCreated>("create_dataflow", { request });
}

/** Goes on with a creation that stopped, making only what is missing. */
export function resumeDataflow(request: CreationRequest): Promise<Creation> {
  return call<Creation>("resume_dataflow", { request });
}

/** Deletes what a creation made, the dataflow first. */
export function undoDataflow(request: CreationRequest): Promise<Creation> {
  return call<Creation>("undo_dataflow", { request });
}

export function connectionDataflows(
  accountId: string,
  sandbox: string,
  connectionId: string,
): Promise<ConnectionDataflows> {
  const request: ConnectionTarget = { accountId, sandbox, connectionId };
  return call<ConnectionDataflows>("connection_dataflows", { request });
}

export function dataflowDetails(
  accountId: string,
  sandbox: string,
  flowId: string,
): Promise<FlowDetails> {
  const request: FlowRequest = { accountId, sandbox, flowId };
  return call<FlowDetails>("dataflow_details", { request });
}

/** The mappings the flow runs now, for a new version made from them. */
export function dataflowMapping(
  accountId: string,
  sandbox: string,
  flowId: string,
): Promise<FlowMapping> {
  const request: FlowRequest = { accountId, sandbox, flowId };
  return call<FlowMapping>("dataflow_mapping", { request });
}

export function dataflowRuns(accountId: string, sandbox: string, flowId: string): Promise<Run[]> {
  const request: FlowRequest = { accountId, sandbox, flowId };
  return call<Run[]>("dataflow_runs", { request });
}

/** The rows a run could not ingest, with Adobe's errors; none when diagnostics were off. */
export function failedRows(request: RunRequest): Promise<FailedRows> {
  return call<FailedRows>("dataflow_failed_rows", { request });
}

export function setDataflowEnabled(
  accountId: string,
  sandbox: string,
  flowId: string,
  enabled: boolean,
): Promise<FlowDetails> {
  const request: FlowRequest = { accountId, sandbox, flowId };
  return call<FlowDetails>("set_dataflow_enabled", { request, enabled });
}

export function changeDataflow(request: FlowChangeRequest): Promise<FlowChange> {
  return call<FlowChange>("change_dataflow", { request });
}

export function deleteDataflow(
  accountId: string,
  sandbox: string,
  flowId: string,
): Promise<undefined> {
  const request: FlowRequest = { accountId, sandbox, flowId };
  return call<undefined>("delete_dataflow", { request });
}
