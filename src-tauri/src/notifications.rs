//! Desktop notifications, such as the end of a dataflow run the user is watching: one call of
//! the freedesktop Notifications service on the session bus, which every Linux desktop runs.
//! The app already speaks D-Bus through zbus (the single-instance check), so this is a proxy of
//! one method rather than another notification crate and its own D-Bus stack.

use std::collections::HashMap;
use std::time::Duration;

use zbus::zvariant::Value;

/// What the desktop is given, cut to what a notification bubble shows.
const MAX_SUMMARY_CHARS: usize = 120;
const MAX_BODY_CHARS: usize = 600;
/// A desktop without a notification service must not keep the call waiting.
const CALL_TIMEOUT: Duration = Duration::from_secs(3);

#[zbus::proxy(
    interface = "org.freedesktop.Notifications",
    default_service = "org.freedesktop.Notifications",
    default_path = "/org/freedesktop/Notifications",
    gen_async = false
)]
trait Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: &str,
        replaces_id: u32,
        app_icon: &str,
        summary: &str,
        body: &str,
        actions: &[&str],
        hints: HashMap<&str, Value<'_>>,
        expire_timeout: i32,
    ) -> zbus::Result<u32>;
}

/// Shows `summary` and `body` as a desktop notification. Blocks for at most a few seconds, so
/// it runs on a blocking thread; a desktop without the service only logs it, since the window
/// has already shown the same text.
pub fn show(summary: &str, body: &str) {
    let summary: String = summary.chars().take(MAX_SUMMARY_CHARS).collect();
    let body: String = body.chars().take(MAX_BODY_CHARS).collect();
    let sent = zbus::blocking::connection::Builder::session()
        .map(|b| b.method_timeout(CALL_TIMEOUT))
        .and_then(zbus::blocking::connection::Builder::build)
        .and_then(|connection| {
            NotificationsProxy::new(&connection)?.notify(
                "Flow Connect",
                0,
                "io.flowconnect.desktop",
                &summary,
                &body,
                &[],
                HashMap::new(),
                -1,
            )
        });
    if let Err(e) = sent {
        tracing::info!(error = %e, "no desktop notification shown");
    }
}
