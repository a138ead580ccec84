// A connection's life after "created", in the real window: BigQuery made with Google consent
// is explored down to a table, its columns and a preview (and a folder of 10,000 tables);
// then Google revokes the refresh token and a dataflow's run fails with invalid_grant. The
// connections screen marks it, its dataflows name the error, and "Update credentials" runs the
// consent again and patches the new token with the right If-Match, after which Test passes.
// A ServiceNow password is renewed from a profile the same way, and a stale etag is re-read
// and asked about rather than written over.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import {
  addFirstAccount,
  artifacts,
  assertNoSecretIn,
  connectionPatches,
  fakeControl,
  filesUnder,
  inWindow,
  launch,
  patchElsewhere,
  root,
  storedConnection,
} from "./harness.mjs";

const GOOGLE_CLIENT_ID = "fake-google-client.apps.googleusercontent.com";
const GOOGLE_CLIENT_SECRET = "GOCSPX-fake-google-secret";
const screenshots = path.join(root, "docs", "screenshots");
let app;
let bigqueryId = "";
/** Values that must never reach a file or the log: secrets and the source's own data. */
const secrets = [GOOGLE_CLIENT_SECRET];
const sourceData = [
  "customer2@example.com",
  "Long account history",
  "value 7-10",
];

before(async () => {
  app = await launch("lifecycle");
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
  clickWhenSteady,
  fill,
  openProfile,
  openSource,
  waitForText,
} = inWindow(() => app);
const fake = (pathname, body) => fakeControl(app, pathname, body);
const stored = (id) => storedConnection(app, id);
const patches = (id) => connectionPatches(app, id);

async function shot(name) {
  await app.browser.pause(300);
  const file = path.join(artifacts, name);
  await app.browser.saveScreenshot(file);
  copyFileSync(file, path.join(screenshots, name));
}

/** Clicks the explore list's entry named `name` (it may need the search to be in view). */
async function openObject(name) {
  const search = await byLabel("Search loaded objects");
  await search.setValue(name);
  const entry = await app.browser.$(".scroller").$(`button*=${name}`);
  await entry.waitForExist({ timeout: 10000 });
  await entry.click();
}

async function showConnections() {
  await app.browser
    .$("nav[aria-label='Screens']")
    .$("button=Connections")
    .click();
  await app.browser.$('div.connections[data-loaded="true"]').waitForExist({
    timeout: 15000,
  });
}

test("BigQuery made with Google consent is explored to a table, its columns and a preview", async () => {
  const { browser } = app;
  await openSource("Google BigQuery");
  await fill({
    "Connection name": "BigQuery marketing",
    "Project ID": "acme-analytics",
    "Client ID": GOOGLE_CLIENT_ID,
    "Client secret": GOOGLE_CLIENT_SECRET,
  });
  await browser.$("button=Sign in with Google").click();
  await waitForText(".consent-notice", /Refresh token set/);
  // The token's issue is recorded: when, for which client (no secret).
  await waitForText("#consent-token-label", /Refresh token from/);
  await browser.$("button=Create connection").click();
  await browser.$("#created-id").waitForExist({ timeout: 15000 });
  bigqueryId = await browser.$("#created-id").getText();
  secrets.push((await stored(bigqueryId)).auth.params.refreshToken);

  await fake("tables", { tables: 10000 });
  await browser.$("button=Explore data").click();
  await waitForText("#explore-count", /^2 objects$/);
  await openObject("sales");
  await waitForText("#explore-count", /^2 objects$/);
  await openObject("customers");
  const columns = await browser.$('table[aria-label="Columns of customers"]');
  await columns.waitForExist({ timeout: 10000 });
  const cells = await browser.execute(() =>
    [
      ...document.querySelectorAll(
        'table[aria-label="Columns of customers"] tbody tr',
      ),
    ].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
  );
  assert.deepEqual(
    cells.find((row) => row[0] === "signed_up"),
    ["signed_up", "string", "date-time"],
  );
  assert.deepEqual(
    cells.find((row) => row[0] === "active"),
    ["active", "boolean", "boolean"],
  );
  await press(await browser.$("button=Preview rows"));
  const grid = await browser.$('[aria-label="Preview of customers"]');
  await grid.waitForExist({ timeout: 10000 });
  // The grid makes its rows a frame at a time: all 25 are there once it settles.
  await browser.waitUntil(
    async () =>
      (await browser.$$('[aria-label="Preview of customers"] tbody tr'))
        .length >= 25,
    { timeout: 5000, timeoutMsg: "the preview did not make its 25 rows" },
  );
  assert.equal(
    (await browser.$$('[aria-label="Preview of customers"] tbody tr')).length,
    25,
  );
  assert.ok(
    (await browser.$$('[aria-label="Preview of customers"] .null')).length > 0,
    "nulls are marked",
  );
  await browser.$("aria/Show the full value of notes in row 2").click();
  await waitForText(
    "#full-value",
    /Long account history\. Long account history/,
  );
  await browser.execute(() => {
    const grid = document.querySelector(".grid-scroll");
    if (grid) grid.scrollLeft = 0;
    document.getElementById("table-heading")?.scrollIntoView();
  });
  await shot("explore-preview.png");

  // A folder of 10,000 tables: listed at once, searched, a table opened from the search.
  await browser.$("nav[aria-label='Folders opened']").$("button=Root").click();
  await waitForText("#explore-count", /^2 objects$/);
  await openObject("analytics");
  await (await byLabel("Search loaded objects")).clearValue();
  await waitForText("#explore-count", /^10,000 objects$/);
  const rendered = await browser.$$(".scroller li").length;
  assert.ok(
    rendered < 40,
    `only the rows in view are in the document (${String(rendered)})`,
  );
  await shot("explore.png");
  await openObject("events_09999");
  await waitForText("#explore-count", /^1 of 10,000 objects match$/);
  await browser
    .$('table[aria-label="Columns of events_09999"]')
    .waitForExist({ timeout: 10000 });
  await press(await browser.$("button=Preview rows"));
  await browser
    .$('[aria-label="Preview of events_09999"]')
    .waitForExist({ timeout: 10000 });
  assert.equal(
    (await browser.$$('[aria-label="Preview of events_09999"] thead th'))
      .length,
    51,
  );
});

test("a revoked token and a failed run show up, and renewing by consent patches with If-Match", async () => {
  const { browser } = app;
  assert.ok(bigqueryId, "the first test made the connection");
  await fake("flows", {
    connectionId: bigqueryId,
    count: 2,
    name: "Daily orders",
  });
  const google = new URL(app.google.auth).origin;
  assert.ok(
    (await fetch(`${google}/__fake/revoke-all`, { method: "POST" })).ok,
  );
  await fake("fail", {
    connectionId: bigqueryId,
    code: "CONNECTOR-1001-500",
    message: "invalid_grant: Token has been expired or revoked.",
  });

  await showConnections();
  const row = await browser.$("tr*=BigQuery marketing");
  await waitForText(
    "tr*=BigQuery marketing",
    /Last run failed \(2 of 2 dataflows\)/,
  );
  assert.match(await row.getText(), /Last run failed/);
  await browser.$("aria/Open BigQuery marketing").click();
  // A connection whose runs fail opens on its dataflows.
  await waitForText(
    "ul[aria-label='Dataflows']",
    /Daily orders 1[\s\S]*Last run failed/,
  );
  await waitForText(
    '[aria-label="Errors of Daily orders 1\'s last run"]',
    /invalid_grant: Token has been expired or revoked/,
  );
  await shot("health.png");

  const etag = (await stored(bigqueryId)).etag;
  const oldToken = (await stored(bigqueryId)).auth.params.refreshToken;
  const renewButton = await browser
    .$('[aria-label="Errors of Daily orders 1\'s last run"]')
    .$("button=Update credentials");
  await press(renewButton);
  await waitForText(
    "#form-heading",
    /Update the credentials of “BigQuery marketing”/,
  );
  // The non-secret params come back from the service; the secrets are never shown.
  await browser.waitUntil(
    async () =>
      (await (await byLabel("Project ID")).getValue()) === "acme-analytics",
    {
      timeout: 10000,
      timeoutMsg: "the project was not pre-filled",
    },
  );
  assert.equal(await (await byLabel("Client ID")).getValue(), GOOGLE_CLIENT_ID);
  assert.equal(await (await byLabel("Client secret")).getValue(), "");
  await fill({ "Client secret": GOOGLE_CLIENT_SECRET });
  await browser.$("button=Sign in with Google").click();
  await waitForText(".consent-notice", /Refresh token set/);
  await browser.execute(() => {
    document.getElementById("form-heading")?.scrollIntoView();
  });
  await shot("renew.png");
  await press(await browser.$("button=Update credentials"));
  await waitForText(
    "#renew-outcome",
    /Credentials updated\. The connection works\./,
  );

  const sent = await patches(bigqueryId);
  assert.equal(sent.length, 1, "one PATCH");
  assert.equal(sent[0].headers.find(([k]) => k === "if-match")?.[1], etag);
  const body = JSON.parse(sent[0].body);
  assert.equal(body[0].op, "replace");
  assert.equal(body[0].path, "/auth/params");
  const now = await stored(bigqueryId);
  assert.notEqual(
    now.auth.params.refreshToken,
    oldToken,
    "a new refresh token",
  );
  assert.equal(now.auth.params.project, "acme-analytics");
  secrets.push(now.auth.params.refreshToken);
});

test("a ServiceNow password is renewed from its profile, and a stale etag is re-read, not overwritten", async () => {
  const { browser } = app;
  await browser.$("nav[aria-label='Screens']").$("button=Sources").click();
  await openSource("ServiceNow");
  await fill({
    "Connection name": "ServiceNow ops",
    "Instance URL": "https://acme.service-now.com",
    "User name": "platform",
    Password: "servicenow-old-password",
    "Profile name": "ServiceNow – ops",
  });
  secrets.push(
    "servicenow-old-password",
    "servicenow-new-password",
    "servicenow-third-password",
  );
  await browser.$("button=Save as profile").click();
  await waitForText(".profile-note", /Saved profile/);
  await browser.$("button=Create connection").click();
  await browser.$("#created-id").waitForExist({ timeout: 15000 });
  const id = await browser.$("#created-id").getText();

  // The password changed at ServiceNow: the profile gets the new one first.
  await openProfile("ServiceNow – ops");
  await waitForText("#form-heading", /from “ServiceNow – ops”/);
  await fill({ Password: "servicenow-new-password" });
  await browser.$("button=Save profile").click();
  await waitForText(".profile-note", /Saved profile/);

  await showConnections();
  await waitForText("tr*=ServiceNow ops", /From profile “ServiceNow – ops”/);
  await browser.$("aria/Open ServiceNow ops").click();
  await clickWhenSteady(
    await browser.$(".detail").$("button=Update credentials"),
  );
  await waitForText(
    "#form-heading",
    /Update the credentials of “ServiceNow ops”/,
  );
  await browser.waitUntil(
    async () => (await (await byLabel("Instance URL")).getValue()) !== "",
    {
      timeout: 10000,
    },
  );
  assert.equal(
    await (await byLabel("Password")).getValue(),
    "",
    "the stored password is not shown",
  );
  await (
    await byLabel("Profile with the secrets")
  ).selectByVisibleText("ServiceNow – ops");
  await press(await browser.$("button=Use this profile's secrets"));
  await waitForText(
    "#renew-outcome",
    /The secrets of “ServiceNow – ops” will be used: password/,
  );
  await press(await browser.$("button=Update credentials"));
  await waitForText(
    "#renew-outcome",
    /Credentials updated\. The connection works\./,
  );
  assert.equal(
    (await stored(id)).auth.params.password,
    "servicenow-new-password",
  );
  assert.equal((await patches(id)).length, 1);

  // Someone renames the connection elsewhere while the form is open: its etag is stale.
  const renamed = await patchElsewhere(app, id, [
    { op: "replace", path: "/name", value: "ServiceNow ops (renamed)" },
  ]);
  assert.equal(renamed.status, 200);
  await fill({ Password: "servicenow-third-password" });
  await press(await browser.$("button=Update credentials"));
  await waitForText(
    "#renew-stale",
    /Someone changed “ServiceNow ops \(renamed\)” since you opened this form, so nothing was saved/,
  );
  assert.equal(
    (await stored(id)).auth.params.password,
    "servicenow-new-password",
    "nothing overwritten",
  );
  // The typed password stays; saving again goes with the current etag.
  assert.equal(
    await (await byLabel("Password")).getValue(),
    "servicenow-third-password",
  );
  const current = (await stored(id)).etag;
  await press(await browser.$("button=Update credentials"));
  await waitForText("#renew-outcome", /Credentials updated/);
  const sent = await patches(id);
  assert.equal(
    sent.at(-1).headers.find(([k]) => k === "if-match")?.[1],
    current,
  );
  assert.equal(
    (await stored(id)).auth.params.password,
    "servicenow-third-password",
  );
});

test("no explore data, preview row or secret is in the data folder or the log", async () => {
  const files = [
    ...filesUnder(app.dataRoot).filter((f) => !f.endsWith("browser.log")),
    app.logPath,
  ];
  assertNoSecretIn(files, [...secrets, ...sourceData]);
});
