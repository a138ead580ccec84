// What must hold whatever the user does, in the real window: no command's reply carries a
// secret the user typed or imported (checked on the IPC replies themselves, not only on
// files); files with secrets are read by the app, never by the page; no error about a pasted
// connection string quotes its password; an account whose secret was rotated is edited and signs in again, and a removed one
// leaves no keychain entry; a second launch hands over to the first window.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import {
  answerDialog,
  goTo,
  editAccount,
  addFirstAccount,
  appBinary,
  artifacts,
  clickWhenSteady,
  inWindow,
  keychainEntries,
  launch,
} from "./harness.mjs";

let app;
/** Every secret this suite types or imports. */
const secrets = [];

before(async () => {
  app = await launch("hardening");
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
  await recordReplies();
});

after(async () => {
  await app?.stop();
});

const { byLabel, fill, openSource, waitForText } = inWindow(() => app);

/** Keeps every reply (and every error) the page's one backend module receives. */
async function recordReplies() {
  await app.browser.execute(() => {
    window.__replies = [];
    window.__flowConnectReplyTap = (cmd, reply) => {
      window.__replies.push({ cmd, reply: JSON.stringify(reply ?? null) });
    };
  });
}

async function replies() {
  return app.browser.execute(() => window.__replies);
}

function accountsFile() {
  return JSON.parse(
    readFileSync(
      path.join(app.dataHome, "io.flowconnect.desktop", "accounts.json"),
      "utf8",
    ),
  );
}

test("an account with a rotated secret is edited to sign in again; a removed one leaves no keychain entry", async () => {
  const { browser } = app;
  const fake = await (await fetch(`${app.fakeUrl}/__fake/config`)).json();
  secrets.push("the-secret-before-rotation", fake.clientSecret);
  await browser.$("button=Add your first Adobe account").click();
  await fill({
    "Account name": "Rotated",
    "Organization ID": fake.orgId,
    "Client ID": fake.clientId,
    "Client secret": "the-secret-before-rotation",
  });
  await browser.$("button=Save and sign in").click();
  await browser.$("p.error.banner").waitForExist({ timeout: 15000 });

  await editAccount(browser, "Rotated");
  assert.equal(await (await byLabel("Account name")).getValue(), "Rotated");
  assert.equal(
    await (await byLabel("New client secret")).getValue(),
    "",
    "the old secret is not shown",
  );
  await fill({ "New client secret": fake.clientSecret });
  await browser.$("button=Save and sign in").click();
  await browser.waitUntil(
    async () => (await browser.$("#pick-sandbox").getValue()) === "prod",
    { timeout: 15000, timeoutMsg: "the edited account did not sign in" },
  );
  const [account] = accountsFile().accounts;
  assert.match(account.id, /^[0-9a-f-]{36}$/);
  assert.ok(keychainEntries().includes(`account/${account.id}/clientSecret`));
  assert.ok(
    keychainEntries().includes(fake.clientSecret),
    "the new secret is the one kept",
  );

  await goTo(browser, "Accounts");
  await browser.$("aria/Actions for account Rotated").click();
  await browser.$("[role='menuitem']=Remove").click();
  await browser.$("button=Remove for good").click();
  await waitForText(
    "section[aria-label='Notifications']",
    /Removed “Rotated” and its client secret from your keychain/,
  );
  await browser.$("aria/Dismiss notification").click();
  await goTo(browser, "Sources");
  await browser
    .$("button=Add your first Adobe account")
    .waitForExist({ timeout: 10000 });
  assert.deepEqual(accountsFile().accounts, []);
  assert.ok(
    !keychainEntries().includes(`account/${account.id}/clientSecret`),
    "no keychain entry is left",
  );
});

