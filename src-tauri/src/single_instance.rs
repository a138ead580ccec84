//! One Flow Connect per desktop session, on Linux: the first instance owns a D-Bus name and a
//! second launch hands over to it (the first focuses its window) and exits.
//!
//! Done here rather than by tauri-plugin-single-instance, whose hand-over ends start-up with an
//! error when the owner is shutting down (the user closed the window and opened the app again
//! at once): the call gets `NoReply` as the old process goes, or is accepted by a process that
//! never shows a window again. Here an instance that is closing gives its name up first and
//! refuses hand-overs, a failed hand-over is retried for a few seconds, and a launch that still
//! finds no live owner starts as the first instance. Nothing here stops the app from starting.
//! The name, path and method are the plugin's, so either side may be an older build.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use tauri::{AppHandle, Manager, Runtime, Window, WindowEvent, Wry};
use zbus::blocking::Connection;
use zbus::fdo::{RequestNameFlags, RequestNameReply};
use zbus::names::BusName;

/// How long a launch keeps trying to hand over before it starts as the first instance: long
/// enough for an instance that is closing to let go of its name, short for the user waiting.
const PATIENCE: Duration = Duration::from_secs(4);
/// Between two tries.
const RETRY_EVERY: Duration = Duration::from_millis(150);
/// The most one call to the bus may take: an owner that is stuck must not stall the launch.
const CALL_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the owner waits for its window to be focused before it says it could not.
const FOCUS_TIMEOUT: Duration = Duration::from_secs(2);
/// How long after focusing the owner still takes a close into account.
const CLOSE_GRACE: Duration = Duration::from_millis(200);
/// How long a launch that handed over watches the owner keep its name before it exits.
const OWNER_WATCH: Duration = Duration::from_secs(2);

const INTERFACE: &str = "org.SingleInstance.DBus";

/// What [`claim`] found.
#[derive(Debug)]
pub enum Claim {
    /// This launch is the app: it holds the name (or there is no session bus to hold it on).
    First(Instance),
    /// A running instance took over (and focused its window): this launch exits.
    HandedOver,
}

