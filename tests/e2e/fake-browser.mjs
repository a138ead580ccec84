#!/usr/bin/env node
// A stand-in for the user's web browser, started by xdg-open through $BROWSER: it loads the
// consent page (the fake Google approves at once) and follows the redirect to the app's
// loopback listener, as a real browser would. Each visited address is appended to
// $FAKE_BROWSER_LOG, when set, so tests can see what was opened.
import { appendFileSync } from "node:fs";

const url = process.argv[2];
if (process.env.FAKE_BROWSER_LOG)
  appendFileSync(process.env.FAKE_BROWSER_LOG, `${url}\n`);
const response = await fetch(url, { redirect: "follow" });
process.exit(response.ok ? 0 : 1);
