//! A start-up that cannot go on: why goes to the log and, since a user who double-clicked the
//! app reads no log, into a native message box. There is no app to ask the dialog plugin, so
//! the box is rfd's (GTK on Linux), the library the plugin itself uses, shown by a second run
//! of the app's own binary.

use std::any::Any;

/// The argument that has the app show a start-up failure's box and do nothing else.
const SHOW_FAILURE: &str = "--show-startup-failure";

/// Logs `reason`, shows it, and exits with `code`.
pub fn cannot_start(reason: &str, code: i32) -> ! {
    tracing::error!(reason, "Flow Connect cannot start");
    if can_show_a_box() {
        let text = format!(
            "{reason}\n\nFlow Connect could not start. If this persists, start it from a terminal \
             with FLOW_CONNECT_LOG=debug and report what it prints."
        );
        // In a process of its own: this one may have failed half way through starting the
        // window system, and GTK cannot be started again beside it.
        let shown = std::env::current_exe()
            .and_then(|exe| std::process::Command::new(exe).arg(SHOW_FAILURE).arg(text).status());
        if let Err(e) = shown {
            tracing::error!(error = %e, "the message box could not be shown either");
        }
    }
    std::process::exit(code);
}

/// In the process [`cannot_start`] starts: shows the box and says so; false in any other.
pub fn show_failure_if_asked() -> bool {
    let mut args = std::env::args_os().skip(1);
    if args.next().is_none_or(|a| a != SHOW_FAILURE) {
        return false;
    }
    let text = args.next().map(|a| a.to_string_lossy().into_owned()).unwrap_or_default();
    rfd::MessageDialog::new()
        .set_level(rfd::MessageLevel::Error)
        .set_title("Flow Connect could not start")
        .set_description(text)
        .set_buttons(rfd::MessageButtons::Ok)
        .show();
    true
}

/// The text of a caught panic, which is a `&str` or a `String` but for exotic payloads.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "the window system failed to start".to_owned())
}

/// Only where a display is: without one GTK cannot start and rfd would wait for it forever.
/// The end-to-end suites (a debug build answering its dialogs from a folder) read the log.
fn can_show_a_box() -> bool {
    if cfg!(debug_assertions) && std::env::var_os("FLOW_CONNECT_TEST_DIALOG_DIR").is_some() {
        return false;
    }
    if cfg!(target_os = "linux") {
        return std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_message_reads_str_and_string_payloads() {
        let caught = std::panic::catch_unwind(|| panic!("no {}", "display")).unwrap_err();
        assert_eq!(panic_message(caught.as_ref()), "no display");
        let caught = std::panic::catch_unwind(|| std::panic::panic_any("static")).unwrap_err();
        assert_eq!(panic_message(caught.as_ref()), "static");
        let caught = std::panic::catch_unwind(|| std::panic::panic_any(7_u8)).unwrap_err();
        assert_eq!(panic_message(caught.as_ref()), "the window system failed to start");
    }
}
