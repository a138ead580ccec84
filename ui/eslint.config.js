import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import { fileURLToPath } from "node:url";
import ts from "typescript-eslint";

/** The parser the cycle check reads components with (see the file), by its absolute path. */
const svelteImports = fileURLToPath(new URL("eslint-svelte-imports.cjs", import.meta.url));

export default defineConfig(
  { ignores: ["dist/", "node_modules/", "src/bindings/"] },
  js.configs.recommended,
  ts.configs.strictTypeChecked,
  svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: {
        projectService: true,
        extraFileExtensions: [".svelte"],
      },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      // Exactly one module talks to the backend; everything else goes through it.
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@tauri-apps/*"],
              message:
                "Import from src/api/backend.ts instead (only src/api/ipc.ts talks to Tauri).",
            },
          ],
        },
      ],
    },
  },
  {
    // No import cycle between the UI's modules, components included: a cycle makes a module
    // read another before that one has run (undefined imports at start-up), and it is the
    // sign that two subjects' folders lean on each other. Type-only imports are erased and
    // are not counted.
    files: ["src/**/*.ts", "src/**/*.svelte"],
    plugins: { "import-x": importX },
    settings: {
      "import-x/extensions": [".ts", ".js", ".svelte"],
      "import-x/parsers": {
        "@typescript-eslint/parser": [".ts"],
        [svelteImports]: [".svelte"],
      },
      "import-x/resolver-next": [
        createNodeResolver({ extensions: [".ts", ".js", ".svelte", ".svelte.ts"] }),
      ],
    },
    rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    // The one module that talks to Tauri, and component tests that mock what it talks to.
    files: ["src/api/ipc.ts", "src/**/*.test.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    // The tool configs are plain JavaScript run by Node, outside the app's type project.
    files: ["*.config.js", "*.cjs"],
    extends: [ts.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // A parser that import-x loads with require(), so CommonJS.
    files: ["*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
