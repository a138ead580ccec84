// The expiry radar: what will stop working and when.
import { call } from "./ipc";
import type { Expiring } from "../bindings/Expiring";

/** What ends within `withinDays` (everything when null), or has ended, soonest first. */
export function expiringCredentials(withinDays: number | null): Promise<Expiring[]> {
  return call<Expiring[]>("expiring_credentials", { withinDays });
}
