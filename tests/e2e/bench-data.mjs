// Data folders for the benchmarks: saved profiles as the app writes them.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** A data folder holding `count` saved profiles (values only; secrets are never in files). */
export function withProfiles(count) {
  const dataRoot = mkdtempSync(
    path.join(process.env.XDG_RUNTIME_DIR ?? tmpdir(), "bench-data-"),
  );
  const folder = path.join(dataRoot, "data", "io.flowconnect.desktop");
  mkdirSync(folder, { recursive: true });
  const now = Date.now();
  const profiles = Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    name: `ServiceNow instance ${String(i).padStart(4, "0")}`,
    specId: "eb13cb25-47ab-407f-ba89-c0125281c563",
    specName: "Basic Authentication",
    sourceName: "ServiceNow",
    connectionName: `Instance ${String(i)}`,
    description: "",
    values: {
      endpoint: `https://instance-${String(i)}.service-now.com`,
      username: "platform",
    },
    secretFields: ["password"],
    accountId: null,
    sandbox: null,
    updatedAt: now - i,
    lastUsedAt: now - i,
  }));
  writeFileSync(
    path.join(folder, "profiles.json"),
    JSON.stringify({ schemaVersion: 2, profiles }),
  );
  return dataRoot;
}
