// The whole catalog in the real window: once signed in, every source of the org is listed
// and found by search; six sources of different shapes, none built in, are filled by their
// labels, previewed and created, and the fake checks each body against the spec's schema.
// One is kept as a profile; restarted offline the app still shows the cached catalog and the
// profile, and with Adobe back the profile creates again in a second sandbox.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import {
  openProfile,
  addFirstAccount,
  artifacts,
  assertNoSecretIn,
  clickWhenSteady,
  connectionPosts,
  filesUnder,
  launch,
  root,
  inWindow,
} from "./harness.mjs";

let app;
const secrets = [];
const screenshots = path.join(root, "docs", "screenshots");

function secret(value) {
  secrets.push(value);
  return value;
}

before(async () => {
  app = await launch("all-sources");
  await addFirstAccount(app);
});

after(async () => {
  await app?.stop();
});

const inApp = inWindow(() => app);
const { byLabel, fill } = inApp;
/** The names of the sources the catalog shows (a search hides the others), in order. Read
 * from the document: cards out of view are not rendered, so WebDriver has no text for them. */
const shownSources = () =>
  app.browser.execute(() =>
    [...document.querySelectorAll(".grid > li:not([hidden]) article h3")].map(
      (h) => h.textContent.trim(),
    ),
  );
const waitForText = (selector, pattern, timeout = 15000) =>
  inApp.waitForText(selector, pattern, timeout);

/** Finds the source by typing in the search box, then opens its form. */
async function searchAndOpen(query, name) {
  const back = await app.browser.$("button=Back to sources");
  if (await back.isExisting()) await back.click();
  const search = await byLabel("Search sources");
  await search.clearValue();
  await search.setValue(query);
  await app.browser.waitUntil(
    async () => {
      const shown = await shownSources();
      return (
        shown.length > 0 &&
        shown.every((h) => h.toLowerCase().includes(query.split(" ")[0]))
      );
    },
    {
      timeout: 5000,
      timeoutMsg: `search “${query}” did not narrow the catalog`,
    },
  );
  await app.browser.$(`button=Set up ${name}`).click();
  await app.browser.$("#form-heading").waitForExist({ timeout: 10000 });
}

/** Clicks `element` in the middle of the screen: low in a form, it would be under the action
 * bar, which the driver does not scroll clear of. */
async function centred(element) {
  await app.browser.execute((el) => {
    el.scrollIntoView({ block: "center" });
  }, element);
  await element.click();
}

async function previewAndCreate() {
  await app.browser.$("button=Preview request").click();
  await app.browser.$("#preview-heading").waitForExist({ timeout: 10000 });
  const preview = await app.browser
    .$("pre[aria-labelledby='preview-body-label']")
    .getText();
  for (const value of secrets)
    assert.ok(!preview.includes(value), "the preview masks secrets");
  const before = (await connectionPosts(app)).length;
  await app.browser.$("button=Create connection").click();
  await app.browser.$("#created-id").waitForExist({ timeout: 15000 });
  const posts = await connectionPosts(app);
  assert.equal(posts.length, before + 1, "exactly one create");
  return { preview: JSON.parse(preview), sent: JSON.parse(posts.at(-1).body) };
}