test("no command's reply carries a secret the user typed or imported", async () => {
  const { browser } = app;
  const fake = await addFirstAccount(app);
  secrets.push(fake.clientSecret);

  // A Google client JSON: its secret goes to the keychain, not back into the page.
  const importedSecret = "GOCSPX-imported-in-e2e-0f3a";
  secrets.push(importedSecret);
  const file = path.join(artifacts, "client_secret_e2e.json");
  writeFileSync(
    file,
    JSON.stringify({
      installed: {
        client_id: "e2e.apps.googleusercontent.com",
        client_secret: importedSecret,
        redirect_uris: ["http://localhost"],
      },
    }),
  );
  await openSource("Google BigQuery");
  // Picked in the OS's open dialog (answered from a folder in the debug build): the app reads
  // the file, not the page.
  answerDialog(app, "open", file);
  await clickWhenSteady(browser, await byLabel("Google client JSON file"));
  await browser
    .$("#field-clientSecret-stored")
    .waitForExist({ timeout: 10000 });
  assert.equal(
    await (await byLabel("Client ID")).getValue(),
    "e2e.apps.googleusercontent.com",
  );
  assert.equal(await (await byLabel("Client secret")).getValue(), "");

  // A pasted Oracle connection string: its password goes to the keychain too.
  const rawPassword = "raw-e2e-pass;0f3a";
  secrets.push(rawPassword);
  await openSource("Oracle");
  await browser.$("button=Paste a connection string instead").click();
  await (
    await byLabel("Connection string")
  ).setValue(
    `Host=db.example.com;Port=1521;Sid=ORCL;UserId=scott;Password="${rawPassword}"`,
  );
  await browser.$("button=Fill the fields from this string").click();
  await browser.$("#field-password-stored").waitForExist({ timeout: 10000 });
  await fill({ "Connection name": "Oracle from a pasted string" });
  await browser.$("button=Preview request").click();
  await browser.$("#preview-heading").waitForExist({ timeout: 10000 });
  await clickWhenSteady(browser, await browser.$("button=Create connection"));
  await browser.$("#created-id").waitForExist({ timeout: 15000 });

  // A typed ServiceNow password, previewed, created and saved as a profile.
  const typed = "typed-e2e-password-0f3a";
  secrets.push(typed);
  await openSource("ServiceNow");
  await fill({
    "Connection name": "ServiceNow, typed",
    "Instance URL": "https://acme.service-now.com",
    "User name": "platform",
    Password: typed,
  });
  await browser.$("button=Preview request").click();
  await browser.$("#preview-heading").waitForExist({ timeout: 10000 });
  await clickWhenSteady(browser, await browser.$("button=Create connection"));
  await browser.$("#created-id").waitForExist({ timeout: 15000 });

  // Each form that was left took what it kept by reference out of the keychain with it.
  await openSource("Generic REST API");
  await browser.waitUntil(
    async () =>
      !keychainEntries().includes(importedSecret) &&
      !keychainEntries().includes(rawPassword),
    {
      timeout: 10000,
      timeoutMsg: "a closed form's secrets are still in the keychain",
    },
  );

  const seen = await replies();
  const commands = new Set(seen.map((r) => r.cmd));
  for (const cmd of [
    "import_google_client",
    "split_connection_string",
    "preview_connection",
    "create_connection",
    "save_account",
  ])
    assert.ok(
      commands.has(cmd),
      `${cmd} was called: ${[...commands].join(", ")}`,
    );
  for (const { cmd, reply } of seen)
    for (const secret of secrets)
      assert.ok(
        !reply.includes(secret),
        `the reply of ${cmd} carries a secret`,
      );
});

