//! How WebKitGTK draws the window. Flow Connect's screens are forms, lists and tables: no
//! video, canvas, 3D or heavy animation that GPU compositing would speed up. WebKit's
//! accelerated compositing still costs every start: its web process sets up OpenGL (on a
//! machine without a usable GPU, Mesa's software renderer, whose shaders are compiled at run
//! time) and keeps each layer as textures besides its pixels. Measured by `make bench`: about
//! 90 MiB less memory in the web process and an earlier first paint without it. A user who
//! wants it back sets `WEBKIT_DISABLE_COMPOSITING_MODE=0`.

use tauri::{Runtime, WebviewWindow};

/// Has `window`'s web view draw without accelerated compositing, unless the user's
/// environment says otherwise.
pub fn prefer_software_rendering<R: Runtime>(window: &WebviewWindow<R>) {
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_some() {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        let applied = window.with_webview(|webview| {
            if let Some(settings) = webview.inner().settings() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        });
        if let Err(e) = applied {
            tracing::warn!(error = %e, "the window keeps WebKit's accelerated compositing");
        }
    }
    // Elsewhere the system web view decides for itself.
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}
