// OAuth consent: a Google client, the consent itself, and the token's checks.
import { call } from "./ipc";
import type { ConsentRequest } from "../bindings/ConsentRequest";
import type { ConsentResult } from "../bindings/ConsentResult";
import type { ConsentStarted } from "../bindings/ConsentStarted";
import type { GoogleTokens } from "../bindings/GoogleTokens";
import type { GoogleTokensRequest } from "../bindings/GoogleTokensRequest";
import type { ReuseTokenRequest } from "../bindings/ReuseTokenRequest";
import type { ImportGoogleClientRequest } from "../bindings/ImportGoogleClientRequest";
import type { ImportedGoogleClient } from "../bindings/ImportedGoogleClient";
import type { PasteConsentRequest } from "../bindings/PasteConsentRequest";
import type { StoredSecrets } from "../bindings/StoredSecrets";
import type { TokenCheck } from "../bindings/TokenCheck";

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

/** The live refresh tokens of a Google client Flow Connect made, against Google's limit. */
export function googleTokens(request: GoogleTokensRequest): Promise<GoogleTokens> {
  return call<GoogleTokens>("google_tokens", { request });
}

/** A profile's refresh token of the same client, taken into the form's keychain set. */
export function reuseGoogleToken(request: ReuseTokenRequest): Promise<ConsentResult> {
  return call<ConsentResult>("reuse_google_token", { request });
}