test("a second launch hands over to the first window instead of opening another", async () => {
  const second = spawn(appBinary, [], {
    env: app.env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  second.stderr.on("data", (chunk) => (stderr += chunk.toString()));
  const exited = await Promise.race([
    once(second, "exit").then(([code]) => code),
    new Promise((r) => setTimeout(() => r("running"), 15000)),
  ]);
  if (exited === "running") second.kill("SIGKILL");
  assert.equal(exited, 0, `the second launch ended at once: ${stderr}`);
  await app.browser.waitUntil(
    async () =>
      readFileSync(app.logPath, "utf8").includes(
        "a second launch handed over; focusing the window",
      ),
    { timeout: 10000, timeoutMsg: "the first app was not told" },
  );
  assert.equal((await app.browser.getWindowHandles()).length, 1);
  assert.ok(
    await app.browser.$("h1=Flow Connect").isExisting(),
    "the first window still answers",
  );
});

test("a service account key and a client JSON are read by the app: the page never holds their secrets", async () => {
  const { browser } = app;
  const privateKey =
    // Split so the fixture is not mistaken for a committed key.
    "-----BEGIN PRIVATE" +
    " KEY-----\\nMIIE-e2e-0f3a-private\\n-----END PRIVATE" +
    " KEY-----\\n";
  secrets.push("MIIE-e2e-0f3a-private");
  const keyFile = path.join(artifacts, "service-account-e2e.json");
  writeFileSync(
    keyFile,
    JSON.stringify({
      type: "service_account",
      project_id: "acme-analytics",
      private_key: privateKey,
      client_email: "flow@acme-analytics.iam.gserviceaccount.com",
    }),
  );
  const clientSecret = "GOCSPX-e2e-path-0f3a";
  secrets.push(clientSecret);
  const clientFile = path.join(artifacts, "client_secret_path.json");
  writeFileSync(
    clientFile,
    JSON.stringify({
      installed: {
        client_id: "path.apps.googleusercontent.com",
        client_secret: clientSecret,
        redirect_uris: ["http://localhost"],
      },
    }),
  );
  await browser.execute(() => {
    window.__replies = [];
  });

  await openSource("Google BigQuery");
  await (
    await byLabel("Sign-in method")
  ).selectByVisibleText("Service account key");
  assert.equal(
    (await browser.$$("input[type='file']")).length,
    0,
    "the form has no file input of the page's own",
  );
  answerDialog(app, "open", keyFile);
  await clickWhenSteady(browser, await byLabel("Service account key file"));
  await browser
    .$("#field-keyFileContent-stored")
    .waitForExist({ timeout: 10000 });
  await browser
    .$("span=service-account-e2e.json read")
    .waitForExist({ timeout: 5000 });
  assert.ok(
    keychainEntries().includes("MIIE-e2e-0f3a-private"),
    "the key went to the keychain",
  );

  // A dropped file reaches the same commands as a path, through the page's own IPC.
  const viaPath = await browser.execute(
    async (specId, keyPath, clientPath) => {
      const invoke = window.__TAURI_INTERNALS__.invoke;
      const key = await invoke("import_key_file", {
        request: {
          specId,
          field: "keyFileContent",
          stored: null,
          path: keyPath,
        },
      });
      const client = await invoke("import_google_client", {
        request: { specId, stored: null, path: clientPath },
      });
      const refused = await invoke("import_key_file", {
        request: {
          specId,
          field: "keyFileContent",
          stored: null,
          path: clientPath,
        },
      }).catch((e) => e);
      return JSON.stringify({ key, client, refused });
    },
    "3c9b37f8-13a6-43d8-bad3-b863b941fedd",
    keyFile,
    clientFile,
  );
  const parsed = JSON.parse(viaPath);
  assert.deepEqual(parsed.key.stored.fields, ["keyFileContent"]);
  assert.equal(parsed.client.clientId, "path.apps.googleusercontent.com");
  assert.deepEqual(parsed.client.stored.fields, ["clientSecret"]);
  assert.match(parsed.refused.message, /not a service account's JSON key/);
  for (const secret of secrets)
    assert.ok(!viaPath.includes(secret), "a reply carries a file's secret");

  const seen = await replies();
  assert.ok(
    seen.some((r) => r.cmd === "import_key_file"),
    "the form read the key through the app",
  );
  for (const { cmd, reply } of seen)
    for (const secret of secrets)
      assert.ok(
        !reply.includes(secret),
        `the reply of ${cmd} carries a secret`,
      );
});

test("an error about a pasted connection string holds no fragment of its password", async () => {
  const { browser } = app;
  const password = "aGVsbG8;d29ybGQ=";
  await browser.execute(() => {
    window.__replies = [];
  });
  await openSource("Oracle");
  await browser.$("button=Paste a connection string instead").click();
  await (
    await byLabel("Connection string")
  ).setValue(
    `Host=db.example.com;Port=1521;Sid=ORCL;User Id=scott;Password=${password}`,
  );
  await browser.$("button=Fill the fields from this string").click();
  await browser
    .$("#field-connectionString-error")
    .waitForExist({ timeout: 10000 });
  const shown = await browser.$("#field-connectionString-error").getText();

  const seen = await replies();
  assert.ok(
    seen.some((r) => r.cmd === "split_connection_string"),
    "the string was split by the app",
  );
  // Every run of five characters of the password: "d29ybGQ" is the one an error once quoted.
  const fragments = [];
  for (let i = 0; i + 5 <= password.length; i++)
    fragments.push(password.slice(i, i + 5));
  for (const fragment of fragments) {
    assert.ok(
      !shown.includes(fragment),
      `the error shown quotes “${fragment}”: ${shown}`,
    );
    for (const { cmd, reply } of seen)
      assert.ok(
        !reply.includes(fragment),
        `the reply of ${cmd} holds “${fragment}” of the password: ${reply.slice(0, 300)}`,
      );
  }
});
