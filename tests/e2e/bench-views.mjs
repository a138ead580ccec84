// `make bench` at scale, in the real window: a sandbox of 10,000 connections (the view shows
// one page and loads more on demand) and a catalog of 100 large specs (how long the list takes
// to render once it is in the page, and each keystroke of a search).
import { addFirstAccount, launch } from "./harness.mjs";
import { SETTLE_MS, median, treeRss } from "./bench-launches.mjs";

/** The connections view over 10,000 connections: first page, next page, the name filter, the
 * memory, and the list requests the app made (with the largest page it asked for). */
export async function benchConnections(binary) {
  process.env.FAKE_SEED_CONNECTIONS = "10000";
  const big = await launch("bench-connections", { application: binary });
  try {
    await big.browser
      .$("[data-catalog-ready]")
      .waitForExist({ timeout: 30000 });
    await addFirstAccount(big);
    const rows = () =>
      big.browser.$$(
        "table[aria-label='Connections in this sandbox'] tbody tr",
      );
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
    const requests = await (
      await fetch(`${big.fakeUrl}/__fake/requests`)
    ).json();
    const lists = requests.filter(
      (r) => r.method === "GET" && r.path.endsWith("/connections"),
    );
    const largest = Math.max(
      ...lists.map((r) =>
        Number(
          new URLSearchParams(r.query.map(([k, v]) => [k, v])).get("limit") ??
            0,
        ),
      ),
    );
    return {
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
}

/** The catalog of 100 large specs: rendered, complete, each search keystroke, and the data
 * folder the launch left (its cached catalog, for the start-up with and without it). */
export async function benchCatalog(binary) {
  process.env.FAKE_EXTRA_SPECS = "100";
  const wide = await launch("bench-catalog", { application: binary });
  try {
    await wide.browser
      .$("[data-catalog-ready]")
      .waitForExist({ timeout: 30000 });
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
    return {
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
}
