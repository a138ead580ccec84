// The catalog search asks the backend (core's rule, also the CLI's) after a pause in typing,
// never for an empty query, and drops an answer to an older query; the category is an equality.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Source } from "../../bindings/Source";
import { CatalogSearch, matches } from "./catalog.svelte";

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

type Args = Record<string, unknown>;

afterEach(() => {
  clearMocks();
  vi.useRealTimers();
});

describe("catalog filter", () => {
  it("shows what the search found, in the category picked", () => {
    expect(matches(snowflake, null, "")).toBe(true);
    expect(matches(snowflake, new Set([snowflake.specId]), "")).toBe(true);
    expect(matches(snowflake, new Set(), "")).toBe(false);
    expect(matches(snowflake, null, "Database")).toBe(true);
    expect(matches(snowflake, null, "CRM")).toBe(false);
    expect(matches(snowflake, new Set([snowflake.specId]), "CRM")).toBe(false);
  });
});

describe("catalog search", () => {
  it("asks the backend once typing pauses, and not at all for an empty query", async () => {
    vi.useFakeTimers();
    const asked: Args[] = [];
    mockIPC((cmd, args) => {
      if (cmd !== "search_catalog") throw new Error(`unexpected command ${cmd}`);
      const request = (args as Args).request as Args;
      asked.push(request);
      return request.query === "big query" ? ["3c9b37f8-13a6-43d8-bad3-b863b941fedd"] : [];
    });
    const search = new CatalogSearch(100);
    search.ask("", "acct-1", null);
    search.ask("big", "acct-1", null);
    search.ask("big query ", "acct-1", null);
    expect(asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    await vi.waitFor(() => {
      expect(search.found).not.toBeNull();
    });
    expect(asked).toEqual([{ accountId: "acct-1", query: "big query" }]);
    expect([...(search.found ?? [])]).toEqual(["3c9b37f8-13a6-43d8-bad3-b863b941fedd"]);
    expect(search.answered).toBe("big query");
    // The same words over the same list are not asked again; a new list is.
    search.ask("big query", "acct-1", null);
    await vi.advanceTimersByTimeAsync(100);
    expect(asked).toHaveLength(1);
    search.ask("big query", "acct-1", 1_700_000_000_000);
    await vi.advanceTimersByTimeAsync(100);
    await vi.waitFor(() => {
      expect(asked).toHaveLength(2);
    });

    search.ask("  ", null, null);
    expect(search.found).toBeNull();
    await vi.advanceTimersByTimeAsync(500);
    expect(asked).toHaveLength(2);
  });

  it("drops the answer to a query typed over", async () => {
    const pending: ((ids: string[]) => void)[] = [];
    mockIPC(
      () =>
        new Promise<string[]>((resolve) => {
          pending.push(resolve);
        }),
    );
    const search = new CatalogSearch(0);
    search.ask("snow", null, null);
    await vi.waitFor(() => {
      expect(pending).toHaveLength(1);
    });
    search.ask("oracle", null, null);
    await vi.waitFor(() => {
      expect(pending).toHaveLength(2);
    });
    pending[1]?.(["oracle-id"]);
    await vi.waitFor(() => {
      expect(search.answered).toBe("oracle");
    });
    pending[0]?.([snowflake.specId]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect([...(search.found ?? [])]).toEqual(["oracle-id"]);
  });
});
