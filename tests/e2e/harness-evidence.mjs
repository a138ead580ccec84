// What a suite checks on the machine, outside the window: the files and log a launch left (no
// secret in them) and the keychain's entries.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Every file below `dir`, for scans that must find no secret. An atomic write's temporary file
 * may be renamed away between the listing and the stat: it is skipped, and its content is read
 * under its final name.
 */
export function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    const found = statSync(full, { throwIfNoEntry: false });
    if (!found) return [];
    return found.isDirectory() ? filesUnder(full) : [full];
  });
}

/** The file's bytes, or nothing when an atomic write renamed it away since it was listed. */
function readIfStill(file) {
  try {
    return readFileSync(file);
  } catch (error) {
    if (error.code === "ENOENT" && path.basename(file).endsWith(".tmp"))
      return Buffer.alloc(0);
    throw error;
  }
}

/** Fails naming the first of `files` that holds any of `secrets`, byte for byte. */
export function assertNoSecretIn(files, secrets) {
  assert.ok(secrets.length > 0, "the suite recorded the secrets it typed");
  for (const file of files) {
    const content = readIfStill(file);
    for (const value of secrets) {
      assert.ok(
        !content.includes(value),
        `${path.basename(file)} contains a secret`,
      );
    }
  }
}

/** The app's keychain entries as `secret-tool` lists them: attributes and secrets. */
export function keychainEntries() {
  const found = spawnSync(
    "secret-tool",
    ["search", "--all", "service", "io.flowconnect.desktop"],
    {
      encoding: "utf8",
    },
  );
  return `${found.stdout}${found.stderr}`;
}
