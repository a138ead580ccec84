// Promotion in the real window: a BigQuery connection made from a saved profile in the
// development sandbox, with a dataflow, is promoted to production. The plan lists the
// connection and its dataflow to create and says their secrets come from the profile; apply
// makes them, and production's connections screen shows the connection with its dataflow,
// then marks it as drifted once its dataflow is disabled by hand.
// Export as code writes the same as a manifest file. A connection whose profile keeps only the
// OAuth client is promoted with its token got again: Promote… asks for a Google sign-in before
// it applies. Nothing secret reaches a file or the log.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import {
  addFirstAccount,
  answerDialog,
  appBinary,
  assertNoSecretIn,
  filesUnder,
  inWindow,
  launch,
  root,
  scanBothThemes,
} from "./harness.mjs";

const screenshots = path.join(root, "docs", "screenshots");
const GOOGLE_CLIENT_ID = "fake-google-client.apps.googleusercontent.com";
const GOOGLE_CLIENT_SECRET = "GOCSPX-fake-google-secret";
let app;

before(async () => {
  app = await launch("promote");
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
  await addFirstAccount(app);
});

after(async () => {
  await app?.stop();
});

const {
  clickCentred: press,
  fill,
  openSource,
  waitForText,
} = inWindow(() => app);

async function pickSandbox(name) {
  const { browser } = app;
  await (await browser.$("#pick-sandbox")).selectByAttribute("value", name);
  await browser.waitUntil(
    async () => (await browser.$("#pick-sandbox").getValue()) === name,
    { timeout: 10000 },
  );
}

async function openConnection(name) {
  const { browser } = app;
  await browser.$("nav[aria-label='Screens']").$("button=Connections").click();
  await browser
    .$('div.connections[data-loaded="true"]')
    .waitForExist({ timeout: 15000 });
  const open = await browser.$(`aria/Open ${name}`);
  await open.waitForExist({ timeout: 15000 });
  await open.click();
  await browser.$("#detail-heading").waitForExist({ timeout: 10000 });
}

const PLAN = `
name: Customers hourly
connectionId: BigQuery marketing
source:
  kind: table
  path: sales.customers
  columns:
    - { name: id, type: integer }
    - { name: email, type: string }
    - { name: signed_up, type: string, xdmType: date-time }
target: { kind: existing, datasetId: Loyalty members }
mappings:
  - { source: id, destination: _acmecorp.loyalty.memberId }
schedule: { frequency: hour, interval: 1 }
deltaColumn: signed_up
`;

test("a BigQuery connection with its dataflow is promoted from development to production", async () => {
  const { browser } = app;
  await pickSandbox("dev-marketing");
  await openSource("Google BigQuery");
  await fill({
    "Connection name": "BigQuery marketing",
    "Project ID": "acme-analytics",
    "Client ID": GOOGLE_CLIENT_ID,
    "Client secret": GOOGLE_CLIENT_SECRET,
  });
  await press(await browser.$("button=Sign in with Google"));
  await waitForText(".consent-notice", /Refresh token set/);
  await fill({ "Profile name": "BigQuery marketing" });
  await press(await browser.$("button=Save as profile"));
  await waitForText(".profile-note", /^Saved profile “BigQuery marketing”/);
  await press(await browser.$("button=Create connection"));
  await browser.$("#created-id").waitForExist({ timeout: 15000 });

  // Its dataflow, made with the CLI from a plan file, on the same data folder.
  const planFile = path.join(app.dataRoot, "customers.yaml");
  writeFileSync(planFile, PLAN);
  const made = spawnSync(
    path.join(path.dirname(appBinary), "flow-connect-cli"),
    [
      "dataflow",
      "create",
      "--from",
      planFile,
      "--sandbox",
      "dev-marketing",
      "--json",
    ],
    { env: { ...process.env, ...app.env }, encoding: "utf8" },
  );
  assert.equal(made.status, 0, made.stderr);

  await openConnection("BigQuery marketing");
  // Export as code: the connection and its dataflow, the secrets as the profile's.
  const manifest = path.join(app.dataRoot, "bigquery-marketing.yaml");
  answerDialog(app, "save", manifest);
  await press(await browser.$("button=Export as code…"));
  await waitForText("#detail-exported", /^Saved as code to /);
  const code = readFileSync(manifest, "utf8");
  assert.match(code, /^version: 1/m);
  assert.match(code, /name: Customers hourly/);
  assert.match(code, /clientSecret:\n\s+profile: BigQuery marketing/);
  assert.ok(!code.includes(GOOGLE_CLIENT_SECRET), "no secret in the manifest");

  await press(await browser.$("button=Promote…"));
  await (await browser.$("#promote-to")).selectByAttribute("value", "prod");
  await press(await browser.$("button=Plan the promotion"));
  const planned = 'table[aria-label="What the promotion would do"] tbody tr';
  await browser.waitUntil(
    async () => (await browser.$$(planned)).length === 2,
    {
      timeout: 20000,
      timeoutMsg: "no plan was shown",
    },
  );
  const rows = await browser.execute(
    (selector) =>
      [...document.querySelectorAll(selector)].map((tr) =>
        [...tr.querySelectorAll("td")].slice(0, 3).map((td) => td.textContent),
      ),
    planned,
  );
  assert.deepEqual(rows, [
    ["Create", "Connection", "BigQuery marketing"],
    ["Create", "Dataflow", "Customers hourly"],
  ]);
  const secrets = await browser.$("#promote-secrets").getText();
  assert.match(
    secrets,
    /clientSecret: from the profile “BigQuery marketing” in your keychain/,
  );
  assert.match(
    secrets,
    /refreshToken: from the profile “BigQuery marketing” in your keychain/,
  );
  await scanBothThemes(browser, "the promotion plan");
  await browser.saveScreenshot(path.join(screenshots, "promote.png"));

  await press(await browser.$("button=Apply to prod"));
  const done = 'table[aria-label="What the promotion did"] tbody tr';
  await browser.waitUntil(async () => (await browser.$$(done)).length === 2, {
    timeout: 30000,
    timeoutMsg: "the promotion did not finish",
  });
  const outcomes = await browser.execute(
    (selector) =>
      [...document.querySelectorAll(selector)].map(
        (tr) => tr.querySelectorAll("td")[2].textContent,
      ),
    done,
  );
  assert.match(outcomes[0], /^Done, test passed$/);
  assert.match(outcomes[1], /^Done$/);
  await browser.keys("Escape");

  // Production now holds the connection and its dataflow.
  await pickSandbox("prod");
  await openConnection("BigQuery marketing");
  await press(await browser.$("[role='tab']=Dataflows"));
  await waitForText('ul[aria-label="Dataflows"]', /Customers hourly/, 15000);

  // Someone disables the promoted dataflow outside Flow Connect: production's connections
  // screen marks the connection as drifted from what was applied.
  const cli = (args) =>
    spawnSync(path.join(path.dirname(appBinary), "flow-connect-cli"), args, {
      env: { ...process.env, ...app.env },
      encoding: "utf8",
    });
  const listed = cli([
    "dataflow",
    "list",
    "BigQuery marketing",
    "--sandbox",
    "prod",
    "--json",
  ]);
  assert.equal(listed.status, 0, listed.stderr);
  const promoted = JSON.parse(listed.stdout).flows.find(
    (f) => f.name === "Customers hourly",
  );
  assert.ok(promoted, "the promoted dataflow is in production");
  const disabled = cli([
    "dataflow",
    "disable",
    promoted.id,
    "--sandbox",
    "prod",
  ]);
  assert.equal(disabled.status, 0, disabled.stderr);
  await browser.$("nav[aria-label='Screens']").$("button=Connections").click();
  await waitForText(
    ".connections .drifted",
    /^Drifted from its manifest: dataflow “Customers hourly” disabled$/,
    15000,
  );

  assertNoSecretIn(
    [...filesUnder(app.dataRoot), app.logPath],
    [GOOGLE_CLIENT_SECRET],
  );
});

