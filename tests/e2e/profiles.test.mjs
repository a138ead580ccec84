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
  addFirstAccount,
  artifacts,
  assertNoSecretIn,
  byLabel as byLabelIn,
  connectionPosts,
  fill as fillIn,
  filesUnder,
  keychainEntries,
  launch,
  openSource as openSourceIn,
  waitForText as waitForTextIn,
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

function byLabel(text) {
  return byLabelIn(app.browser, text);
}

const fill = (fields) => fillIn(app.browser, fields);
const waitForText = (selector, pattern) =>
  waitForTextIn(app.browser, selector, pattern, 15000);

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
    await openSourceIn(app.browser, p.source);
    if (p.method)
      await (await byLabel("Sign-in method")).selectByVisibleText(p.method);
    await fill({ ...p.fields, "Profile name": p.profile });
    await app.browser.$("button=Save as profile").click();
    await waitForText(".profile-note", /Saved profile/);
    firstRun.set(p.profile, (await createAndCapture("prod")).auth);
  }
  const listed = await app.browser
    .$$("aside .profile-name")
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
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
  await app.browser.waitUntil(
    async () => (await app.browser.$("#pick-sandbox").getValue()) === "prod",
    {
      timeout: 15000,
    },
  );
  for (const p of profiles) {
    await app.browser.$(`aria/Open profile ${p.profile}`).click();
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
    "ul[aria-label='Connections in this sandbox']",
    /ServiceNow acme/,
  );
  await (await byLabel("Source")).selectByVisibleText("ServiceNow");
  await waitForText(
    "ul[aria-label='Connections in this sandbox']",
    /^ServiceNow acme/,
  );

  await browser.$("aria/Rename ServiceNow acme").click();
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

  await browser.$("aria/Test ServiceNow acme (renamed)").click();
  await waitForText(".connection-note", /The connection works/);

  await browser.$("aria/Delete ServiceNow acme (renamed)").click();
  await browser.$("button=Delete connection").click();
  await browser.waitUntil(
    async () =>
      !(await browser.$("aria/Delete ServiceNow acme (renamed)").isExisting()),
    { timeout: 10000, timeoutMsg: "the deleted connection is still listed" },
  );
  stored = await (await fetch(`${app.fakeUrl}/__fake/connections`)).json();
  assert.ok(!stored.some((c) => c.name.startsWith("ServiceNow acme")));
  await browser.saveScreenshot(path.join(artifacts, "connections.png"));
});

test("exporting holds no secret, and deleting a profile removes its keychain entries", async () => {
  const { browser } = app;
  await browser.$("button=Export all profiles").click();
  await waitForText("aside .notice", /Exported 4 profiles without secrets to /);
  const notice = await browser.$("aside .notice").getText();
  const exported = notice.match(/to (\/.+\.json)\./)[1];
  assert.ok(
    exported.startsWith(app.dataRoot),
    `the export stays in the test's folders: ${exported}`,
  );
  const text = readFileSync(exported, "utf8");
  for (const value of secrets)
    assert.ok(!text.includes(value), "the export holds no secret");
  assert.equal(JSON.parse(text).profiles.length, 4);

  assert.ok(keychainEntries().includes("servicenow-profile-password"));
  await browser.$("aria/Delete profile ServiceNow – acme").click();
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
    .$("ul[aria-label='Connections in this sandbox']")
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
    .$("ul[aria-label='Connections in this sandbox']")
    .waitForExist({ timeout: 20000 });
  await app.browser.$("button=Sources").click();
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
  await waitForText(
    "aside .notice",
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
  await app.browser.$("button=Set up ServiceNow").click();
  await fill({
    "Connection name": "After repair",
    "Profile name": "After repair",
  });
  await app.browser.$("button=Save as profile").click();
  await waitForText(".profile-note", /Saved profile/);
  await app.browser
    .$("aria/Open profile After repair")
    .waitForExist({ timeout: 5000 });
});
