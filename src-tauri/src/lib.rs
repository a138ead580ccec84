//! The Tauri shell of Flow Connect: wiring only. The work happens in `flow-connect-core`.

mod commands;
mod error;
mod file_dialog;
mod launch_marks;
mod notifications;
mod preferences;
mod rendering;
#[cfg(target_os = "linux")]
mod single_instance;
mod startup;
mod window_state;

use flow_connect_core::config::{self, Endpoints};
use flow_connect_core::operations::Operations;
use tauri::Manager;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub use error::{CommandError, ErrorCode};

/// Starts the app. Fails early, with the variable's name, when an endpoint is misconfigured.
pub fn run() {
    let entered = launch_marks::now_us();
    // Before any thread exists (see the module).
    rendering::prefer_software_rendering();
    if startup::show_failure_if_asked() {
        return;
    }
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(log_filter(std::env::var("FLOW_CONNECT_LOG").ok().as_deref()))
        .init();
    launch_marks::mark_at("main", entered);

    let endpoints = match Endpoints::from_env() {
        Ok(endpoints) => endpoints,
        Err(err) => startup::cannot_start(&err.to_string(), 2),
    };
    tracing::info!(
        platform = %config::shown(&endpoints.platform),
        ims = %config::shown(&endpoints.ims),
        "Flow Connect starting"
    );

    let context = tauri::generate_context!();
    // Before anything opens: a second launch hands over to the first and ends here.
    #[cfg(target_os = "linux")]
    let instance = match single_instance::claim(&context.config().identifier) {
        single_instance::Claim::HandedOver => {
            tracing::info!("the running Flow Connect took over");
            return;
        }
        single_instance::Claim::First(instance) => instance,
    };
    launch_marks::mark("claimed");
    #[cfg(target_os = "linux")]
    let (on_close, on_setup) = (instance.clone(), instance.clone());

    let builder = tauri::Builder::default();
    // First, so a second launch hands over before it opens anything of its own.
    #[cfg(not(target_os = "linux"))]
    let builder = builder.plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
        tracing::info!("a second launch handed over; focusing the window");
        if let Some(window) = app.get_webview_window("main") {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
    }));
    let builder = builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_dialog::init())
        // Size, position and maximised state; saved as they change (below), since an app that
        // is killed never runs the plugin's save on exit.
        .plugin(tauri_plugin_window_state::Builder::new().build())
        .on_window_event(move |window, event| {
            window_state::remember(window, event);
            #[cfg(target_os = "linux")]
            on_close.on_window_event(window, event);
        })
        .on_page_load(|_, payload| match payload.event() {
            tauri::webview::PageLoadEvent::Started => launch_marks::mark("page-started"),
            tauri::webview::PageLoadEvent::Finished => launch_marks::mark("page-finished"),
        })
        .setup(move |app| {
            // The window is made (and its page requested) just before this runs.
            launch_marks::mark("setup");
            #[cfg(target_os = "linux")]
            on_setup.started(app.handle());
            // Tauri runs this inside the event loop and panics on an error returned from it:
            // a start-up that cannot go on is told here instead.
            let identifier = app.config().identifier.clone();
            let ops = app
                .path()
                .app_data_dir()
                .map_err(|e| format!("Flow Connect found no folder for its data ({e})."))
                .and_then(|data_dir| {
                    // The start-up notices are handed out again by `take_notices`, with later ones.
                    Operations::open(endpoints, &identifier, &data_dir)
                        .map(|(ops, _)| ops)
                        .map_err(|e| e.to_string())
                })
                .unwrap_or_else(|reason| startup::cannot_start(&reason, 1));
            app.manage(ops);
            launch_marks::mark("managed");
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let ops = handle.state::<Operations>();
                // Builds the HTTP client while the window loads, so the first request does not
                // pay for it; a failure is reported again, with its advice, to the first
                // command that needs HTTP.
                let _ = ops.http().await;
                launch_marks::mark("http-client");
                ops.finish_migrations().await;
                ops.sweep_secret_sets().await;
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::catalog::validate_form,
            commands::catalog::compose_connection_string,
            commands::catalog::split_connection_string,
            commands::catalog::load_source,
            commands::catalog::catalog_sources,
            commands::catalog::refresh_catalog,
            commands::catalog::search_catalog,
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
            commands::profiles::take_notices,
            commands::profiles::save_profile,
            commands::profiles::open_profile,
            commands::profiles::rename_profile,
            commands::profiles::duplicate_profile,
            commands::profiles::delete_profile,
            commands::profiles::export_profiles,
            commands::profiles::import_profiles,
            commands::profiles::discard_secrets,
            commands::consent::import_google_client,
            commands::key_files::import_key_file,
            commands::consent::begin_consent,
            commands::consent::finish_consent,
            commands::promotion::begin_promotion_consent,
            commands::promotion::finish_promotion_consent,
            commands::consent::paste_consent,
            commands::consent::cancel_consent,
            commands::consent::verify_google_token,
            commands::consent::revoke_google_token,
            commands::consent::google_tokens,
            commands::consent::reuse_google_token,
            commands::preferences::load_preferences,
            commands::preferences::save_preferences,
            commands::notifications::show_notification,
            commands::connections::check_credentials,
            commands::connections::make_key_pair,
            commands::connections::sign_jwt,
            commands::connections::mint_token,
            commands::credentials::expiring_credentials,
            commands::credentials::renew_signed_credential,
            commands::promotion::export_connection,
            commands::promotion::plan_promotion,
            commands::promotion::drifted_connections,
            commands::promotion::apply_promotion,
            commands::lifecycle::explore_connection,
            commands::lifecycle::table_details,
            commands::lifecycle::connection_health,
            commands::lifecycle::flow_summaries,
            commands::lifecycle::open_renew,
            commands::lifecycle::renew_connection,
            commands::lifecycle::connection_origins,
            commands::lifecycle::profile_token,
            commands::lifecycle::record_profile_token,
            commands::lifecycle::token_status,
            commands::lifecycle::mark_testing_client,
            commands::dataflows::dataflow_options,
            commands::dataflows::plan_dataflow,
            commands::dataflows::make_dataflow_target,
            commands::dataflows::create_dataflow,
            commands::dataflows::resume_dataflow,
            commands::dataflows::undo_dataflow,
            commands::dataflows::connection_dataflows,
            commands::dataflows::dataflow_details,
            commands::dataflows::dataflow_runs,
            commands::dataflows::dataflow_failed_rows,
            commands::dataflows::dataflow_mapping,
            commands::dataflows::set_dataflow_enabled,
            commands::dataflows::delete_dataflow,
            commands::dataflows::change_dataflow,
        ]);
    // A start-up that fails (the data folder, the display, a plugin) says why and exits; it
    // never ends in a panic the user does not see.
    let app = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.build(context))) {
        Ok(Ok(app)) => {
            launch_marks::mark("built");
            app
        }
        Ok(Err(e)) => startup::cannot_start(&e.to_string(), 1),
        Err(panic) => startup::cannot_start(&startup::panic_message(panic.as_ref()), 1),
    };
    let started = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ran = {
        let started = std::sync::Arc::clone(&started);
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            app.run(move |_, event| match event {
                tauri::RunEvent::Ready => {
                    launch_marks::mark("ready");
                    started.store(true, std::sync::atomic::Ordering::SeqCst);
                }
                tauri::RunEvent::Exit => {
                    #[cfg(target_os = "linux")]
                    instance.release();
                }
                _ => {}
            });
        }))
    };
    // A plugin's setup that fails panics in the event loop, before the app is ready.
    if let Err(panic) = ran {
        if started.load(std::sync::atomic::Ordering::SeqCst) {
            std::panic::resume_unwind(panic);
        }
        startup::cannot_start(&startup::panic_message(panic.as_ref()), 1);
    }
}

