// How the radar's items read, shared by the Credentials screen and the start-up check.
import type { Expiring } from "../../bindings/Expiring";
import type { ExpiringWhat } from "../../bindings/ExpiringWhat";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** "ended", "5 h" or "12 days" from `now` to `at` (both in ms). */
export function describeLeft(at: number, now: number): string {
  const left = at - now;
  if (left <= 0) return "ended";
  if (left < DAY) return `${String(Math.ceil(left / HOUR))} h`;
  const days = Math.floor(left / DAY);
  return days === 1 ? "1 day" : `${String(days)} days`;
}

export function whatLabel(what: ExpiringWhat): string {
  switch (what) {
    case "refreshToken":
      return "Refresh token";
    case "accessToken":
      return "Access token";
    case "providerDeadline":
      return "Provider deadline";
    case "signedJwt":
      return "Signed JWT";
    case "clientSecret":
      return "Client secret";
  }
}

/** The desktop notification's text for what ends soon, or null when nothing does. */
export function soonNotice(items: Expiring[]): string | null {
  if (items.length === 0) return null;
  const first = items[0];
  if (!first) return null;
  const more = items.length > 1 ? ` and ${String(items.length - 1)} more` : "";
  return `${first.reason.replace(/\.$/, "")}${more}. Open Credentials in Flow Connect to renew.`;
}
