fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "list_sources",
            "validate_form",
            "compose_connection_string",
            "split_connection_string",
            "load_source",
            "list_accounts",
            "save_account",
            "delete_account",
            "sign_in",
            "preview_connection",
            "create_connection",
            "test_connection",
            "import_google_client",
            "begin_consent",
            "finish_consent",
            "paste_consent",
            "cancel_consent",
            "verify_google_token",
            "revoke_google_token",
        ]),
    ))
    .expect("the Tauri build script runs");
}
