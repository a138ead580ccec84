// `make bench`: Flow Connect against a bare Tauri v2 window (same Tauri, same release profile),
// both release builds, each started several times under Xvfb through WebDriver. Measures the
// time from launch to an interactive UI, the resident memory of the app and its WebKit
// processes after settling, binary and .deb sizes; then how start-up grows with saved profiles
// and how the connections view copes with a sandbox of 10,000 connections. Writes the table to
// docs/benchmarks.md and prints it. Not a test: numbers are reported, targets are checked.
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { benchCli } from "./bench-cli.mjs";
import { withProfiles } from "./bench-data.mjs";
import { RUNS, SETTLE_MS, inTurn } from "./bench-launches.mjs";
import { benchDataflow, dataflowLines } from "./bench-dataflow.mjs";
import { benchLifecycle, lifecycleLines } from "./bench-lifecycle.mjs";
import { benchCatalog, benchConnections } from "./bench-views.mjs";
import { targetsLine, waterfallLines } from "./bench-waterfall.mjs";
import { root } from "./harness.mjs";

// The headline comparison takes more launches than the scaling tables, so its median moves
// little between runs of the same build; the quartiles beside it show the launches' spread.
const HEADLINE_RUNS = Number(process.env.BENCH_HEADLINE_RUNS ?? 25);
// `BENCH_ONLY=startup` measures the two apps' start-up and nothing else, prints it and leaves
// docs/benchmarks.md alone: the quick loop while working on start-up.
const startupOnly = process.env.BENCH_ONLY === "startup";
const target = path.resolve(root, process.env.CARGO_TARGET_DIR ?? "target");
const apps = {
  flow: {
    name: "Flow Connect",
    binary: path.join(target, "release", "flow-connect"),
  },
  bare: {
    name: "Bare Tauri window",
    binary: path.join(target, "release", "bare-window"),
  },
};

function size(file) {
  return statSync(file).size;
}

function debOf(dir) {
  const folder = path.join(target, "release", "bundle", "deb");
  const deb = readdirSync(folder).find(
    (f) => f.startsWith(dir) && f.endsWith(".deb"),
  );
  return deb ? size(path.join(folder, deb)) : NaN;
}

const fileSize = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
const ms = (value) => `${value.toFixed(0)} ms`;
const msSpread = ({ q1, median: m, q3 }) =>
  `${m.toFixed(0)} ms (${q1.toFixed(0)}–${q3.toFixed(0)})`;
const mib = (value) => `${value.toFixed(1)} MiB`;
const mibSpread = ({ q1, median: m, q3 }) =>
  `${m.toFixed(1)} MiB (${q1.toFixed(1)}–${q3.toFixed(1)})`;
const check = (ratio, limit) =>
  `${ratio.toFixed(2)}× ${ratio <= limit ? "✓" : "✗"} (≤ ${String(limit)}×)`;

// `BENCH_ONLY=dataflow` measures the dataflow wizard at scale and nothing else, and rewrites
// its own section of docs/benchmarks.md.
if (process.env.BENCH_ONLY === "dataflow") {
  const section = dataflowLines(await benchDataflow(apps.flow.binary), ms);
  const file = path.join(root, "docs", "benchmarks.md");
  const doc = readFileSync(file, "utf8");
  const start = doc.indexOf(section[0]);
  const end = start < 0 ? -1 : doc.indexOf("\n## ", start + 1);
  const body = `${section.join("\n").trimEnd()}\n`;
  // A first run puts it before the hand-written history, where a whole run writes it.
  const history = doc.indexOf("\n## Start-up history");
  let updated;
  if (start >= 0) {
    updated = doc.slice(0, start) + body + (end < 0 ? "" : doc.slice(end));
  } else if (history >= 0) {
    updated = `${doc.slice(0, history + 1)}${body}\n${doc.slice(history + 1)}`;
  } else {
    updated = `${doc.trimEnd()}\n\n${body}`;
  }
  writeFileSync(file, updated);
  console.log(section.join("\n"));
  process.exit(0);
}

