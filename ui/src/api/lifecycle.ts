// Connections already made: explore, health, renewal and the tokens' standing.
import { call } from "./ipc";
import type { ConnectionHealth } from "../bindings/ConnectionHealth";
import type { ConnectionTarget } from "../bindings/ConnectionTarget";
import type { ExploreRequest } from "../bindings/ExploreRequest";
import type { FlowSummary } from "../bindings/FlowSummary";
import type { Listing } from "../bindings/Listing";
import type { OpenRenewRequest } from "../bindings/OpenRenewRequest";
import type { Place } from "../bindings/Place";
import type { ProfileTokenRequest } from "../bindings/ProfileTokenRequest";
import type { RecordProfileTokenRequest } from "../bindings/RecordProfileTokenRequest";
import type { RenewForm } from "../bindings/RenewForm";
import type { RenewRequest } from "../bindings/RenewRequest";
import type { Renewal } from "../bindings/Renewal";
import type { SummariesRequest } from "../bindings/SummariesRequest";
import type { TableDetails } from "../bindings/TableDetails";
import type { TableRequest } from "../bindings/TableRequest";
import type { TestingClientRequest } from "../bindings/TestingClientRequest";
import type { TokenIssue } from "../bindings/TokenIssue";
import type { TokenStatus } from "../bindings/TokenStatus";
import type { TokenStatusRequest } from "../bindings/TokenStatusRequest";

export function exploreConnection(
  accountId: string,
  sandbox: string,
  connectionId: string,
  specId: string,
  place: Place,
  start: number,
): Promise<Listing> {
  const request: ExploreRequest = { accountId, sandbox, connectionId, specId, place, start };
  return call<Listing>("explore_connection", { request });
}

export function tableDetails(
  accountId: string,
  sandbox: string,
  connectionId: string,
  path: string,
  preview: boolean,
  fileType?: string,
): Promise<TableDetails> {
  const request: TableRequest = {
    accountId,
    sandbox,
    connectionId,
    path,
    preview,
    ...(fileType ? { fileType } : {}),
  };
  return call<TableDetails>("table_details", { request });
}

export function connectionHealth(
  accountId: string,
  sandbox: string,
  connectionId: string,
): Promise<ConnectionHealth> {
  const request: ConnectionTarget = { accountId, sandbox, connectionId };
  return call<ConnectionHealth>("connection_health", { request });
}

export function flowSummaries(
  accountId: string,
  sandbox: string,
  connectionIds: string[],
): Promise<FlowSummary[]> {
  const request: SummariesRequest = { accountId, sandbox, connectionIds };
  return call<FlowSummary[]>("flow_summaries", { request });
}

export function openRenew(
  accountId: string,
  sandbox: string,
  connectionId: string,
  specId: string,
): Promise<RenewForm> {
  const request: OpenRenewRequest = { accountId, sandbox, connectionId, specId };
  return call<RenewForm>("open_renew", { request });
}

export function renewConnection(request: RenewRequest): Promise<Renewal> {
  return call<Renewal>("renew_connection", { request });
}

export function profileToken(profileId: string): Promise<TokenStatus | null> {
  const request: ProfileTokenRequest = { profileId };
  return call<TokenStatus | null>("profile_token", { request });
}

export function recordProfileToken(profileId: string, token: TokenIssue): Promise<void> {
  const request: RecordProfileTokenRequest = { profileId, token };
  return call<undefined>("record_profile_token", { request });
}

export function tokenStatus(token: TokenIssue): Promise<TokenStatus> {
  const request: TokenStatusRequest = { token };
  return call<TokenStatus>("token_status", { request });
}

export function markTestingClient(clientId: string, testing: boolean): Promise<void> {
  const request: TestingClientRequest = { clientId, testing };
  return call<undefined>("mark_testing_client", { request });
}
