// Key material made in the window, and the credentials radar over five kinds of end, against
// the fakes: a Snowflake key pair is generated (the private key to the keychain and the
// connection, the ALTER USER statement shown), and the fake reads the key at create and
// accepts it at Test once the user has the public key. A Salesforce JWT is signed here with a
// certificate to upload; with a Zendesk consent, HubSpot's deadline and two client secrets
// whose ends the user entered, the Credentials screen lists five ends soonest first with
// their dataflows. flow-connect-cli lists them and renews the JWT unattended, leaving the
// rest to a person; the window renews the JWT for longer, so it leaves the list. No key,
// token or secret reaches a file or the log.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";

import {
  addFirstAccount,
  appBinary,
  assertNoSecretIn,
  filesUnder,
  inWindow,
  launch,
  root,
  scanBothThemes,
} from "./harness.mjs";

const screenshots = path.join(root, "docs", "screenshots");
const DAY = 86_400_000;
let app;
/** Secrets the suite typed or the fakes saw, for the scan at the end. */
const secrets = [
  "zendesk-secret",
  "hubspot-secret",
  "sf-consumer-secret",
  "dynamics-principal-key",
  "salesforce-secret",
  "correct horse battery",
];

before(async () => {
  app = await launch("key-material");
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
  await addFirstAccount(app);
});

after(async () => {
  await app?.stop();
});

const {
  byLabel,
  clickCentred: press,
  consentEnded,
  fill,
  findSource,
  waitForText,
} = inWindow(() => app);

async function setUp(name, method) {
  await findSource(name);
  if (method)
    await (await byLabel("Sign-in method")).selectByAttribute("value", method);
}

/** Sets inputs by id (their labels come from the specs' names). */
async function setIds(fields) {
  for (const [id, value] of Object.entries(fields)) {
    const input = await app.browser.$(`#${id}`);
    await input.waitForExist({ timeout: 5000 });
    await input.clearValue();
    await input.setValue(value);
  }
}

/** A date input set as the date picker does: its value, then an input event. */
async function setDate(id, ms) {
  const day = new Date(ms).toISOString().slice(0, 10);
  await app.browser.execute(
    (selector, value) => {
      const input = document.querySelector(selector);
      input.value = value;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    },
    `#${id}`,
    day,
  );
}

async function create() {
  await press(await app.browser.$("button=Create connection"));
  await app.browser.$("#created-id").waitForExist({ timeout: 15000 });
  return app.browser.$("#created-id").getText();
}

