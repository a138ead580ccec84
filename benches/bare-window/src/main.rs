//! An empty Tauri v2 window: what the platform itself costs, for Flow Connect's benchmark.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tauri::Builder::default().run(tauri::generate_context!()).expect("the Tauri runtime starts");
}
