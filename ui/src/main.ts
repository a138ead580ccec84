import "./launch-mark";
import "./app.css";

import { flushSync, mount } from "svelte";

import App from "./App.svelte";
import { preferences } from "./lib/shell/preferences.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

// Before the first frame, so it is painted in the theme the user chose.
preferences.apply();

const app = mount(App, { target });
// The first screen's effects (its handlers, its first requests, the `interactive` mark) run
// now, while the page's script runs, rather than after WebKit's first style and layout pass,
// which they do not need.
flushSync();
export default app;
