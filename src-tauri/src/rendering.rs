//! How WebKitGTK draws the window. Flow Connect's screens are forms, lists and tables: no
//! video, canvas, 3D or heavy animation that GPU compositing would speed up. WebKit's
//! accelerated compositing still costs every start: its web process sets up OpenGL (on a
//! machine without a usable GPU, Mesa's software renderer, whose shaders are compiled at run
//! time) and keeps each layer as textures besides its pixels. Measured by `make bench`: about
//! 85 MiB less memory in the web process, an earlier first paint, and faster lists and tables
//! without it. A user who wants it back sets `WEBKIT_DISABLE_COMPOSITING_MODE=0`.
//!
//! Through WebKit's environment variable rather than the web view's settings: WebKit reads it
//! before it makes the web view, whereas a setting changed once the view exists has WebKit
//! switch modes while the page starts (about 45 ms later to the first navigation, measured).
//! Programs the app starts inherit it (the browser opened for a consent); only WebKitGTK ones
//! read it, and they then draw the same without compositing.

/// WebKit's switch; any value but "0" turns compositing off.
const VARIABLE: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Turns WebKit's accelerated compositing off unless the user's environment says otherwise.
/// Called first thing in `run`: the environment may only change while no other thread can
/// read it, and WebKit must see it before it starts.
pub fn prefer_software_rendering() {
    if cfg!(target_os = "linux") && std::env::var_os(VARIABLE).is_none() {
        std::env::set_var(VARIABLE, "1");
    }
}
