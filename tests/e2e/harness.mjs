// The one import of every suite and bench: launching the app against the fakes
// (harness-launch.mjs), the steps a user takes in its window (harness-window.mjs), the fakes
// asked directly (harness-fakes.mjs), what is checked on the machine (harness-evidence.mjs), and
// the accessibility scan (harness-axe.mjs).
export * from "./harness-launch.mjs";
export * from "./harness-window.mjs";
export * from "./harness-evidence.mjs";
export * from "./harness-fakes.mjs";
export * from "./harness-axe.mjs";
