// The only module that talks to the Rust backend. Every command has one typed wrapper here,
// and every failure arrives as a BackendError carrying the backend's {code, message}.
import { invoke } from "@tauri-apps/api/core";

import type { Account } from "../bindings/Account";
import type { AccountRequest } from "../bindings/AccountRequest";
import type { ComposeConnectionStringRequest } from "../bindings/ComposeConnectionStringRequest";
import type { FormCheckRequest } from "../bindings/FormCheckRequest";
import type { ImportKeyFileRequest } from "../bindings/ImportKeyFileRequest";
import type { LoadSourceRequest } from "../bindings/LoadSourceRequest";
import type { RefreshCatalogRequest } from "../bindings/RefreshCatalogRequest";
import type { SaveAccountRequest } from "../bindings/SaveAccountRequest";
import type { SearchCatalogRequest } from "../bindings/SearchCatalogRequest";
import type { SplitConnectionStringRequest } from "../bindings/SplitConnectionStringRequest";
import type { CatalogList } from "../bindings/CatalogList";
import type { CommandError } from "../bindings/CommandError";
import type { ConnectionRequest } from "../bindings/ConnectionRequest";
import type { ConnectionTarget } from "../bindings/ConnectionTarget";
import type { ExploreRequest } from "../bindings/ExploreRequest";
import type { ListRequest } from "../bindings/ListRequest";
import type { OpenRenewRequest } from "../bindings/OpenRenewRequest";
import type { ProfileTokenRequest } from "../bindings/ProfileTokenRequest";
import type { RecordProfileTokenRequest } from "../bindings/RecordProfileTokenRequest";
import type { RenameRequest } from "../bindings/RenameRequest";
import type { SandboxRequest } from "../bindings/SandboxRequest";
import type { SummariesRequest } from "../bindings/SummariesRequest";
import type { TableRequest } from "../bindings/TableRequest";
import type { TestingClientRequest } from "../bindings/TestingClientRequest";
import type { TokenStatusRequest } from "../bindings/TokenStatusRequest";
import type { ConsentRequest } from "../bindings/ConsentRequest";
import type { ConsentResult } from "../bindings/ConsentResult";
import type { ConsentStarted } from "../bindings/ConsentStarted";
import type { ConnectionPage } from "../bindings/ConnectionPage";
import type { Created } from "../bindings/Created";
import type { ConnectionHealth } from "../bindings/ConnectionHealth";
import type { FlowSummary } from "../bindings/FlowSummary";
import type { Listing } from "../bindings/Listing";
import type { OriginView } from "../bindings/OriginView";
import type { Place } from "../bindings/Place";
import type { RenewForm } from "../bindings/RenewForm";
import type { RenewRequest } from "../bindings/RenewRequest";
import type { Renewal } from "../bindings/Renewal";
import type { TableDetails } from "../bindings/TableDetails";
import type { TokenIssue } from "../bindings/TokenIssue";
import type { TokenStatus } from "../bindings/TokenStatus";
import type { Exported } from "../bindings/Exported";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { FormCheck } from "../bindings/FormCheck";
import type { ImportedGoogleClient } from "../bindings/ImportedGoogleClient";
import type { ImportedKeyFile } from "../bindings/ImportedKeyFile";
import type { Notices } from "../bindings/Notices";
import type { OpenedProfile } from "../bindings/OpenedProfile";
import type { Preferences } from "../bindings/Preferences";
import type { Profile } from "../bindings/Profile";
import type { ProfileDraft } from "../bindings/ProfileDraft";
import type { ProfileList } from "../bindings/ProfileList";
import type { ProfileListRequest } from "../bindings/ProfileListRequest";
import type { ProfileRequest } from "../bindings/ProfileRequest";
import type { RenameProfileRequest } from "../bindings/RenameProfileRequest";
import type { SavedProfile } from "../bindings/SavedProfile";
import type { ExportProfilesRequest } from "../bindings/ExportProfilesRequest";
import type { ImportProfilesRequest } from "../bindings/ImportProfilesRequest";
import type { ImportGoogleClientRequest } from "../bindings/ImportGoogleClientRequest";
import type { PasteConsentRequest } from "../bindings/PasteConsentRequest";
import type { RequestPreview } from "../bindings/RequestPreview";
import type { SignedIn } from "../bindings/SignedIn";
import type { SplitConnectionString } from "../bindings/SplitConnectionString";
import type { StoredSecrets } from "../bindings/StoredSecrets";
import type { Source } from "../bindings/Source";
import type { TestOutcome } from "../bindings/TestOutcome";
import type { TokenCheck } from "../bindings/TokenCheck";

export class BackendError extends Error {
  readonly code: ErrorCode | "Unknown";

  constructor(code: ErrorCode | "Unknown", message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }
}

function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>).code === "string" &&
    typeof (value as Record<string, unknown>).message === "string"
  );
}

/** The end-to-end suites set this to see every reply, so they can assert that none carries a
 * secret; nothing else does. */
type ReplyTap = (command: string, reply: unknown) => void;

