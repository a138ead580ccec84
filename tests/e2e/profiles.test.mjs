// Profiles and the connections manager in the real window: a profile with secrets is saved for
// every source, the app is restarted, each profile is reopened (secrets from the keychain) and
// creates the same connection in a second sandbox; a connection is renamed, tested and deleted
// from the connections view; a profile is deleted with its keychain entries; the export holds
// no secret; and a corrupt profiles file is set aside with the user told.
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import {
  goTo,
  openProfile,
  answerDialog,
  addFirstAccount,
  artifacts,
  assertNoSecretIn,
  connectionPosts,
  inWindow,
  filesUnder,
  keychainEntries,
  launch,
} from "./harness.mjs";

let app;
const secrets = [];
const firstRun = new Map();

function secret(value) {
  secrets.push(value);
  return value;
}

const profiles = [
  {
    profile: "BigQuery – marketing project",
    source: "Google BigQuery",
    fields: {
      "Connection name": "BigQuery marketing",
      "Project ID": "acme-marketing",
      "Client ID": "123.apps.googleusercontent.com",
      "Client secret": secret("GOCSPX-profile-secret"),
      "Refresh token": secret("1//profile-refresh-token"),
    },
    check: { "Project ID": "acme-marketing" },
    secretField: "refreshToken",
  },
  {
    profile: "Oracle – billing",
    source: "Oracle",
    fields: {
      "Connection name": "Oracle billing",
      Host: "db.acme.example",
      Port: "1521",
      SID: "BILL",
      "User name": "platform",
      Password: secret("oracle;profile pass"),
    },
    check: { SID: "BILL" },
    secretField: "password",
  },
  {
    profile: "REST – reports API",
    source: "Generic REST API",
    method: "Basic authentication",
    fields: {
      "Connection name": "Reports API",
      Host: "https://api.acme.example",
      "User name": "svc-reports",
      Password: secret("rest-profile-password"),
    },
    check: { "User name": "svc-reports" },
    secretField: "password",
  },
  {
    profile: "ServiceNow – acme",
    source: "ServiceNow",
    fields: {
      "Connection name": "ServiceNow acme",
      "Instance URL": "https://acme.service-now.com",
      "User name": "platform",
      Password: secret("servicenow-profile-password"),
    },
    check: { "Instance URL": "https://acme.service-now.com" },
    secretField: "password",
  },
];

before(async () => {
  app = await launch("profiles");
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
  await addFirstAccount(app);
});

after(async () => {
  await app?.stop();
});

/** Picks `action` in the row menu of the connection `name`. */
async function connectionAction(name, action) {
  await app.browser.$(`aria/Actions for connection ${name}`).click();
  await app.browser.$(`[role='menuitem']=${action}`).click();
}

const inApp = inWindow(() => app);
const { byLabel, fill, openSource } = inApp;
const waitForText = (selector, pattern) =>
  inApp.waitForText(selector, pattern, 15000);

/** Creates the connection in the form, checks the sandbox it went to, returns the body. */
async function createAndCapture(sandbox) {
  await app.browser.$("button=Create connection").click();
  await app.browser.$("#created-id").waitForExist({ timeout: 15000 });
  const sent = (await connectionPosts(app)).at(-1);
  assert.equal(
    sent.headers.find(([k]) => k === "x-sandbox-name")?.[1],
    sandbox,
  );
  return JSON.parse(sent.body);
}

async function pickSandbox(title, name) {
  await (await app.browser.$("#pick-sandbox")).selectByVisibleText(title);
  await app.browser.waitUntil(
    async () => (await app.browser.$("#pick-sandbox").getValue()) === name,
  );
}

