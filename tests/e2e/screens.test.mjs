// Every screen, in the light and the dark theme, with a sandbox that looks lived in: axe-core,
// injected into the real window, must find no violation of any impact on any of them. The
// README's screenshots are taken here, at 1280×800.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { Key } from "webdriverio";

import {
  addFirstAccount,
  artifacts,
  byLabel,
  fakeControl,
  fill,
  goTo,
  launch,
  openSource,
  root,
  scanPage,
} from "./harness.mjs";

const screenshots = path.join(root, "docs", "screenshots");
const SERVICENOW = "eb13cb25-47ab-407f-ba89-c0125281c563";
const BIGQUERY = "3c9b37f8-13a6-43d8-bad3-b863b941fedd";
const ORACLE = "d6b52d86-f0f8-475f-89d4-ce54c8527328";

let app;

/** A data folder with the profiles a team would keep: several sources, sandboxes and ages. */
function teamProfiles() {
  const dataRoot = mkdtempSync(
    path.join(process.env.XDG_RUNTIME_DIR ?? tmpdir(), "screens-"),
  );
  const folder = path.join(dataRoot, "data", "io.flowconnect.desktop");
  mkdirSync(folder, { recursive: true });
  const hour = 3600 * 1000;
  const now = Date.now();
  const made = [
    [
      "ServiceNow – IT incidents",
      SERVICENOW,
      "Basic Authentication",
      "ServiceNow",
      "prod",
      {
        endpoint: "https://acme.service-now.com",
        username: "aep-integration",
      },
      ["password"],
    ],
    [
      "ServiceNow – HR cases",
      SERVICENOW,
      "Basic Authentication",
      "ServiceNow",
      "dev-marketing",
      {
        endpoint: "https://acme-hr.service-now.com",
        username: "aep-hr",
      },
      ["password"],
    ],
    [
      "BigQuery – marketing warehouse",
      BIGQUERY,
      "Basic Authentication",
      "Google BigQuery",
      "prod",
      {
        project: "acme-marketing",
        clientId: "1234-acme.apps.googleusercontent.com",
      },
      ["clientSecret", "refreshToken"],
    ],
    [
      "Oracle – finance ERP",
      ORACLE,
      "ConnectionString",
      "Oracle",
      "prod",
      {},
      ["connectionString"],
    ],
  ].map(
    (
      [name, specId, specName, sourceName, sandbox, values, secretFields],
      i,
    ) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      name,
      specId,
      specName,
      sourceName,
      connectionName: name.replace(" – ", " "),
      description: "",
      values,
      secretFields,
      accountId: null,
      sandbox,
      updatedAt: now - (i + 1) * 26 * hour,
      lastUsedAt: now - (i + 1) * 26 * hour,
    }),
  );
  writeFileSync(
    path.join(folder, "profiles.json"),
    JSON.stringify({ schemaVersion: 2, profiles: made }),
  );
  return dataRoot;
}

const fake = (pathname, body) => fakeControl(app, pathname, body);

before(async () => {
  // A few saved profiles, as a team would have them.
  const dataRoot = teamProfiles();
  app = await launch("screens", { dataRoot });
  await app.browser.setWindowSize(1280, 800);
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
  await addFirstAccount(app);
  // A production sandbox with connections of several sources, and dataflows, one failing.
  const [orders, crm] = await fake("seed", {
    specId: BIGQUERY,
    specName: "Basic Authentication",
    sandbox: "prod",
    names: ["BigQuery orders", "BigQuery CRM exports"],
  });
  const [warehouse] = await fake("seed", {
    specId: ORACLE,
    specName: "ConnectionString",
    sandbox: "prod",
    names: ["Oracle warehouse"],
  });
  await fake("seed", {
    specId: SERVICENOW,
    specName: "Basic Authentication",
    sandbox: "prod",
    names: ["ServiceNow incidents", "ServiceNow change requests"],
  });
  await fake("flows", { connectionId: orders, count: 2, name: "Daily orders" });
  await fake("flows", {
    connectionId: warehouse,
    count: 1,
    name: "Nightly stock",
  });
  await fake("flows", { connectionId: crm, count: 1, name: "CRM contacts" });
  await fake("fail", {
    connectionId: crm,
    code: "CONNECTOR-1001-500",
    message: "invalid_grant: Token has been expired or revoked.",
  });
  mkdirSync(screenshots, { recursive: true });
});

after(async () => {
  await app?.stop();
});

/** Runs axe-core on the whole document; fails with every violation it names. */
async function scan(where) {
  await scanPage(app.browser, where);
}

/** Shows the endpoint banner (`true`) or hides it. */
async function endpointBanner(shown) {
  await app.browser.execute(
    (display) => {
      const banner = document.getElementById("endpoint-banner");
      if (banner) banner.style.display = display;
    },
    shown ? "" : "none",
  );
}

async function shot(name) {
  // The README shows the window as a user sees it, and the banner only names the harness's
  // loopback fakes: hidden for the picture. axe checks every screen with it shown.
  await endpointBanner(false);
  await app.browser.pause(300);
  const file = path.join(artifacts, name);
  await app.browser.saveScreenshot(file);
  copyFileSync(file, path.join(screenshots, name));
  await endpointBanner(true);
}

async function chooseTheme(theme) {
  const { browser } = app;
  await goTo(browser, "Accounts");
  await browser.$("[role='tab']=Appearance").click();
  await browser.$("#theme").selectByAttribute("value", theme);
  await browser.waitUntil(
    async () =>
      (await browser.execute(() => document.documentElement.dataset.theme)) ===
      theme,
    { timeout: 5000, timeoutMsg: `the window did not turn ${theme}` },
  );
}

