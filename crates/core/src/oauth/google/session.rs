//! One consent from the first click to the tokens: the loopback listener, the pending flow and
//! the manual paste, raced against each other. `begin` splits it in two: a handle the app keeps
//! (to show the URL, take a paste, cancel) and the run that waits and exchanges the code.
//!
//! When the registered redirect port cannot be bound (a Web application client registered as
//! plain `http://localhost` needs port 80, which a normal user may not open), the consent still
//! starts, with the paste as its only way back: the browser lands on an error page whose
//! address the user pastes.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Notify};
use url::Url;

use super::client_json::RedirectSetting;
use super::consent::{self, callback_from_paste, ConsentError, GoogleClient, GoogleEndpoints, GoogleTokens};
use super::listener::{
    state_matches, wait_or_time_out, Callback, CallbackListener, ListenerError, LoopbackHost,
};

/// How long a consent may wait for the browser before the port is closed.
pub const CONSENT_TIME_LIMIT: Duration = Duration::from_secs(5 * 60);

/// What a consent needs to start.
#[derive(Debug, Clone)]
pub struct ConsentSetup {
    pub client: GoogleClient,
    pub endpoints: GoogleEndpoints,
    pub scopes: Vec<String>,
    pub redirect: RedirectSetting,
}

/// The side of a running consent the app keeps at hand.
#[derive(Debug)]
pub struct ConsentHandle {
    url: Url,
    redirect_uri: String,
    state: String,
    cancel: Arc<Notify>,
    manual: mpsc::UnboundedSender<Callback>,
    /// Why no listener could be started, when none was: the user pastes the address instead.
    not_listening: Option<ListenerError>,
}

/// The side that waits for the answer and exchanges it; finished once.
#[derive(Debug)]
pub struct ConsentRun {
    setup: ConsentSetup,
    pending: consent::PendingConsent,
    listener: Option<CallbackListener>,
    manual: mpsc::UnboundedReceiver<Callback>,
    cancel: Arc<Notify>,
}

/// Binds the listener (a free port, or the Web client's registered one) and builds the URL.
pub async fn begin(setup: ConsentSetup) -> Result<(ConsentHandle, ConsentRun), ConsentError> {
    let (listener, redirect_uri, not_listening) = match &setup.redirect {
        // Any free port: binding can only fail when loopback itself is broken.
        RedirectSetting::AnyPort => {
            let listener = CallbackListener::bind_on(LoopbackHost::V4, 0, "/").await?;
            let uri = listener.redirect_uri();
            (Some(listener), uri, None)
        }
        // A Web client's URI is sent exactly as registered (say `http://localhost:8085/cb`).
        RedirectSetting::Fixed { host, port, path, uri } => {
            match CallbackListener::bind_on(*host, *port, path).await {
                Ok(listener) => (Some(listener), uri.clone(), None),
                Err(e) => {
                    tracing::warn!(error = %e, "the registered redirect port is taken; the consent goes on with a paste");
                    (None, uri.clone(), Some(e))
                }
            }
        }
    };
    let pending = consent::start(&setup.client, &setup.endpoints, &setup.scopes, &redirect_uri)?;
    let (sender, receiver) = mpsc::unbounded_channel();
    let cancel = Arc::new(Notify::new());
    let handle = ConsentHandle {
        url: pending.url.clone(),
        redirect_uri,
        state: pending.state().to_owned(),
        cancel: Arc::clone(&cancel),
        manual: sender,
        not_listening,
    };
    Ok((handle, ConsentRun { setup, pending, listener, manual: receiver, cancel }))
}

impl ConsentHandle {
    /// The consent page to open in the system browser.
    pub fn url(&self) -> &Url {
        &self.url
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Ends the wait; the run answers `Cancelled` and its port closes.
    pub fn cancel(&self) {
        self.cancel.notify_one();
    }

    /// Why the app is not listening for the redirect, when it is not: the user must paste the
    /// address the browser ends on.
    pub fn not_listening(&self) -> Option<&ListenerError> {
        self.not_listening.as_ref()
    }

    /// Hands the run what the user pasted back. A paste from another sign-in is refused here
    /// and the wait goes on, so a stale tab cannot end the current flow.
    pub fn paste(&self, pasted: &str) -> Result<(), ConsentError> {
        let callback = callback_from_paste(pasted, &self.state)?;
        let state = match &callback {
            Callback::Code { state, .. } | Callback::Error { state, .. } => state,
        };
        if !state_matches(&self.state, state) {
            return Err(ConsentError::StateMismatch);
        }
        self.manual.send(callback).map_err(|_| ConsentError::Listener(super::ListenerError::Cancelled))
    }
}

impl ConsentRun {
    /// Waits for the browser's redirect or a paste, whichever comes first, within `limit`, then
    /// trades the code for tokens. The listener's port is closed before the exchange starts.
    pub async fn finish(self, limit: Duration, http: &reqwest::Client) -> Result<GoogleTokens, ConsentError> {
        let Self { setup, pending, listener, mut manual, cancel } = self;
        let state = pending.state().to_owned();
        let listening = wait_or_time_out(listener, limit, &state);
        let callback = tokio::select! {
            answer = listening => answer?,
            Some(pasted) = manual.recv() => pasted,
            () = cancel.notified() => return Err(ConsentError::Listener(ListenerError::Cancelled)),
        };
        consent::finish(pending, callback, &setup.client, &setup.endpoints, http).await
    }
}