test("the whole catalog is listed once signed in, with the time of the refresh", async () => {
  await waitForText("#catalog-status", /27 sources · last refreshed/, 20000);
  // A screenful shows at first, the rest on demand (or as the list is scrolled).
  assert.equal((await shownSources()).length, 12);
  // Each press shows a screenful more, until all 27 are listed. Pressed from the page: the
  // button moves down as cards are added, which a pointer click may miss.
  await app.browser.waitUntil(
    async () => {
      if ((await shownSources()).length >= 27) return true;
      await app.browser.execute(() => {
        [...document.querySelectorAll("button")]
          .find((b) => b.textContent.trim() === "Show more sources")
          ?.click();
      });
      return false;
    },
    {
      timeout: 15000,
      interval: 300,
      timeoutMsg: "Show more sources did not show them all",
    },
  );
  assert.equal((await shownSources()).length, 27, "all shown");
  const headings = await shownSources();
  assert.deepEqual(headings.slice(0, 4), [
    "Google BigQuery",
    "Oracle",
    "Generic REST API",
    "ServiceNow",
  ]);
  assert.ok(headings.includes("Snowflake") && headings.includes("Amazon S3"));
  // The sources whose sign-in a provider's consent fills.
  for (const consent of [
    "HubSpot",
    "Zendesk",
    "Square",
    "Mailchimp Members",
    "Google Ads",
  ])
    assert.ok(headings.includes(consent), `${consent} in ${String(headings)}`);
  assert.ok(!headings.includes("Data Landing Zone"), "no destination");
  await (await byLabel("Category")).selectByVisibleText("Databases");
  const databases = await app.browser.execute(() =>
    [...document.querySelectorAll(".grid > li:not([hidden]) .category")].map(
      (c) => c.textContent.trim(),
    ),
  );
  assert.ok(
    databases.length >= 3 && databases.every((c) => c.startsWith("Databases")),
    String(databases),
  );
  await (await byLabel("Category")).selectByVisibleText("All categories");
  mkdirSync(screenshots, { recursive: true });
  // The tools and the first cards, curated and generated, in one frame.
  await app.browser.execute(() => {
    document.getElementById("catalog-heading")?.scrollIntoView();
  });
  await app.browser.pause(300);
  await app.browser.saveScreenshot(path.join(artifacts, "catalog-full.png"));
  copyFileSync(
    path.join(artifacts, "catalog-full.png"),
    path.join(screenshots, "catalog.png"),
  );
});

test("SFTP with a private key and pass phrase: a sign-in method choice, an integer port", async () => {
  await searchAndOpen("sftp", "SFTP");
  await (
    await byLabel("Sign-in method")
  ).selectByVisibleText("SSH public key authentication for SFTP");
  assert.equal(
    await (await byLabel("Port")).getValue(),
    "22",
    "the spec's default",
  );
  await fill({
    "Connection name": "SFTP drop",
    Host: "sftp.acme.example",
    "User name": "platform",
    "Private key content": secret("-----BEGIN OPENSSH PRIVATE KEY-----e2e"),
    "Pass phrase": secret("e2e-pass-phrase"),
  });
  const { sent, preview } = await previewAndCreate();
  assert.equal(sent.auth.specName, "SSH PublicKey Authentication for sftp");
  assert.equal(sent.auth.params.port, 22, "the port is a number");
  assert.equal(preview.auth.params.passPhrase, "••••••••");
});

test("PostgreSQL: an enum, a boolean and a bounded integer, refused out of range", async () => {
  await searchAndOpen("postgre", "PostgreSQL");
  await fill({
    "Connection name": "Warehouse",
    Server: "pg.acme.example",
    Database: "warehouse",
    Username: "reader",
    Password: secret("e2e-postgres-password"),
  });
  const port = await byLabel("Port");
  await port.clearValue();
  await port.setValue("70000");
  await waitForText("#field-port-error", /1 to 65535/);
  await port.clearValue();
  await port.setValue("6432");
  await (await byLabel("SSL mode")).selectByVisibleText("verify-full");
  await centred(await byLabel("Read only"));
  await fill({ "Profile name": "Postgres – warehouse" });
  await centred(await app.browser.$("button=Save as profile"));
  await waitForText(".profile-note", /Saved profile/);
  const { sent } = await previewAndCreate();
  assert.deepEqual(
    {
      port: sent.auth.params.port,
      sslMode: sent.auth.params.sslMode,
      readOnly: sent.auth.params.readOnly,
    },
    { port: 6432, sslMode: "verify-full", readOnly: false },
  );
});

