// Starts what an end-to-end test needs: the fake Adobe services, tauri-driver, and the real
// Flow Connect binary wired to the fakes, inside the private data folders and D-Bus session
// that scripts/test.sh prepared. Everything is stopped again by `stop()`.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { remote } from "webdriverio";

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "../..");
export const artifacts = path.join(here, "artifacts");
const targetDir = process.env.CARGO_TARGET_DIR
  ? path.resolve(root, process.env.CARGO_TARGET_DIR)
  : path.join(root, "target");
const profile = process.env.FLOW_CONNECT_E2E_PROFILE ?? "debug";
export const appBinary = path.join(targetDir, profile, "flow-connect");
const fakeBinary = path.join(targetDir, profile, "fake-services");

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function logTo(name, flags = "a") {
  mkdirSync(artifacts, { recursive: true });
  return createWriteStream(path.join(artifacts, name), { flags });
}

/** What fake-services prints, one line each, told apart by how the line starts (see
 * tests/fakes/main.rs): the Adobe fakes' URL, Google's endpoints, and the providers' bases. */
function parseFakesOutput(lines) {
  const url = lines.find((l) => l.startsWith("http://"));
  const googleLine = lines.find((l) => l.startsWith("google: "));
  const providersLine = lines.find((l) => l.startsWith("providers: "));
  if (!url || !googleLine || !providersLine) return null;
  const [auth, token, revoke] = googleLine
    .replace(/^google: /, "")
    .trim()
    .split(" ");
  // `hubspot=http://127.0.0.1:PORT/hubspot,zendesk=…`: FLOW_CONNECT_PROVIDER_BASES as is.
  const bases = providersLine.replace(/^providers: /, "").trim();
  const byId = Object.fromEntries(
    bases.split(",").map((pair) => {
      const at = pair.indexOf("=");
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const providersUrl = new URL(Object.values(byId)[0]).origin;
  return {
    url: url.trim(),
    google: { auth, token, revoke },
    providers: { bases, url: providersUrl, byId },
  };
}

export async function startFakes() {
  const child = spawn(fakeBinary, ["0"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stderr.pipe(logTo("fake-services.log"));
  // Read the lines it starts with without ever closing the pipe: leaving a `for await` loop
  // would destroy the stream, and the fakes would die of EPIPE on their next line of output.
  return new Promise((resolve, reject) => {
    let buffered = "";
    const onData = (chunk) => {
      buffered += chunk.toString();
      // Only whole lines: the last piece may still be arriving.
      const parsed = parseFakesOutput(buffered.split("\n").slice(0, -1));
      if (!parsed) return;
      child.stdout.off("data", onData);
      child.stdout.resume();
      resolve({ child, ...parsed });
    };
    child.stdout.on("data", onData);
    child.on("exit", () => {
      reject(
        new Error(
          `fake-services exited before printing its URLs; it printed: ${buffered}`,
        ),
      );
    });
  });
}

async function waitForPort(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`tauri-driver exited with ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/status`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `tauri-driver did not listen on ${port} within ${timeoutMs} ms`,
  );
}

/** The environment the app runs in: wired to the fakes, inside the launch's data folders. */
function appEnv(fakes, dataRoot, platformUrl = fakes.url) {
  const dataHome = path.join(dataRoot, "data");
  return {
    ...process.env,
    FLOW_CONNECT_PLATFORM_URL: platformUrl,
    FLOW_CONNECT_IMS_URL: platformUrl,
    FLOW_CONNECT_GOOGLE_AUTH_URL: fakes.google.auth,
    FLOW_CONNECT_GOOGLE_TOKEN_URL: fakes.google.token,
    FLOW_CONNECT_GOOGLE_REVOKE_URL: fakes.google.revoke,
    // HubSpot, Zendesk, Square and Mailchimp: the consent engine reaches the fake providers.
    FLOW_CONNECT_PROVIDER_BASES: fakes.providers.bases,
    // The system opener (xdg-open) hands the consent page to $BROWSER: a stand-in user
    // who approves and follows Google's redirect back to the app's listener.
    BROWSER: path.join(here, "fake-browser.mjs"),
    FAKE_BROWSER_LOG: path.join(dataRoot, "browser.log"),
    FLOW_CONNECT_LOG: "info",
    XDG_DATA_HOME: dataHome,
    XDG_CONFIG_HOME: path.join(dataRoot, "config"),
    XDG_CACHE_HOME: path.join(dataRoot, "cache"),
    // Anything resolved from the home folder (such as Downloads) stays in the sandbox too.
    HOME: path.join(dataRoot, "home"),
    // The debug build answers its file dialogs from here (see answerDialog).
    FLOW_CONNECT_TEST_DIALOG_DIR: path.join(dataRoot, "dialog"),
  };
}

/**
 * Starts the fakes, tauri-driver and the app; returns the WebDriver browser and a stop().
 * Each launch gets data folders of its own (inside the private ones of scripts/test.sh when
 * it runs there), so test files never see each other's accounts. `env` adds to or overrides
 * the app's environment.
 */
export async function launch(
  name = "app",
  { dataRoot: reuse, application = appBinary, offline = false, env = {} } = {},
) {
  const fakes = await startFakes();
  // Offline, Adobe's services are a port where nothing listens: every call fails to connect.
  const platformUrl = offline
    ? `http://127.0.0.1:${String(await freePort())}`
    : fakes.url;
  // A restart passes the data folders of the earlier launch, so the app finds what it saved.
  const dataRoot =
    reuse ??
    mkdtempSync(path.join(process.env.XDG_RUNTIME_DIR ?? tmpdir(), `${name}-`));
  const dataHome = path.join(dataRoot, "data");
  mkdirSync(dataHome, { recursive: true });
  mkdirSync(path.join(dataRoot, "home"), { recursive: true });
  const logFile = `${name}.log`;
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn(
    "tauri-driver",
    ["--port", String(port), "--native-port", String(nativePort)],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...appEnv(fakes, dataRoot, platformUrl), ...env },
    },
  );
  // The app's own stderr ends up here: keep it for failure reports and the secret scan.
  const log = logTo(logFile, "w");
  driver.stdout.pipe(log);
  driver.stderr.pipe(log);
  const stopProcesses = async () => {
    // WebKitWebDriver closes the app when the session ends, but not always (the app survives
    // when its web process went first); whatever the driver started must not outlive the test.
    const started = descendants(driver.pid);
    for (const child of [driver, fakes.child]) {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await Promise.race([
          once(child, "exit"),
          new Promise((r) => setTimeout(r, 3000)),
        ]);
      }
    }
    for (const pid of started) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  };
  try {
    await waitForPort(port, driver, 15000);
    const browser = await remote({
      hostname: "127.0.0.1",
      port,
      logLevel: "warn",
      connectionRetryTimeout: 60000,
      connectionRetryCount: 1,
      capabilities: { "tauri:options": { application } },
    });
    paintWhileShooting(browser);
    return {
      browser,
      fakeUrl: fakes.url,
      google: fakes.google,
      /** The fake providers' origin (`http://127.0.0.1:PORT`); each one is under `/<id>`. */
      providersUrl: fakes.providers.url,
      /** `FLOW_CONNECT_PROVIDER_BASES` as the app got it, and each provider's base by id. */
      providers: fakes.providers,
      dataHome,
      dataRoot,
      browserLog: path.join(dataRoot, "browser.log"),
      /** The environment of this launch, for starting the app a second time beside it. */
      env: appEnv(fakes, dataRoot, platformUrl),
      logPath: path.join(artifacts, logFile),
      async stop() {
        await browser.deleteSession().catch(() => {});
        await stopProcesses();
      },
    };
  } catch (error) {
    await stopProcesses();
    throw error;
  }
}

/**
 * The app's window draws without WebKit's accelerated compositing (src-tauri/src/rendering.rs).
 * Then WebKitWebDriver's screenshot waits for the page's next paint, which a page where nothing
 * changes never makes: the request hung until its timeout. So while a screenshot is taken the
 * page repaints one nearly transparent pixel every frame.
 */
function paintWhileShooting(browser) {
  browser.overwriteCommand("saveScreenshot", async (original, filepath) => {
    await browser.execute(() => {
      const dot = document.createElement("div");
      dot.id = "screenshot-paint";
      dot.setAttribute("aria-hidden", "true");
      dot.style.cssText =
        "position:fixed;left:0;top:0;width:1px;height:1px;opacity:0.01;pointer-events:none";
      document.body.append(dot);
      let frame = 0;
      const paint = () => {
        if (!dot.isConnected) return;
        dot.style.background = frame++ % 2 ? "#000" : "#fff";
        requestAnimationFrame(paint);
      };
      requestAnimationFrame(paint);
    });
    try {
      return await original(filepath);
    } finally {
      await browser
        .execute(() => document.getElementById("screenshot-paint")?.remove())
        .catch(() => {});
    }
  });
}

/**
 * The fakes and a launch's data folders without tauri-driver: for suites that start the app
 * binary themselves, as a desktop launcher does. `env` is the app's environment; `stop()`
 * ends the fakes.
 */
export async function appEnvironment(name = "app") {
  const fakes = await startFakes();
  const dataRoot = mkdtempSync(
    path.join(process.env.XDG_RUNTIME_DIR ?? tmpdir(), `${name}-`),
  );
  mkdirSync(path.join(dataRoot, "data"), { recursive: true });
  mkdirSync(path.join(dataRoot, "home"), { recursive: true });
  return {
    env: appEnv(fakes, dataRoot),
    dataRoot,
    async stop() {
      if (fakes.child.exitCode === null) {
        fakes.child.kill("SIGTERM");
        await once(fakes.child, "exit");
      }
    },
  };
}

/** Every process below `pid` (the driver's WebKitWebDriver, the app, its WebKit processes). */
function descendants(pid) {
  const rows = spawnSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" })
    .stdout.trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number));
  const found = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, parent] of rows) {
      if (!found.has(child) && found.has(parent)) {
        found.add(child);
        grew = true;
      }
    }
  }
  found.delete(pid);
  return [...found];
}
