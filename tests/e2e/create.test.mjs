// The first vertical slice, in the real window against the fakes: add an Adobe account, sign
// in, fill each source's form by its labels, preview, create, and check what the fake
// Flow Service received; then make sure no secret reached a file or the log.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import {
  addFirstAccount,
  answerDialog,
  artifacts,
  assertNoSecretIn,
  clickWhenSteady,
  connectionPosts,
  inWindow,
  filesUnder,
  launch,
} from "./harness.mjs";

const CONNECTIONS = "/data/foundation/flowservice/connections";
let app;
let fake;
const secrets = [];

/** Remembers a value that must never appear in a file or the log. */
function secret(value) {
  secrets.push(value);
  return value;
}

before(async () => {
  app = await launch("create");
  fake = await (await fetch(`${app.fakeUrl}/__fake/config`)).json();
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
});

after(async () => {
  await app?.stop();
});

const { byLabel, fill, openSource } = inWindow(() => app);

/** Opens the ServiceNow form and fills it, the password remembered as a secret. */
async function openServiceNow(name, password) {
  await openSource("ServiceNow");
  await fill({
    "Connection name": name,
    "Instance URL": "https://acme.service-now.com",
    "User name": "platform",
    Password: secret(password),
  });
}

async function createAndCapture() {
  const before = (await connectionPosts(app)).length;
  await app.browser.$("button=Create connection").click();
  await app.browser.$("#created-id").waitForExist({ timeout: 15000 });
  const all = await connectionPosts(app);
  assert.equal(all.length, before + 1, "exactly one create was sent");
  const sent = all.at(-1);
  assert.equal(sent.headers.find(([k]) => k === "x-sandbox-name")?.[1], "prod");
  const body = JSON.parse(sent.body);
  const shownId = await app.browser.$("#created-id").getText();
  const stored = await (
    await fetch(`${app.fakeUrl}/__fake/connections`)
  ).json();
  assert.ok(
    stored.some((c) => c.id === shownId),
    "the id shown is the id the fake stored",
  );
  return body;
}

test("the first run guides to adding an account, which signs in and offers the sandboxes", async () => {
  const { browser } = app;
  await addFirstAccount(app, secret(fake.clientSecret));
  const sandboxes = await browser
    .$$("#pick-sandbox option")
    .map((o) => o.getText());
  assert.deepEqual(sandboxes, ["Production", "Marketing development"]);
  await browser.$("[data-catalog-ready]").waitForExist({ timeout: 5000 });
});

