import "./launch-mark";
import "./app.css";

import { flushSync, hydrate, mount } from "svelte";

import App from "./App.svelte";
import { preferences } from "./lib/shell/preferences.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

// Before the first frame, so it is painted in the theme the user chose.
preferences.apply();

// The built page holds the first screen already (ui/prerender.ts); the dev server's does not.
const prerendered = target.firstElementChild;
const app = prerendered ? hydrate(App, { target }) : mount(App, { target });
// Svelte replaces a first screen that does not match the app as it starts: marked, so the
// suites see it (the user would only see the screen drawn twice).
if (prerendered && !prerendered.isConnected) performance.mark("first-screen-replaced");
// The first screen's effects (its handlers, its first requests, the `interactive` mark) run
// now, while the page's script runs, rather than after WebKit's first style and layout pass,
// which they do not need.
flushSync();
export default app;
