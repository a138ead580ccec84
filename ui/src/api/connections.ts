// Connections in a sandbox: preview, create, test, list, rename, delete, their origins.
import { call } from "./ipc";
import type { ConnectionPage } from "../bindings/ConnectionPage";
import type { ConnectionRequest } from "../bindings/ConnectionRequest";
import type { ConnectionTarget } from "../bindings/ConnectionTarget";
import type { Created } from "../bindings/Created";
import type { CredentialsChecked } from "../bindings/CredentialsChecked";
import type { JwtRequest } from "../bindings/JwtRequest";
import type { JwtSigned } from "../bindings/JwtSigned";
import type { KeyFormRequest } from "../bindings/KeyFormRequest";
import type { KeyPairMade } from "../bindings/KeyPairMade";
import type { ListRequest } from "../bindings/ListRequest";
import type { MintRequest } from "../bindings/MintRequest";
import type { TokenMinted } from "../bindings/TokenMinted";
import type { OriginView } from "../bindings/OriginView";
import type { RenameRequest } from "../bindings/RenameRequest";
import type { RequestPreview } from "../bindings/RequestPreview";
import type { SandboxRequest } from "../bindings/SandboxRequest";
import type { TestOutcome } from "../bindings/TestOutcome";

export function previewConnection(request: ConnectionRequest): Promise<RequestPreview> {
  return call<RequestPreview>("preview_connection", { request });
}

/** The form's client credentials tried at their own provider, before anything goes to Adobe. */
export function checkCredentials(request: ConnectionRequest): Promise<CredentialsChecked> {
  return call<CredentialsChecked>("check_credentials", { request });
}

/** An RSA key pair for the form's key-pair sign-in; the private key stays in the keychain. */
export function makeKeyPair(request: KeyFormRequest): Promise<KeyPairMade> {
  return call<KeyPairMade>("make_key_pair", { request });
}

/** The form's JWT credential, signed by the core with a key kept in the keychain. */
export function signJwt(request: JwtRequest): Promise<JwtSigned> {
  return call<JwtSigned>("sign_jwt", { request });
}

/** An access token minted with the client's credentials; the secret stays in the keychain. */
export function mintToken(request: MintRequest): Promise<TokenMinted> {
  return call<TokenMinted>("mint_token", { request });
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

export function connectionOrigins(accountId: string, sandbox: string): Promise<OriginView[]> {
  const request: SandboxRequest = { accountId, sandbox };
  return call<OriginView[]>("connection_origins", { request });
}
