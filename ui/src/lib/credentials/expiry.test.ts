import { describe, expect, it } from "vitest";

import type { Expiring } from "../../bindings/Expiring";
import { describeLeft, soonNotice, whatLabel } from "./expiry";

const HOUR = 3_600_000;

describe("the radar's wording", () => {
  it("says how long is left, or that it has ended", () => {
    expect(describeLeft(0, 1)).toBe("ended");
    expect(describeLeft(5 * HOUR - 1, 0)).toBe("5 h");
    expect(describeLeft(24 * HOUR, 0)).toBe("1 day");
    expect(describeLeft(12 * 24 * HOUR + HOUR, 0)).toBe("12 days");
  });

  it("names each kind", () => {
    expect(whatLabel("refreshToken")).toBe("Refresh token");
    expect(whatLabel("providerDeadline")).toBe("Provider deadline");
    expect(whatLabel("signedJwt")).toBe("Signed JWT");
    expect(whatLabel("clientSecret")).toBe("Client secret");
  });

  it("tells the soonest and counts the rest", () => {
    const item = (reason: string): Expiring => ({
      connectionId: "c",
      accountId: "a",
      sandbox: "prod",
      specId: "s",
      profileName: null,
      what: "accessToken",
      expiresAt: 1,
      reason,
      renewal: "consent",
      dataflows: null,
      connectionName: null,
      profileId: null,
    });
    expect(soonNotice([])).toBeNull();
    expect(soonNotice([item("Zendesk's access token ends on 2026-12-07")])).toBe(
      "Zendesk's access token ends on 2026-12-07. Open Credentials in Flow Connect to renew.",
    );
    expect(soonNotice([item("A ends"), item("B ends")])).toBe(
      "A ends and 1 more. Open Credentials in Flow Connect to renew.",
    );
  });
});
