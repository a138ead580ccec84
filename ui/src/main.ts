import "./launch-mark";
import "./app.css";

import { mount } from "svelte";

import App from "./App.svelte";
import { preferences } from "./lib/shell/preferences.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

// Before the first frame, so it is painted in the theme the user chose.
preferences.apply();

export default mount(App, { target });