test("a profile with secrets is saved for every source, and creates in the first sandbox", async () => {
  for (const p of profiles) {
    await openSource(p.source);
    if (p.method)
      await (await byLabel("Sign-in method")).selectByVisibleText(p.method);
    await fill({ ...p.fields, "Profile name": p.profile });
    await app.browser.$("button=Save as profile").click();
    await waitForText(".profile-note", /Saved profile/);
    firstRun.set(p.profile, (await createAndCapture("prod")).auth);
  }
  await goTo(app.browser, "Profiles");
  // The screen's code loads on first visit: wait for its table before reading it.
  await app.browser.waitUntil(
    async () =>
      (await app.browser.$$("table[aria-label='Saved profiles'] .profile-name"))
        .length === profiles.length,
    {
      timeout: 10000,
      timeoutMsg: "the Profiles screen never listed the profiles",
    },
  );
  const listed = await app.browser
    .$$("table[aria-label='Saved profiles'] .profile-name")
    .map((e) => e.getText());
  assert.deepEqual([...listed].sort(), profiles.map((p) => p.profile).sort());
  const file = readFileSync(
    path.join(app.dataHome, "io.flowconnect.desktop", "profiles.json"),
    "utf8",
  );
  for (const value of secrets)
    assert.ok(!file.includes(value), "profiles.json holds no secret");
  assert.match(file, /"schemaVersion": 2/);
});

test("after a restart each profile reopens with every value and creates in a second sandbox", async () => {
  const { dataRoot } = app;
  await app.stop();
  app = await launch("profiles-restarted", { dataRoot });
  // The window reopens on the screen it was left on: Profiles.
  await app.browser
    .$("table[aria-label='Saved profiles']")
    .waitForExist({ timeout: 20000 });
  await app.browser.waitUntil(
    async () => (await app.browser.$("#pick-sandbox").getValue()) === "prod",
    {
      timeout: 15000,
    },
  );
  for (const p of profiles) {
    await openProfile(app.browser, p.profile);
    await waitForText("#form-heading", new RegExp(`from “${p.profile}”`));
    for (const [label, value] of Object.entries(p.check)) {
      assert.equal(
        await (await byLabel(label)).getValue(),
        value,
        `${p.profile}: ${label}`,
      );
    }
    await waitForText(
      `#field-${p.secretField}-stored`,
      /set — kept in your keychain/,
    );
    // Opening a profile takes the user to the sandbox it was saved in.
    await app.browser.waitUntil(
      async () => (await app.browser.$("#pick-sandbox").getValue()) === "prod",
      {
        timeout: 5000,
        timeoutMsg: `${p.profile} did not switch back to its sandbox`,
      },
    );
    await pickSandbox("Marketing development", "dev-marketing");
    await waitForText("#create-target", /sandbox “dev-marketing”/);
    const { auth } = await createAndCapture("dev-marketing");
    assert.deepEqual(
      auth,
      firstRun.get(p.profile),
      `${p.profile}: identical auth params`,
    );
  }
  await app.browser.saveScreenshot(path.join(artifacts, "profiles.png"));
});

test("a connection is renamed, tested and deleted from the connections view", async () => {
  const { browser } = app;
  await browser.$("button=Connections").click();
  await waitForText(
    "table[aria-label='Connections in this sandbox']",
    /ServiceNow acme/,
  );
  await (await byLabel("Source")).selectByVisibleText("ServiceNow");
  await waitForText(
    "table[aria-label='Connections in this sandbox'] tbody",
    /^ServiceNow acme/,
  );

  await connectionAction("ServiceNow acme", "Rename");
  await (
    await byLabel("New name for ServiceNow acme")
  ).setValue("ServiceNow acme (renamed)");
  await browser.$("button=Save new name").click();
  await waitForText(".connection-note", /Renamed/);
  let stored = await (await fetch(`${app.fakeUrl}/__fake/connections`)).json();
  assert.ok(stored.some((c) => c.name === "ServiceNow acme (renamed)"));
  const patch = (
    await (await fetch(`${app.fakeUrl}/__fake/requests`)).json()
  ).find((r) => r.method === "PATCH");
  assert.match(
    patch.headers.find(([k]) => k === "if-match")?.[1] ?? "",
    /^".+"$/,
  );

  await connectionAction("ServiceNow acme (renamed)", "Test");
  await waitForText(".connection-note", /The connection works/);

  await connectionAction("ServiceNow acme (renamed)", "Delete");
  await browser.$("button=Delete connection").click();
  await browser.waitUntil(
    async () =>
      !(await browser
        .$("aria/Actions for connection ServiceNow acme (renamed)")
        .isExisting()),
    { timeout: 10000, timeoutMsg: "the deleted connection is still listed" },
  );
  stored = await (await fetch(`${app.fakeUrl}/__fake/connections`)).json();
  assert.ok(!stored.some((c) => c.name.startsWith("ServiceNow acme")));
  await browser.saveScreenshot(path.join(artifacts, "connections.png"));
});