async function connectionsLoaded() {
  await app.browser
    .$('div.connections[data-loaded="true"]')
    .waitForExist({ timeout: 15000 });
  await app.browser.waitUntil(
    async () => /Last run failed/.test(await app.browser.$("main").getText()),
    { timeout: 10000, timeoutMsg: "the dataflow statuses did not arrive" },
  );
}

for (const theme of ["light", "dark"]) {
  test(`every screen in the ${theme} theme passes axe-core`, async () => {
    const { browser } = app;
    await chooseTheme(theme);
    await scan(`${theme}: appearance`);
    await browser.$("[role='tab']=Adobe accounts").click();
    await browser
      .$("table[aria-label='Adobe accounts']")
      .waitForExist({ timeout: 5000 });
    await scan(`${theme}: accounts`);
    await shot(`accounts-${theme}.png`);
    await browser.$("aria/Actions for account Acme production").click();
    await browser
      .$("[role='menuitem']=Remove")
      .waitForDisplayed({ timeout: 5000 });
    await scan(`${theme}: an account's menu`);
    await browser.keys([Key.Escape]);
    await browser.$("aria/Actions for account Acme production").click();
    await browser.$("[role='menuitem']=Edit").click();
    await browser.$("#account-heading").waitForExist({ timeout: 5000 });
    await scan(`${theme}: the account form`);
    await browser.$("button=Cancel").click();

    await goTo(browser, "Sources");
    await browser.$("[data-catalog-ready]").waitForExist({ timeout: 10000 });
    await scan(`${theme}: sources`);
    await shot(`catalog-${theme}.png`);

    await openSource(browser, "Generic REST API");
    await scan(`${theme}: a long form`);
    await openSource(browser, "Google BigQuery");
    await (
      await byLabel(browser, "Sign-in method")
    ).selectByVisibleText("Service account key");
    await browser.$("#field-connection-name").waitForExist({ timeout: 5000 });
    await scan(`${theme}: a form with a file field`);
    await openSource(browser, "ServiceNow");
    await fill(browser, {
      "Connection name": "ServiceNow incidents (EU)",
      "Instance URL": "https://acme-eu.service-now.com",
      "User name": "platform",
      Password: "not-a-real-password",
    });
    await browser.$("button=Preview request").click();
    await browser.$("#preview-heading").waitForExist({ timeout: 10000 });
    await scan(`${theme}: a form with its preview`);
    await shot(`form-${theme}.png`);

    await goTo(browser, "Connections");
    await connectionsLoaded();
    await scan(`${theme}: connections`);
    await shot(`connections-${theme}.png`);
    await browser.$("aria/Open BigQuery CRM exports").click();
    await browser
      .$("ul[aria-label='Dataflows']")
      .waitForExist({ timeout: 15000 });
    await scan(`${theme}: a connection's dataflows`);
    await browser.$("[role='tab']=Explore data").click();
    // Whatever the fake answers for a seeded connection: the listing or the sentence saying why not.
    await browser.$("#panel-data").waitForExist({ timeout: 5000 });
    await browser.pause(1500);
    await scan(`${theme}: a connection's data`);
    await browser.$("button=Update credentials").click();
    await browser.$("#form-heading").waitForExist({ timeout: 10000 });
    await scan(`${theme}: updating a connection's credentials`);

    await goTo(browser, "Profiles");
    await browser
      .$("table[aria-label='Saved profiles']")
      .waitForExist({ timeout: 10000 });
    await scan(`${theme}: profiles`);
    await shot(`profiles-${theme}.png`);
    await browser.$("aria/Actions for profile Oracle – finance ERP").click();
    await browser.$("[role='menuitem']=Delete").click();
    await browser
      .$("dialog#delete-profile")
      .waitForDisplayed({ timeout: 5000 });
    await scan(`${theme}: a confirmation dialog`);
    await browser.$("button=Keep it").click();

    await browser.keys([Key.Ctrl, "k"]);
    await browser.$("#quick-search").waitForDisplayed({ timeout: 5000 });
    await browser.$("#quick-search").setValue("Service");
    await scan(`${theme}: the quick switcher`);
    await shot(`switcher-${theme}.png`);
    await browser.keys([Key.Escape]);
    await browser
      .$("#quick-search")
      .waitForDisplayed({ reverse: true, timeout: 5000 });
  });
}

test("the layout holds from 800×600 to 1920×1080: nothing runs off the side", async () => {
  const { browser } = app;
  for (const [width, height] of [
    [800, 600],
    [1920, 1080],
  ]) {
    await browser.setWindowSize(width, height);
    await browser.pause(400);
    for (const screen of ["Sources", "Connections", "Profiles", "Accounts"]) {
      await goTo(browser, screen);
      await browser.pause(300);
      const overflow = await browser.execute(() => {
        const content = document.querySelector("main.content");
        return {
          page: document.documentElement.scrollWidth - window.innerWidth,
          content: content.scrollWidth - content.clientWidth,
          bar:
            document.querySelector("header").scrollWidth -
            document.querySelector("header").clientWidth,
        };
      });
      assert.deepEqual(
        overflow,
        { page: 0, content: 0, bar: 0 },
        `${screen} at ${String(width)}×${String(height)}`,
      );
    }
  }
  await browser.setWindowSize(1280, 800);
});
