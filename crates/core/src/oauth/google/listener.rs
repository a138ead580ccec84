//! The loopback listener that catches Google's consent redirect. Browsers open idle
//! "preconnect" sockets and may send other requests (a favicon), so every connection is served
//! on its own with a short read timeout, other paths get 404, and only a request on the
//! redirect path whose `state` is this sign-in's ends the wait: any other program on the
//! machine, or a web page pointing an image at the port, gets 400 and cannot end or hijack
//! it. At most [`MAX_CONNECTIONS`] are served at once. The ports close when the wait ends:
//! with an answer, after the time limit, or on cancel.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, Notify, Semaphore};
use url::Url;

use crate::secret::Secret;

/// How long one connection may take to send its request line and headers.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections served at once; a browser needs two or three, a flood waits its turn.
pub const MAX_CONNECTIONS: usize = 16;
/// How long a connection beyond the cap waits for a slot before it is closed.
const SLOT_WAIT: Duration = Duration::from_secs(10);
/// The pause after a failed `accept` (out of file descriptors, say), so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Flow Connect</title>\
<body style=\"font-family:system-ui;margin:3rem\"><h1>You can close this tab</h1>\
<p>Flow Connect received Google's answer. Return to the app to continue.</p></body>";

const WRONG_STATE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Flow Connect</title>\
<body style=\"font-family:system-ui;margin:3rem\"><h1>Not this sign-in</h1>\
<p>This answer does not belong to the sign-in Flow Connect is waiting for. Start the sign-in from the app.</p></body>";

/// What Google's redirect carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    Code { code: Secret, state: String },
    Error { error: String, description: Option<String>, state: String },
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListenerError {
    #[error("Could not listen on port {port} ({reason}). Close the program using that port, or use a Desktop app client, which can take any port.")]
    Bind { port: u16, reason: String },
    #[error("No answer came from Google within {minutes} minutes. Start the sign-in again.")]
    TimedOut { minutes: u64 },
    #[error("Sign-in with Google was cancelled.")]
    Cancelled,
}

/// Ends a wait early, from anywhere.
#[derive(Debug, Clone)]
pub struct Canceller(Arc<Notify>);

impl Canceller {
    pub fn cancel(&self) {
        self.0.notify_one();
    }
}

/// Where the listener listens: the host of the redirect URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopbackHost {
    /// `127.0.0.1`.
    V4,
    /// `[::1]`.
    V6,
    /// `localhost`, which a browser may resolve to either: both are bound (`::1` when the
    /// machine has IPv6).
    Localhost,
}

/// A listener on the loopback interface, waiting for one redirect.
#[derive(Debug)]
pub struct CallbackListener {
    listeners: Vec<TcpListener>,
    path: String,
    port: u16,
    cancel: Arc<Notify>,
}

impl CallbackListener {
    /// Binds `127.0.0.1:port` (0 picks a free port, for Desktop app clients) for `path`.
    pub async fn bind(port: u16, path: &str) -> Result<Self, ListenerError> {
        Self::bind_on(LoopbackHost::V4, port, path).await
    }

    /// Binds `host` at `port` for `path`.
    pub async fn bind_on(host: LoopbackHost, port: u16, path: &str) -> Result<Self, ListenerError> {
        let bind = |ip: IpAddr| async move {
            TcpListener::bind((ip, port))
                .await
                .map_err(|e| ListenerError::Bind { port, reason: e.to_string() })
        };
        let mut listeners = Vec::new();
        match host {
            LoopbackHost::V4 => listeners.push(bind(Ipv4Addr::LOCALHOST.into()).await?),
            LoopbackHost::V6 => listeners.push(bind(Ipv6Addr::LOCALHOST.into()).await?),
            LoopbackHost::Localhost => {
                let first = bind(Ipv4Addr::LOCALHOST.into()).await?;
                // The same port on ::1 (a free port was picked on 127.0.0.1 first).
                let port = first
                    .local_addr()
                    .map_err(|e| ListenerError::Bind { port, reason: e.to_string() })?
                    .port();
                listeners.push(first);
                match TcpListener::bind((Ipv6Addr::LOCALHOST, port)).await {
                    Ok(second) => listeners.push(second),
                    // Another program holds [::1]:PORT: a browser that resolves localhost to
                    // ::1 would hand it Google's code, so this is no place to listen.
                    Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                        return Err(ListenerError::Bind {
                            port,
                            reason: format!("[::1]:{port} is in use: {e}"),
                        });
                    }
                    Err(e) => tracing::debug!(error = %e, "no IPv6 loopback; listening on 127.0.0.1 only"),
                }
            }
        }
        let port = listeners[0]
            .local_addr()
            .map_err(|e| ListenerError::Bind { port, reason: e.to_string() })?
            .port();
        let path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
        Ok(Self { listeners, path, port, cancel: Arc::new(Notify::new()) })
    }

    /// The redirect URI to register and send: `http://127.0.0.1:PORT/PATH`.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.path)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// How many addresses it listens on (two for `localhost` on a machine with IPv6).
    pub fn addresses(&self) -> usize {
        self.listeners.len()
    }

    pub fn canceller(&self) -> Canceller {
        Canceller(Arc::clone(&self.cancel))
    }

    /// Serves until a redirect carrying `state` arrives, `limit` passes, or the wait is
    /// cancelled. The ports are closed when this returns.
    pub async fn wait(self, limit: Duration, state: &str) -> Result<Callback, ListenerError> {
        let (sender, receiver) = oneshot::channel();
        let shared = Arc::new(Shared {
            sender: Mutex::new(Some(sender)),
            path: self.path,
            state: state.to_owned(),
            slots: Semaphore::new(MAX_CONNECTIONS),
        });
        // Dropping the set when the wait ends aborts the accept loops and closes the ports.
        let mut loops = tokio::task::JoinSet::new();
        for listener in self.listeners {
            loops.spawn(accept_loop(listener, Arc::clone(&shared)));
        }
        let minutes = limit.as_secs().div_ceil(60).max(1);
        tokio::select! {
            answer = receiver => answer.map_err(|_| ListenerError::Cancelled),
            () = tokio::time::sleep(limit) => Err(ListenerError::TimedOut { minutes }),
            () = self.cancel.notified() => Err(ListenerError::Cancelled),
        }
    }
}

