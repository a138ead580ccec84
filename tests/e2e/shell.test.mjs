// The app shell: the first screen comes with the page and is painted before the bundle runs;
// the top bar stays in view over a scrolled form and switches sandbox there;
// profiles come and go through the OS's file dialogs (answered by the debug build's test
// hook); Ctrl+K goes to a profile; the chosen theme and the window's size survive a restart.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import { Key } from "webdriverio";

import {
  addFirstAccount,
  answerDialog,
  goTo,
  launch,
  openSource,
  waitForText,
} from "./harness.mjs";

const SERVICENOW = "eb13cb25-47ab-407f-ba89-c0125281c563";

let app;

before(async () => {
  app = await launch("shell");
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
  await addFirstAccount(app);
});

after(async () => {
  await app?.stop();
});

/** The profile names in the Profiles table, top to bottom. */
const listedProfiles = () =>
  app.browser
    .$$("table[aria-label='Saved profiles'] .profile-name")
    .map((n) => n.getText());

const sortByName = () =>
  app.browser.$("table[aria-label='Saved profiles']").$("button*=Name").click();

const scrollTop = () =>
  app.browser.execute(() => document.querySelector("main.content").scrollTop);

test("the first screen is painted from the page's HTML before the bundle runs, then hydrated, not replaced", async () => {
  const marks = await app.browser.execute(() =>
    Object.fromEntries(
      [
        ...performance.getEntriesByType("mark"),
        ...performance.getEntriesByType("paint"),
      ].map((e) => [e.name, e.startTime]),
    ),
  );
  assert.ok(marks["first-screen"] > 0, "the page's HTML held no first screen");
  assert.ok(
    marks["first-contentful-paint"] < marks.script,
    `the bundle ran before the first screen was painted: ${JSON.stringify(marks)}`,
  );
  assert.ok(
    marks.interactive > marks.script,
    "the first screen was not hydrated",
  );
  assert.equal(
    marks["first-screen-replaced"],
    undefined,
    "the page's first screen did not match the app as it starts, and was drawn again",
  );
});

test("the top bar stays in view and switches sandbox while a long form is scrolled down", async () => {
  const { browser } = app;
  assert.ok(
    await browser.$("#production-badge").isExisting(),
    "prod is marked",
  );
  await openSource(browser, "Generic REST API");
  await browser.$("#field-connection-name").setValue("Orders API");
  await browser.execute(() => {
    document.querySelector("main.content").scrollTo(0, 100000);
  });
  assert.ok((await scrollTop()) > 200, "the form is longer than the window");
  const picker = await browser.$("#pick-sandbox");
  assert.ok(
    await picker.isDisplayed({ withinViewport: true }),
    "the sandbox picker is in view",
  );
  assert.ok(
    await browser
      .$("button=Create connection")
      .isDisplayed({ withinViewport: true }),
    "the action bar is in view",
  );

  await picker.selectByAttribute("value", "dev-marketing");
  await waitForText(browser, "#create-target", /dev-marketing/);
  assert.ok(
    !(await browser.$("#production-badge").isExisting()),
    "a development sandbox is not marked",
  );
  assert.ok((await scrollTop()) > 200, "the form stayed where it was");
  assert.equal(
    await browser.$("#field-connection-name").getValue(),
    "Orders API",
  );
  await picker.selectByAttribute("value", "prod");
  await waitForText(browser, "#create-target", /“prod”/);
});

