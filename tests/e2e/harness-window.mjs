// Steps in the real window that every suite takes: finding a control by its label, typing,
// waiting for a text, opening a source, a screen, a profile or an account, answering a file
// dialog. Each takes the WebDriver browser; `inWindow` binds them to a suite's current launch.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The control bound to the visible label `text` (the required marker aside). Waits for it,
 * as screens other than the catalog render once their code has loaded. */
export async function byLabel(browser, text, timeout = 10000) {
  let id = null;
  await browser
    .waitUntil(
      async () => {
        for (const label of await browser.$$("label")) {
          const shown = (await label.getText()).replace(/\*$/, "").trim();
          if (shown === text) {
            id = await label.getAttribute("for");
            return true;
          }
        }
        return false;
      },
      { timeout, interval: 100 },
    )
    .catch(() => {
      throw new Error(`no label “${text}”`);
    });
  // By attribute: a nested field's id holds a dot, which a #id selector would read as a class.
  const field = await browser.$(`[id="${String(id)}"]`);
  // In the middle of the window, as a person looks at the field they use: WebKit's driver
  // scrolls a field only just into view, where the form's sticky action bar covers it.
  await browser
    .execute((el) => {
      el.scrollIntoView({ block: "center" });
    }, field)
    .catch(() => undefined);
  return field;
}

/** Clicks `element` once it has stopped moving in the viewport. The form scrolls a result it
 * has just rendered into view, and a click dispatched meanwhile lands where the element was. */
export async function clickWhenSteady(browser, element, timeout = 5000) {
  const where = () =>
    browser.execute((el) => {
      const r = el.getBoundingClientRect();
      return `${String(r.x)},${String(r.y)}`;
    }, element);
  let last = await where();
  await browser.waitUntil(
    async () => {
      const now = await where();
      const steady = now === last;
      last = now;
      return steady;
    },
    { timeout, interval: 100 },
  );
  await element.click();
}

/** Clicks `element` after bringing it to the middle of the window: WebKit's driver does not
 * scroll far enough for a button low on a long page, and its click lands beside it. */
export async function clickCentred(browser, element) {
  await browser.execute((el) => {
    el.scrollIntoView({ block: "center" });
  }, element);
  await clickWhenSteady(browser, element);
}

/**
 * Adds the fake's Adobe account through the first-run form and waits until it is signed in
 * with the default sandbox picked. Returns the fake's configuration.
 */
export async function addFirstAccount(app, clientSecret) {
  const { browser } = app;
  const fake = await (await fetch(`${app.fakeUrl}/__fake/config`)).json();
  await browser.$("button=Add your first Adobe account").click();
  const fields = {
    "Account name": "Acme production",
    "Organization ID": fake.orgId,
    "Client ID": fake.clientId,
    "Client secret": clientSecret ?? fake.clientSecret,
  };
  for (const [label, value] of Object.entries(fields)) {
    await (await byLabel(browser, label)).setValue(value);
  }
  await browser.$("button=Save and sign in").click();
  await browser.waitUntil(
    async () => (await browser.$("#pick-sandbox").getValue()) === "prod",
    {
      timeout: 15000,
      timeoutMsg: "the default sandbox was not preselected",
    },
  );
  return fake;
}

/** Types each value into the control labelled with its key. */
export async function fill(browser, fields) {
  for (const [label, value] of Object.entries(fields)) {
    await (await byLabel(browser, label)).setValue(value);
  }
}

/** Opens the form of the source named `name`, from the catalog or from another form. */
export async function openSource(browser, name) {
  const back = await browser.$("button=Back to sources");
  if (await back.isExisting()) await back.click();
  await browser.$(`button=Set up ${name}`).click();
  await browser.$("#form-heading").waitForExist({ timeout: 10000 });
}

/** Opens the form of `name` from the Sources screen, found by the catalog's search (a long
 * catalog shows only its first screenful). */
export async function findSource(browser, name) {
  await goTo(browser, "Sources");
  const search = await browser.$("#catalog-search");
  await search.waitForExist({ timeout: 10000 });
  await search.setValue(name);
  await browser.$(`button=Set up ${name}`).click();
  await browser.$("#form-heading").waitForExist({ timeout: 10000 });
}

/** Waits until the text of `selector` matches `pattern`, and says what it was if never. */
export async function waitForText(browser, selector, pattern, timeout = 20000) {
  const element = await browser.$(selector);
  await browser.waitUntil(
    async () => pattern.test(await element.getText().catch(() => "")),
    {
      timeout,
      timeoutMsg: `${selector} never matched ${pattern}: ${await element.getText().catch(() => "absent")}`,
    },
  );
}

/** Waits for the consent's notice to match `pattern`, or fails with the error the form
 * showed instead. */
export async function consentEnded(browser, pattern) {
  await browser.waitUntil(
    async () =>
      pattern.test(
        await browser
          .$(".consent-notice")
          .getText()
          .catch(() => ""),
      ) || (await browser.$(".consent .field-error").isExisting()),
    { timeout: 20000, timeoutMsg: "the consent never ended" },
  );
  const error = await browser.$(".consent .field-error");
  if (await error.isExisting()) assert.fail(await error.getText());
}

/** Answers the app's next open or save dialog (`kind`) with `file`; null cancels it. */
export function answerDialog(app, kind, file) {
  const dir = path.join(app.dataRoot, "dialog");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, kind), file ?? "");
}

/** Goes to one of the navigation rail's screens. */
export async function goTo(browser, screen) {
  await browser.$("nav[aria-label='Screens']").$(`button=${screen}`).click();
}

/** Opens the account `name` in the account form, from the Accounts screen. */
export async function editAccount(browser, name) {
  await goTo(browser, "Accounts");
  await browser.$(`aria/Actions for account ${name}`).click();
  await browser.$("[role='menuitem']=Edit").click();
}

/** Opens the saved profile `name` from the Profiles screen. */
export async function openProfile(browser, name) {
  await goTo(browser, "Profiles");
  await browser.$(`aria/Open profile ${name}`).click();
}

/**
 * The steps above bound to the window of `current()`, read at each call: a suite keeps its
 * launch in a variable set in `before` (and again on a restart) and writes
 * `const { byLabel, fill } = inWindow(() => app);` once.
 */
export function inWindow(current) {
  const browser = () => current().browser;
  return {
    byLabel: (text, timeout) => byLabel(browser(), text, timeout),
    clickCentred: (element) => clickCentred(browser(), element),
    consentEnded: (pattern) => consentEnded(browser(), pattern),
    clickWhenSteady: (element, timeout) =>
      clickWhenSteady(browser(), element, timeout),
    fill: (fields) => fill(browser(), fields),
    findSource: (name) => findSource(browser(), name),
    goTo: (screen) => goTo(browser(), screen),
    openProfile: (name) => openProfile(browser(), name),
    openSource: (name) => openSource(browser(), name),
    waitForText: (selector, pattern, timeout) =>
      waitForText(browser(), selector, pattern, timeout),
  };
}
