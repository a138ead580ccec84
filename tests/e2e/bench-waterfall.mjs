// Where a launch's time goes, as `make bench` publishes it: each step of a start-up in ms from
// the app's process start (the median over the launches), Flow Connect beside the bare window;
// and the one line that says whether each start-up target holds.

/** The steps in the order a launch takes them; `app:` steps are the app's own log marks
 * (src-tauri/src/launch_marks.rs), the others the page's performance entries. */
const STEPS = [
  ["app:main", "Rust `main` entered (the libraries loaded)"],
  ["app:claimed", "Single-instance name held on D-Bus"],
  ["app:built", "Tauri built: plugins set up, event loop made"],
  ["app:setup", "Window made and its page asked for; `setup` begins"],
  ["app:managed", "Core opened (config, accounts, profiles) and managed"],
  ["app:ready", "Event loop ready"],
  ["navigation", "Page navigation starts"],
  ["html", "HTML received"],
  ["first-screen", "First screen's HTML parsed (`first-screen`)"],
  ["parsed", "HTML parsed (DOM interactive)"],
  ["first-paint", "First paint"],
  [
    "first-contentful-paint",
    "First contentful paint: the first screen readable",
  ],
  ["script", "Script starts running"],
  ["firstIpcCall", "First IPC call sent"],
  ["interactive", "First screen's handlers set (`interactive`)"],
  ["firstIpcAnswer", "First IPC answered"],
  ["app:page-finished", "Page load finished"],
  ["app:http-client", "HTTP client built (in the background)"],
];

const at = (steps, name) =>
  steps[name] === undefined ? "—" : `${steps[name].toFixed(0)} ms`;

/** The waterfall as a Markdown table of the two apps' step medians. */
export function waterfallLines(flow, bare, runs) {
  return [
    "## Where a launch's time goes",
    "",
    `Each step in ms from the process start (the exec of the app's binary), median of ${String(runs)} launches of each app. The app's own steps come from its log (\`FLOW_CONNECT_LOG=flow_connect::launch=debug\`), the page's from its performance entries; both are on the wall clock. The bare window logs the same steps where it has them (it has no single instance, core or HTTP client).`,
    "",
    "| Step | Flow Connect | Bare Tauri window |",
    "|---|---|---|",
    ...STEPS.filter(
      ([name]) =>
        flow.steps[name] !== undefined || bare.steps[name] !== undefined,
    ).map(
      ([name, label]) =>
        `| ${label} | ${at(flow.steps, name)} | ${at(bare.steps, name)} |`,
    ),
  ];
}

const TARGETS = { startup: 1.1, pss: 1.1, pageMs: 40 };

/** One line: each start-up target, its figure and whether it holds. */
export function targetsLine(flow, bare) {
  const startup = flow.ready / bare.ready;
  const pss = flow.pss / bare.pss;
  const mark = (ok) => (ok ? "✓" : "✗");
  return (
    `Targets: start-up ${startup.toFixed(2)}× the bare window ${mark(startup <= TARGETS.startup)} (≤ ${TARGETS.startup.toFixed(2)}×)` +
    ` · memory (PSS) ${pss.toFixed(2)}× ${mark(pss <= TARGETS.pss)} (≤ ${TARGETS.pss.toFixed(2)}×)` +
    ` · the page's share ${flow.page.toFixed(0)} ms ${mark(flow.page < TARGETS.pageMs)} (< ${String(TARGETS.pageMs)} ms)`
  );
}