/// `FLOW_CONNECT_LOG` as `info` or `warn,flow_connect_core=debug`: a level per target, which is
/// all the app needs (a full `EnvFilter` links a regex engine for span-field matching).
/// A value that does not parse is reported and `info` used, rather than going silent.
fn log_filter(setting: Option<&str>) -> Targets {
    let info = Targets::new().with_default(LevelFilter::INFO);
    match setting.map(str::trim).filter(|s| !s.is_empty()) {
        None => info,
        Some(value) => value.parse().unwrap_or_else(|e| {
            eprintln!("FLOW_CONNECT_LOG={value:?} is not a log filter ({e}); logging at info");
            info
        }),
    }
}

#[cfg(test)]
mod command_surface;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_filter_reads_levels_per_target_and_falls_back_to_info() {
        let default = log_filter(None);
        assert!(default.would_enable("flow_connect_core::adobe::flow", &tracing::Level::INFO));
        assert!(!default.would_enable("flow_connect_core::adobe::flow", &tracing::Level::DEBUG));

        let custom = log_filter(Some("warn,flow_connect_core=debug"));
        assert!(custom.would_enable("flow_connect_core::adobe::flow", &tracing::Level::DEBUG));
        assert!(!custom.would_enable("flow_connect_lib", &tracing::Level::INFO));
        assert!(custom.would_enable("flow_connect_lib", &tracing::Level::WARN));

        let broken = log_filter(Some("flow_connect_core=loud"));
        assert!(broken.would_enable("anything", &tracing::Level::INFO));
        assert!(!broken.would_enable("anything", &tracing::Level::DEBUG));
    }
}
