// The first screen: the app opens, fetches the source catalog from the backend and shows it,
// searches it by core's rule (the CLI's), and says which endpoints the environment moved.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import { artifacts, launch } from "./harness.mjs";

let app;

before(async () => {
  app = await launch("catalog");
});

after(async () => {
  await app?.stop();
});

test("the window is titled Flow Connect", async () => {
  assert.equal(await app.browser.getTitle(), "Flow Connect");
});

test("the catalog shows the four sources with their sign-in methods", async () => {
  const { browser } = app;
  const grid = await browser.$("[data-catalog-ready]");
  await grid.waitForExist({ timeout: 20000 });

  const headings = await browser.$$("article h3").map((h) => h.getText());
  assert.deepEqual(headings, [
    "Google BigQuery",
    "Oracle",
    "Generic REST API",
    "ServiceNow",
  ]);

  const bigquery = await browser.$(
    "article[aria-labelledby='source-3c9b37f8-13a6-43d8-bad3-b863b941fedd']",
  );
  const methods = await bigquery.$$(".methods li").map((m) => m.getText());
  assert.deepEqual(methods, ["OAuth 2 refresh token", "Service account key"]);
});

test("a screenshot of the real window shows the rendered catalog", async () => {
  const { browser } = app;
  await browser.$("[data-catalog-ready]").waitForDisplayed({ timeout: 20000 });
  // A screenshot can lag the DOM by a frame.
  await browser.pause(300);
  mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, "catalog.png");
  await browser.saveScreenshot(file);

  const [width, height, colours] = execFileSync("identify", [
    "-format",
    "%w %h %k",
    file,
  ])
    .toString()
    .trim()
    .split(" ")
    .map(Number);
  assert.ok(
    width >= 700 && height >= 500,
    `the screenshot is ${width}×${height}`,
  );
  // A blank or unstyled window has a handful of colours; rendered text and cards have many.
  assert.ok(colours > 50, `only ${colours} colours: the page looks blank`);
});

/** The headings of the cards the catalog shows now. */
async function shownSources(browser) {
  return browser.execute(() =>
    [
      ...document.querySelectorAll(
        "[data-catalog-ready] li:not([hidden]) article h3",
      ),
    ].map((h) => h.textContent.trim()),
  );
}

test('the search finds BigQuery by "big query", every word anywhere, as the CLI does', async () => {
  const { browser } = app;
  const search = await browser.$("#catalog-search");
  await search.waitForDisplayed({ timeout: 20000 });
  await search.setValue("big query");
  // The backend answers after a pause in typing.
  await browser.waitUntil(
    async () => (await shownSources(browser)).join("|") === "Google BigQuery",
    {
      timeout: 10000,
      timeoutMsg: '"big query" did not narrow the catalog to BigQuery',
    },
  );
  await search.setValue("query oracle");
  await browser.waitUntil(
    async () => (await shownSources(browser)).length === 0,
    {
      timeout: 10000,
      timeoutMsg: '"query oracle" still shows a source',
    },
  );
  const said = await browser.execute(
    () =>
      document.querySelector("[data-catalog-ready]")?.previousElementSibling
        ?.textContent ?? "",
  );
  assert.match(said, /No source matches “query oracle”/);
  // Cleared, every source shows again at once.
  await search.click();
  await browser.keys(["Control", "a"]);
  await browser.keys("Backspace");
  await browser.waitUntil(
    async () => (await shownSources(browser)).length === 4,
    {
      timeout: 10000,
      timeoutMsg: "clearing the search did not show every source",
    },
  );
});

test("a banner names each endpoint the environment moved and the variable that did", async () => {
  const { browser } = app;
  const banner = await browser.$("#endpoint-banner");
  await banner.waitForDisplayed({ timeout: 20000 });
  assert.equal(await banner.getAttribute("role"), "status");
  const text = await browser.execute(
    () => document.getElementById("endpoint-banner")?.textContent ?? "",
  );
  const fake = new URL(app.fakeUrl);
  assert.match(text, /^Flow Connect is talking to /);
  assert.ok(
    text.includes(`${fake.protocol}//${fake.host}/`),
    `the fake's address in: ${text}`,
  );
  for (const variable of [
    "FLOW_CONNECT_PLATFORM_URL",
    "FLOW_CONNECT_IMS_URL",
    "FLOW_CONNECT_GOOGLE_AUTH_URL",
    "FLOW_CONNECT_GOOGLE_TOKEN_URL",
    "FLOW_CONNECT_GOOGLE_REVOKE_URL",
  ]) {
    assert.ok(text.includes(variable), `${variable} in: ${text}`);
  }
  assert.ok(text.includes("Adobe sign-in"), text);
  assert.ok(text.endsWith("your account's secret goes there."), text);
  // One compact line in the top bar, not a block pushing the screen down.
  const height = await browser.execute(
    () =>
      document.getElementById("endpoint-banner")?.getBoundingClientRect()
        .height ?? 0,
  );
  assert.ok(height > 0 && height < 40, `the banner is ${height}px high`);
});