test("exporting holds no secret, and deleting a profile removes its keychain entries", async () => {
  const { browser } = app;
  await goTo(browser, "Profiles");
  const exported = path.join(app.dataRoot, "home", "all-profiles.json");
  answerDialog(app, "save", exported);
  await browser.$("button=Export all profiles").click();
  await waitForText(
    "section[aria-label='Notifications']",
    /Exported 4 profiles without secrets to .*all-profiles\.json/,
  );
  const text = readFileSync(exported, "utf8");
  for (const value of secrets)
    assert.ok(!text.includes(value), "the export holds no secret");
  assert.equal(JSON.parse(text).profiles.length, 4);

  assert.ok(keychainEntries().includes("servicenow-profile-password"));
  await browser.$("aria/Actions for profile ServiceNow – acme").click();
  await browser.$("[role='menuitem']=Delete").click();
  await browser.$("button=Delete profile").click();
  await browser.waitUntil(
    async () =>
      !(await browser.$("aria/Open profile ServiceNow – acme").isExisting()),
    { timeout: 10000 },
  );
  assert.ok(
    !keychainEntries().includes("servicenow-profile-password"),
    "its keychain entry is gone",
  );
});

test("no secret is in any file of the app's data folder or in its logs", () => {
  const logs = readdirSync(artifacts)
    .filter((f) => f.startsWith("profiles"))
    .map((f) => path.join(artifacts, f))
    .filter((f) => f.endsWith(".log"));
  assert.ok(logs.length >= 2);
  assertNoSecretIn([...filesUnder(app.dataHome), ...logs], secrets);
});

test("a corrupt profiles file is set aside, the user told, and the app stays usable", async () => {
  const { dataRoot, dataHome } = app;
  // Left on the connections screen, which the restarted window reopens (a UI preference).
  await app.browser.$("button=Connections").click();
  await app.browser
    .$("div.connections[data-loaded='true']")
    .waitForExist({ timeout: 15000 });
  await app.browser.pause(300);
  await app.stop();
  const folder = path.join(dataHome, "io.flowconnect.desktop");
  writeFileSync(
    path.join(folder, "profiles.json"),
    '{"schemaVersion": 2, "profiles": [{"id": ',
  );
  app = await launch("profiles-corrupt", { dataRoot });
  await app.browser
    .$("div.connections[data-loaded='true']")
    .waitForExist({ timeout: 20000 });
  await waitForText(
    "section[aria-label='Notifications']",
    /could not be read .* set the file aside as .*unreadable-/,
  );
  // The toast's action leads to the Profiles screen, where the notice stays.
  await app.browser
    .$("section[aria-label='Notifications']")
    .$("button=Open profiles")
    .click();
  await waitForText(
    ".profiles-screen .notice",
    /could not be read .* set the file aside as .*unreadable-/,
  );
  const aside = readdirSync(folder).filter((f) =>
    f.startsWith("profiles.json.unreadable-"),
  );
  assert.equal(aside.length, 1);
  assert.ok(existsSync(path.join(folder, aside[0])));
  // Signed in again, in whichever sandbox was picked last.
  await app.browser.waitUntil(
    async () => (await app.browser.$("#pick-sandbox").getValue()) !== "",
    {
      timeout: 15000,
    },
  );
  await goTo(app.browser, "Sources");
  await app.browser.$("button=Set up ServiceNow").click();
  await fill({
    "Connection name": "After repair",
    "Profile name": "After repair",
  });
  await app.browser.$("button=Save as profile").click();
  await waitForText(".profile-note", /Saved profile/);
  await goTo(app.browser, "Profiles");
  await app.browser
    .$("aria/Open profile After repair")
    .waitForExist({ timeout: 5000 });
});