test("profiles are imported and exported through the file dialogs", async () => {
  const { browser } = app;
  const exportFile = path.join(app.dataRoot, "home", "team-profiles.json");
  const shared = {
    flowConnectProfiles: 1,
    profiles: ["acme", "globex", "initech"].map((name) => ({
      name: `ServiceNow – ${name}`,
      specId: SERVICENOW,
      specName: "Basic Authentication",
      sourceName: "ServiceNow",
      connectionName: `ServiceNow ${name}`,
      description: "",
      values: {
        endpoint: `https://${name}.service-now.com`,
        username: "integration",
      },
      secretFields: ["password"],
    })),
  };
  mkdirSync(path.dirname(exportFile), { recursive: true });
  writeFileSync(exportFile, JSON.stringify(shared));

  await goTo(browser, "Profiles");
  // Cancelled first: nothing happens.
  answerDialog(app, "open", null);
  await browser.$("button=Import profiles…").click();
  await browser.pause(500);
  assert.ok(
    !(await browser.$("table[aria-label='Saved profiles']").isExisting()),
  );

  answerDialog(app, "open", exportFile);
  await browser.$("button=Import profiles…").click();
  await waitForText(
    browser,
    "table[aria-label='Saved profiles']",
    /globex[\s\S]*/,
  );
  await waitForText(
    browser,
    "section[aria-label='Notifications']",
    /Imported 3 profiles/,
  );
  const names = await listedProfiles();
  assert.deepEqual([...names].sort(), [
    "ServiceNow – acme",
    "ServiceNow – globex",
    "ServiceNow – initech",
  ]);

  // Sorted by name, then the other way round.
  await sortByName();
  const sorted = await listedProfiles();
  assert.deepEqual(sorted, [
    "ServiceNow – acme",
    "ServiceNow – globex",
    "ServiceNow – initech",
  ]);
  await sortByName();
  const reversed = await listedProfiles();
  assert.deepEqual(reversed, [...sorted].reverse());

  // A file dropped on the window reaches the same command with its path (the drop itself is
  // the OS's, out of WebDriver's reach).
  const dropped = path.join(app.dataRoot, "home", "dropped.json");
  writeFileSync(
    dropped,
    JSON.stringify({
      flowConnectProfiles: 1,
      profiles: [{ ...shared.profiles[0], name: "Dropped" }],
    }),
  );
  const imported = await browser.executeAsync((file, done) => {
    window.__TAURI_INTERNALS__
      .invoke("import_profiles", { request: { path: file } })
      .then((profiles) => {
        done(profiles.map((p) => p.name));
      })
      .catch((error) => {
        done(String(error));
      });
  }, dropped);
  assert.deepEqual(imported, ["Dropped"]);

  const target = path.join(app.dataRoot, "home", "chosen-place.json");
  answerDialog(app, "save", target);
  await browser.$("label=ServiceNow – globex").click();
  await browser.$("label=ServiceNow – initech").click();
  await browser.$("button=Export 2 selected").click();
  await waitForText(
    browser,
    "section[aria-label='Notifications']",
    /Exported 2 profiles/,
  );
  assert.ok(existsSync(target), "the export is where the dialog said");
  const written = JSON.parse(readFileSync(target, "utf8"));
  assert.deepEqual(written.profiles.map((p) => p.name).sort(), [
    "ServiceNow – globex",
    "ServiceNow – initech",
  ]);
});

test("a row's menu renames a profile, and Esc closes its dialog", async () => {
  const { browser } = app;
  await browser.$("aria/Actions for profile ServiceNow – acme").click();
  await browser.$("[role='menuitem']=Rename").click();
  const dialog = await browser.$("dialog#rename-profile");
  await dialog.waitForDisplayed({ timeout: 5000 });
  await browser.keys([Key.Escape]);
  await dialog.waitForDisplayed({ reverse: true, timeout: 5000 });

  await browser.$("aria/Actions for profile ServiceNow – acme").click();
  await browser.keys([Key.ArrowDown]);
  await browser.keys([Key.ArrowUp]);
  await browser.keys([Key.Enter]);
  await dialog.waitForDisplayed({ timeout: 5000 });
  const name = await browser.$("#rename-profile-name");
  assert.ok(await name.isFocused(), "focus moves into the dialog");
  await name.clearValue();
  await name.setValue("ServiceNow – acme (EU)");
  await browser.$("button=Save name").click();
  await waitForText(
    browser,
    "table[aria-label='Saved profiles']",
    /acme \(EU\)/,
  );
});

test("Ctrl+K goes to a profile", async () => {
  const { browser } = app;
  await goTo(browser, "Sources");
  await browser.keys([Key.Ctrl, "k"]);
  const search = await browser.$("#quick-search");
  await search.waitForDisplayed({ timeout: 5000 });
  await search.setValue("initech");
  await waitForText(browser, "#quick-results", /Profile[\s\S]*initech/);
  await browser.keys([Key.Enter]);
  await waitForText(browser, "#form-heading", /from “ServiceNow – initech”/);
  assert.equal(
    await browser.$("#field-endpoint").getValue(),
    "https://initech.service-now.com",
  );
});

test("the dark theme and the window's size survive a restart", async () => {
  const { browser } = app;
  await goTo(browser, "Accounts");
  await browser.$("[role='tab']=Appearance").click();
  await browser.$("#theme").selectByAttribute("value", "dark");
  await browser.waitUntil(
    async () =>
      (await browser.execute(() => document.documentElement.dataset.theme)) ===
      "dark",
    { timeout: 5000, timeoutMsg: "the window did not turn dark" },
  );
  await browser.setWindowSize(1024, 700);
  await browser.pause(1500);
  const size = await browser.getWindowSize();

  const dataRoot = app.dataRoot;
  await app.stop();
  app = await launch("shell-restarted", { dataRoot });
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
  const prefs = JSON.parse(
    readFileSync(
      path.join(dataRoot, "data", "io.flowconnect.desktop", "preferences.json"),
      "utf8",
    ),
  );
  assert.equal(prefs.preferences.theme, "dark");
  assert.equal(
    await app.browser.execute(() => document.documentElement.dataset.theme),
    "dark",
  );
  const background = await app.browser.execute(
    () => getComputedStyle(document.documentElement).backgroundColor,
  );
  assert.equal(background, "rgb(20, 23, 31)");
  const again = await app.browser.getWindowSize();
  assert.ok(
    Math.abs(again.width - size.width) <= 2 &&
      Math.abs(again.height - size.height) <= 2,
    `the window reopened at ${JSON.stringify(again)}, not ${JSON.stringify(size)}`,
  );
});
