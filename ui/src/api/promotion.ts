// Promotion as code from the window: a connection exported as a manifest, and promoted with its
// dataflows to another sandbox or org.
import { call } from "./ipc";
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

export function applyPromotion(request: PromoteRequest): Promise<ApplyReport> {
  return call<ApplyReport>("apply_promotion", { request });
}
