// The source form's first state: every field present, defaults kept, a profile's values over them.
import { describe, expect, it } from "vitest";

import { builtinSources } from "../../bindings/builtinSources";
import type { OpenedProfile } from "../../bindings/OpenedProfile";
import { blankValues, formStart } from "./formStart";

const oracle = builtinSources.find((s) => s.specKey === "oracle");
const servicenow = builtinSources.find((s) => s.specKey === "service-now");

describe("form start", () => {
  it("has a field for every param and every part of a connection string", () => {
    if (!oracle) throw new Error("Oracle is built in");
    const blank = blankValues(oracle);
    const string = oracle.authMethods[0]?.params.find((p) => p.kind.type === "connectionString");
    if (!string || string.kind.type !== "connectionString") throw new Error("a connection string");
    expect(Object.keys(blank)).toContain(string.field);
    for (const part of string.kind.parts) expect(blank[part.field]).toBe("");
  });

  it("puts an opened profile's values and stored secrets over the blanks", () => {
    if (!servicenow) throw new Error("ServiceNow is built in");
    const opened: OpenedProfile = {
      profile: {
        id: "p1",
        name: "ServiceNow – ops",
        specId: servicenow.specId,
        specName: "Basic Authentication",
        sourceName: "ServiceNow",
        connectionName: "ServiceNow ops",
        description: "",
        values: { endpoint: "https://acme.service-now.com" },
        secretFields: ["password"],
        accountId: null,
        sandbox: null,
        updatedAt: 0,
        lastUsedAt: 0,
      },
      stored: { set: "profile/p1", fields: ["password"] },
      missing: [],
    };
    const start = formStart(servicenow, opened, "ignored");
    expect(start.name).toBe("ServiceNow ops");
    expect(start.values.endpoint).toBe("https://acme.service-now.com");
    expect(start.values.password).toBe("");
    expect(start.stored?.fields).toEqual(["password"]);
    expect(formStart(servicenow, null, "Renewed").name).toBe("Renewed");
  });
});
