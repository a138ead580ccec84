// `make bench`: Flow Connect against a bare Tauri v2 window (same Tauri, same release profile),
// both release builds, each started several times under Xvfb through WebDriver. Measures the
// time from launch to an interactive UI, the resident memory of the app and its WebKit
// processes after settling, binary and .deb sizes; then how start-up grows with saved profiles
// and how the connections view copes with a sandbox of 10,000 connections. Writes the table to
// docs/benchmarks.md and prints it. Not a test: numbers are reported, targets are checked.
import { execFileSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { benchCli } from "./bench-cli.mjs";
import { withProfiles } from "./bench-data.mjs";
import { benchLifecycle, lifecycleLines } from "./bench-lifecycle.mjs";
import { addFirstAccount, launch, root } from "./harness.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 11);
// The headline comparison takes more launches than the scaling tables, so its median moves
// little between runs of the same build; the quartiles beside it show the launches' spread.
const HEADLINE_RUNS = Number(process.env.BENCH_HEADLINE_RUNS ?? 25);
const SETTLE_MS = 2000;
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

/** The `q` quantile of `values` (0.5 the median), interpolated between the nearest two. */
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

function median(values) {
  return quantile(values, 0.5);
}

/** The median with the spread of the middle half: `median (first–third quartile)`. */
function spread(values) {
  return {
    q1: quantile(values, 0.25),
    median: median(values),
    q3: quantile(values, 0.75),
  };
}

/** Resident memory (KiB) of the process named `comm` and all its descendants (WebKit's). */
function treeRss(comm) {
  const rows = execFileSync("ps", ["-eo", "pid=,ppid=,rss=,comm="], {
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, rss, ...name]) => ({
      pid,
      ppid,
      rss: Number(rss),
      comm: name.join(" "),
    }));
  const roots = rows.filter((r) => r.comm === comm.slice(0, 15));
  const inTree = new Set(roots.map((r) => r.pid));
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of rows) {
      if (!inTree.has(r.pid) && inTree.has(r.ppid)) {
        inTree.add(r.pid);
        grew = true;
      }
    }
  }
  return rows
    .filter((r) => inTree.has(r.pid))
    .reduce((sum, r) => sum + r.rss, 0);
}

/**
 * When the page set its `interactive` mark: the wall-clock time (ms since the Unix epoch) and
 * ms since navigation started (the page's own share, free of process and WebKit start-up).
 * Read from the page's own clock, so the figure does not depend on how often WebDriver polls.
 */
async function interactiveAt(browser) {
  const mark = await browser.execute(() => {
    const [entry] = performance.getEntriesByName("interactive");
    return entry
      ? { at: performance.timeOrigin + entry.startTime, page: entry.startTime }
      : null;
  });
  if (mark === null) throw new Error("the page set no `interactive` mark");
  return mark;
}

/** Launches `binary`, returns ms to its `interactive` mark and the settled memory in MiB. */
async function startOnce(label, binary, { dataRoot, extra } = {}) {
  const started = performance.timeOrigin + performance.now();
  const app = await launch(`bench-${label}`, { application: binary, dataRoot });
  try {
    await app.browser
      .$("[data-catalog-ready]")
      .waitForExist({ timeout: 30000 });
    const { at, page } = await interactiveAt(app.browser);
    const more = extra ? await extra(app) : {};
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const rss = treeRss(path.basename(binary)) / 1024;
    return { ready: at - started, page, rss, ...more };
  } finally {
    await app.stop();
  }
}

function summary(results) {
  return {
    ready: median(results.map((r) => r.ready)),
    readySpread: spread(results.map((r) => r.ready)),
    page: median(results.map((r) => r.page)),
    pageSpread: spread(results.map((r) => r.page)),
    rss: median(results.map((r) => r.rss)),
    listed:
      results[0].listed === undefined
        ? undefined
        : median(results.map((r) => r.listed)),
  };
}

