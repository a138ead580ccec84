// The window and flow-connect-cli share one data folder and keychain: a profile saved in the
// window (its password in the keychain) is used by the CLI, while the app runs, to create
// the connection in another sandbox; the app's connections screen then lists it. The CLI's
// output holds no secret.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";

import {
  addFirstAccount,
  appBinary,
  connectionPosts,
  fill,
  launch,
  openSource,
  waitForText,
} from "./harness.mjs";

const cli = path.join(path.dirname(appBinary), "flow-connect-cli");
const password = "servicenow-window-password-Qe4";
let app;

before(async () => {
  app = await launch("cli");
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
  await addFirstAccount(app);
});

after(async () => {
  await app?.stop();
});

test("a profile saved in the window creates its connection from the CLI, and the window lists it", async () => {
  const { browser } = app;
  await openSource(browser, "ServiceNow");
  await fill(browser, {
    "Connection name": "ServiceNow from the CLI",
    "Instance URL": "https://acme.service-now.com",
    "User name": "platform",
    Password: password,
    "Profile name": "ServiceNow – acme",
  });
  await browser.$("button=Save as profile").click();
  await waitForText(browser, ".profile-note", /Saved profile/, 15000);

  const run = spawnSync(
    cli,
    [
      "create",
      "--profile",
      "ServiceNow – acme",
      "--sandbox",
      "dev-marketing",
      "--json",
    ],
    { env: app.env, encoding: "utf8", timeout: 60000 },
  );
  assert.equal(run.status, 0, run.stderr);
  const [outcome] = JSON.parse(run.stdout);
  assert.equal(outcome.status, "created");
  assert.equal(outcome.sandbox, "dev-marketing");
  assert.ok(
    !`${run.stdout}${run.stderr}`.includes(password),
    "the CLI printed no secret",
  );
  const sent = (await connectionPosts(app)).at(-1);
  assert.equal(
    sent.headers.find(([k]) => k === "x-sandbox-name")?.[1],
    "dev-marketing",
  );
  assert.equal(
    JSON.parse(sent.body).auth.params.password,
    password,
    "the keychain's password was sent",
  );

  await (
    await browser.$("#pick-sandbox")
  ).selectByVisibleText("Marketing development");
  await browser.waitUntil(
    async () =>
      (await browser.$("#pick-sandbox").getValue()) === "dev-marketing",
  );
  await browser.$("button=Connections").click();
  await waitForText(
    browser,
    "table[aria-label='Connections in this sandbox']",
    /ServiceNow from the CLI/,
    15000,
  );
});
