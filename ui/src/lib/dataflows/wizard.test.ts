// The wizard's own rules: the plan its fields make, the delta column it proposes, what a run's
// errors suggest, and how often a watched run is read.
import { describe, expect, it } from "vitest";

import type { Run } from "../../bindings/Run";
import { advice, buildPlan, fileTypeOf, nextDelay, proposedDelta, type Choices } from "./wizard";

const columns = [
  { name: "id", type: "integer", xdmType: "integer" },
  { name: "email", type: "string", xdmType: null },
  { name: "signed_up", type: "string", xdmType: "date-time" },
  { name: "last_modified", type: "string", xdmType: "date-time" },
];

function choices(over: Partial<Choices> = {}): Choices {
  return {
    name: " Customers ",
    connectionId: "c1",
    tablePath: "sales.customers",
    files: null,
    columns,
    kept: ["id", "email", "last_modified"],
    target: {
      kind: "new",
      datasetName: "Customers",
      schemaTitle: "Customers",
      classId: "https://ns.adobe.com/xdm/context/profile",
      identityColumn: "email",
      namespace: "Email",
      profile: false,
      profileConfirmed: false,
    },
    mappings: null,
    flowSpecId: "",
    frequency: "hour",
    interval: 2,
    start: "",
    backfill: true,
    deltaColumn: "last_modified",
    errorDiagnostics: true,
    partialPercent: "",
    ...over,
  };
}

function run(errors: { code: string; message: string }[]): Run {
  const base = { id: "r", status: "failed", startedAt: 1, completedAt: 2 };
  return { ...base, inputRecords: 0, outputRecords: 0, failedRecords: 0, errors };
}

describe("the dataflow wizard", () => {
  it("makes a plan of the kept columns, with the schedule's rules", () => {
    const plan = buildPlan(choices());
    expect(plan.name).toBe("Customers");
    expect(plan.source.kind === "table" && plan.source.columns.map((c) => c.name)).toEqual([
      "id",
      "email",
      "last_modified",
    ]);
    expect(plan.schedule).toEqual({ frequency: "hour", interval: 2, backfill: true });
    expect(plan.target.kind === "new" && plan.target.identity).toEqual({
      column: "email",
      namespace: "Email",
    });
    expect(plan.mappings).toBeUndefined();
    expect(plan.partialIngestionPercent).toBeUndefined();
    const once = buildPlan(choices({ frequency: "once", partialPercent: "5" }));
    expect(once.schedule).toEqual({ frequency: "once" });
    expect(once.partialIngestionPercent).toBe(5);
  });

  it("reads a file's folder, its format and its compression", () => {
    expect(fileTypeOf("exports/customers-2026-11.csv")).toBe("delimited");
    expect(fileTypeOf("events.json.gz")).toBe("json");
    expect(fileTypeOf("part-0001.parquet")).toBe("parquet");
    const plan = buildPlan(
      choices({
        tablePath: "exports/customers-2026-11.csv",
        files: {
          objectType: "folder",
          recursive: true,
          format: "delimited",
          delimiter: ";",
          encoding: "UTF-8",
          compression: "gzip",
        },
      }),
    );
    expect(plan.source).toEqual({
      kind: "files",
      path: "exports",
      objectType: "folder",
      recursive: true,
      format: { format: "delimited", delimiter: ";", encoding: "UTF-8", compression: "gzip" },
      columns: [
        { name: "id", type: "integer", xdmType: "integer" },
        { name: "email", type: "string" },
        { name: "last_modified", type: "string", xdmType: "date-time" },
      ],
      previewFile: "exports/customers-2026-11.csv",
    });
  });

  it("keeps edited mappings only of kept columns", () => {
    const plan = buildPlan(
      choices({
        mappings: [
          { sourceType: "attribute", source: "id", destination: "_acme.id" },
          { sourceType: "attribute", source: "signed_up", destination: "_acme.signedUp" },
          { sourceType: "expression", source: "lower(email)", destination: "_acme.email" },
        ],
      }),
    );
    expect(plan.mappings?.map((m) => m.destination)).toEqual(["_acme.id", "_acme.email"]);
  });

  it("proposes the timestamp that changes with the row", () => {
    expect(proposedDelta(columns)).toBe("last_modified");
    expect(proposedDelta(columns.slice(0, 3))).toBe("signed_up");
    expect(proposedDelta(columns.slice(0, 2))).toBe("");
  });

  it("reads a failed run's errors as the fix they need", () => {
    expect(
      advice(
        run([
          {
            code: "CONNECTOR-1001-500",
            message: "invalid_grant: Token has been expired or revoked.",
          },
        ]),
      )?.action,
    ).toBe("renew");
    expect(
      advice(run([{ code: "MAPPER-3700-400", message: "Mapper Transform Error" }]))?.action,
    ).toBe("mapping");
    expect(advice(run([{ code: "X", message: "Something else" }]))?.action).toBeNull();
    expect(advice(run([]))).toBeNull();
  });

  it("never reads a run more often than every 5 seconds, and backs off to a minute", () => {
    expect(nextDelay(null)).toBe(5000);
    expect(nextDelay(5000)).toBe(7500);
    let delay: number | null = null;
    for (let i = 0; i < 20; i++) delay = nextDelay(delay);
    expect(delay).toBe(60000);
  });
});
