// How `make bench` launches an app and what it reads of each launch: the time from the app's
// process start to each step of its start-up (the app's own steps from its log, the page's from
// its performance entries), the settled memory of the app and its WebKit processes, and the
// median and quartiles of several launches taken in turn.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { launch } from "./harness.mjs";

export const RUNS = Number(process.env.BENCH_RUNS ?? 15);
export const SETTLE_MS = 2000;

/** The `q` quantile of `values` (0.5 the median), interpolated between the nearest two. */
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

export function median(values) {
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

/** The process named `comm` and all its descendants (WebKit's), as pids. */
function tree(comm) {
  const rows = execFileSync("ps", ["-eo", "pid=,ppid=,comm="], {
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, ...name]) => ({ pid, ppid, comm: name.join(" ") }));
  const inTree = new Set(
    rows.filter((r) => r.comm === comm.slice(0, 15)).map((r) => r.pid),
  );
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
  return [...inTree];
}

/** The `field` line (such as `Rss` or `Pss`, in KiB) of a process's smaps_rollup; 0 if gone. */
function rollup(pid, field) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    const line = text.split("\n").find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.split(/\s+/)[1]) : 0;
  } catch {
    return 0;
  }
}

/** Resident memory (KiB) of the process named `comm` and its descendants (WebKit's). */
export function treeRss(comm) {
  return tree(comm).reduce((sum, pid) => sum + rollup(pid, "Rss"), 0);
}

/** Proportional memory (KiB): each shared page divided among the processes that map it, so a
 * library the app shares with the rest of the desktop counts for its share only. */
export function treePss(comm) {
  return tree(comm).reduce((sum, pid) => sum + rollup(pid, "Pss"), 0);
}

/**
 * A launcher for `binary` that writes the moment it hands over (ns since the Unix epoch) to
 * `stamp`, then execs the binary in its own place: the process start the figures count from.
 * Starting the fakes, tauri-driver and the WebDriver session come before it and cost every app
 * the same, so they are left out; writing the stamp (`date`) costs both apps alike.
 */
function stamped(binary) {
  const dir = mkdtempSync(
    path.join(process.env.XDG_RUNTIME_DIR ?? tmpdir(), "bench-exec-"),
  );
  const stamp = path.join(dir, "started");
  const launcher = path.join(dir, `${path.basename(binary)}-launcher`);
  writeFileSync(
    launcher,
    `#!/bin/sh\ndate +%s%N > '${stamp}'\nexec '${binary}' "$@"\n`,
  );
  chmodSync(launcher, 0o755);
  return { launcher, stamp };
}

/** The page's own view of its start (navigation, marks, paints) in ms since the
 * Unix epoch. Read from the page's clock, so it does not depend on how WebDriver polls. */
async function pageSteps(browser) {
  return browser.execute(() => {
    const origin = performance.timeOrigin;
    const at = (ms) => (ms > 0 ? origin + ms : null);
    const steps = { navigation: origin };
    const [nav] = performance.getEntriesByType("navigation");
    if (nav) {
      steps.html = at(nav.responseEnd);
      steps.parsed = at(nav.domInteractive);
      steps.loaded = at(nav.loadEventEnd);
    }
    for (const entry of performance.getEntriesByType("paint"))
      steps[entry.name] = at(entry.startTime);
    const first = (name, value) => {
      steps[name] = Math.min(steps[name] ?? Infinity, value);
    };
    for (const entry of performance.getEntriesByType("mark")) {
      if (entry.name.startsWith("ipc:"))
        first("firstIpcAnswer", at(entry.startTime));
      else if (entry.name.startsWith("ipc-sent:"))
        first("firstIpcCall", at(entry.startTime));
      else steps[entry.name] = at(entry.startTime);
    }
    return steps;
  });
}

