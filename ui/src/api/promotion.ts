// Promotion as code from the window: a connection exported as a manifest, and promoted with its
// dataflows to another sandbox or org.
import { call, onEvent } from "./ipc";
import type { AppliedItem } from "../bindings/AppliedItem";
import type { ApplyReport } from "../bindings/ApplyReport";
import type { Drifted } from "../bindings/Drifted";
import type { ExportRequest } from "../bindings/ExportRequest";
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
