// flow-connect-cli as scripts run it: whole processes, from spawn to exit, against the same
// kind of data folder the app keeps. `profiles list` with 1,000 saved profiles, and
// `sources list` from the catalog cache the CLI wrote after `sources refresh` against the
// fakes (with 100 large generated specs when FAKE_EXTRA_SPECS says so).
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";

import { withProfiles } from "./bench-data.mjs";
import { startFakes } from "./harness.mjs";

const TARGET_MS = 50;

function runCli(binary, env, args) {
  const started = performance.now();
  const result = spawnSync(binary, args, { env, encoding: "utf8" });
  const elapsed = performance.now() - started;
  if (result.status !== 0)
    throw new Error(
      `flow-connect-cli ${args.join(" ")} exited ${String(result.status)}: ${result.stderr}`,
    );
  return { elapsed, stdout: result.stdout };
}

function timed(binary, env, args, runs) {
  runCli(binary, env, args); // the page cache warm, as for every run after the first
  const times = Array.from(
    { length: runs },
    () => runCli(binary, env, args).elapsed,
  );
  times.sort((a, b) => a - b);
  return {
    median: times[Math.floor(times.length / 2)],
    slowest: times[times.length - 1],
  };
}

export async function benchCli(binary, runs) {
  const fakes = await startFakes();
  try {
    const dataRoot = withProfiles(1000);
    const env = {
      PATH: process.env.PATH,
      DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS ?? "",
      XDG_DATA_HOME: path.join(dataRoot, "data"),
      HOME: path.join(dataRoot, "home"),
      FLOW_CONNECT_PLATFORM_URL: fakes.url,
      FLOW_CONNECT_IMS_URL: fakes.url,
      BENCH_CLIENT_SECRET: "fake-client-secret",
    };
    runCli(binary, env, [
      "accounts",
      "add",
      "--name",
      "Bench",
      "--org-id",
      "FAKE0RG000000000@AdobeOrg",
      "--client-id",
      "fake-client-id",
      "--client-secret",
      "env:BENCH_CLIENT_SECRET",
      "--default-sandbox",
      "prod",
    ]);
    runCli(binary, env, ["sources", "refresh"]);
    const listed = JSON.parse(
      runCli(binary, env, ["profiles", "list", "--json"]).stdout,
    );
    if (listed.length !== 1000)
      throw new Error(`listed ${String(listed.length)} profiles`);
    const sources = JSON.parse(
      runCli(binary, env, ["sources", "list", "--json"]).stdout,
    );
    const results = {
      profiles: timed(binary, env, ["profiles", "list"], runs),
      sources: timed(binary, env, ["sources", "list"], runs),
      sourceCount: sources.length,
      size: statSync(binary).size,
    };
    return {
      ...results,
      lines: (ms, fileSize, appSize) => [
        "## flow-connect-cli",
        "",
        `Whole processes, spawn to exit, median of ${String(runs)} runs after one warm-up (slowest in brackets); ${String(results.sourceCount)} sources in the cache.`,
        "",
        "| `profiles list` (1,000 profiles) | `sources list` (from the cache) | CLI binary | App binary |",
        "|---|---|---|---|",
        `| ${ms(results.profiles.median)} (${ms(results.profiles.slowest)}) ${results.profiles.median <= TARGET_MS ? "✓" : "✗"} (≤ ${String(TARGET_MS)} ms) | ${ms(results.sources.median)} (${ms(results.sources.slowest)}) ${results.sources.median <= TARGET_MS ? "✓" : "✗"} (≤ ${String(TARGET_MS)} ms) | ${fileSize(results.size)} | ${fileSize(appSize)} |`,
      ],
    };
  } finally {
    fakes.child.kill();
  }
}