/**
 * Launches each entry of `runs` (name → [binary, options]) once a round for `rounds` rounds and
 * returns the median per name. Launching in turn lets a machine that slows down during the run
 * (caches, another process) weigh on all alike instead of on whichever ran last, and the order
 * flips each round (A B, B A, …): a launch that follows another app's teardown starts a little
 * later, and no entry should always be the one that follows.
 */
async function inTurn(runs, rounds = RUNS) {
  const names = Object.keys(runs);
  const results = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < rounds; i += 1) {
    const order = i % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const [binary, options] = runs[name];
      results[name].push(await startOnce(name, binary, options));
    }
  }
  return Object.fromEntries(
    names.map((name) => [name, summary(results[name])]),
  );
}

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
const check = (ratio, limit) =>
  `${ratio.toFixed(2)}× ${ratio <= limit ? "✓" : "✗"} (≤ ${String(limit)}×)`;

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
process.env.FAKE_SEED_CONNECTIONS = "10000";
const big = await launch("bench-connections", {
  application: apps.flow.binary,
});
let connections;
try {
  await big.browser.$("[data-catalog-ready]").waitForExist({ timeout: 30000 });
  await addFirstAccount(big);
  const rows = () =>
    big.browser.$$("table[aria-label='Connections in this sandbox'] tbody tr");
  let started = performance.now();
  await big.browser.$("button=Connections").click();
  await big.browser.waitUntil(async () => (await rows()).length === 50, {
    timeout: 30000,
  });
  const firstPage = performance.now() - started;
  started = performance.now();
  await big.browser.$("button=Load more connections").click();
  await big.browser.waitUntil(async () => (await rows()).length === 100, {
    timeout: 30000,
  });
  const nextPage = performance.now() - started;
  // The filter stays responsive: typing narrows the loaded pages without a request.
  started = performance.now();
  await (await big.browser.$("#filter-name")).setValue("Seeded 0007");
  await big.browser.waitUntil(async () => (await rows()).length === 1, {
    timeout: 10000,
  });
  const filtered = performance.now() - started;
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const rss = treeRss("flow-connect") / 1024;
  const requests = await (await fetch(`${big.fakeUrl}/__fake/requests`)).json();
  const lists = requests.filter(
    (r) => r.method === "GET" && r.path.endsWith("/connections"),
  );
  const largest = Math.max(
    ...lists.map((r) =>
      Number(
        new URLSearchParams(r.query.map(([k, v]) => [k, v])).get("limit") ?? 0,
      ),
    ),
  );
  connections = {
    firstPage,
    nextPage,
    filtered,
    rss,
    lists: lists.length,
    largest,
  };
} finally {
  await big.stop();
  delete process.env.FAKE_SEED_CONNECTIONS;
}

