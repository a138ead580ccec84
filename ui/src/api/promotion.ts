// Promotion as code from the window: a connection exported as a manifest, and promoted with its
// dataflows to another sandbox or org.
import { call, onEvent } from "./ipc";
import type { AppliedItem } from "../bindings/AppliedItem";
import type { ApplyReport } from "../bindings/ApplyReport";
import type { ConsentedSecrets } from "../bindings/ConsentedSecrets";
import type { ConsentStarted } from "../bindings/ConsentStarted";
import type { Drifted } from "../bindings/Drifted";
import type { ExportRequest } from "../bindings/ExportRequest";
import type { PromoteConsentRequest } from "../bindings/PromoteConsentRequest";
import type { PromoteRequest } from "../bindings/PromoteRequest";
import type { PromotionPreview } from "../bindings/PromotionPreview";

/** Saves the connection as a manifest where the user picks; null when they cancelled. */
export function exportConnection(request: ExportRequest): Promise<string | null> {
  return call<string | null>("export_connection", { request });
}

/** The connections of a sandbox that drifted from what a manifest applied there. */
export function driftedConnections(accountId: string, sandbox: string): Promise<Drifted[]> {
  return call<Drifted[]>("drifted_connections", { accountId, sandbox });
}

export function planPromotion(request: PromoteRequest): Promise<PromotionPreview> {
  return call<PromotionPreview>("plan_promotion", { request });
}

/** Calls `handler` with each step of a promotion being applied, as soon as it is done. */
export function onPromotionStep(handler: (item: AppliedItem) => void): Promise<() => void> {
  // The backend sends core's AppliedItem, whose type is generated from the same struct.
  return onEvent("promotion-step", (payload) => {
    handler(payload as AppliedItem);
  });
}

export function applyPromotion(request: PromoteRequest): Promise<ApplyReport> {
  return call<ApplyReport>("apply_promotion", { request });
}

/** Starts a consent the promotion's plan names and opens its page in the system browser. */
export function beginPromotionConsent(request: PromoteConsentRequest): Promise<ConsentStarted> {
  return call<ConsentStarted>("begin_promotion_consent", { request });
}

/** Resolves once that consent answered: its tokens are in the keychain, and this says where. */
export function finishPromotionConsent(connection: string): Promise<ConsentedSecrets> {
  return call<ConsentedSecrets>("finish_promotion_consent", { request: { connection } });
}
