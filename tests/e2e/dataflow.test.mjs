// From a connection to data in Platform, in the real window: BigQuery made with Google consent
// is explored to a table; the wizard makes a new schema and dataset from its columns with an
// identity and Profile, proposes the mappings, previews the table's real rows (one with a type
// error, shown as such), creates the dataflow every hour and watches its first run to its end
// with the record counts. An Oracle table goes into the existing dataset with two mappings
// edited by hand, and a folder of CSV files on a cloud-storage source into a new dataset. Each
// screen passes axe-core in both themes, and no row of the source reaches a file or the log.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import {
  addFirstAccount,
  artifacts,
  assertNoSecretIn,
  fakeControl,
  filesUnder,
  inWindow,
  launch,
  root,
  scanBothThemes,
} from "./harness.mjs";

const GOOGLE_CLIENT_ID = "fake-google-client.apps.googleusercontent.com";
const GOOGLE_CLIENT_SECRET = "GOCSPX-fake-google-secret";
const screenshots = path.join(root, "docs", "screenshots");
/** The source's own rows: never in a file or the log. */
const sourceData = ["customer2@example.com", "Long account history"];
let app;

before(async () => {
  app = await launch("dataflow");
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
  await addFirstAccount(app);
  mkdirSync(screenshots, { recursive: true });
});

after(async () => {
  await app?.stop();
});

const {
  byLabel,
  clickCentred: press,
  fill,
  openSource,
  waitForText,
} = inWindow(() => app);
const fake = (pathname, body) => fakeControl(app, pathname, body);

async function shot(name) {
  await app.browser.execute(() => {
    const banner = document.getElementById("endpoint-banner");
    if (banner) banner.style.display = "none";
  });
  await app.browser.pause(300);
  const file = path.join(artifacts, name);
  await app.browser.saveScreenshot(file);
  copyFileSync(file, path.join(screenshots, name));
  await app.browser.execute(() => {
    const banner = document.getElementById("endpoint-banner");
    if (banner) banner.style.display = "";
  });
}

/** Clicks the explore list's entry named `name`. */
async function openObject(name) {
  const search = await byLabel("Search loaded objects");
  await search.setValue(name);
  const entry = await app.browser.$(".scroller").$(`button*=${name}`);
  await entry.waitForExist({ timeout: 10000 });
  await entry.click();
}

/** The text of each cell of the preview's rows that carry errors. */
async function failingRows() {
  return app.browser.execute(() =>
    [
      ...document.querySelectorAll(
        'table[aria-label="Preview records"] tbody tr.failing',
      ),
    ].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
  );
}

async function openTable(folder, table) {
  const { browser } = app;
  await openObject(folder);
  await openObject(table);
  await browser
    .$(`table[aria-label="Columns of ${table}"]`)
    .waitForExist({ timeout: 10000 });
  await press(await browser.$("button=Create a dataflow from this table"));
  await browser.$("#wizard-heading").waitForExist({ timeout: 10000 });
}

