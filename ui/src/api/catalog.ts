// The catalog and the form engine's commands: sources, search, form checks, connection strings.
import { call } from "./ipc";
import type { AccountRequest } from "../bindings/AccountRequest";
import type { CatalogList } from "../bindings/CatalogList";
import type { ComposeConnectionStringRequest } from "../bindings/ComposeConnectionStringRequest";
import type { FormCheck } from "../bindings/FormCheck";
import type { FormCheckRequest } from "../bindings/FormCheckRequest";
import type { ImportKeyFileRequest } from "../bindings/ImportKeyFileRequest";
import type { ImportedKeyFile } from "../bindings/ImportedKeyFile";
import type { LoadSourceRequest } from "../bindings/LoadSourceRequest";
import type { RefreshCatalogRequest } from "../bindings/RefreshCatalogRequest";
import type { SearchCatalogRequest } from "../bindings/SearchCatalogRequest";
import type { Source } from "../bindings/Source";
import type { SplitConnectionString } from "../bindings/SplitConnectionString";
import type { SplitConnectionStringRequest } from "../bindings/SplitConnectionStringRequest";
import type { StoredSecrets } from "../bindings/StoredSecrets";

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
