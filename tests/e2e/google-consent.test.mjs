// Google consent in the real window: the BigQuery form's "Sign in with Google" opens the
// consent page through the system opener (xdg-open → $BROWSER, a stand-in user who approves),
// the app's loopback listener catches the redirect, and the refresh token goes to the keychain.
// Creating the connection then sends that token to the fake Flow Service. The REST API's OAuth
// variant runs the same engine against the provider URLs the user gives.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import {
  addFirstAccount,
  artifacts,
  assertNoSecretIn,
  connectionPosts,
  inWindow,
  filesUnder,
  keychainEntries,
  launch,
} from "./harness.mjs";

const GOOGLE_CLIENT_ID = "fake-google-client.apps.googleusercontent.com";
const GOOGLE_CLIENT_SECRET = "GOCSPX-fake-google-secret";
let app;
const issued = [];

before(async () => {
  app = await launch("consent");
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
  await addFirstAccount(app);
});

after(async () => {
  await app?.stop();
});

const { byLabel, fill, openSource, waitForText } = inWindow(() => app);

/** Creates the connection in the form and returns the body the fake received. */
async function lastCreate() {
  await app.browser.$("button=Create connection").click();
  await app.browser.$("#created-id").waitForExist({ timeout: 15000 });
  return JSON.parse((await connectionPosts(app)).at(-1).body);
}

test("Sign in with Google fills the BigQuery refresh token, which the created connection carries", async () => {
  const { browser } = app;
  await openSource("Google BigQuery");
  await fill({
    "Connection name": "BigQuery by consent",
    "Project ID": "acme-analytics",
    "Client ID": GOOGLE_CLIENT_ID,
    "Client secret": GOOGLE_CLIENT_SECRET,
  });
  await browser.$("button=Sign in with Google").click();
  await waitForText(".consent-notice", /Refresh token set/);
  await waitForText(
    "#field-refreshToken-stored",
    /Refresh token: set — kept in your keychain/,
  );
  assert.equal(
    await (await byLabel("Refresh token")).getValue(),
    "",
    "the token is not in the form",
  );

  // What the system browser was asked to open: Google's consent page with PKCE and offline access.
  const opened = new URL(
    readFileSync(app.browserLog, "utf8").trim().split("\n").at(-1),
  );
  const q = Object.fromEntries(opened.searchParams);
  assert.equal(opened.origin + opened.pathname, app.google.auth);
  assert.equal(q.client_id, GOOGLE_CLIENT_ID);
  assert.equal(q.code_challenge_method, "S256");
  assert.equal(q.access_type, "offline");
  assert.equal(q.prompt, "consent");
  assert.equal(q.scope, "https://www.googleapis.com/auth/bigquery");
  assert.match(q.redirect_uri, /^http:\/\/127\.0\.0\.1:\d+\/$/);

  await browser.$("button=Verify refresh token").click();
  await waitForText(".consent-notice", /The refresh token works/);

  const body = await lastCreate();
  const token = body.auth.params.refreshToken;
  assert.match(token, /^1\/\/fake-refresh-\d+$/);
  issued.push(token);
  assert.deepEqual(body.auth, {
    specName: "Basic Authentication",
    type: "OAuth2.0",
    params: {
      project: "acme-analytics",
      clientId: GOOGLE_CLIENT_ID,
      clientSecret: GOOGLE_CLIENT_SECRET,
      refreshToken: token,
    },
  });
  const entries = keychainEntries();
  assert.match(entries, /consent\/[0-9a-f-]{36}\/refreshToken/, entries);
  assert.ok(entries.includes(token), "the refresh token is in the keychain");
  await browser.pause(200);
  await browser.saveScreenshot(path.join(artifacts, "consent.png"));
});

test("Revoke withdraws the refresh token at Google and from the keychain", async () => {
  const { browser } = app;
  const [token] = issued;
  await browser.$("button=Revoke refresh token").click();
  await waitForText(".consent-notice", /revoked/);
  assert.ok(!(await browser.$("#field-refreshToken-stored").isExisting()));
  assert.ok(
    !keychainEntries().includes(token),
    "the revoked token left the keychain",
  );
});

test("the REST API's OAuth 2 refresh code gets access and refresh tokens from the provider", async () => {
  const { browser } = app;
  await openSource("Generic REST API");
  await (
    await byLabel("Sign-in method")
  ).selectByVisibleText("OAuth 2 refresh code");
  await fill({
    "Connection name": "REST by consent",
    Host: "https://api.acme.example",
    "Client ID": GOOGLE_CLIENT_ID,
    "Client secret": GOOGLE_CLIENT_SECRET,
    "Access token URL": app.google.token,
    "Authorization URL": app.google.auth,
    Scopes: "read:reports offline_access",
  });
  await browser.$("button=Sign in with the provider").click();
  await waitForText(".consent-notice", /Access and refresh tokens set/);
  await waitForText("#field-accessToken-stored", /set — kept in your keychain/);
  const body = await lastCreate();
  const { accessToken, refreshToken, expirationDate } = body.auth.params;
  assert.match(accessToken, /^ya29\.fake-\d+$/);
  assert.match(refreshToken, /^1\/\/fake-refresh-\d+$/);
  assert.match(expirationDate, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(body.auth.specName, "oAuth2RefreshCode");
  issued.push(accessToken, refreshToken);
});

test("no token or client secret is in any file of the app's data folder or in its log", () => {
  assert.equal(issued.length, 3);
  assertNoSecretIn(
    [...filesUnder(app.dataHome), app.logPath],
    [...issued, GOOGLE_CLIENT_SECRET],
  );
});
