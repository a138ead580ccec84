// `make bench`, the dataflow wizard at scale in the real window: a table of 500 columns into
// an existing dataset whose schema has 5,000 fields. Timed in the page, from the event to the
// page laid out: the wizard opening on the explored table, the plan's answer to the mapping
// step's first screen, to the preview of 100 rows, and to every row made; a mapping row edited;
// and each keystroke of the schema field search.
import { addFirstAccount, launch } from "./harness.mjs";
import { median } from "./bench-launches.mjs";
import { waitForMark } from "./bench-lifecycle.mjs";

const COLUMNS = 500;
const FIELDS = 5000;

/** Applies each change in turn in the page and times it to the page laid out: a message task
 * runs after Svelte's microtask, without a timer's clamping. `kind` is "search" (keystrokes
 * in the schema field search) or "edit" (a mapping row's schema field typed into). */
function timeSteps(kind, done) {
  const table = document.querySelector('table[aria-label="Mappings"]');
  const steps =
    kind === "search"
      ? [
          "f",
          "fi",
          "field",
          "field04",
          "field049",
          "field0499",
          "group0 field00",
          "",
        ]
      : Array.from(
          { length: 10 },
          (_, i) => `_tenant.section000.group0${String(i)}`,
        );
  const input =
    kind === "search"
      ? document.getElementById("field-search")
      : document.getElementById("target-3");
  const times = [];
  const next = (i) => {
    if (i === steps.length) {
      done(times);
      return;
    }
    const started = performance.now();
    input.value = steps[i];
    input.dispatchEvent(new Event("input", { bubbles: true }));
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      if (table.offsetHeight >= 0) times.push(performance.now() - started);
      setTimeout(() => {
        next(i + 1);
      }, 30);
    };
    channel.port2.postMessage(0);
  };
  next(0);
}

/** Clicks `selector` in the page and times it to `ready` in the document, laid out. */
function timeClick(selector, ready, done) {
  const started = performance.now();
  document.querySelector(selector).click();
  const wait = () => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      const found = document.querySelector(ready);
      if (found && found.offsetHeight >= 0) done(performance.now() - started);
      else setTimeout(wait, 1);
    };
    channel.port2.postMessage(0);
  };
  wait();
}

export async function benchDataflow(binary) {
  process.env.FAKE_SEED_CONNECTIONS = "1";
  process.env.FAKE_WIDE_SCHEMA_FIELDS = String(FIELDS);
  const app = await launch("bench-dataflow", { application: binary });
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
    await fake("tables", { tables: 12, wideColumns: COLUMNS });
    await browser
      .$("nav[aria-label='Screens']")
      .$("button=Connections")
      .click();
    await browser.$("aria/Open Seeded 0001").waitForExist({ timeout: 30000 });
    await browser.$("aria/Open Seeded 0001").click();
    await waitForMark(browser, "explore-rendered");
    const open = async (name) => {
      const search = await browser.$("#explore-search");
      await search.setValue(name);
      const entry = await browser.$(".scroller").$(`button*=${name}`);
      await entry.waitForExist({ timeout: 10000 });
      await entry.click();
    };
    await open("sales");
    const table = `wide_${count(COLUMNS)}`;
    await open(table);
    await browser
      .$(`table[aria-label="Columns of ${table}"]`)
      .waitForExist({ timeout: 30000 });
    await browser.execute(() => {
      [...document.querySelectorAll("button")]
        .find(
          (b) => b.textContent.trim() === "Create a dataflow from this table",
        )
        ?.setAttribute("data-bench", "open-wizard");
    });
    const wizard = await browser.executeAsync(
      timeClick,
      "[data-bench='open-wizard']",
      "#wizard-heading",
    );

    // By id: a label search would read each of the 500 columns' labels over WebDriver.
    await browser.$("#target-existing").click();
    await browser.$("#dataset-search").setValue("Wide");
    await browser.$("#dataset").selectByVisibleText("Wide events");
    await browser.execute(() => {
      [...document.querySelectorAll("button")]
        .find(
          (b) => b.textContent.trim() === "Check the plan and preview the rows",
        )
        ?.click();
    });
    await browser.waitUntil(
      async () =>
        (await browser.execute(
          () =>
            performance.getEntriesByName("mapping-preview-rendered").length >
              0 || document.getElementById("plan-failure") !== null,
        )) === true,
      { timeout: 60000, timeoutMsg: "the plan was never answered" },
    );
    const refused = await browser.$("#plan-failure");
    if (await refused.isExisting())
      throw new Error(`the plan failed: ${await refused.getText()}`);
    await waitForMark(browser, "mapping-complete");
    const [answer, mapping, preview, complete] = await browser.execute(
      (from) => {
        const since = (from, to) => {
          const a = performance.getEntriesByName(from).at(-1);
          const b = performance.getEntriesByName(to).at(-1);
          return a && b ? b.startTime - a.startTime : NaN;
        };
        return [
          since("dataflow-plan-request", "dataflow-plan-response"),
          since(from, "mapping-rendered"),
          since(from, "mapping-preview-rendered"),
          since(from, "mapping-complete"),
        ];
      },
      "dataflow-plan-response",
    );
    const [rows, records] = await browser.execute(() => [
      document.querySelectorAll('table[aria-label="Mappings"] tbody tr').length,
      document.querySelectorAll('table[aria-label="Preview records"] tbody tr')
        .length,
    ]);
    const edits = await browser.executeAsync(timeSteps, "edit");
    const keystrokes = await browser.executeAsync(timeSteps, "search");
    return {
      wizard,
      answer,
      mapping,
      preview,
      complete,
      rows,
      records,
      editMedian: median(edits),
      editSlowest: Math.max(...edits),
      keyMedian: median(keystrokes),
      keySlowest: Math.max(...keystrokes),
    };
  } finally {
    await app.stop();
    delete process.env.FAKE_SEED_CONNECTIONS;
    delete process.env.FAKE_WIDE_SCHEMA_FIELDS;
  }
}

export function dataflowLines(r, ms) {
  const count = (n) => n.toLocaleString("en-US");
  const mark = (value, limit) =>
    `${ms(value)} ${value <= limit ? "✓" : "✗"} (≤ ${String(limit)} ms)`;
  return [
    "## The dataflow wizard at 500 columns",
    "",
    `A table of ${count(COLUMNS)} columns and 100 rows goes into an existing dataset whose schema has ${count(FIELDS)} fields. Each time is in the page, from the event to the page laid out. The wizard opens on the explored table (its ${count(COLUMNS)} columns listed). The plan's answer (${ms(r.answer)} from the request: the core proposes ${String(r.rows)} mappings over ${count(COLUMNS)} × ${count(FIELDS)} names, and Data Prep checks them and previews ${String(r.records)} rows) is followed by the mapping step's first screen (its first 30 rows; all rows were made ${ms(r.complete)} after the answer) and the preview of the rows as they would land. A row edit is a schema field typed into a mapping row (10 edits); a search keystroke filters the ${count(FIELDS)} fields (8 keystrokes).`,
    "",
    "| Wizard opened | Mapping step shown, from the answer | Preview of 100 rows shown | Row edit, median (slowest) | Field search keystroke, median (slowest) |",
    "|---|---|---|---|---|",
    `| ${ms(r.wizard)} | ${mark(r.mapping, 300)} | ${mark(r.preview, 200)} | ${ms(r.editMedian)} (${mark(r.editSlowest, 16)}) | ${ms(r.keyMedian)} (${mark(r.keySlowest, 16)}) |`,
    "",
  ];
}
