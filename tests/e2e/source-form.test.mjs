// The source forms: rendered from the catalog, filled by their labels, checked as the user
// types, and never losing what was typed.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import { artifacts, launch, inWindow } from "./harness.mjs";

let app;

before(async () => {
  app = await launch("source-form");
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
});

after(async () => {
  await app?.stop();
});

const { byLabel, openSource } = inWindow(() => app);

async function composed() {
  return app.browser.$("output").getText();
}

test("the Oracle form composes the connection string live with the password masked", async () => {
  await openSource("Oracle");
  assert.equal(
    await app.browser.$("#form-heading").getText(),
    "New Oracle connection",
  );
  await (await byLabel("Connection name")).setValue("Oracle finance");
  await (await byLabel("Host")).setValue("db.acme.example");
  await (await byLabel("Port")).setValue("1521");
  await (await byLabel("SID")).setValue("ORCL");
  await (await byLabel("User name")).setValue("platform");
  const password = await byLabel("Password");
  await password.setValue("p;ss word");
  assert.equal(await password.getAttribute("type"), "password");

  await app.browser.waitUntil(
    async () => (await composed()).endsWith("Password=••••••••"),
    {
      timeout: 5000,
    },
  );
  assert.equal(
    await composed(),
    "Host=db.acme.example;Port=1521;Sid=ORCL;User Id=platform;Password=••••••••",
  );
  await app.browser
    .$("p=Every value looks right.")
    .waitForExist({ timeout: 5000 });

  await app.browser.$("button=Show Password").click();
  assert.equal(await password.getAttribute("type"), "text");
  assert.equal(await password.getValue(), "p;ss word");

  mkdirSync(artifacts, { recursive: true });
  await app.browser.execute(() => {
    document.querySelectorAll("fieldset")[1]?.scrollIntoView();
  });
  await app.browser.pause(300);
  await app.browser.saveScreenshot(path.join(artifacts, "oracle-form.png"));
});

test("a bad value is explained next to its field and kept as typed", async () => {
  await openSource("Oracle");
  const port = await byLabel("Port");
  await port.setValue("99999");
  const error = await app.browser.$("#field-port-error");
  const expected = "Port: Enter a port number from 1 to 65535.";
  // The check runs as the user types: wait for the one that saw the whole value.
  await app.browser.waitUntil(
    async () =>
      (await error.isExisting()) && (await error.getText()) === expected,
    { timeout: 5000, timeoutMsg: "the port's error did not appear" },
  );
  assert.equal(await port.getValue(), "99999");
  assert.equal(await port.getAttribute("aria-invalid"), "true");
  assert.match(await port.getAttribute("aria-describedby"), /field-port-error/);
});

test("raw mode parses a pasted connection string into the fields", async () => {
  await openSource("Oracle");
  await app.browser.$("button=Paste a connection string instead").click();
  await (
    await byLabel("Connection string")
  ).setValue('Host=h2;Port=1522;Sid=S2;UserId=u2;Password="a;b"');
  await app.browser.$("button=Fill the fields from this string").click();
  await app.browser.$("output").waitForExist({ timeout: 5000 });
  assert.equal(await (await byLabel("Host")).getValue(), "h2");
  assert.equal(await (await byLabel("User name")).getValue(), "u2");
  // The password went to the keychain, not back into the page: the field shows it as set.
  assert.equal(await (await byLabel("Password")).getValue(), "");
  await app.browser.$("#field-password-stored").waitForExist({ timeout: 5000 });
  await app.browser.waitUntil(
    async () => (await composed()).startsWith("Host=h2"),
    {
      timeout: 5000,
    },
  );
  assert.match(await composed(), /Password=••••••••/);
});

test("BigQuery offers both sign-in methods with their own fields", async () => {
  await openSource("Google BigQuery");
  assert.ok(await (await byLabel("Client secret")).isExisting());
  await (
    await byLabel("Sign-in method")
  ).selectByVisibleText("Service account key");
  // A button that has the app open the file, not the page's own file input.
  const keyFile = await byLabel("Service account key file");
  assert.equal(await keyFile.getTagName(), "button");
  assert.equal(await keyFile.getText(), "Choose file…");
  assert.ok(await (await byLabel("Project ID")).isExisting());
});

test("every source's form renders a labelled control for each visible param", async () => {
  for (const [source, labels] of [
    [
      "Generic REST API",
      ["Host", "Access token", "Refresh token", "Access token URL"],
    ],
    ["ServiceNow", ["Instance URL", "User name", "Password"]],
  ]) {
    await openSource(source);
    for (const label of labels)
      assert.ok(
        await (await byLabel(label)).isExisting(),
        `${source}: ${label}`,
      );
  }
  await app.browser.$("button=Back to sources").click();
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 5000 });
});
