// The expiry radar: what will stop working and when, and the renewal that needs no person.
import { call } from "./ipc";
import type { Expiring } from "../bindings/Expiring";
import type { RenewalResult } from "../bindings/RenewalResult";

/** What ends within `withinDays` (everything when null), or has ended, soonest first; with the
 * dataflows of each connection when `withDataflows` (which asks Adobe). */
export function expiringCredentials(
  withinDays: number | null,
  withDataflows = false,
): Promise<Expiring[]> {
  return call<Expiring[]>("expiring_credentials", { withinDays, withDataflows });
}

/** Signs the connection's JWT again with the key kept for it, for `lifetimeDays` (or as long
 * as last time), sends it and tests. */
export function renewSignedCredential(
  connectionId: string,
  lifetimeDays: number | null,
): Promise<RenewalResult> {
  return call<RenewalResult>("renew_signed_credential", { connectionId, lifetimeDays });
}