test("a BigQuery table lands in a new dataset: previewed on its rows, created, its first run watched", async () => {
  const { browser } = app;
  await openSource("Google BigQuery");
  await fill({
    "Connection name": "BigQuery sales",
    "Project ID": "acme-analytics",
    "Client ID": GOOGLE_CLIENT_ID,
    "Client secret": GOOGLE_CLIENT_SECRET,
  });
  await browser.$("button=Sign in with Google").click();
  await waitForText(".consent-notice", /Refresh token set/);
  await browser.$("button=Create connection").click();
  await browser.$("#created-id").waitForExist({ timeout: 15000 });
  await browser.$("button=Explore data").click();
  await waitForText("#explore-count", /^2 objects$/);
  await openTable("sales", "customers");

  await (await byLabel("Primary identity column")).selectByVisibleText("email");
  await (await byLabel("Enable for Real-Time Customer Profile")).click();
  await (
    await byLabel(
      "I understand that enabling Profile can never be undone for this schema and dataset.",
    )
  ).click();
  await (
    await byLabel("How often it runs")
  ).selectByVisibleText("Every N hours");
  const interval = await byLabel("Interval (N)");
  await interval.clearValue();
  await interval.setValue("1");
  assert.equal(
    await (
      await byLabel("Delta column (a timestamp that grows as rows change)")
    ).getValue(),
    "signed_up",
    "the timestamp column is proposed",
  );
  await press(
    await browser.$(
      "button=Make the schema and dataset, then preview the rows",
    ),
  );
  await waitForText("#preview-summary", /^25 rows previewed, 1 with errors\.$/);
  const failing = await failingRows();
  assert.equal(failing.length, 1);
  assert.match(failing[0][2], /n\/a/, "the type error names the value");
  assert.equal(
    (await browser.$$('table[aria-label="Mappings"] tbody tr')).length,
    7,
    "one mapping per column",
  );
  assert.equal(
    await browser.$("#target-1").getValue(),
    "_acmecorp.email",
    "the email column goes to its own field",
  );
  await scanBothThemes(app.browser, "the mapping step");
  // The last mappings, the preview's heading and its failing row in one picture.
  await browser.execute(() => {
    document
      .querySelector('table[aria-label="Preview records"] tr.failing')
      ?.scrollIntoView({ block: "end" });
    document.scrollingElement?.scrollBy(0, 24);
  });
  await shot("dataflow-mapping.png");

  // The desktop is told when the watched run ends: the call on the session bus is what a
  // notification daemon receives.
  const monitor = spawn(
    "dbus-monitor",
    [
      "--session",
      "type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  let notified = "";
  monitor.stdout.on("data", (chunk) => {
    notified += String(chunk);
  });
  await press(await browser.$("button=Create the dataflow"));
  await waitForText("#created", /created/);
  await waitForText("#run-state", /^success$/, 30000);
  assert.equal(await browser.$("#run-read").getText(), "25");
  assert.equal(await browser.$("#run-written").getText(), "24");
  assert.equal(await browser.$("#run-failed").getText(), "1");
  try {
    await browser.waitUntil(
      () => notified.includes('string "Dataflow run succeeded"'),
      {
        timeout: 10000,
        timeoutMsg: `no desktop notification was sent: ${notified}`,
      },
    );
    assert.match(notified, /24 records written/);
  } finally {
    monitor.kill();
  }
  // The row the run could not ingest, read back from Adobe's error diagnostics and shown at
  // the mapping step with Adobe's reason.
  await waitForText("#failed-rows-summary", /^1 row could not be ingested\.$/);
  await press(
    await browser.$("button=Back to the mapping step with the failing rows"),
  );
  const refused = await browser.$(
    'table[aria-label="Rows the run could not ingest"]',
  );
  await refused.waitForExist({ timeout: 10000 });
  assert.match(await refused.getText(), /lifetime_value/);
  await scanBothThemes(app.browser, "the watched run");
  await browser.execute(() => {
    document.getElementById("watch-heading")?.scrollIntoView();
  });
  await shot("dataflow-run.png");

  const objects = await (
    await fetch(`${app.fakeUrl}/__fake/dataflow-objects?sandbox=prod`)
  ).json();
  assert.deepEqual(
    [
      objects.fieldGroups,
      objects.schemas,
      objects.descriptors,
      objects.datasets,
      objects.sourceConnections,
      objects.targetConnections,
      objects.mappingSets,
      objects.flows,
    ],
    [1, 1, 1, 1, 1, 1, 1, 1],
    "exactly one of each",
  );
});

test("an Oracle table goes into the existing dataset with two mappings edited by hand", async () => {
  const { browser } = app;
  // The first run's notice stays a few seconds in the corner: dismissed, as a person would.
  for (const dismiss of await browser.$$("aria/Dismiss notification")) {
    await dismiss.click().catch(() => undefined);
  }
  await fake("seed", {
    specId: "d6b52d86-f0f8-475f-89d4-ce54c8527328",
    specName: "Basic Authentication",
    sandbox: "prod",
    names: ["Oracle CRM"],
  });
  await browser.$("nav[aria-label='Screens']").$("button=Connections").click();
  await browser
    .$('div.connections[data-loaded="true"]')
    .waitForExist({ timeout: 15000 });
  await browser.$("aria/Open Oracle CRM").click();
  await browser.$("[role='tab']=Explore data").click();
  await waitForText("#explore-count", /^2 objects$/);
  await openTable("sales", "orders");

  await (await byLabel("An existing dataset")).click();
  await (await byLabel("Find a dataset")).setValue("Loyalty");
  await (await byLabel("Dataset")).selectByVisibleText("Loyalty members");
  await press(await browser.$("button=Check the plan and preview the rows"));
  await browser
    .$('table[aria-label="Mappings"]')
    .waitForExist({ timeout: 15000 });
  // The proposals by name and type, then two rows written by hand.
  const typeInto = async (id, value) => {
    const input = await browser.$(`#${id}`);
    await input.clearValue();
    await input.setValue(value);
  };
  const target = (i, path) => typeInto(`target-${String(i)}`, path);
  await press(await browser.$("button=Add a mapping"));
  await press(await browser.$("button=Add a mapping"));
  const rows = (await browser.$$('table[aria-label="Mappings"] tbody tr'))
    .length;
  await typeInto(`source-${String(rows - 2)}`, "id");
  await target(rows - 2, "_acmecorp.loyalty.memberId");
  await typeInto(`source-${String(rows - 1)}`, "email");
  await target(rows - 1, "personalEmail.address");
  await press(await browser.$("button=Check the plan and preview the rows"));
  await waitForText("#preview-summary", /^25 rows previewed, 0 with errors\.$/);
  // Adobe refuses the flow once: what was made is told, and resuming makes only the flow.
  await fake("faults", {
    method: "POST",
    path: "/data/foundation/flowservice/flows",
    action: {
      kind: "status",
      status: 400,
      body: { title: "Bad Request", status: 400, detail: "refused once" },
    },
  });
  await press(await browser.$("button=Create the dataflow"));
  await waitForText("#create-failure", /Making the dataflow failed/);
  await waitForText(
    "#unfinished",
    /Made so far: source connection, target connection, mapping set\. It stopped at the dataflow\./,
  );
  await scanBothThemes(app.browser, "a create that stopped half way");
  await press(await browser.$("button=Resume the create"));
  await waitForText("#created", /created/);
  const flows = await (
    await fetch(`${app.fakeUrl}/__fake/dataflow-objects?sandbox=prod`)
  ).json();
  assert.equal(flows.flows, 2);
  assert.equal(flows.mappingSets, 2, "the resume made no second mapping set");
  assert.equal(flows.schemas, 1, "no schema was made for an existing dataset");

  // Managed from the connection: renamed over the version shown, its schedule turned off.
  await browser.$("[role='tab']=Dataflows").click();
  await browser
    .$("ul[aria-label='Dataflows']")
    .waitForExist({ timeout: 15000 });
  const name = "orders from Oracle CRM";
  await press(
    await browser.$(`[aria-label="Actions for ${name}"]`).$("button=Rename"),
  );
  const field = await byLabel(`New name for ${name}`);
  await field.clearValue();
  await field.setValue("Orders into loyalty");
  await press(await browser.$("button=Save the name"));
  await waitForText("ul[aria-label='Dataflows']", /Orders into loyalty/);
  await press(
    await browser
      .$('[aria-label="Actions for Orders into loyalty"]')
      .$("button=Turn the schedule off"),
  );
  await waitForText("ul[aria-label='Dataflows']", /disabled/);

  // Its schedule changed: every 2 hours from now on, the passed start kept.
  const actions = () =>
    browser.$('[aria-label="Actions for Orders into loyalty"]');
  await press(await (await actions()).$("button=Change the schedule"));
  await (
    await byLabel("How often it runs from now on")
  ).selectByVisibleText("Every N hours");
  const every = await byLabel("New interval (N)");
  await every.clearValue();
  await every.setValue("2");
  await scanBothThemes(app.browser, "a dataflow's schedule changed");
  await press(await browser.$("button=Save the schedule"));
  await waitForText("ul[aria-label='Dataflows']", /every 2 hours/);

  // A new version of its mappings, made from the rows it runs now and wired to the flow.
  await press(await (await actions()).$("button=New mapping version"));
  const remap = await browser.$(
    'table[aria-label="Mappings of Orders into loyalty"]',
  );
  await remap.waitForExist({ timeout: 10000 });
  const targets = await remap.$$("input.mono");
  assert.ok(targets.length >= 2, "the rows the flow runs are shown");
  const last = targets[targets.length - 1];
  assert.equal(await last.getValue(), "personalEmail.address");
  await last.clearValue();
  await last.setValue("_acmecorp.loyalty.tier");
  await press(await browser.$("button=Save as a new mapping version"));
  await remap.waitForExist({ reverse: true, timeout: 10000 });
  await press(await (await actions()).$("button=New mapping version"));
  await waitForText(".remap .help", /runs version 1 of its mappings/);
  const again = await browser
    .$('table[aria-label="Mappings of Orders into loyalty"]')
    .$$("input.mono");
  assert.equal(
    await again[again.length - 1].getValue(),
    "_acmecorp.loyalty.tier",
    "the flow runs the new version",
  );
});

test("a folder of CSV files on a cloud-storage source goes into a new dataset", async () => {
  const { browser } = app;
  for (const dismiss of await browser.$$("aria/Dismiss notification")) {
    await dismiss.click().catch(() => undefined);
  }
  await fake("seed", {
    specId: "ecadc60c-7455-4d87-84dc-2a0e293d997b",
    specName: "Basic Authentication",
    sandbox: "prod",
    names: ["S3 exports"],
  });
  await browser.$("nav[aria-label='Screens']").$("button=Connections").click();
  await browser
    .$('div.connections[data-loaded="true"]')
    .waitForExist({ timeout: 15000 });
  await browser.$("aria/Open S3 exports").click();
  await browser.$("[role='tab']=Explore data").click();
  await waitForText("#explore-count", /^2 objects$/);
  await openObject("exports");
  await openObject("customers-2026-11.csv");
  await browser
    .$('table[aria-label="Columns of customers-2026-11.csv"]')
    .waitForExist({ timeout: 10000 });
  await press(await browser.$("button=Create a dataflow from this file"));
  await browser.$("#wizard-heading").waitForExist({ timeout: 10000 });
  assert.ok(
    await (await byLabel("Every file of the folder exports")).isSelected(),
    "the folder is read by default",
  );
  assert.equal(await (await byLabel("Format")).getValue(), "delimited");
  await press(
    await browser.$(
      "button=Make the schema and dataset, then preview the rows",
    ),
  );
  await waitForText("#preview-summary", /^40 rows previewed, 0 with errors\.$/);
  await press(await browser.$("button=Create the dataflow"));
  await waitForText("#created", /created/);
  await waitForText("#run-state", /^success$/, 30000);
  assert.equal(await browser.$("#run-read").getText(), "40");
});

test("a source two flow specs read from asks which one, and never guesses", async () => {
  const { browser } = app;
  for (const dismiss of await browser.$$("aria/Dismiss notification")) {
    await dismiss.click().catch(() => undefined);
  }
  await fake("seed", {
    specId: "b2e08744-4f1a-40ce-af30-7abac3e23cf3",
    specName: "Basic Authentication",
    sandbox: "prod",
    names: ["Snowflake warehouse"],
  });
  await browser.$("nav[aria-label='Screens']").$("button=Connections").click();
  await browser
    .$('div.connections[data-loaded="true"]')
    .waitForExist({ timeout: 15000 });
  await browser.$("aria/Open Snowflake warehouse").click();
  await browser.$("[role='tab']=Explore data").click();
  await waitForText("#explore-count", /^2 objects$/);
  await openTable("sales", "customers");
  const pick = await byLabel("Flow spec (several read from this source)");
  const names = await browser.execute(
    (el) => [...el.options].map((o) => o.textContent),
    pick,
  );
  assert.deepEqual(names, ["Choose one", "CRMToAEP", "CRMToAEPWithRecordType"]);
  await press(
    await browser.$(
      "button=Make the schema and dataset, then preview the rows",
    ),
  );
  await waitForText("#plan-failure", /Several flow specs fit this source/);
  await pick.selectByVisibleText("CRMToAEP");
  await press(
    await browser.$(
      "button=Make the schema and dataset, then preview the rows",
    ),
  );
  await waitForText("#plan-summary", /Flow spec CRMToAEP/);
});

test("no row of the source reaches a file or the log", () => {
  const files = [
    ...filesUnder(app.dataRoot).filter((f) => !f.endsWith("browser.log")),
    app.logPath,
  ];
  assertNoSecretIn(files, [GOOGLE_CLIENT_SECRET, ...sourceData]);
});
