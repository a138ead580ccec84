//! The Tauri shell of Flow Connect: wiring only. The work happens in `flow-connect-core`.

mod accounts_store;
mod commands;
mod consent_slot;
mod error;
mod state;

use flow_connect_core::config::Endpoints;
use tauri::Manager;
use tracing_subscriber::EnvFilter;

pub use error::{CommandError, ErrorCode};

/// Starts the app. Fails early, with the variable's name, when an endpoint is misconfigured.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("FLOW_CONNECT_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let endpoints = match Endpoints::from_env() {
        Ok(endpoints) => endpoints,
        Err(err) => {
            tracing::error!("{err}");
            std::process::exit(2);
        }
    };
    tracing::info!(platform = %endpoints.platform, ims = %endpoints.ims, "Flow Connect starting");

    tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_opener::init())
        .setup(move |app| {
            let identifier = app.config().identifier.clone();
            let data_dir = app.path().app_data_dir()?;
            let state = state::AppState::new(endpoints, &identifier, &data_dir)?;
            app.manage(state);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::catalog::list_sources,
            commands::catalog::validate_form,
            commands::catalog::compose_connection_string,
            commands::catalog::split_connection_string,
            commands::catalog::load_source,
            commands::accounts::list_accounts,
            commands::accounts::save_account,
            commands::accounts::delete_account,
            commands::accounts::sign_in,
            commands::connections::preview_connection,
            commands::connections::create_connection,
            commands::connections::test_connection,
            commands::connections::list_connections,
            commands::connections::rename_connection,
            commands::connections::delete_connection,
            commands::profiles::list_profiles,
            commands::profiles::take_profiles_notice,
            commands::profiles::save_profile,
            commands::profiles::open_profile,
            commands::profiles::rename_profile,
            commands::profiles::duplicate_profile,
            commands::profiles::delete_profile,
            commands::profiles::export_profiles,
            commands::profiles::import_profiles,
            commands::google::import_google_client,
            commands::google::begin_consent,
            commands::google::finish_consent,
            commands::google::paste_consent,
            commands::google::cancel_consent,
            commands::google::verify_google_token,
            commands::google::revoke_google_token,
        ])
        .run(tauri::generate_context!())
        .expect("the Tauri runtime starts");
}
