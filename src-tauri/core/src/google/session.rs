//! One consent from the first click to the tokens: the loopback listener, the pending flow and
//! the manual paste, raced against each other. `begin` splits it in two: a handle the app keeps
//! (to show the URL, take a paste, cancel) and the run that waits and exchanges the code.

use std::time::Duration;

use tokio::sync::mpsc;
use url::Url;

use super::client_json::RedirectSetting;
use super::consent::{self, callback_from_paste, ConsentError, GoogleClient, GoogleEndpoints, GoogleTokens};
use super::listener::{state_matches, Callback, CallbackListener, Canceller};

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
    canceller: Canceller,
    manual: mpsc::UnboundedSender<Callback>,
}

/// The side that waits for the answer and exchanges it; finished once.
#[derive(Debug)]
pub struct ConsentRun {
    setup: ConsentSetup,
    pending: consent::PendingConsent,
    listener: CallbackListener,
    manual: mpsc::UnboundedReceiver<Callback>,
}

/// Binds the listener (a free port, or the Web client's registered one) and builds the URL.
pub async fn begin(setup: ConsentSetup) -> Result<(ConsentHandle, ConsentRun), ConsentError> {
    let (port, path, registered) = match &setup.redirect {
        RedirectSetting::AnyPort => (0, "/".to_owned(), None),
        RedirectSetting::Fixed { port, path, uri } => (*port, path.clone(), Some(uri.clone())),
    };
    let listener = CallbackListener::bind(port, &path).await?;
    // A Web client's URI is sent exactly as registered (say `http://localhost:8085/cb`).
    let redirect_uri = registered.unwrap_or_else(|| listener.redirect_uri());
    let pending = consent::start(&setup.client, &setup.endpoints, &setup.scopes, &redirect_uri)?;
    let (sender, receiver) = mpsc::unbounded_channel();
    let handle = ConsentHandle {
        url: pending.url.clone(),
        redirect_uri,
        state: pending.state().to_owned(),
        canceller: listener.canceller(),
        manual: sender,
    };
    Ok((handle, ConsentRun { setup, pending, listener, manual: receiver }))
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
        self.canceller.cancel();
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
        let Self { setup, pending, listener, mut manual } = self;
        let callback = tokio::select! {
            answer = listener.wait(limit) => answer?,
            Some(pasted) = manual.recv() => pasted,
        };
        consent::finish(pending, callback, &setup.client, &setup.endpoints, http).await
    }
}
