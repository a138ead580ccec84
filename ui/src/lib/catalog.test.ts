// The catalog search: every word must be found in a source's name, category, spec name or id.
import { describe, expect, it } from "vitest";

import { builtinSources } from "../bindings/builtinSources";
import type { Source } from "../bindings/Source";
import { matches } from "./catalog.svelte";

const snowflake: Source = {
  specId: "51ae16c2-bdad-42fd-9fce-8d5dfddaf140",
  specVersion: "1.0",
  specKey: "snowflake",
  displayName: "Snowflake",
  category: "Database",
  description: "",
  authMethods: [],
  origin: "live",
  explore: { kind: "tabular", paged: false },
};

describe("catalog search", () => {
  it("matches name, category and spec name, any case, every word", () => {
    expect(matches(snowflake, "snow", "")).toBe(true);
    expect(matches(snowflake, "DATABASE", "")).toBe(true);
    expect(matches(snowflake, "snow data", "")).toBe(true);
    expect(matches(snowflake, "snow oracle", "")).toBe(false);
    expect(matches(snowflake, "51ae16c2", "")).toBe(true);
    expect(matches(snowflake, "", "")).toBe(true);
  });

  it("filters by category", () => {
    expect(matches(snowflake, "", "Database")).toBe(true);
    expect(matches(snowflake, "", "CRM")).toBe(false);
    const bigquery = builtinSources.find((s) => s.specKey === "google-big-query");
    expect(bigquery && matches(bigquery, "big-query", "")).toBe(true);
  });
});
