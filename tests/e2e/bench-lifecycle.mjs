// `make bench`, a connection after "created": exploring a root of 10,000 tables (from the
// answer reaching the page to the first rows on screen), a scroll and a filter keystroke over
// them, a preview of 100 rows × 50 columns, and the requests the health of a connection with
// 20 dataflows takes. Each timing runs from the event to the list laid out, in the page.
import { addFirstAccount, launch } from "./harness.mjs";

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/** Runs `steps` one after another in the page: each applies a change, then the time until the
 * page has handled it and laid out is taken (a message task runs after Svelte's microtask). */
function timeSteps(kind, done) {
  const times = [];
  const scroller = document.querySelector(".scroller");
  const input = document.getElementById("explore-search");
  const steps =
    kind === "scroll"
      ? Array.from({ length: 30 }, (_, i) => (i + 1) * 1020)
      : ["e", "ev", "events_0", "events_09", "events_099", "events_0999", ""];
  const next = (i) => {
    if (i === steps.length) {
      done(times);
      return;
    }
    const started = performance.now();
    if (kind === "scroll") {
      scroller.scrollTop = steps[i];
      scroller.dispatchEvent(new Event("scroll"));
    } else {
      input.value = steps[i];
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      if (scroller.offsetHeight >= 0) times.push(performance.now() - started);
      setTimeout(() => {
        next(i + 1);
      }, 30);
    };
    channel.port2.postMessage(0);
  };
  next(0);
}

/** Waits until the page has set the performance mark `name`. */
export async function waitForMark(browser, name) {
  await browser.waitUntil(
    async () =>
      (await browser.execute(
        (mark) => performance.getEntriesByName(mark).length > 0,
        name,
      )) === true,
    { timeout: 30000, timeoutMsg: `the page never set the mark ${name}` },
  );
}

function between(from, to) {
  const a = performance.getEntriesByName(from).at(-1);
  const b = performance.getEntriesByName(to).at(-1);
  return a && b ? b.startTime - a.startTime : NaN;
}

export async function benchLifecycle(binary) {
  process.env.FAKE_SEED_CONNECTIONS = "1";
  const app = await launch("bench-lifecycle", { application: binary });
  try {
    const { browser } = app;
    const fake = (name, body) =>
      fetch(`${app.fakeUrl}/__fake/${name}`, {
        method: body ? "POST" : "GET",
        headers: { "content-type": "application/json" },
        body: body ? JSON.stringify(body) : undefined,
      });
    await browser.$("[data-catalog-ready]").waitForExist({ timeout: 30000 });
    await addFirstAccount(app);
    const [seeded] = await (await fake("connections")).json();
    await fake("tables", { tables: 10000, atRoot: true });
    await browser
      .$("nav[aria-label='Screens']")
      .$("button=Connections")
      .click();
    await browser.$("aria/Open Seeded 0001").waitForExist({ timeout: 30000 });
    await browser.$("aria/Open Seeded 0001").click();
    await waitForMark(browser, "explore-rendered");
    const listed = await browser.execute(
      between,
      "explore-response",
      "explore-rendered",
    );
    const scrolls = await browser.executeAsync(timeSteps, "scroll");
    const keystrokes = await browser.executeAsync(timeSteps, "filter");

    const search = await browser.$("#explore-search");
    await search.setValue("events_00001");
    await browser
      .$(".scroller")
      .$("button*=events_00001")
      .waitForExist({ timeout: 10000 });
    await browser.execute(() => {
      document.querySelector(".scroller button")?.click();
    });
    await browser.$("button=Preview rows").waitForExist({ timeout: 30000 });
    await browser.execute(() => {
      document.querySelector(".table button.secondary")?.click();
    });
    await waitForMark(browser, "preview-rendered");
    await waitForMark(browser, "preview-complete");
    const previewComplete = await browser.execute(
      between,
      "preview-response",
      "preview-complete",
    );
    const preview = await browser.execute(
      between,
      "preview-response",
      "preview-rendered",
    );
    const cells = await browser.execute(
      () => document.querySelectorAll(".preview-table tbody td").length,
    );
    await fake("flows", { connectionId: seeded.id, count: 20 });
    await fake("fail", {
      connectionId: seeded.id,
      code: "CONNECTOR-1001-500",
      message: "invalid_grant: Token has been expired or revoked.",
    });

    const before = (await (await fake("requests")).json()).length;
    await browser.execute(() => {
      [...document.querySelectorAll("button")]
        .find((b) => b.textContent.trim() === "Dataflows")
        ?.click();
    });
    await browser
      .$("ul[aria-label='Dataflows']")
      .waitForExist({ timeout: 30000 });
    const sent = (await (await fake("requests")).json()).slice(before);
    const healthRequests = sent.filter((r) =>
      /\/(sourceConnections|flows|runs)$/.test(r.path),
    ).length;
    const flows = (await browser.$$("ul[aria-label='Dataflows'] > li")).length;

    return {
      listed,
      scrollMedian: median(scrolls),
      scrollSlowest: Math.max(...scrolls),
      keyMedian: median(keystrokes),
      keySlowest: Math.max(...keystrokes),
      keystrokes,
      preview,
      previewComplete,
      cells,
      healthRequests,
      flows,
    };
  } finally {
    await app.stop();
    delete process.env.FAKE_SEED_CONNECTIONS;
  }
}

export function lifecycleLines(r, ms) {
  const mark = (value, limit) =>
    `${ms(value)} ${value <= limit ? "✓" : "✗"} (≤ ${String(limit)} ms)`;
  return [
    "## A connection after it is made",
    "",
    `Explore of a root with 10,000 tables: from the answer reaching the page to the first rows laid out and a frame requested. A scroll step (30 steps of 30 rows) and a search keystroke (7) are timed from the event to the list laid out. The preview is 100 rows × 50 columns (${String(r.cells)} cells with the row numbers): its first 16 rows are made at once and 16 more every 16 ms; the table times its first screen laid out, and all rows were made ${ms(r.previewComplete)} after the answer. Health is of a connection with ${String(r.flows)} dataflows whose last runs failed.`,
    "",
    "| First rows of 10,000 | Scroll step, median (slowest) | Search keystroke, median (slowest) | Preview 100 × 50 | Health requests |",
    "|---|---|---|---|---|",
    `| ${mark(r.listed, 300)} | ${ms(r.scrollMedian)} (${mark(r.scrollSlowest, 16)}) | ${ms(r.keyMedian)} (${mark(r.keySlowest, 16)}) | ${mark(r.preview, 200)} | ${String(r.healthRequests)} ${r.healthRequests <= 3 ? "✓" : "✗"} (≤ 3) |`,
    "",
  ];
}