const { flow, bare } = await inTurn(
  {
    flow: [apps.flow.binary],
    bare: [apps.bare.binary],
  },
  HEADLINE_RUNS,
);
const sizes = {
  flowBinary: size(apps.flow.binary),
  bareBinary: size(apps.bare.binary),
  flowDeb: debOf("Flow Connect"),
  bareDeb: debOf("Bare Window"),
};

/** The headline: the two apps' start-up and memory, side by side. */
const headline = [
  "| | Flow Connect | Bare Tauri window | Ratio (target) |",
  "|---|---|---|---|",
  `| Start-up to the first screen readable, from process start | ${msSpread(flow.readySpread)} | ${msSpread(bare.readySpread)} | ${check(flow.ready / bare.ready, 1.1)} |`,
  `| of which the page, from navigation | ${msSpread(flow.pageSpread)} | ${msSpread(bare.pageSpread)} | ${(flow.page / bare.page).toFixed(2)}× ${flow.page < 40 ? "✓" : "✗"} (< 40 ms) |`,
  `| Start-up to the first screen's handlers set | ${msSpread(flow.interactiveSpread)} | ${msSpread(bare.interactiveSpread)} | ${(flow.interactive / bare.interactive).toFixed(2)}× |`,
  `| Memory (PSS), app + WebKit | ${mibSpread(flow.pssSpread)} | ${mibSpread(bare.pssSpread)} | ${check(flow.pss / bare.pss, 1.1)} |`,
  `| Resident memory (RSS), app + WebKit | ${mib(flow.rss)} | ${mib(bare.rss)} | ${(flow.rss / bare.rss).toFixed(2)}× |`,
  `| Release binary | ${fileSize(sizes.flowBinary)} | ${fileSize(sizes.bareBinary)} | ${check(sizes.flowBinary / sizes.bareBinary, 1.5)} |`,
  `| .deb package | ${fileSize(sizes.flowDeb)} | ${fileSize(sizes.bareDeb)} | ${(sizes.flowDeb / sizes.bareDeb).toFixed(2)}× |`,
];
const waterfall = waterfallLines(flow, bare, HEADLINE_RUNS);
const targets = targetsLine(flow, bare);
if (startupOnly) {
  console.log([...headline, "", ...waterfall, "", targets].join("\n"));
  process.exit(0);
}

/** Waits for the home screen to list the recent profiles (its first 5) after the mark; the
 * app reads the first page of 30 for them. */
const listedProfiles = (count) => async (app) => {
  const started = performance.now();
  await app.browser.waitUntil(
    async () =>
      (
        await app.browser.$$(
          "section[aria-labelledby='recent-profiles-heading'] li",
        )
      ).length === Math.min(count, 5),
    { timeout: 30000 },
  );
  return { listed: performance.now() - started };
};
const profileCounts = [0, 10, 100, 1000];
const byCount = await inTurn(
  Object.fromEntries(
    profileCounts.map((count) => [
      `profiles-${String(count)}`,
      [
        apps.flow.binary,
        { dataRoot: withProfiles(count), extra: listedProfiles(count) },
      ],
    ]),
  ),
);
const profileRows = profileCounts.map((count) => ({
  count,
  ...byCount[`profiles-${String(count)}`],
}));

// A sandbox of 10,000 connections: the view shows one page and loads more on demand.
const connections = await benchConnections(apps.flow.binary);

// A catalog of 100 large specs (about 1 MB): how long the list takes to render once it is in
// the page, how long each keystroke of a search takes, and what a start pays for the cache.
const catalogRun = await benchCatalog(apps.flow.binary);

// Start-up with the account and its cached catalog of 104 sources, against the same account
// with no cache (the built-in four), in turn.
const uncached = mkdtempSync(
  path.join(process.env.XDG_RUNTIME_DIR ?? tmpdir(), "bench-uncached-"),
);
cpSync(catalogRun.dataRoot, uncached, { recursive: true });
for (const file of readdirSync(
  path.join(uncached, "data", "io.flowconnect.desktop"),
)) {
  if (file.startsWith("catalog-"))
    rmSync(path.join(uncached, "data", "io.flowconnect.desktop", file));
}
const cachedStart = await inTurn({
  cached: [apps.flow.binary, { dataRoot: catalogRun.dataRoot }],
  uncached: [apps.flow.binary, { dataRoot: uncached }],
});