/// The first instance's hold on the name, and what hand-overs to it need.
#[derive(Debug, Clone, Default)]
pub struct Instance {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    /// `None` without a session bus, and once the name is given up.
    connection: Mutex<Option<Connection>>,
    name: String,
    app: OnceLock<AppHandle<Wry>>,
    closing: AtomicBool,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("name", &self.name)
            .field("closing", &self.closing.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// The D-Bus object a second launch calls.
struct Handover {
    shared: Arc<Shared>,
}

#[zbus::interface(name = "org.SingleInstance.DBus")]
impl Handover {
    /// A second launch: answered only once the window is focused, so that launch exits only
    /// when there is a window for the user. An error tells it to try again.
    async fn execute_callback(&self, _argv: Vec<String>, _cwd: String) -> zbus::fdo::Result<()> {
        let shared = Arc::clone(&self.shared);
        // Off the bus's executor: the main thread may be busy giving the name up.
        let focused =
            tauri::async_runtime::spawn_blocking(move || focus_when_ready(&shared)).await.unwrap_or(false);
        if focused {
            Ok(())
        } else {
            Err(zbus::fdo::Error::Failed("Flow Connect is closing: start it again.".into()))
        }
    }
}

/// Focuses the window once the app has started (a launch may come while this one is still
/// starting), unless the app is closing or closes right after.
fn focus_when_ready(shared: &Arc<Shared>) -> bool {
    let deadline = Instant::now() + FOCUS_TIMEOUT;
    let app = loop {
        if shared.closing.load(Ordering::SeqCst) {
            return false;
        }
        if let Some(app) = shared.app.get() {
            break app.clone();
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let (handle, on_main) = (app.clone(), Arc::clone(shared));
    let on_main_thread = move || {
        let _ = tx.send(focus(&handle, &on_main));
    };
    if app.run_on_main_thread(on_main_thread).is_err() {
        return false;
    }
    let focused = rx.recv_timeout(FOCUS_TIMEOUT).unwrap_or(false);
    // A close the user asked for just before this launch may still be on its way to the
    // window: had it come, this launch would exit with no window left to show.
    std::thread::sleep(CLOSE_GRACE);
    focused && !shared.closing.load(Ordering::SeqCst)
}

/// On the main thread, after any close the user asked for first.
fn focus(app: &AppHandle<Wry>, shared: &Shared) -> bool {
    if shared.closing.load(Ordering::SeqCst) {
        return false;
    }
    let Some(window) = app.get_webview_window("main") else { return false };
    tracing::info!("a second launch handed over; focusing the window");
    let _ = window.unminimize();
    let _ = window.show();
    let _ = window.set_focus();
    true
}

/// Claims the name `{identifier}.SingleInstance`, or hands over to its owner. Blocks for at
/// most a few seconds; any failure of the bus means starting as the first instance.
pub fn claim(identifier: &str) -> Claim {
    let name = format!("{identifier}.SingleInstance");
    let path = format!("/{}", name.replace('.', "/").replace('-', "_"));
    let connection = match zbus::blocking::connection::Builder::session()
        .map(|b| b.method_timeout(CALL_TIMEOUT))
        .and_then(zbus::blocking::connection::Builder::build)
    {
        Ok(connection) => connection,
        Err(e) => {
            tracing::warn!(error = %e, "no D-Bus session bus: starting without the single-instance check");
            return Claim::First(Instance::default());
        }
    };
    let shared = Arc::new(Shared { name: name.clone(), ..Shared::default() });
    // Served before the name is ours, so no hand-over that finds the name finds no object.
    if let Err(e) = connection.object_server().at(path.as_str(), Handover { shared: Arc::clone(&shared) }) {
        tracing::warn!(error = %e, "cannot serve the single-instance object: starting without it");
        return Claim::First(Instance::default());
    }
    let deadline = Instant::now() + PATIENCE;
    loop {
        match connection.request_name_with_flags(name.as_str(), RequestNameFlags::DoNotQueue.into()) {
            Ok(RequestNameReply::PrimaryOwner | RequestNameReply::AlreadyOwner) => {
                *shared.connection.lock().unwrap_or_else(PoisonError::into_inner) = Some(connection);
                return Claim::First(Instance { shared });
            }
            Ok(RequestNameReply::Exists | RequestNameReply::InQueue) | Err(zbus::Error::NameTaken) => {}
            Err(e) => {
                tracing::warn!(error = %e, "cannot claim the single-instance name: starting without it");
                return Claim::First(Instance::default());
            }
        }
        match hand_over(&connection, &name, &path) {
            Ok(()) if owner_stays(&connection, &name) => return Claim::HandedOver,
            Ok(()) => tracing::info!("the Flow Connect that took over is closing: trying again"),
            Err(e) => tracing::warn!(error = %e, "the running Flow Connect did not take over"),
        }
        if Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(RETRY_EVERY);
    }
    // The owner is alive but does not answer. Queue for the name, so it becomes ours when the
    // other one goes and later launches then find this window.
    tracing::warn!("starting as the first instance: no running Flow Connect answered");
    let _ = connection.request_name_with_flags(name.as_str(), Default::default());
    *shared.connection.lock().unwrap_or_else(PoisonError::into_inner) = Some(connection);
    Claim::First(Instance { shared })
}

/// After a hand-over: whether the instance that took it keeps the name for a moment. One the
/// user asked to close just before this launch answers from the bus's thread and may only then
/// run that close, on its main thread, which gives the name up: this launch must not exit
/// into no window at all.
fn owner_stays(connection: &Connection, name: &str) -> bool {
    let (Ok(dbus), Ok(bus_name)) = (zbus::blocking::fdo::DBusProxy::new(connection), BusName::try_from(name))
    else {
        return true;
    };
    let owner = || dbus.get_name_owner(bus_name.clone()).ok();
    let Some(first) = owner() else { return false };
    let deadline = Instant::now() + OWNER_WATCH;
    while Instant::now() < deadline {
        std::thread::sleep(RETRY_EVERY);
        if owner().as_ref() != Some(&first) {
            return false;
        }
    }
    true
}

fn hand_over(connection: &Connection, name: &str, path: &str) -> zbus::Result<()> {
    let argv: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    let cwd = std::env::current_dir().unwrap_or_default().to_string_lossy().into_owned();
    connection.call_method(Some(name), path, Some(INTERFACE), "ExecuteCallback", &(argv, cwd.as_str()))?;
    Ok(())
}

impl Instance {
    /// The running app, for focusing its window when a later launch hands over.
    pub fn started(&self, app: &AppHandle<Wry>) {
        let _ = self.shared.app.set(app.clone());
    }

    /// The main window is closing, so the app is: from now on hand-overs are refused and the
    /// name is free for the next launch, which then opens a window of its own.
    pub fn on_window_event<R: Runtime>(&self, window: &Window<R>, event: &WindowEvent) {
        if window.label() == "main"
            && matches!(event, WindowEvent::CloseRequested { .. } | WindowEvent::Destroyed)
        {
            self.release();
        }
    }

    /// Gives the name up (once); also at exit, whatever ended the app.
    pub fn release(&self) {
        self.shared.closing.store(true, Ordering::SeqCst);
        let connection = self.shared.connection.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(connection) = connection {
            if let Err(e) = connection.release_name(self.shared.name.as_str()) {
                tracing::warn!(error = %e, "could not give up the single-instance name");
            }
        }
    }
}
