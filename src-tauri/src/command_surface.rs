//! The window's command surface is written in four places: the build script's app manifest
//! (which makes a permission per command), the invoke handler, the capability that allows them,
//! and the UI's api modules that call them. This proves the four name the same commands, so
//! one left behind fails here instead of as a refused call in the window.

use std::collections::BTreeSet;

const BUILD: &str = include_str!("../build.rs");
const LIB: &str = include_str!("lib.rs");
const CAPABILITY: &str = include_str!("../capabilities/default.json");

/// Every `"snake_case"` string literal between `start` and the next `end`.
fn quoted(text: &str, start: &str, end: &str) -> BTreeSet<String> {
    let from = text.find(start).expect("the list's start") + start.len();
    let body = &text[from..from + text[from..].find(end).expect("the list's end")];
    body.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

fn handler() -> BTreeSet<String> {
    let from = LIB.find("generate_handler![").expect("the invoke handler");
    let body = &LIB[from..from + LIB[from..].find(']').expect("the handler's end")];
    body.split(',')
        .filter_map(|path| path.trim().rsplit("::").next())
        .filter(|name| !name.is_empty() && !name.contains('['))
        .map(str::to_owned)
        .collect()
}

fn capability() -> BTreeSet<String> {
    let json: serde_json::Value = serde_json::from_str(CAPABILITY).expect("the capability is JSON");
    json["permissions"]
        .as_array()
        .expect("a permission list")
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|name| name.replace('-', "_"))
        .collect()
}

/// The names the UI's api modules pass to their one `call` helper: `call<T>("name", …)`.
fn backend() -> BTreeSet<String> {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/api");
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(&folder).expect("ui/src/api") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "ts") {
            names.extend(called(&std::fs::read_to_string(&path).expect("readable")));
        }
    }
    names
}

fn called(module: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = module;
    while let Some(at) = rest.find("call") {
        let after = &rest[at + 4..];
        rest = after;
        let preceded = module.len() - after.len() - 4;
        let word_start = preceded == 0 || !module.as_bytes()[preceded - 1].is_ascii_alphanumeric();
        let Some(open) = after.find('(') else { break };
        let generics = after[..open].trim();
        if !word_start || !(generics.is_empty() || generics.starts_with('<')) {
            continue;
        }
        let args = after[open + 1..].trim_start();
        if let Some(name) = args.strip_prefix('"').and_then(|a| a.split('"').next()) {
            if name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                names.insert(name.to_owned());
            }
        }
    }
    names
}

#[test]
fn the_manifest_the_handler_the_capability_and_the_ui_name_the_same_commands() {
    let manifest = quoted(BUILD, ".commands(&[", "]");
    assert!(manifest.len() > 40, "the build script's list was read: {manifest:?}");
    assert_eq!(handler(), manifest, "generate_handler! against build.rs");
    assert_eq!(capability(), manifest, "capabilities/default.json against build.rs");
    assert_eq!(backend(), manifest, "ui/src/api/*.ts against build.rs");
}