const cases = [
  {
    source: "Google BigQuery",
    method: "OAuth 2 refresh token",
    fields: () => ({
      "Project ID": "acme-analytics",
      "Client ID": "123.apps.googleusercontent.com",
      "Client secret": secret("GOCSPX-e2e-client-secret"),
      "Refresh token": secret("1//e2e-refresh-token"),
    }),
    auth: {
      specName: "Basic Authentication",
      type: "OAuth2.0",
      params: {
        project: "acme-analytics",
        clientId: "123.apps.googleusercontent.com",
        clientSecret: "GOCSPX-e2e-client-secret",
        refreshToken: "1//e2e-refresh-token",
      },
    },
  },
  {
    source: "Google BigQuery",
    method: "Service account key",
    fields: () => ({ "Project ID": "acme-analytics" }),
    file: {
      label: "Service account key file",
      content: '{"type":"service_account","private_key":"e2e-key"}',
    },
    auth: {
      specName: "Service Authentication",
      params: {
        projectId: "acme-analytics",
        keyFileContent: Buffer.from(
          '{"type":"service_account","private_key":"e2e-key"}',
        ).toString("base64"),
      },
    },
  },
  {
    source: "Oracle",
    fields: () => ({
      Host: "db.acme.example",
      Port: "1521",
      SID: "ORCL",
      "User name": "platform",
      Password: secret("e2e;oracle pass"),
    }),
    auth: {
      specName: "ConnectionString",
      params: {
        connectionString:
          'Host=db.acme.example;Port=1521;Sid=ORCL;User Id=platform;Password="e2e;oracle pass"',
      },
    },
  },
  {
    source: "Generic REST API",
    method: "OAuth 2 refresh code",
    fields: () => ({
      Host: "https://api.acme.example",
      "Client ID": "rest-client",
      "Client secret": secret("rest-e2e-client-secret"),
      "Access token": secret("rest-e2e-access-token"),
      "Refresh token": secret("rest-e2e-refresh-token"),
      "Access token URL": "https://auth.acme.example/token",
    }),
    auth: {
      specName: "oAuth2RefreshCode",
      params: {
        host: "https://api.acme.example",
        clientId: "rest-client",
        clientSecret: "rest-e2e-client-secret",
        accessToken: "rest-e2e-access-token",
        refreshToken: "rest-e2e-refresh-token",
        accessTokenUrl: "https://auth.acme.example/token",
      },
    },
  },
  {
    source: "Generic REST API",
    method: "Basic authentication",
    fields: () => ({
      Host: "https://api.acme.example",
      "User name": "svc-platform",
      Password: secret("rest-e2e-password"),
    }),
    auth: {
      specName: "Basic Authentication",
      params: {
        host: "https://api.acme.example",
        username: "svc-platform",
        password: "rest-e2e-password",
      },
    },
  },
  {
    source: "ServiceNow",
    fields: () => ({
      "Instance URL": "https://acme.service-now.com",
      "User name": "platform",
      Password: secret("now-e2e-password"),
    }),
    auth: {
      specName: "Basic Authentication",
      params: {
        endpoint: "https://acme.service-now.com",
        username: "platform",
        password: "now-e2e-password",
      },
    },
  },
];

for (const c of cases) {
  test(`creates ${c.source}${c.method ? ` (${c.method})` : ""} with the exact body`, async () => {
    await openSource(c.source);
    if (c.method)
      await (await byLabel("Sign-in method")).selectByVisibleText(c.method);
    const name = `${c.source} ${c.method ?? ""}`.trim();
    await fill({
      "Connection name": name,
      Description: "Made by the end-to-end test",
      ...c.fields(),
    });
    if (c.file) {
      mkdirSync(artifacts, { recursive: true });
      const file = path.join(artifacts, "service-account.json");
      writeFileSync(file, c.file.content);
      secret("e2e-key");
      // The OS's open dialog picks it (answered from a folder in the debug build): the app
      // reads the file, the page only learns that the field is set.
      answerDialog(app, "open", file);
      const choose = await byLabel(c.file.label);
      await choose.scrollIntoView({ block: "center" });
      await clickWhenSteady(app.browser, choose);
      await app.browser
        .$("span=service-account.json read")
        .waitForExist({ timeout: 5000 });
    }
    await app.browser
      .$("p=Every value looks right.")
      .waitForExist({ timeout: 5000 });
    await app.browser.$("button=Preview request").click();
    const previewBody = app.browser.$(
      "pre[aria-labelledby='preview-body-label']",
    );
    await previewBody.waitForExist({ timeout: 10000 });
    const previewed = JSON.parse(await previewBody.getText());
    assert.equal(previewed.auth.specName, c.auth.specName);
    assert.deepEqual(
      Object.keys(previewed.auth.params),
      Object.keys(c.auth.params),
    );
    for (const value of secrets)
      assert.ok(!JSON.stringify(previewed).includes(value), "masked");
    const body = await createAndCapture();
    // A one-time marker follows the description (taken off again by a PATCH), so a create
    // whose answer is lost can be told from someone else's of the same name.
    assert.match(
      body.description,
      /^Made by the end-to-end test \[flow-connect create [0-9a-f]{16}\]$/,
    );
    assert.deepEqual(body, {
      name,
      description: body.description,
      auth: c.auth,
      connectionSpec: { id: body.connectionSpec.id, version: "1.0" },
    });
  });
}

