// How `make bench` launches an app and what it reads of each launch: time to the page's
// `interactive` mark, the settled memory of the app and its WebKit processes, and the median
// and quartiles of several launches taken in turn.
import { execFileSync } from "node:child_process";
import path from "node:path";

import { launch } from "./harness.mjs";

export const RUNS = Number(process.env.BENCH_RUNS ?? 11);
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

/** Resident memory (KiB) of the process named `comm` and all its descendants (WebKit's). */
export function treeRss(comm) {
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
