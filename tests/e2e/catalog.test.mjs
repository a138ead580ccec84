// The first screen: the app opens, fetches the source catalog from the backend and shows it.
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
