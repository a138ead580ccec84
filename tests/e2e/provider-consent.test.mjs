// Consent for the providers of core's table, in the real window against the fake providers:
// HubSpot signs in at the one redirect address registered on the app (shown with a copy
// button), Zendesk with its subdomain and PKCE, Square (https redirects only) by pasting the
// address the browser ended on. Each connection is made, the Credentials screen then lists
// what will end soonest first, and flow-connect-cli reads the same radar from the same data
// folder and exits 10. No token reaches a file or the log.
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
  scanBothThemes,
} from "./harness.mjs";

let app;

before(async () => {
  app = await launch("provider-consent");
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

/** Every request the fake Adobe services received so far. */
async function fakeRequests() {
  return (await fetch(`${app.fakeUrl}/__fake/requests`)).json();
}

async function create() {
  await press(await app.browser.$("button=Create connection"));
  await app.browser.$("#created-id").waitForExist({ timeout: 15000 });
}

test("HubSpot signs in at the redirect address registered on its app", async () => {
  const { browser } = app;
  await findSource("HubSpot");
  await fill({
    "Connection name": "HubSpot CRM",
    "Client ID": "hubspot-client",
    "Client secret": "hubspot-secret",
  });
  assert.equal(
    await browser.$("#redirect-to-register").getText(),
    "http://localhost:47615/callback",
    "the exact address to register is shown",
  );
  await press(await browser.$("button=Copy redirect URI"));
  await waitForText(".consent", /Copied\./);
  await scanBothThemes(browser, "a provider's consent");
  // The stand-in browser allows access and follows HubSpot's redirect to that address.
  await press(await browser.$("button=Sign in with HubSpot"));
  await consentEnded(/Tokens from HubSpot set/);
  await create();
});

test("Zendesk signs in with the app's client, which the connection does not keep", async () => {
  const { browser } = app;
  await findSource("Zendesk");
  await fill({
    "Connection name": "Zendesk support",
    Subdomain: "https://acme.zendesk.com",
    "Your Zendesk app's client ID": "zendesk-client",
    "Your Zendesk app's client secret": "zendesk-secret",
  });
  await press(await browser.$("button=Sign in with Zendesk"));
  await consentEnded(/Tokens from Zendesk set/);
  await create();
});

test("Square comes back by pasting the address the browser ended on", async () => {
  const { browser } = app;
  await findSource("Square");
  await fill({
    "Connection name": "Square payments",
    Host: "https://connect.squareup.com",
    "Client ID": "square-client",
    "Client secret": "square-secret",
    "Your app's https redirect URI":
      "https://flow-connect.example/square/callback",
  });
  await press(await browser.$("button=Sign in with Square"));
  await waitForText("#consent-paste-only", /paste the whole address/);
  // The user's browser ends on their own https page; its address is what they paste.
  const signIn = await browser
    .$('output[aria-labelledby="consent-url-label"]')
    .getText();
  const page = await fetch(signIn, { redirect: "manual" });
  assert.equal(page.status, 302);
  const landed = page.headers.get("location") ?? "";
  assert.ok(landed.startsWith("https://flow-connect.example/square/callback?"));
  await (await byLabel("Address the browser ended on")).setValue(landed);
  await press(await browser.$("button=Use pasted address"));
  await consentEnded(/Tokens from Square set/);
  await create();
});

test("Google Ads signs in with Google, with its own scope, on any loopback port", async () => {
  const { browser } = app;
  await findSource("Google Ads");
  await fill({
    "Client ID": "fake-google-client.apps.googleusercontent.com",
    "Client secret": "GOCSPX-fake-google-secret",
  });
  assert.match(
    await browser.$("#consent-scopes").getText(),
    /auth\/adwords/,
    "the Google Ads scope, not BigQuery's",
  );
  assert.equal(await browser.$("#redirect-to-register").isExisting(), false);
  await press(await browser.$("button=Sign in with Google (Google Ads)"));
  await consentEnded(/Tokens from Google \(Google Ads\) set/);
});

test("a Salesforce client is checked at its instance before anything goes to Adobe", async () => {
  const { browser } = app;
  await findSource("Salesforce");
  await (
    await byLabel("Sign-in method")
  ).selectByAttribute("value", "OAuth2 Client Credential");
  await fill({
    "Connection name": "Salesforce CRM",
    // The instance the user names: the fake answers Salesforce's token path at its root.
    "Environment URL": app.providersUrl,
    "Client ID": "salesforce-client",
    "Client secret": "salesforce-wrong-secret",
    "API version": "60.0",
  });
  const before = (await fakeRequests()).length;
  await press(await browser.$("button=Check credentials"));
  await waitForText(
    "#client-check-failed",
    /Salesforce refused the client credentials \(400\): invalid_client: invalid client credentials/,
  );
  const secret = await byLabel("Client secret");
  await secret.clearValue();
  await secret.setValue("salesforce-secret");
  await press(await browser.$("button=Check credentials"));
  await waitForText("#client-check-passed", /Salesforce issued a token/);
  await scanBothThemes(browser, "a client-credentials check");
  const written = (await fakeRequests())
    .slice(before)
    .filter((r) => r.method !== "GET");
  assert.deepEqual(written, [], "nothing was sent to Adobe while checking");
});

test("the Credentials screen and the CLI list what ends, soonest first", async () => {
  const { browser } = app;
  await browser.$("nav[aria-label='Screens']").$("button=Credentials").click();
  const table = await browser.$('table[aria-label="Credentials that expire"]');
  await table.waitForExist({ timeout: 10000 });
  const rows = await browser.execute(() =>
    [
      ...document.querySelectorAll(
        'table[aria-label="Credentials that expire"] tbody tr',
      ),
    ].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)),
  );
  // Zendesk's access token (the spec holds no refresh token) ends first, in 30 minutes;
  // HubSpot's v1 token endpoints close on 2027-02-16.
  assert.equal(rows.length, 2, JSON.stringify(rows));
  assert.equal(rows[0][2], "Access token");
  assert.match(rows[0][6], /Zendesk's access token/);
  assert.equal(rows[1][2], "Provider deadline");
  assert.match(rows[1][6], /HubSpot/);
  await scanBothThemes(browser, "the Credentials screen");

  // The connections table marks what ends within the week: Zendesk's, not HubSpot's.
  await press(
    await browser.$("nav[aria-label='Screens']").$("button=Connections"),
  );
  await browser
    .$('div.connections[data-loaded="true"]')
    .waitForExist({ timeout: 15000 });
  await browser.$(".connections .expiring").waitForExist({ timeout: 10000 });
  const marks = await browser.execute(() =>
    [
      ...document.querySelectorAll(
        "table[aria-label='Connections in this sandbox'] tbody tr",
      ),
    ].map((tr) => [
      tr.querySelector(".connection-name")?.textContent,
      tr.querySelector(".expiring")?.textContent ?? null,
    ]),
  );
  const mark = (name) => marks.find(([n]) => n === name)?.[1] ?? null;
  assert.match(mark("Zendesk support") ?? "", /^Credentials end in 1 h$/);
  assert.equal(mark("HubSpot CRM"), null, "73 days away is not marked");

  // The CLI reads the same records from the same data folder.
  const cli = path.join(path.dirname(appBinary), "flow-connect-cli");
  const ran = spawnSync(
    cli,
    ["credentials", "expiring", "--within", "14d", "--json"],
    {
      env: { ...process.env, ...app.env },
      encoding: "utf8",
    },
  );
  assert.equal(ran.status, 10, ran.stderr);
  const listed = JSON.parse(ran.stdout);
  assert.deepEqual(
    listed.expiring.map((e) => e.what),
    ["accessToken"],
    "only Zendesk's ends within 14 days",
  );

  // No token, client secret or code in any file or the log.
  const zendeskEnd = listed.expiring[0].expiresAt;

  // Renewed from the Credentials screen: a consent again, then the PATCH over the version shown
  // and a test, as Update credentials does; the new token's end replaces the old one's.
  await press(
    await browser.$("nav[aria-label='Screens']").$("button=Credentials"),
  );
  const renew = await browser.$(
    "//table[@aria-label='Credentials that expire']//tr[contains(., 'Zendesk')]//button[normalize-space()='Renew']",
  );
  // The list is read again (with each connection's dataflows) when the screen opens.
  await renew.waitForExist({ timeout: 10000 });
  await press(renew);
  await waitForText(
    "#form-heading",
    /Update the credentials of “Zendesk support”/,
  );
  await fill({
    "Your Zendesk app's client ID": "zendesk-client",
    "Your Zendesk app's client secret": "zendesk-secret",
  });
  await press(await browser.$("button=Sign in with Zendesk"));
  await consentEnded(/Tokens from Zendesk set/);
  await press(await browser.$("button=Update credentials"));
  await waitForText("#renew-outcome", /\S/);
  const again = spawnSync(
    cli,
    ["credentials", "expiring", "--within", "14d", "--json"],
    { env: { ...process.env, ...app.env }, encoding: "utf8" },
  );
  const renewed = JSON.parse(again.stdout).expiring;
  assert.equal(renewed.length, 1);
  assert.ok(renewed[0].expiresAt > zendeskEnd, "the renewed token ends later");

  assertNoSecretIn(
    [...filesUnder(app.dataRoot), app.logPath],
    [
      "hubspot-secret",
      "zendesk-secret",
      "square-secret",
      "salesforce-secret",
      "GOCSPX-fake-google-secret",
    ],
  );
});
