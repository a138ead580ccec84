// The first screen in index.html: when the app is built, it is rendered once as it starts
// (the built-in catalog, before the backend has answered anything) and its HTML put into the
// page, so the window paints it as soon as the page is parsed instead of after the bundle has
// been compiled and run (about 50 ms of a cold start, measured by `make bench`). main.ts then
// hydrates that HTML, and the bundle starts only once the first frame is painted, so that
// compiling it does not hold the frame back.
import { build, type Plugin, type Rollup } from "vite";

/** The page's own script after the first screen: the bench's mark, then the bundle. */
const START = `<script>
      // The first screen is in the document: the mark \`make bench\` reads.
      performance.mark("first-screen");
      // The bundle once the first frame is painted; after a second at the latest, for a
      // window that paints no frame (hidden or minimized at start).
      (() => {
        let started = false;
        const start = () => {
          if (started) return;
          started = true;
          const script = document.createElement("script");
          script.type = "module";
          script.crossOrigin = "";
          script.src = "ENTRY";
          document.body.append(script);
        };
        requestAnimationFrame(() => setTimeout(start));
        setTimeout(start, 1000);
      })();
    </script>`;

type Rendered = { head: string; body: string };

/** Renders `src/prerender-entry.ts` with Svelte's server renderer, built by Vite with the
 * app's own configuration (so the components' CSS class names match the client's) into one
 * module held in memory and run from there. */
async function renderFirstScreen(root: string): Promise<Rendered> {
  const output = (await build({
    root,
    configFile: `${root}/vite.config.ts`,
    logLevel: "warn",
    ssr: { noExternal: true },
    build: {
      ssr: `${root}/src/prerender-entry.ts`,
      write: false,
      copyPublicDir: false,
      rollupOptions: { output: { inlineDynamicImports: true } },
    },
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const [chunk] = (Array.isArray(output) ? output : [output]).flatMap((o) => o.output);
  if (chunk?.type !== "chunk") throw new Error("the first screen's render produced no module");
  const url = `data:text/javascript,${encodeURIComponent(chunk.code)}`;
  const module = (await import(/* @vite-ignore */ url)) as { renderApp: () => Rendered };
  return module.renderApp();
}

/** Puts the rendered first screen into the built page, with the start-up stylesheet inline
 * (each file the page asks for is a request to the app's main thread, and a stylesheet holds
 * the first paint back until it has come), and starts the bundle after it. `stylesheet` gives
 * a built stylesheet's text by its path and removes it from the build. */
export function withFirstScreen(
  html: string,
  { head, body }: Rendered,
  stylesheet: (path: string) => string,
): string {
  const entry = /<script type="module" crossorigin src="([^"]+)"><\/script>\n?\s*/.exec(html);
  if (!entry?.[1]) throw new Error("the built index.html has no module script");
  const styles = /<link rel="stylesheet" crossorigin href="([^"]+)">/.exec(html);
  if (!styles?.[1]) throw new Error("the built index.html has no stylesheet");
  const app = '<div id="app"></div>';
  if (!html.includes(app)) throw new Error(`the built index.html has no ${app}`);
  return html
    .replace(entry[0], "")
    .replace(styles[0], () => `<style>${stylesheet(styles[1] ?? "")}</style>`)
    .replace("</head>", () => `${head}</head>`)
    .replace(
      app,
      () => `<div id="app">${body}</div>\n    ${START.replace("ENTRY", entry[1] ?? "")}`,
    );
}

/** The build step, as a Vite plugin of the client build. */
export function prerender(): Plugin {
  let root = "";
  let serverBuild = false;
  return {
    name: "flow-connect-prerender",
    apply: "build",
    configResolved(config) {
      root = config.root;
      serverBuild = Boolean(config.build.ssr);
    },
    transformIndexHtml: {
      order: "post",
      async handler(html, { bundle }) {
        // The server build this starts loads the same configuration: it must not start another.
        if (serverBuild || !bundle) return html;
        const stylesheet = (path: string): string => {
          const name = path.replace(/^\//, "");
          const asset = bundle[name];
          if (asset?.type !== "asset") throw new Error(`no stylesheet ${name} in the build`);
          Reflect.deleteProperty(bundle, name);
          return typeof asset.source === "string"
            ? asset.source
            : new TextDecoder().decode(asset.source);
        };
        return withFirstScreen(html, await renderFirstScreen(root), stylesheet);
      },
    },
  };
}
