import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

import { prerender } from "./prerender";

// The Tauri window loads ui/dist; `tauri dev` loads the dev server on a fixed port.
export default defineConfig({
  plugins: [svelte(), prerender()],
  clearScreen: false,
  server: { port: 5173, strictPort: true, host: "127.0.0.1" },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, sourcemap: false },
});
