// A data file rewritten behind the running window's back by a newer Flow Connect (a higher
// schemaVersion, as a newer CLI writes it): the window keeps what it shows, refuses the edit,
// says so on any screen, and leaves the newer file exactly as it was. A newer file written while
// the window is in the background is told when the window gets the focus back.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import {
  addFirstAccount,
  clickWhenSteady,
  inWindow,
  launch,
  openSource,
} from "./harness.mjs";

let app;
let file;
/** profiles.json as this version wrote it, and as a newer version rewrote it. */
let ours;
let newer;

before(async () => {
  app = await launch("newer-file");
  await app.browser.$("[data-catalog-ready]").waitForExist({ timeout: 20000 });
  await addFirstAccount(app);
});

after(async () => {
  await app?.stop();
});

const { fill, waitForText } = inWindow(() => app);

/** Clicks a save button of the form once it is in view and has stopped moving. */
async function save(selector) {
  const button = await app.browser.$(selector);
  await button.scrollIntoView({ block: "center" });
  await clickWhenSteady(app.browser, button);
}

test("a profiles file a newer Flow Connect wrote meanwhile is not overwritten, and the window says so", async () => {
  const { browser } = app;
  file = path.join(app.dataHome, "io.flowconnect.desktop", "profiles.json");
  await openSource(browser, "ServiceNow");
  await fill({
    "Connection name": "ServiceNow – acme",
    "Instance URL": "https://acme.service-now.com",
    "User name": "platform",
    Password: "newer-file-e2e-pass",
    "Profile name": "ServiceNow – acme",
  });
  await save("button=Save as profile");
  await waitForText(".profile-note", /Saved profile/, 15000);

  // A newer Flow Connect rewrites the file in a format this one does not know.
  ours = readFileSync(file, "utf8");
  const saved = JSON.parse(ours);
  newer = `${JSON.stringify(
    {
      ...saved,
      schemaVersion: saved.schemaVersion + 1,
      profiles: saved.profiles.map((p) => ({
        ...p,
        newerField: { kept: true },
      })),
    },
    null,
    2,
  )}\n`;
  writeFileSync(file, newer);

  await fill({ "Profile name": "ServiceNow – acme, edited" });
  await save("button=Save profile");
  await waitForText(
    "section[aria-label='Notifications']",
    /newer Flow Connect/i,
    15000,
  );
  assert.doesNotMatch(
    await browser.$(".profile-note").getText(),
    /Saved profile/,
    "the edit was refused",
  );
  assert.equal(
    readFileSync(file, "utf8"),
    newer,
    "the newer file is unchanged",
  );
});

/** What the window does when the user comes back to it from another program. */
async function comeBack() {
  await app.browser.execute(() => window.dispatchEvent(new Event("focus")));
}

test("a newer profiles file written while the window was in the background is told when it gets the focus back", async () => {
  const { browser } = app;
  for (const dismiss of await browser.$$("aria/Dismiss notification"))
    await dismiss.click();
  // Readable again: read back without a word.
  writeFileSync(file, ours);
  await comeBack();
  await browser.pause(500);
  assert.doesNotMatch(
    await browser.$("section[aria-label='Notifications']").getText(),
    /newer Flow Connect/i,
  );

  writeFileSync(file, newer);
  await comeBack();
  await waitForText(
    "section[aria-label='Notifications']",
    /newer Flow Connect/i,
    15000,
  );
  assert.equal(
    readFileSync(file, "utf8"),
    newer,
    "the newer file is unchanged",
  );
});
