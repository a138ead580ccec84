// The parser import-x's cycle check reads a .svelte module with: svelte-eslint-parser, with the
// component's imports lifted from its <script> elements to the top of the program, which is the
// only place import-x looks for them. Without this, a cycle through a component goes unseen.
const svelte = require("svelte-eslint-parser");
const ts = require("@typescript-eslint/parser");

exports.parseForESLint = (code, options) => {
  const parsed = svelte.parseForESLint(code, { ...options, parser: ts });
  const body = parsed.ast.body.flatMap((node) =>
    node.type === "SvelteScriptElement" ? node.body : [],
  );
  return { ...parsed, ast: { ...parsed.ast, body } };
};
