//! The Tauri shell of Flow Connect: wiring only. The work happens in `flow-connect-core`.

mod commands;
mod error;

use flow_connect_core::config::Endpoints;
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
        .manage(endpoints)
        .invoke_handler(tauri::generate_handler![
            commands::list_sources,
            commands::validate_form,
            commands::compose_connection_string,
            commands::split_connection_string,
        ])
        .run(tauri::generate_context!())
        .expect("the Tauri runtime starts");
}