test("the preview shows the exact body and a curl command, secrets masked", async () => {
  await openServiceNow("Previewed", "preview-e2e-password");
  await app.browser.$("button=Preview request").click();
  const pre = await app.browser.$("pre[aria-labelledby='preview-curl-label']");
  await pre.waitForExist({ timeout: 10000 });
  const curl = await pre.getText();
  assert.ok(curl.startsWith("curl -X POST"), curl);
  assert.ok(curl.includes(`-H 'x-gw-ims-org-id: ${fake.orgId}'`), curl);
  assert.ok(curl.includes('"password": "••••••••"'), curl);
  assert.ok(!curl.includes("preview-e2e-password"));
  await app.browser.pause(200);
  await app.browser.saveScreenshot(path.join(artifacts, "preview.png"));
});

test("a create the service rejects shows Adobe's message and keeps every field", async () => {
  await openServiceNow("Rejected", "rejected-e2e-password");
  await fetch(`${app.fakeUrl}/__fake/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      method: "POST",
      path: CONNECTIONS,
      action: {
        kind: "status",
        status: 400,
        body: {
          type: "https://ns.adobe.com/aep/errors/FLOW-1415-400",
          title: "Bad Request",
          status: 400,
          report: {
            "detailed-message":
              "The auth spec 'Basic Authentication' could not be found",
          },
        },
      },
    }),
  });
  await app.browser.$("button=Create connection").click();
  const alert = await app.browser.$("div[role='alert']");
  await alert.waitForExist({ timeout: 10000 });
  const message = await alert.getText();
  assert.match(message, /could not be found \(1415-400, HTTP 400\)/);
  assert.match(message, /pick another/);
  assert.equal(await (await byLabel("Connection name")).getValue(), "Rejected");
  assert.equal(
    await (await byLabel("Instance URL")).getValue(),
    "https://acme.service-now.com",
  );
  assert.equal(
    await (await byLabel("Password")).getValue(),
    "rejected-e2e-password",
  );
});

test("a created connection can be tested", async () => {
  await openServiceNow("Tested", "tested-e2e-password");
  await app.browser.$("button=Create connection").click();
  const testButton = await app.browser.$("button=Test connection");
  await testButton.waitForEnabled({ timeout: 15000 });
  await clickWhenSteady(app.browser, testButton);
  const outcome = await app.browser.$("#test-outcome");
  await outcome.waitForExist({ timeout: 10000 }).catch(async (error) => {
    // Say what the window and the service saw, not only that the text never came.
    const shown = await app.browser
      .$("[aria-labelledby='created-heading']")
      .getText()
      .catch(() => "(no result block)");
    const requests = await (
      await fetch(`${app.fakeUrl}/__fake/requests`)
    ).json();
    const paths = requests.slice(-5).map((r) => `${r.method} ${r.path}`);
    await app.browser.saveScreenshot(path.join(artifacts, "tested.png"));
    throw new Error(
      `${String(error)}; result block: ${shown}; last requests: ${paths.join(", ")}`,
    );
  });
  assert.equal(await outcome.getText(), "The connection works.");
  await app.browser.pause(200);
  await app.browser.saveScreenshot(path.join(artifacts, "created.png"));
});

test("no secret is in any file of the app's data folder or in its log", async () => {
  const files = filesUnder(app.dataHome);
  const accountsFile = files.find((f) => f.endsWith("accounts.json"));
  assert.ok(
    accountsFile,
    `the accounts were saved (files: ${files.join(", ")})`,
  );
  assert.ok(readFileSync(accountsFile, "utf8").includes(fake.clientId));
  assertNoSecretIn([...files, app.logPath], secrets);
});

test("the sandbox picked last is remembered for the account", async () => {
  const { browser } = app;
  await (
    await browser.$("#pick-sandbox")
  ).selectByVisibleText("Marketing development");
  const accountsFile = filesUnder(app.dataHome).find((f) =>
    f.endsWith("accounts.json"),
  );
  await browser.waitUntil(
    () =>
      JSON.parse(readFileSync(accountsFile, "utf8")).accounts[0]
        .defaultSandbox === "dev-marketing",
    {
      timeout: 5000,
      timeoutMsg: `the default sandbox was not saved: ${readFileSync(accountsFile, "utf8")}`,
    },
  );
});