const lifecycle = await benchLifecycle(apps.flow.binary);
const dataflow = await benchDataflow(apps.flow.binary);
const cli = await benchCli(
  path.join(target, "release", "flow-connect-cli"),
  RUNS,
);

const lines = [
  "# Benchmarks",
  "",
  `Measured by \`make bench\` on ${new Date().toISOString().slice(0, 10)}: release builds, Xvfb, ` +
    `median (first–third quartile) of ${String(HEADLINE_RUNS)} launches each, the two apps in turn (the order flipping each round). Both are built by \`tauri build\` with the same release profile and \`removeUnusedCommands\`, so each binary keeps only the IPC commands its capabilities allow. Start-up is from the process start (a launcher notes the time and execs the binary, so the fakes', the driver's and the WebDriver session's start are left out) to the first screen readable: the page's first contentful paint (Flow Connect's page holds its first screen, the source catalog, in its HTML and paints it before its bundle runs; the bare page is one line of text). The page's share is from its navigation to that paint. The first screen's handlers are set at the page's \`interactive\` mark (Flow Connect's once its bundle has hydrated the screen; the bare page's when its script runs), on its own row. Memory is the proportional set (PSS: a page shared with other processes counts for its share) of the app and its WebKit processes ` +
    `${String(SETTLE_MS / 1000)} s after that; the resident set is beside it for comparison with earlier runs.`,
  "",
  ...headline,
  "",
  targets,
  "",
  ...waterfall,
  "",
  "## Saved profiles",
  "",
  `Flow Connect with each number of saved profiles, launched in turn like the two apps above, median of ${String(RUNS)} launches each.`,
  "",
  "| Profiles | Start-up to the first screen readable | Recent profiles on the home screen (first 5) | Memory |",
  "|---|---|---|---|",
  ...profileRows.map(
    (r) =>
      `| ${String(r.count)} | ${ms(r.ready)} | ${ms(r.listed ?? 0)} after ready | ${mib(r.rss)} |`,
  ),
  "",
  "## A sandbox of 10,000 connections",
  "",
  "| First page (50) shown | Next page | Name filter over loaded pages | Memory | List requests (largest page) |",
  "|---|---|---|---|---|",
  `| ${ms(connections.firstPage)} | ${ms(connections.nextPage)} | ${ms(connections.filtered)} | ${mib(connections.rss)} | ${String(connections.lists)} (limit ${String(connections.largest)}) |`,
  "",
  "## A catalog of 100 large source specs",
  "",
  `The fake lists 100 generated specs of about 10 KB each beside the others (${String(catalogRun.sources)} sources). The catalog makes the first 24 cards at once and the rest 24 per frame, and a search shows 12 matches at a time (more as the list is scrolled). Rendering is from the list arriving in the page to its first screen laid out (all cards made: ${ms(catalogRun.complete)}); a keystroke from the input event to the filtered grid laid out (7 keystrokes). Start-up is with the account and its cached catalog against the same account without the cache, launched in turn, median of ${String(RUNS)} each.`,
  "",
  "| Catalog rendered | Search keystroke, median (slowest) | Start-up with the cache | without | Memory with the cache |",
  "|---|---|---|---|---|",
  `| ${ms(catalogRun.rendered)} ${catalogRun.rendered <= 100 ? "✓" : "✗"} (≤ 100 ms) | ${ms(catalogRun.medianKey)} (${ms(catalogRun.slowestKey)}) ${catalogRun.slowestKey <= 16 ? "✓" : "✗"} (≤ 16 ms) | ${ms(cachedStart.cached.ready)} | ${ms(cachedStart.uncached.ready)} | ${mib(cachedStart.cached.rss)} |`,
  "",
  ...lifecycleLines(lifecycle, ms),
  "",
  ...dataflowLines(dataflow, ms),
  "",
  ...cli.lines(ms, fileSize, sizes.flowBinary),
];
const table = lines.join("\n");
writeFileSync(path.join(root, "docs", "benchmarks.md"), table);
console.log(table);