test("a token that comes from a consent is got again in production, signed in from Promote…", async () => {
  const { browser } = app;
  await pickSandbox("dev-marketing");
  await browser.$("nav[aria-label='Screens']").$("button=Sources").click();
  await openSource("Google BigQuery");
  // The profile keeps the OAuth client only; the connection's token is its own consent's.
  await fill({
    "Connection name": "BigQuery sales",
    "Project ID": "acme-sales",
    "Client ID": GOOGLE_CLIENT_ID,
    "Client secret": GOOGLE_CLIENT_SECRET,
    "Profile name": "Google client",
  });
  await press(await browser.$("button=Save as profile"));
  await waitForText(".profile-note", /^Saved profile “Google client”/);
  await press(await browser.$("button=Sign in with Google"));
  await waitForText(".consent-notice", /Refresh token set/);
  await press(await browser.$("button=Create connection"));
  await browser.$("#created-id").waitForExist({ timeout: 15000 });

  await openConnection("BigQuery sales");
  await press(await browser.$("button=Promote…"));
  await (await browser.$("#promote-to")).selectByAttribute("value", "prod");
  await press(await browser.$("button=Plan the promotion"));
  await waitForText("#promote-secrets", /refreshToken: from a consent/, 20000);
  const secrets = await browser.$("#promote-secrets").getText();
  assert.match(
    secrets,
    /clientSecret: from the profile “Google client” in your keychain/,
  );
  const apply = await browser.$("button=Apply to prod");
  assert.equal(
    await apply.isEnabled(),
    false,
    "no apply before the consent is run",
  );
  await waitForText(
    ".consent",
    /“BigQuery sales” takes refreshToken from a consent at Google, run for prod: sign in before applying\./,
  );
  await scanBothThemes(browser, "a promotion that needs a consent");

  await press(await browser.$("button=Sign in at Google for “BigQuery sales”"));
  await waitForText(".consent", /signed in\.$/, 20000);
  await press(await browser.$("button=Apply to prod"));
  const done = 'table[aria-label="What the promotion did"] tbody tr';
  await browser.waitUntil(async () => (await browser.$$(done)).length === 1, {
    timeout: 30000,
    timeoutMsg: "the promotion did not finish",
  });
  const outcome = await browser.execute(
    (selector) =>
      document.querySelector(selector).querySelectorAll("td")[2].textContent,
    done,
  );
  assert.match(outcome, /^Done, test passed$/);
  await browser.keys("Escape");

  assertNoSecretIn(
    [...filesUnder(app.dataRoot), app.logPath],
    [GOOGLE_CLIENT_SECRET],
  );
});