// A catalog of 100 large specs (about 1 MB): how long the list takes to render once it is in
// the page, how long each keystroke of a search takes, and what a start pays for the cache.
process.env.FAKE_EXTRA_SPECS = "100";
const wide = await launch("bench-catalog", { application: apps.flow.binary });
let catalogRun;
try {
  await wide.browser.$("[data-catalog-ready]").waitForExist({ timeout: 30000 });
  await addFirstAccount(wide);
  await wide.browser.waitUntil(
    // Every card made, the last chunk included.
    async () =>
      (await wide.browser.execute(
        () =>
          document.querySelectorAll(".grid > li article h3").length >= 100 &&
          performance.getEntriesByName("catalog-complete").length > 0,
      )) === true,
    { timeout: 30000 },
  );
  // From the list arriving to its first screen laid out, and to every card made.
  const [rendered, complete] = await wide.browser.execute(() => {
    const list = performance.getEntriesByName("catalog-list").at(-1);
    const since = (name) => {
      const mark = performance.getEntriesByName(name).at(-1);
      return list && mark ? mark.startTime - list.startTime : NaN;
    };
    return [since("catalog-rendered"), since("catalog-complete")];
  });
  // Each keystroke: from the input event to the grid updated and laid out.
  const keystrokes = await wide.browser.executeAsync((finish) => {
    const input = document.getElementById("catalog-search");
    const grid = document.querySelector("[data-catalog-ready]");
    const times = [];
    const words = [
      "b",
      "be",
      "ben",
      "benc",
      "bench-source-04",
      "bench-source-042",
      "",
    ];
    const next = (i) => {
      if (i === words.length) {
        finish(times);
        return;
      }
      const started = performance.now();
      input.value = words[i];
      input.dispatchEvent(new Event("input", { bubbles: true }));
      // A message runs as a task after Svelte's microtask, without a timer's clamping.
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        if (grid.offsetHeight >= 0) times.push(performance.now() - started);
        setTimeout(() => {
          next(i + 1);
        }, 50);
      };
      channel.port2.postMessage(0);
    };
    next(0);
  });
  catalogRun = {
    sources: await wide.browser.execute(
      () => document.querySelectorAll(".grid > li article h3").length,
    ),
    rendered,
    complete,
    slowestKey: Math.max(...keystrokes),
    medianKey: median(keystrokes),
    dataRoot: wide.dataRoot,
  };
} finally {
  await wide.stop();
  delete process.env.FAKE_EXTRA_SPECS;
}
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
const cli = await benchCli(
  path.join(target, "release", "flow-connect-cli"),
  RUNS,
);

const lines = [
  "# Benchmarks",
  "",
  `Measured by \`make bench\` on ${new Date().toISOString().slice(0, 10)}: release builds, Xvfb, ` +
    `median (first–third quartile) of ${String(HEADLINE_RUNS)} launches each, the two apps in turn (the order flipping each round). Both are built by \`tauri build\` with the same release profile and \`removeUnusedCommands\`, so each binary keeps only the IPC commands its capabilities allow. Start-up is from launch (through WebDriver) to the page's ` +
    `\`interactive\` mark (Flow Connect sets it once its first screen, the source catalog, is in the document; the bare page when its script runs); memory is the resident set of the app and its WebKit processes ` +
    `${String(SETTLE_MS / 1000)} s after that.`,
  "",
  "| | Flow Connect | Bare Tauri window | Ratio (target) |",
  "|---|---|---|---|",
  `| Start-up to interactive | ${msSpread(flow.readySpread)} | ${msSpread(bare.readySpread)} | ${check(flow.ready / bare.ready, 1.1)} |`,
  `| of which the page, from navigation | ${msSpread(flow.pageSpread)} | ${msSpread(bare.pageSpread)} | ${(flow.page / bare.page).toFixed(2)}× ${flow.page < 40 ? "✓" : "✗"} (< 40 ms) |`,
  `| Resident memory, app + WebKit | ${mib(flow.rss)} | ${mib(bare.rss)} | ${check(flow.rss / bare.rss, 1.2)} |`,
  `| Release binary | ${fileSize(sizes.flowBinary)} | ${fileSize(sizes.bareBinary)} | ${check(sizes.flowBinary / sizes.bareBinary, 1.5)} |`,
  `| .deb package | ${fileSize(sizes.flowDeb)} | ${fileSize(sizes.bareDeb)} | ${(sizes.flowDeb / sizes.bareDeb).toFixed(2)}× |`,
  "",
  "## Saved profiles",
  "",
  `Flow Connect with each number of saved profiles, launched in turn like the two apps above, median of ${String(RUNS)} launches each.`,
  "",
  "| Profiles | Start-up to interactive | Recent profiles on the home screen (first 5) | Memory |",
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
  ...cli.lines(ms, fileSize, sizes.flowBinary),
];
const table = lines.join("\n");
writeFileSync(path.join(root, "docs", "benchmarks.md"), table);
console.log(table);