function tap(command: string, reply: unknown): void {
  const seen = (window as unknown as { __flowConnectReplyTap?: ReplyTap }).__flowConnectReplyTap;
  seen?.(command, reply);
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    const reply = await invoke<T>(command, args);
    tap(command, reply);
    return reply;
  } catch (error: unknown) {
    tap(command, error);
    if (isCommandError(error)) throw new BackendError(error.code, error.message);
    const message = error instanceof Error ? error.message : String(error);
    throw new BackendError(
      "Unknown",
      `Flow Connect's backend did not answer (${message}). Restart the app.`,
    );
  }
}

/** Which account's live catalog to check against; null for the built-in one. */
export type CatalogScope = string | null;

export function validateForm(
  accountId: CatalogScope,
  specId: string,
  specName: string,
  values: Record<string, string>,
): Promise<FormCheck> {
  const request: FormCheckRequest = { accountId, specId, specName, values };
  return call<FormCheck>("validate_form", { request });
}

export function composeConnectionString(
  accountId: CatalogScope,
  specId: string,
  specName: string,
  param: string,
  values: Record<string, string>,
): Promise<string> {
  const request: ComposeConnectionStringRequest = { accountId, specId, specName, param, values };
  return call<string>("compose_connection_string", { request });
}

export function splitConnectionString(
  accountId: CatalogScope,
  specId: string,
  specName: string,
  param: string,
  raw: string,
  stored: StoredSecrets | null,
): Promise<SplitConnectionString> {
  const request: SplitConnectionStringRequest = {
    accountId,
    specId,
    specName,
    param,
    raw,
    stored,
  };
  return call<SplitConnectionString>("split_connection_string", { request });
}

export function loadSource(accountId: string, sandbox: string, specId: string): Promise<Source> {
  const request: LoadSourceRequest = { accountId, sandbox, specId };
  return call<Source>("load_source", { request });
}

/** The org's catalog as last fetched, at once and offline; the built-in sources before that. */
export function catalogSources(accountId: string): Promise<CatalogList> {
  const request: AccountRequest = { accountId };
  return call<CatalogList>("catalog_sources", { request });
}

/** The spec ids of the sources the catalog search finds, by core's rule; no network call. */
export function searchCatalog(accountId: string | null, query: string): Promise<string[]> {
  const request: SearchCatalogRequest = { accountId, query };
  return call<string[]>("search_catalog", { request });
}

/** Fetches the org's whole catalog of sources. */
export function refreshCatalog(accountId: string, sandbox: string): Promise<CatalogList> {
  const request: RefreshCatalogRequest = { accountId, sandbox };
  return call<CatalogList>("refresh_catalog", { request });
}

export function listAccounts(): Promise<Account[]> {
  return call<Account[]>("list_accounts");
}

export function saveAccount(account: Account, clientSecret: string | null): Promise<Account> {
  const request: SaveAccountRequest = { account, clientSecret };
  return call<Account>("save_account", { request });
}

/** Removes the account, its client secret in the keychain and its cached token. */
export function deleteAccount(id: string): Promise<void> {
  const request: AccountRequest = { accountId: id };
  return call<undefined>("delete_account", { request });
}

export function signIn(accountId: string): Promise<SignedIn> {
  const request: AccountRequest = { accountId };
  return call<SignedIn>("sign_in", { request });
}

export function previewConnection(request: ConnectionRequest): Promise<RequestPreview> {
  return call<RequestPreview>("preview_connection", { request });
}

export function createConnection(request: ConnectionRequest): Promise<Created> {
  return call<Created>("create_connection", { request });
}

export function testConnection(
  accountId: string,
  sandbox: string,
  connectionId: string,
): Promise<TestOutcome> {
  const request: ConnectionTarget = { accountId, sandbox, connectionId };
  return call<TestOutcome>("test_connection", { request });
}

export function listConnections(
  accountId: string,
  sandbox: string,
  specId: string | null,
  continuationToken: string | null,
): Promise<ConnectionPage> {
  const request: ListRequest = { accountId, sandbox, specId, continuationToken };
  return call<ConnectionPage>("list_connections", { request });
}

export function renameConnection(
  accountId: string,
  sandbox: string,
  connectionId: string,
  etag: string,
  name: string,
): Promise<Created> {
  const request: RenameRequest = { accountId, sandbox, connectionId, etag, name };
  return call<Created>("rename_connection", { request });
}

export function deleteConnection(
  accountId: string,
  sandbox: string,
  connectionId: string,
): Promise<void> {
  const request: ConnectionTarget = { accountId, sandbox, connectionId };
  return call<undefined>("delete_connection", { request });
}

export function listProfiles(query: string, limit: number): Promise<ProfileList> {
  const request: ProfileListRequest = { query, limit };
  return call<ProfileList>("list_profiles", { request });
}

/** What happened to the accounts and profiles files at start-up (moved aside), once. */
export function takeNotices(): Promise<Notices> {
  return call<Notices>("take_notices");
}

