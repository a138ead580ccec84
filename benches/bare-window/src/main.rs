//! An empty Tauri v2 window: what the platform itself costs, for Flow Connect's benchmark.
//! It notes the same launch steps as Flow Connect does (see src-tauri/src/launch_marks.rs), in
//! the same form on stderr, so the benchmark's waterfall can set the two side by side.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::time::{SystemTime, UNIX_EPOCH};

fn mark(step: &str) {
    let at_us = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros());
    eprintln!("launch step step=\"{step}\" at_us={at_us}");
}

fn main() {
    mark("main");
    let app = tauri::Builder::default()
        .on_page_load(|_, payload| match payload.event() {
            tauri::webview::PageLoadEvent::Started => mark("page-started"),
            tauri::webview::PageLoadEvent::Finished => mark("page-finished"),
        })
        .setup(|_| {
            mark("setup");
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("the Tauri runtime starts");
    mark("built");
    app.run(|_, event| {
        if let tauri::RunEvent::Ready = event {
            mark("ready");
        }
    });
}
