//! No import cycle between files or between folders, in core, the CLI and the app: each layer
//! may use the ones below it and never the reverse, so a reader can start at the bottom and
//! never meet a file that needs one they have not read yet.
//!
//! The graph is read from the source, not from rustc: an edge is a `crate::…` or `super::…`
//! path in production code (test modules are left out: a test may use anything), resolved to
//! the file that defines it, through the `pub use` re-exports of `mod.rs` and `lib.rs`. A
//! folder's `mod.rs` declaring and re-exporting its own files is not an edge: it is the folder's
//! door, and its files may use it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex_lite::Regex;

/// A module path inside one crate: `["adobe", "flow", "client"]`; the crate root is `[]`.
type Module = Vec<String>;

struct Crate {
    /// Each file's module and its production code (test modules cut out).
    files: BTreeMap<Module, String>,
    /// Names a `mod.rs` or `lib.rs` re-exports (`pub use child::{A, B}`), to the path (relative
    /// to that door) of the module they come from.
    reexports: BTreeMap<Module, BTreeMap<String, Vec<String>>>,
}

fn module_of(root: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(root).expect("under the root");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().expect("a file name");
    match last.as_str() {
        "mod.rs" | "lib.rs" | "main.rs" => {}
        other => parts.push(other.trim_end_matches(".rs").to_owned()),
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text with every `#[cfg(test)]` item (an inline `mod tests { … }`, a `mod x;` line, a
/// test-only function) removed, and the names of test-only child files.
fn production(text: &str) -> (String, BTreeSet<String>) {
    let mut out = String::new();
    let mut test_children = BTreeSet::new();
    let child = Regex::new(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;").unwrap();
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        // The item runs to its `;` or to the brace closing its first `{`, whichever comes first.
        let semi = after.find(';');
        let brace = after.find('{');
        let end = match (semi, brace) {
            (Some(s), Some(b)) if s < b => s + 1,
            (Some(s), None) => s + 1,
            (_, Some(b)) => {
                let mut depth = 0usize;
                let mut end = after.len();
                for (i, c) in after[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (None, None) => after.len(),
        };
        if let Some(m) = child.captures(&after[..end]) {
            test_children.insert(m[1].to_owned());
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    (out, test_children)
}

/// The leaves of a use tree, each as its path: `a::{b::C, D as E}` gives `[a, b, C]` and
/// `[a, D]` (an alias names the item it renames).
fn expand(tree: &str) -> Vec<Vec<String>> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or("");
        let segments: Vec<String> =
            path.split("::").map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
        return if segments.is_empty() { Vec::new() } else { vec![segments] };
    };
    let prefix: Vec<String> =
        tree[..open].split("::").map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    let mut out = Vec::new();
    for part in parts {
        for leaf in expand(part) {
            let mut full = prefix.clone();
            full.extend(leaf.into_iter().filter(|s| s != "self"));
            out.push(full);
        }
    }
    out
}

fn read_crate(root: &Path) -> Crate {
    let mut paths = Vec::new();
    rust_files(root, &mut paths);
    let mut raw = BTreeMap::new();
    let mut test_only: BTreeSet<Module> = BTreeSet::new();
    for path in paths {
        let module = module_of(root, &path);
        let text = std::fs::read_to_string(&path).expect("a readable file");
        let (code, test_children) = production(&text);
        for name in test_children {
            let mut child = module.clone();
            child.push(name);
            test_only.insert(child);
        }
        raw.insert(module, code);
    }
    let files: BTreeMap<Module, String> =
        raw.into_iter().filter(|(m, _)| !test_only.iter().any(|t| m.starts_with(t))).collect();
    let export = Regex::new(r"pub use ([^;]*);").unwrap();
    let mut reexports = BTreeMap::new();
    for (module, code) in &files {
        let mut names = BTreeMap::new();
        for m in export.captures_iter(code) {
            for mut leaf in expand(&m[1]) {
                // `crate::…`, `self::…` and `super::…` re-exports are uses already counted.
                if leaf.len() > 1 && !matches!(leaf[0].as_str(), "crate" | "self" | "super") {
                    let name = leaf.pop().expect("a leaf");
                    names.insert(name, leaf);
                }
            }
        }
        reexports.insert(module.clone(), names);
    }
    Crate { files, reexports }
}

impl Crate {
    /// The file a path names: the longest prefix that is a file, followed into the child a
    /// folder's door re-exports the next name from.
    fn resolve(&self, path: &[String]) -> Option<Module> {
        let len = (0..=path.len()).rev().find(|len| self.files.contains_key(&path[..*len]))?;
        let module = path[..len].to_vec();
        if let Some(next) = path.get(len) {
            if let Some(from) = self.reexports.get(&module).and_then(|r| r.get(next)) {
                let mut inner = module.clone();
                inner.extend(from.iter().cloned());
                inner.push(next.clone());
                if inner.len() > path.len() || inner[..] != path[..inner.len().min(path.len())] {
                    return self.resolve(&inner);
                }
            }
        }
        Some(module)
    }

    /// Every file each file uses, by `crate::` and `super::` paths (grouped `use` included).
    fn edges(&self) -> BTreeMap<Module, BTreeSet<Module>> {
        // A `use` takes its whole tree; a path in an expression or a type, its segments.
        let path = Regex::new(
            r"\b(crate|super)((?:::super)*)::(\{[^;]*\}|[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*(?:::\{[^;]*\})?)",
        )
        .unwrap();
        let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
        for (module, code) in &self.files {
            let is_door = self.files.keys().any(|m| m.len() > module.len() && m.starts_with(module));
            let from = edges.entry(module.clone()).or_default();
            for m in path.captures_iter(code) {
                let base: Module = if &m[1] == "crate" {
                    Vec::new()
                } else {
                    // `super` is the module above this one, in a folder's door as in a file.
                    let ups = 1 + m[2].matches("super").count();
                    module[..module.len().saturating_sub(ups)].to_vec()
                };
                for leaf in expand(&m[3]) {
                    let mut full = base.clone();
                    full.extend(leaf);
                    let Some(target) = self.resolve(&full) else { continue };
                    // A door re-exporting its own files is the folder's face, not a use.
                    let own_child = is_door && target.starts_with(module);
                    if &target != module && !own_child {
                        from.insert(target);
                    }
                }
            }
        }
        edges
    }
}

/// Groups of nodes that reach each other (Tarjan's strongly connected components, size > 1).
fn cycles<N: Ord + Clone>(edges: &BTreeMap<N, BTreeSet<N>>) -> Vec<Vec<N>> {
    struct State<N> {
        index: BTreeMap<N, usize>,
        low: BTreeMap<N, usize>,
        stack: Vec<N>,
        on: BTreeSet<N>,
        found: Vec<Vec<N>>,
    }
    fn visit<N: Ord + Clone>(n: &N, edges: &BTreeMap<N, BTreeSet<N>>, s: &mut State<N>) {
        let i = s.index.len();
        s.index.insert(n.clone(), i);
        s.low.insert(n.clone(), i);
        s.stack.push(n.clone());
        s.on.insert(n.clone());
        for m in edges.get(n).into_iter().flatten() {
            if !s.index.contains_key(m) {
                visit(m, edges, s);
                let low = s.low[n].min(s.low[m]);
                s.low.insert(n.clone(), low);
            } else if s.on.contains(m) {
                let low = s.low[n].min(s.index[m]);
                s.low.insert(n.clone(), low);
            }
        }
        if s.low[n] == s.index[n] {
            let mut group = Vec::new();
            while let Some(m) = s.stack.pop() {
                s.on.remove(&m);
                let done = &m == n;
                group.push(m);
                if done {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                s.found.push(group);
            }
        }
    }
    let mut s = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        found: Vec::new(),
    };
    for n in edges.keys() {
        if !s.index.contains_key(n) {
            visit(n, edges, &mut s);
        }
    }
    s.found
}

fn check(src: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(src);
    let krate = read_crate(&root);
    let edges = krate.edges();
    let name = |m: &Module| if m.is_empty() { "(root)".to_owned() } else { m.join("::") };
    let mut problems: Vec<String> = cycles(&edges)
        .into_iter()
        .map(|g| format!("{src}: files in a cycle: {}", g.iter().map(name).collect::<Vec<_>>().join(" ↔ ")))
        .collect();
    // Folders: a top-level module and everything under it is one node.
    let mut folders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in &edges {
        let Some(top) = from.first() else { continue };
        let entry = folders.entry(top.clone()).or_default();
        for to in tos {
            if let Some(other) = to.first().filter(|o| *o != top) {
                entry.insert(other.clone());
            }
        }
    }
    problems.extend(
        cycles(&folders).into_iter().map(|g| format!("{src}: folders in a cycle: {}", g.join(" ↔ "))),
    );
    problems
}

#[test]
fn no_file_or_folder_of_core_the_cli_or_the_app_needs_one_that_needs_it_back() {
    let problems: Vec<String> =
        ["src", "../../cli/src", "../../src-tauri/src"].into_iter().flat_map(check).collect();
    assert!(problems.is_empty(), "import cycles:\n{}", problems.join("\n"));
}

#[test]
fn the_check_sees_a_cycle_through_a_re_export_and_ignores_test_code() {
    let dir = std::env::temp_dir().join(format!("no-cycles-{}", std::process::id()));
    let write = |rel: &str, text: &str| {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("lib.rs", "pub mod a;\npub mod b;\n");
    write("a/mod.rs", "mod inner;\npub use inner::Thing;\n");
    write("a/inner.rs", "pub struct Thing(crate::b::Other);\n#[cfg(test)]\nmod tests { use crate::b; }\n");
    write("b.rs", "pub struct Other;\nfn f(_: crate::a::Thing) {}\n");
    let krate = read_crate(&dir);
    let edges = krate.edges();
    let a_inner: Module = vec!["a".into(), "inner".into()];
    let b: Module = vec!["b".into()];
    assert!(edges[&b].contains(&a_inner), "the use through a's re-export reaches the file: {edges:?}");
    assert_eq!(cycles(&edges), vec![vec![a_inner.clone(), b.clone()]]);
    write("b.rs", "pub struct Other;\n#[cfg(test)]\nfn f(_: crate::a::Thing) {}\n");
    assert!(cycles(&read_crate(&dir).edges()).is_empty(), "test code is no edge");
    std::fs::remove_dir_all(&dir).ok();
}