test("the Sources SDK's OAuth 2 refresh code, with a nested group", async () => {
  await searchAndOpen("extension", "Generic Rest Extension");
  await app.browser
    .$("legend=Request parameter override")
    .waitForExist({ timeout: 5000 });
  await fill({
    "Connection name": "Zendesk tickets",
    Host: "https://acme.zendesk.com",
    "Client ID": "zendesk-client",
    "Client secret": secret("e2e-zendesk-client-secret"),
    "Access token": secret("e2e-zendesk-access-token"),
    "Access token field": "token",
  });
  await (await byLabel("Authentication method")).selectByVisibleText("POST");
  await waitForText(".form-status", /Every value looks right/);
  await app.browser.saveScreenshot(
    path.join(screenshots, "form-rest-extension.png"),
  );
  const { sent } = await previewAndCreate();
  assert.deepEqual(sent.auth.params.requestParameterOverride, {
    accessTokenField: "token",
    authenticationMethod: "POST",
  });
  assert.ok(
    !("expirationDate" in sent.auth.params),
    "the hidden date is left out",
  );
});

test("Amazon Kinesis: a choice of variants", async () => {
  await searchAndOpen("kinesis", "Amazon Kinesis");
  await (await byLabel("Region")).selectByVisibleText("eu-west-1");
  await (await byLabel("Credentials")).selectByVisibleText("Assumed role");
  await fill({
    "Connection name": "Clickstream",
    "Role ARN": "arn:aws:iam::123456789012:role/platform",
  });
  await waitForText(".form-status", /Every value looks right/);
  await app.browser.saveScreenshot(path.join(screenshots, "form-kinesis.png"));
  const { sent } = await previewAndCreate();
  assert.deepEqual(sent.auth.params, {
    region: "eu-west-1",
    credentials: { roleArn: "arn:aws:iam::123456789012:role/platform" },
  });
});