/** The saved profile, with `stored`: the reference to its own secret set. */
export function saveProfile(draft: ProfileDraft): Promise<SavedProfile> {
  const request: ProfileDraft = draft;
  return call<SavedProfile>("save_profile", { request });
}

export function openProfile(id: string): Promise<OpenedProfile> {
  const request: ProfileRequest = { id };
  return call<OpenedProfile>("open_profile", { request });
}

export function renameProfile(id: string, name: string): Promise<Profile> {
  const request: RenameProfileRequest = { id, name };
  return call<Profile>("rename_profile", { request });
}

export function duplicateProfile(id: string): Promise<Profile> {
  const request: ProfileRequest = { id };
  return call<Profile>("duplicate_profile", { request });
}

export function deleteProfile(id: string): Promise<void> {
  const request: ProfileRequest = { id };
  return call<undefined>("delete_profile", { request });
}

/** Asks where to save, then writes the export there; null when the user cancelled. */
export function exportProfiles(ids: string[]): Promise<Exported | null> {
  const request: ExportProfilesRequest = { ids };
  return call<Exported | null>("export_profiles", { request });
}

/** Imports the export at `path` (a dropped file), or asks for one in the OS's open dialog
 * when `path` is null; null when the user cancelled. */
export function importProfiles(path: string | null): Promise<Profile[] | null> {
  const request: ImportProfilesRequest = { path };
  return call<Profile[] | null>("import_profiles", { request });
}

/** Calls `ondrop` with the paths of files dropped on the window, and `onover` as a drag
 * enters (true) or leaves (false). Tauri reads the drop natively, so the page's own drop
 * events never see a file. Returns the function that stops listening. */
export async function onFileDrop(
  ondrop: (paths: string[]) => void,
  onover: (over: boolean) => void,
): Promise<() => void> {
  const { getCurrentWebview } = await import("@tauri-apps/api/webview");
  return getCurrentWebview().onDragDropEvent((event) => {
    const drag = event.payload;
    if (drag.type === "drop") {
      onover(false);
      ondrop(drag.paths);
    } else if (drag.type === "leave") onover(false);
    else onover(true);
  });
}

export function discardSecrets(stored: StoredSecrets): Promise<void> {
  const request: StoredSecrets = stored;
  return call<undefined>("discard_secrets", { request });
}

/** Reads a Google client JSON, the dropped one at `path` or else one picked in the OS's open
 * dialog (null: cancelled). The backend reads the file: its secret goes to the keychain, with
 * the form's `stored`, and never through this page. */
export function importGoogleClient(
  specId: string,
  stored: StoredSecrets | null,
  path: string | null,
): Promise<ImportedGoogleClient | null> {
  const request: ImportGoogleClientRequest = { specId, stored, path };
  return call<ImportedGoogleClient | null>("import_google_client", { request });
}

/** Reads the key file of the file field `field`, as importGoogleClient reads a client JSON:
 * the content goes to the keychain and the form learns only that the field is set. */
export function importKeyFile(
  specId: string,
  field: string,
  stored: StoredSecrets | null,
  path: string | null,
): Promise<ImportedKeyFile | null> {
  const request: ImportKeyFileRequest = { specId, field, stored, path };
  return call<ImportedKeyFile | null>("import_key_file", { request });
}

/** Starts a consent and opens its page in the system browser. */
export function beginConsent(request: ConsentRequest): Promise<ConsentStarted> {
  return call<ConsentStarted>("begin_consent", { request });
}

/** Resolves once the browser (or a paste) answered and the tokens are in the keychain. */
export function finishConsent(): Promise<ConsentResult> {
  return call<ConsentResult>("finish_consent");
}

export function pasteConsent(pasted: string): Promise<void> {
  const request: PasteConsentRequest = { pasted };
  return call<undefined>("paste_consent", { request });
}

export function cancelConsent(): Promise<void> {
  return call<undefined>("cancel_consent");
}

export function verifyGoogleToken(check: TokenCheck): Promise<void> {
  const request: TokenCheck = check;
  return call<undefined>("verify_google_token", { request });
}

export function revokeGoogleToken(check: TokenCheck): Promise<void> {
  const request: TokenCheck = check;
  return call<undefined>("revoke_google_token", { request });
}

/** The UI's preferences (the last screen); their loss costs nothing. */
export function loadPreferences(): Promise<Preferences> {
  return call<Preferences>("load_preferences");
}

export function savePreferences(preferences: Preferences): Promise<void> {
  const request: Preferences = preferences;
  return call<undefined>("save_preferences", { request });
}

/** Copies text for the user; the clipboard is the browser's, no extra permission needed. */
export function copyText(text: string): Promise<void> {
  return navigator.clipboard.writeText(text);
}

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
): Promise<TableDetails> {
  const request: TableRequest = { accountId, sandbox, connectionId, path, preview };
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

export function connectionOrigins(accountId: string, sandbox: string): Promise<OriginView[]> {
  const request: SandboxRequest = { accountId, sandbox };
  return call<OriginView[]>("connection_origins", { request });
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
