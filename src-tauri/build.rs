fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&["list_sources"])),
    )
    .expect("the Tauri build script runs");
}
