// Opening the app never crashes: the window is closed (as a window manager's close button does)
// and the app launched again at once, as a double-click while the last instance is still
// shutting down, ten times in a row. Each launch must show its window: not panic when the
// hand-over to the closing instance fails, nor hand over to an instance that then goes away.
// And a start-up that cannot go on says why in a native message box and the log, never in a
// panic the user does not see.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";

import { appBinary, appEnvironment, artifacts } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const x11Window = path.join(here, "x11-window.py");
const ROUNDS = 10;

let environment;
const started = [];

before(async () => {
  environment = await appEnvironment("relaunch");
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(path.join(artifacts, "relaunch.log"), "");
});

after(async () => {
  for (const app of started)
    if (app.child.exitCode === null && app.child.signalCode === null)
      app.child.kill("SIGKILL");
  await environment?.stop();
});

/** Launches the app as a desktop launcher does, its output kept for the report. */
function start(round, env = environment.env) {
  const child = spawn(appBinary, [], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const app = { child, round, stderr: "" };
  const log = createWriteStream(path.join(artifacts, "relaunch.log"), {
    flags: "a",
  });
  child.stderr.on("data", (chunk) => {
    app.stderr += chunk.toString();
    log.write(`[launch ${String(round)}, pid ${String(child.pid)}] ${chunk}`);
  });
  child.on("exit", () => log.end());
  app.exited = once(child, "exit").then(([code, signal]) => ({ code, signal }));
  started.push(app);
  return app;
}

/** Resolves once `app` shows its window (titled `title`); fails when it exits first or shows
 * none in time. */
async function windowOf(app, title = "Flow Connect") {
  const waiter = spawn(
    "python3",
    [x11Window, "wait", String(app.child.pid), "30", title],
    {
      stdio: "ignore",
    },
  );
  const outcome = await Promise.race([
    once(waiter, "exit").then(([code]) => (code === 0 ? "shown" : "none")),
    app.exited.then(({ code, signal }) => `exited (${String(code ?? signal)})`),
  ]);
  waiter.kill();
  assert.equal(
    outcome,
    "shown",
    `launch ${String(app.round)} showed no window: it ${outcome}.\n${app.stderr}`,
  );
}

/** Closes the app's window as the window manager's close button does. */
function closeWindow(app, title = "Flow Connect") {
  const closed = spawnSync("python3", [
    x11Window,
    "close",
    String(app.child.pid),
    title,
  ]);
  assert.equal(
    closed.status,
    0,
    `launch ${String(app.round)} has no window to close`,
  );
}

async function exitOf(app) {
  const result = await Promise.race([
    app.exited,
    new Promise((r) => setTimeout(() => r("running"), 20000)),
  ]);
  assert.notEqual(
    result,
    "running",
    `launch ${String(app.round)} did not exit after its window closed`,
  );
  return result;
}

test(`closed through its window and launched again at once, ${String(ROUNDS)} times in a row, the app opens every time`, async () => {
  let current = start(0);
  await windowOf(current);
  for (let round = 1; round <= ROUNDS; round++) {
    // As a double-click while the window is closing: the new process starts as the old one
    // is told to close, and nothing waits for the old one to go.
    const next = start(round);
    closeWindow(current);
    await windowOf(next);
    const { code } = await exitOf(current);
    assert.equal(
      code,
      0,
      `launch ${String(current.round)} exited with ${String(code)}:\n${current.stderr}`,
    );
    current = next;
  }
  closeWindow(current);
  assert.equal((await exitOf(current)).code, 0);
  for (const app of started)
    assert.ok(
      !/panicked/.test(app.stderr),
      `launch ${String(app.round)} panicked:\n${app.stderr}`,
    );
});

test("a start-up that cannot go on says why in a message box and the log, and does not end in a panic", async () => {
  // The data folder cannot be made: its parent is a file.
  const blocked = path.join(environment.dataRoot, "not-a-folder");
  writeFileSync(blocked, "");
  const env = { ...environment.env, XDG_DATA_HOME: blocked };
  // The debug build's dialog stand-in would keep the box from showing.
  delete env.FLOW_CONNECT_TEST_DIALOG_DIR;
  const app = start("no data folder", env);
  // Shown by a second run of the app's binary, as the first may have half started GTK.
  const box = "Flow Connect could not start";
  const waiter = spawn("python3", [x11Window, "wait", "any", "30", box], {
    stdio: "ignore",
  });
  const [found] = await once(waiter, "exit");
  assert.equal(found, 0, `no message box:\n${app.stderr}`);
  const closed = spawnSync("python3", [x11Window, "close", "any", box]);
  assert.equal(closed.status, 0);
  const { code } = await exitOf(app);
  // Not 101, a panic's: a plugin's setup that fails panics inside Tauri, which the app
  // catches to say why.
  assert.equal(code, 1, app.stderr);
  assert.match(app.stderr, /Flow Connect cannot start .*Not a directory/);
});
