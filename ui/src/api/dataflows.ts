// Dataflows from a connection: the wizard's plan and create, resume and undo, and the
// dataflows of a connection with their runs.
import { call } from "./ipc";
import type { ConnectionDataflows } from "../bindings/ConnectionDataflows";
import type { ConnectionTarget } from "../bindings/ConnectionTarget";
import type { Creation } from "../bindings/Creation";
import type { CreationRequest } from "../bindings/CreationRequest";
import type { DataflowCreated } from "../bindings/DataflowCreated";
import type { DataflowPlan } from "../bindings/DataflowPlan";
import type { FlowChange } from "../bindings/FlowChange";
import type { FlowChangeRequest } from "../bindings/FlowChangeRequest";
import type { FlowDetails } from "../bindings/FlowDetails";
import type { FlowRequest } from "../bindings/FlowRequest";
import type { PlanOutcome } from "../bindings/PlanOutcome";
import type { PlanRequest } from "../bindings/PlanRequest";
import type { Run } from "../bindings/Run";
import type { SandboxRequest } from "../bindings/SandboxRequest";
import type { TargetOptions } from "../bindings/TargetOptions";

export function dataflowOptions(accountId: string, sandbox: string): Promise<TargetOptions> {
  const request: SandboxRequest = { accountId, sandbox };
  return call<TargetOptions>("dataflow_options", { request });
}

export function planDataflow(
  accountId: string,
  sandbox: string,
  plan: DataflowPlan,
  creationId?: string,
): Promise<PlanOutcome> {
  const request: PlanRequest = { accountId, sandbox, plan, ...(creationId ? { creationId } : {}) };
  return call<PlanOutcome>("plan_dataflow", { request });
}

/** Makes a new schema and dataset (the creation's first steps) and previews the rows on them. */
export function makeDataflowTarget(
  accountId: string,
  sandbox: string,
  plan: DataflowPlan,
  creationId?: string,
): Promise<PlanOutcome> {
  const request: PlanRequest = { accountId, sandbox, plan, ...(creationId ? { creationId } : {}) };
  return call<PlanOutcome>("make_dataflow_target", { request });
}

export function createDataflow(
  accountId: string,
  sandbox: string,
  plan: DataflowPlan,
  creationId?: string,
): Promise<DataflowCreated> {
  const request: PlanRequest = { accountId, sandbox, plan, ...(creationId ? { creationId } : {}) };
  return call<DataflowCreated>("create_dataflow", { request });
}

export function resumeDataflow(
  accountId: string,
  sandbox: string,
  creationId: string,
): Promise<Creation> {
  const request: CreationRequest = { accountId, sandbox, creationId };
  return call<Creation>("resume_dataflow", { request });
}

export function undoDataflow(
  accountId: string,
  sandbox: string,
  creationId: string,
): Promise<Creation> {
  const request: CreationRequest = { accountId, sandbox, creationId };
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

export function dataflowRuns(accountId: string, sandbox: string, flowId: string): Promise<Run[]> {
  const request: FlowRequest = { accountId, sandbox, flowId };
  return call<Run[]>("dataflow_runs", { request });
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