/** The app's own steps (see src-tauri/src/launch_marks.rs), read from its log. */
function appSteps(logPath) {
  const steps = {};
  let text = "";
  try {
    text = readFileSync(logPath, "utf8");
  } catch {
    return steps;
  }
  // The log may be coloured: the escapes go before matching.
  // eslint-disable-next-line no-control-regex
  for (const line of text.replace(/\x1b\[[0-9;]*m/g, "").split("\n")) {
    const found = /launch step step="?([\w-]+)"? at_us=(\d+)/.exec(line);
    if (found) steps[`app:${found[1]}`] = Number(found[2]) / 1000;
  }
  return steps;
}

/** Has the app log its steps as well. */
const STEP_LOG = { FLOW_CONNECT_LOG: "info,flow_connect::launch=debug" };

/** Launches `binary`; returns ms from its process start to its first screen painted (`ready`:
 * the page's first contentful paint, its first screen being all it has) and to the screen's
 * handlers being set (`interactive`, the page's mark), ms to each step of the launch, the
 * page's own share (navigation to that paint), and the settled memory in MiB. */
async function startOnce(label, binary, { dataRoot, extra } = {}) {
  const { launcher, stamp } = stamped(binary);
  const app = await launch(`bench-${label}`, {
    application: launcher,
    dataRoot,
    env: STEP_LOG,
  });
  let result;
  try {
    await app.browser
      .$("[data-catalog-ready]")
      .waitForExist({ timeout: 30000 });
    // Past the next frame, so the first paint is among the page's entries.
    await app.browser.executeAsync((done) =>
      requestAnimationFrame(() => setTimeout(done)),
    );
    const page = await pageSteps(app.browser);
    if (!page.interactive)
      throw new Error("the page set no `interactive` mark");
    if (!page["first-contentful-paint"])
      throw new Error("the page has no first contentful paint");
    const more = extra ? await extra(app) : {};
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const comm = path.basename(binary);
    result = {
      page,
      rss: treeRss(comm) / 1024,
      pss: treePss(comm) / 1024,
      ...more,
    };
  } finally {
    await app.stop();
  }
  const started = Number(readFileSync(stamp, "utf8").trim()) / 1e6;
  rmSync(path.dirname(stamp), { recursive: true, force: true });
  const steps = Object.fromEntries(
    Object.entries({ ...appSteps(app.logPath), ...result.page })
      .filter(([, at]) => Number.isFinite(at))
      .map(([step, at]) => [step, at - started]),
  );
  // BENCH_TRACE=1: each launch's steps in order on stderr, to find what makes a slow one slow.
  if (process.env.BENCH_TRACE)
    console.error(
      `${label}: ${Object.entries(steps)
        .sort(([, a], [, b]) => a - b)
        .map(([step, at]) => `${step} ${at.toFixed(0)}`)
        .join(" · ")}`,
    );
  return {
    ...result,
    ready: steps["first-contentful-paint"],
    interactive: steps.interactive,
    page: result.page["first-contentful-paint"] - result.page.navigation,
    steps,
  };
}

/** Each step's median over the launches that reached it. */
function stepMedians(results) {
  const names = new Set(results.flatMap((r) => Object.keys(r.steps)));
  return Object.fromEntries(
    [...names].map((name) => [
      name,
      median(results.map((r) => r.steps[name]).filter((v) => v !== undefined)),
    ]),
  );
}

function summary(results) {
  return {
    ready: median(results.map((r) => r.ready)),
    readySpread: spread(results.map((r) => r.ready)),
    interactive: median(results.map((r) => r.interactive)),
    interactiveSpread: spread(results.map((r) => r.interactive)),
    page: median(results.map((r) => r.page)),
    pageSpread: spread(results.map((r) => r.page)),
    rss: median(results.map((r) => r.rss)),
    pss: median(results.map((r) => r.pss)),
    pssSpread: spread(results.map((r) => r.pss)),
    steps: stepMedians(results),
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
export async function inTurn(runs, rounds = RUNS) {
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
