// axe-core in the real window: the accessibility scan every screen passes, in either theme.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

/** Runs axe-core on the whole document; fails with every violation it names. */
export async function scanPage(browser, where) {
  await browser.pause(250);
  // The driver runs its scripts itself, where the page's CSP (no eval) does not apply.
  if (!(await browser.execute(() => "axe" in window))) {
    await browser.execute(
      `${axeSource}\n;if (typeof axe !== "undefined") window.axe = axe;`,
    );
  }
  const violations = await browser.executeAsync((done) => {
    window.axe
      .run(document, { resultTypes: ["violations"] })
      .then((result) => {
        done(
          result.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
          })),
        );
      })
      .catch((error) => {
        done([{ id: "axe-failed", help: String(error), nodes: [] }]);
      });
  });
  assert.deepEqual(
    violations,
    [],
    `${where}: ${JSON.stringify(violations, null, 2)}`,
  );
}

/** The scan in the light and the dark theme, set on the page as the theme switch does; the
 * theme it had is put back. */
export async function scanBothThemes(browser, where) {
  const original = await browser.execute(
    () => document.documentElement.dataset.theme,
  );
  for (const theme of ["light", "dark"]) {
    await browser.execute((t) => {
      document.documentElement.dataset.theme = t;
    }, theme);
    await scanPage(browser, `${where} (${theme})`);
  }
  await browser.execute((t) => {
    document.documentElement.dataset.theme = t;
  }, original ?? "light");
}