test("Marketo: a pattern, a date and a check box", async () => {
  await searchAndOpen("marketo", "Marketo");
  await fill({
    "Connection name": "Marketo leads",
    "Munchkin ID": "12-AB",
    "Client ID": "marketo-client",
    "Client secret": secret("e2e-marketo-secret"),
  });
  await waitForText(
    "#field-munchkinId-error",
    /expected form, such as 123-ABC-456/,
  );
  const munchkin = await byLabel("Munchkin ID");
  await munchkin.clearValue();
  await munchkin.setValue("123-ABC-456");
  await app.browser.execute(() => {
    const input = document.getElementById("field-backfillStart");
    input.value = "2026-11-01";
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await (await byLabel("Include deleted")).click();
  const { sent } = await previewAndCreate();
  assert.equal(sent.auth.params.munchkinId, "123-ABC-456");
  assert.equal(sent.auth.params.backfillStart, "2026-11-01");
  assert.equal(sent.auth.params.includeDeleted, true);

  // Tested, then refused a second time under the same name unless the user confirms.
  const testButton = await app.browser.$("button=Test connection");
  await testButton.waitForEnabled({ timeout: 15000 });
  await clickWhenSteady(app.browser, testButton);
  await waitForText("#test-outcome", /The connection works/);
  const before = (await connectionPosts(app)).length;
  await app.browser.$("button=Create connection").click();
  await app.browser
    .$("button=Create another with the same name")
    .waitForExist({ timeout: 15000 });
  assert.equal(
    (await connectionPosts(app)).length,
    before,
    "nothing sent twice",
  );
});

test("Azure Blob with a SAS URI, and MongoDB's raw JSON field", async () => {
  await searchAndOpen("azure", "Azure Blob Storage");
  await (
    await byLabel("Sign-in method")
  ).selectByVisibleText("SAS URI authentication");
  await fill({
    "Connection name": "Blob exports",
    "SAS URI": secret(
      "https://acme.blob.core.windows.net/?sv=2024&sig=e2e-signature",
    ),
  });
  let { sent } = await previewAndCreate();
  assert.equal(sent.auth.specName, "SAS URI Authentication");

  await searchAndOpen("mongo", "MongoDB");
  const options = await byLabel("Driver options");
  assert.equal(await options.getTagName(), "textarea");
  await waitForText("#field-driverOptions-help", /Enter this value as JSON/);
  await fill({
    "Connection name": "Orders",
    "Connection string": secret(
      "mongodb://reader:e2e-mongo@db.acme.example/orders",
    ),
    Database: "orders",
    "Driver options": "{ oops",
  });
  await waitForText("#field-driverOptions-error", /not valid JSON/);
  await options.clearValue();
  await options.setValue('{"readPreference": "secondary"}');
  ({ sent } = await previewAndCreate());
  assert.deepEqual(sent.auth.params.driverOptions, {
    readPreference: "secondary",
  });
});

test("the connections screen filters by any source of the catalog", async () => {
  await app.browser.$("button=Connections").click();
  await (await byLabel("Source")).selectByVisibleText("PostgreSQL");
  await waitForText(
    "table[aria-label='Connections in this sandbox'] tbody",
    /^Warehouse/,
  );
  const listed = await app.browser
    .$$("table[aria-label='Connections in this sandbox'] tbody tr")
    .map((li) => li.getText());
  assert.equal(listed.length, 1, String(listed));
  const query = (await (await fetch(`${app.fakeUrl}/__fake/requests`)).json())
    .filter((r) => r.method === "GET" && r.path.endsWith("/connections"))
    .at(-1).query;
  assert.ok(
    query.some(
      ([k, v]) =>
        k === "property" && v.includes("74a1c565-4e59-48d7-9d67-7c03b8a13137"),
    ),
    "the filter is sent to Flow Service",
  );
  await app.browser.$("button=Sources").click();
});

test("offline after a restart, the cached catalog and the profile are there", async () => {
  const { dataRoot } = app;
  await app.stop();
  app = await launch("all-sources-offline", { dataRoot, offline: true });
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
  await waitForText("#catalog-status", /27 sources · last refreshed/, 20000);
  await (await byLabel("Search sources")).setValue("snowflake");
  await app.browser.waitUntil(
    async () => (await shownSources()).join() === "Snowflake",
    { timeout: 5000, timeoutMsg: "the cached catalog has no Snowflake" },
  );
  await openProfile(app.browser, "Postgres – warehouse");
  await waitForText("#form-heading", /from “Postgres – warehouse”/);
  assert.equal(await (await byLabel("Port")).getValue(), "6432");
  assert.equal(await (await byLabel("SSL mode")).getValue(), "verify-full");
  await waitForText("#field-password-stored", /kept in your keychain/);
});

test("with Adobe back, the profile creates again in a second sandbox", async () => {
  const { dataRoot } = app;
  await app.stop();
  app = await launch("all-sources-back", { dataRoot });
  await app.browser.waitUntil(
    async () => (await app.browser.$("#pick-sandbox").getValue()) === "prod",
    { timeout: 15000 },
  );
  await openProfile(app.browser, "Postgres – warehouse");
  await waitForText("#form-heading", /from “Postgres – warehouse”/);
  await (
    await app.browser.$("#pick-sandbox")
  ).selectByVisibleText("Marketing development");
  await waitForText("#create-target", /sandbox “dev-marketing”/);
  await app.browser.$("button=Create connection").click();
  await app.browser.$("#created-id").waitForExist({ timeout: 15000 });
  const sent = (await connectionPosts(app)).at(-1);
  assert.equal(
    sent.headers.find(([k]) => k === "x-sandbox-name")?.[1],
    "dev-marketing",
  );
  const body = JSON.parse(sent.body);
  assert.equal(body.auth.params.port, 6432);
  assert.equal(
    body.auth.params.password,
    "e2e-postgres-password",
    "the secret came from the keychain",
  );
  assertNoSecretIn(filesUnder(app.dataHome).concat([app.logPath]), secrets);
});