struct Shared {
    sender: Mutex<Option<oneshot::Sender<Callback>>>,
    path: String,
    state: String,
    slots: Semaphore,
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::debug!(error = %e, "accept failed; pausing");
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            // Beyond the cap a connection waits for a slot, for a while; then it is closed.
            let slot = tokio::time::timeout(SLOT_WAIT, shared.slots.acquire()).await;
            let Ok(Ok(_slot)) = slot else { return };
            // One slow or broken connection never holds up the others.
            let _ = serve(stream, &shared).await;
        });
    }
}

async fn serve(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let Some(target) = read_request_target(&mut stream).await? else { return Ok(()) };
    let callback = Url::parse(&format!("http://127.0.0.1{target}"))
        .ok()
        .filter(|url| url.path() == shared.path)
        .and_then(|url| parse_callback(&url));
    let Some(callback) = callback else {
        return respond(&mut stream, "404 Not Found", "Not found").await;
    };
    let state = match &callback {
        Callback::Code { state, .. } | Callback::Error { state, .. } => state,
    };
    if !state_matches(&shared.state, state) {
        tracing::warn!("a redirect with another sign-in's state was refused");
        return respond(&mut stream, "400 Bad Request", WRONG_STATE_PAGE).await;
    }
    let taken = shared.sender.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some(sender) = taken {
        let _ = sender.send(callback);
    }
    respond(&mut stream, "200 OK", DONE_PAGE).await
}

/// Reads the request head and returns the request target of a `GET`, or `None` for anything
/// that is not one in time.
async fn read_request_target(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let read_head = async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&chunk[..n]);
        }
        Ok::<_, std::io::Error>(())
    };
    if tokio::time::timeout(READ_TIMEOUT, read_head).await.is_err() {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&head);
    let mut words = text.lines().next().unwrap_or_default().split_whitespace();
    match (words.next(), words.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Ok(Some(target.to_owned())),
        _ => Ok(None),
    }
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

/// Waits for the redirect on `listener` within `limit`; with no listener (the port could not
/// be bound, or the provider takes https redirects only) only a paste can answer, so this just
/// lets the time run out.
pub async fn wait_or_time_out(
    listener: Option<CallbackListener>,
    limit: Duration,
    state: &str,
) -> Result<Callback, ListenerError> {
    match listener {
        Some(listener) => listener.wait(limit, state).await,
        None => {
            tokio::time::sleep(limit).await;
            Err(ListenerError::TimedOut { minutes: limit.as_secs().div_ceil(60).max(1) })
        }
    }
}

/// Reads `code` or `error` (with `state`) from a redirect URL, the one the browser was sent to
/// or one the user pasted.
pub fn parse_callback(url: &Url) -> Option<Callback> {
    // The answer comes in the query; a pasted address may carry it in the fragment instead.
    let in_query = url.query_pairs().any(|(k, _)| k == "code" || k == "error");
    let pairs: Vec<(String, String)> = if in_query {
        url.query_pairs().into_owned().collect()
    } else {
        url::form_urlencoded::parse(url.fragment().unwrap_or_default().as_bytes()).into_owned().collect()
    };
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let state = get("state").unwrap_or_default();
    if let Some(error) = get("error") {
        return Some(Callback::Error { error, description: get("error_description"), state });
    }
    get("code").filter(|c| !c.is_empty()).map(|code| Callback::Code { code: Secret::new(code), state })
}

/// Compares the returned `state` with the one sent, in time independent of where they differ.
pub fn state_matches(expected: &str, returned: &str) -> bool {
    let (a, b) = (expected.as_bytes(), returned.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_codes_and_errors() {
        let url = Url::parse("http://127.0.0.1:1/?state=s1&code=4/0Ab&scope=x").expect("url");
        assert_eq!(
            parse_callback(&url),
            Some(Callback::Code { code: Secret::new("4/0Ab"), state: "s1".into() })
        );
        let url = Url::parse("http://127.0.0.1:1/?error=access_denied&state=s1").expect("url");
        assert_eq!(
            parse_callback(&url),
            Some(Callback::Error { error: "access_denied".into(), description: None, state: "s1".into() })
        );
        assert_eq!(parse_callback(&Url::parse("http://127.0.0.1:1/favicon.ico").expect("url")), None);
        let url = Url::parse("http://localhost/#state=s2&code=4/0Cd").expect("url");
        assert_eq!(
            parse_callback(&url),
            Some(Callback::Code { code: Secret::new("4/0Cd"), state: "s2".into() })
        );
    }

    #[test]
    fn states_compare_exactly() {
        assert!(state_matches("abc123", "abc123"));
        assert!(!state_matches("abc123", "abc124"));
        assert!(!state_matches("abc123", "abc12"));
    }
}