const fake = (what, init) => fetch(`${app.fakeUrl}/__fake/${what}`, init);
const post = (what, body, type = "application/json") =>
  fake(what, {
    method: "POST",
    headers: { "content-type": type },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

function cli(args) {
  const ran = spawnSync(
    path.join(path.dirname(appBinary), "flow-connect-cli"),
    args,
    { env: { ...process.env, ...app.env }, encoding: "utf8" },
  );
  return { status: ran.status, out: ran.stdout, err: ran.stderr };
}

async function credentialRows() {
  return app.browser.execute(() =>
    [
      ...document.querySelectorAll(
        'table[aria-label="Credentials that expire"] tbody tr',
      ),
    ].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
  );
}

test("a Snowflake key pair is made here; the fake reads the key and takes it once the user has the public key", async () => {
  const { browser } = app;
  await setUp("Snowflake", "KeyPair Authentication");
  await fill({ "Connection name": "Snowflake sales" });
  await setIds({
    "field-account": "acme-analytics",
    "field-username": "LOADER",
    "field-warehouse": "LOAD_WH",
    "field-database": "SALES",
    "field-privateKeyPassphrase": "correct horse battery",
  });
  await press(await browser.$("button=Generate a key pair"));
  await waitForText(
    "#key-pair-statement",
    /^ALTER USER LOADER SET RSA_PUBLIC_KEY='MII[A-Za-z0-9+/=]+';$/,
  );
  const statement = await browser.$("#key-pair-statement").getText();
  const publicKey = statement.match(/RSA_PUBLIC_KEY='([^']+)'/)[1];
  await waitForText("#key-pair-fingerprint", /RSA_PUBLIC_KEY_FP = SHA256:/);
  await waitForText("#field-privateKey-stored", /set — kept in your keychain/);
  await scanBothThemes(browser, "a generated key pair");
  await browser.saveScreenshot(path.join(screenshots, "key-pair.png"));
  const id = await create();

  // The fake Flow Service read an encrypted PKCS#8 key at create; Test fails until the
  // administrator runs the statement, then passes.
  const made = (await (await fake("connections")).json()).find(
    (c) => c.id === id,
  );
  const sent = made.auth.params.privateKey;
  const pem = Buffer.from(sent, "base64").toString("utf8");
  assert.match(pem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
  secrets.push(sent, pem.split("\n")[1]);
  await press(await browser.$("button=Test connection"));
  await waitForText("#test-outcome", /could not reach the source/);
  const ran = await post("snowflake/users", {
    account: "acme-analytics",
    username: "LOADER",
    rsaPublicKey: publicKey,
  });
  assert.equal(ran.status, 204, await ran.text());
  await press(await browser.$("button=Test connection"));
  await waitForText("#test-outcome", /The connection works/);
});

test("five ends listed soonest first with their dataflows; the CLI renews the JWT unattended and the window for longer", async () => {
  const { browser } = app;
  // 1. Zendesk's access token (its spec holds no refresh token): about an hour.
  await setUp("Zendesk");
  await fill({
    "Connection name": "Zendesk support",
    Subdomain: "https://acme.zendesk.com",
    "Your Zendesk app's client ID": "zendesk-client",
    "Your Zendesk app's client secret": "zendesk-secret",
  });
  await press(await browser.$("button=Sign in with Zendesk"));
  await consentEnded(/Tokens from Zendesk set/);
  await create();

  // 2. A Dynamics service principal whose secret ends in five days, as Entra shows it.
  await setUp(
    "Microsoft Dynamics",
    "Service Principal Key Based Authentication",
  );
  await fill({ "Connection name": "Dynamics sales" });
  await setIds({
    "field-serviceUri": "https://acme.crm.dynamics.com",
    "field-servicePrincipalId": "a3c1e5f7-2b4d-4f68-9e0a-7c5b3d1f9e24",
    "field-servicePrincipalKey": "dynamics-principal-key",
  });
  await setDate("field-secret-ends-on", Date.now() + 5 * DAY);
  await create();

  // 3. A Salesforce JWT signed here for ten days, its certificate uploaded to the app.
  await setUp("Salesforce", "OAuth2 JWT Token Credential");
  await fill({ "Connection name": "Salesforce on AWS" });
  await setIds({
    "field-clientId": "3MVG9-consumer-key",
    "field-clientSecret": "sf-consumer-secret",
    "field-instanceUrl": "https://acme.my.salesforce.com",
    "field-jwt-subject": "integration@acme.example",
    "field-jwt-days": "10",
  });
  await press(await browser.$("button=Sign the JWT"));
  await waitForText(
    "#jwt-signed",
    /JWT signed — kept in your keychain\. It ends on/,
  );
  const certificate = await browser.$("#jwt-certificate").getValue();
  assert.match(certificate, /^-----BEGIN CERTIFICATE-----/);
  await scanBothThemes(browser, "a signed JWT");
  const uploaded = await post(
    "salesforce/certificate",
    certificate,
    "text/plain",
  );
  assert.equal(uploaded.status, 204, await uploaded.text());
  const jwtId = await create();
  const flows = await post("flows", {
    connectionId: jwtId,
    count: 1,
    name: "Salesforce accounts to Profile",
  });
  assert.ok(flows.ok, await flows.text());

  // 4. A Salesforce client whose consumer secret ends in 30 days.
  await setUp("Salesforce", "OAuth2 Client Credential");
  await fill({
    "Connection name": "Salesforce CRM",
    "Environment URL": app.providersUrl,
    "Client ID": "salesforce-client",
    "Client secret": "salesforce-secret",
    "API version": "60.0",
  });
  await setDate("field-secret-ends-on", Date.now() + 30 * DAY);
  await create();

  // 5. HubSpot, whose v1 token endpoints close on 2027-02-16.
  await setUp("HubSpot");
  await fill({
    "Connection name": "HubSpot CRM",
    "Client ID": "hubspot-client",
    "Client secret": "hubspot-secret",
  });
  await press(await browser.$("button=Sign in with HubSpot"));
  await consentEnded(/Tokens from HubSpot set/);
  await create();

  await browser.$("nav[aria-label='Screens']").$("button=Credentials").click();
  await browser
    .$('table[aria-label="Credentials that expire"]')
    .waitForExist({ timeout: 10000 });
  await browser.waitUntil(async () => (await credentialRows()).length === 5, {
    timeout: 10000,
    timeoutMsg: JSON.stringify(await credentialRows()),
  });
  const rows = await credentialRows();
  assert.deepEqual(
    rows.map((r) => [r[2], r[4]]),
    [
      ["Access token", "Zendesk support"],
      ["Client secret", "Dynamics sales"],
      ["Signed JWT", "Salesforce on AWS"],
      ["Client secret", "Salesforce CRM"],
      ["Provider deadline", "HubSpot CRM"],
    ],
    JSON.stringify(rows),
  );
  assert.equal(rows[2][7], "Salesforce accounts to Profile", "its dataflow");
  assert.equal(rows[0][7], "None");
  await scanBothThemes(browser, "the Credentials screen with five ends");
  await browser.saveScreenshot(path.join(screenshots, "credentials.png"));

  // The CLI: three end within 14 days, so it exits 10; renew --due signs the JWT again and
  // leaves the consent and the secret to a person, with what to do.
  const listed = cli(["credentials", "expiring", "--within", "14d", "--json"]);
  assert.equal(listed.status, 10, listed.err);
  const expiring = JSON.parse(listed.out).expiring;
  assert.deepEqual(
    expiring.map((e) => e.what),
    ["accessToken", "clientSecret", "signedJwt"],
  );
  assert.equal(expiring[2].dataflows[0].name, "Salesforce accounts to Profile");
  const before = (await (await fake("requests")).json()).length;
  const due = cli([
    "credentials",
    "renew",
    "--due",
    "--within",
    "14d",
    "--json",
  ]);
  assert.equal(due.status, 10, due.err);
  const renewals = JSON.parse(due.out).renewals;
  const outcome = (what) => renewals.find((r) => r.item.what === what).result;
  assert.equal(outcome("signedJwt").outcome, "renewed", due.out);
  assert.equal(outcome("signedJwt").test, "passed", due.out);
  assert.equal(outcome("accessToken").outcome, "needsPerson");
  assert.match(outcome("accessToken").next, /Credentials screen/);
  assert.match(
    outcome("clientSecret").next,
    /create a new one at the provider/,
  );
  const sent = (await (await fake("requests")).json()).slice(before);
  const patch = sent.filter((r) => r.method === "PATCH");
  assert.equal(patch.length, 1, JSON.stringify(sent.map((r) => r.path)));
  assert.ok(patch[0].path.endsWith(`/connections/${jwtId}`));
  assert.ok(
    patch[0].headers.some(([name, value]) => name === "if-match" && value),
    "sent over the version read",
  );

  // The window renews the JWT for four months: it leaves the 90-day list.
  const renew = await browser.$(
    "//table[@aria-label='Credentials that expire']//tr[contains(., 'Signed JWT')]//button[normalize-space()='Renew']",
  );
  await renew.waitForExist({ timeout: 10000 });
  await press(renew);
  const lifetime = await browser.$("#field-renew-lifetime");
  await lifetime.waitForDisplayed({ timeout: 5000 });
  await lifetime.clearValue();
  await lifetime.setValue("120");
  await press(await browser.$("button=Sign and send"));
  await waitForText(
    "#credentials-renewed",
    /signed again and sent; it ends on .*, the connection test passed\./,
  );
  await browser.waitUntil(async () => (await credentialRows()).length === 4, {
    timeout: 10000,
    timeoutMsg: JSON.stringify(await credentialRows()),
  });
  assert.ok(
    !(await credentialRows()).some((r) => r[2] === "Signed JWT"),
    "the renewed JWT ends after the window",
  );

  // No key, token, passphrase or secret in any file or the log, nor in the CLI's output.
  const tokens = (await (await fake("connections")).json())
    .map((c) => c.auth?.params?.jwtToken)
    .filter(Boolean);
  assert.ok(tokens.length === 1);
  secrets.push(tokens[0]);
  for (const value of secrets) {
    assert.ok(!listed.out.includes(value) && !due.out.includes(value));
  }
  assertNoSecretIn([...filesUnder(app.dataRoot), app.logPath], secrets);
});
