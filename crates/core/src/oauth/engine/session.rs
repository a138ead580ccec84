//! One consent with a provider of the table, from the click to the params: the loopback
//! listener the provider's redirect rule allows (any free port, or the one registered URI),
//! raced against a paste of the address the browser ends on. A paste-back provider (https
//! redirects only) has no listener: the paste is the way back. `open` splits it in two: a
//! handle to show the page, take a paste or cancel, and the run that waits and exchanges.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Notify};
use url::Url;

use super::authorize::{begin, Pending};
use super::bases::ProviderBases;
use super::error::EngineError;
use super::exchange::{finish, Consented};
use crate::oauth::google::{
    callback_from_paste, state_matches, wait_or_time_out, Callback, CallbackListener, ListenerError,
    LoopbackHost, RedirectSetting,
};
use crate::oauth::providers::FormValues;
use crate::oauth::providers::{Provider, RedirectPolicy};
use crate::Secret;

/// What a consent needs to start.
#[derive(Debug, Clone)]
pub struct SessionSetup {
    pub provider: &'static Provider,
    pub values: FormValues,
    pub client_id: String,
    pub client_secret: Secret,
    pub scopes: Vec<String>,
    /// For a paste-back provider: the https address registered on the user's app.
    pub https_redirect: Option<String>,
    pub bases: ProviderBases,
}

/// The side of a running consent the app keeps.
#[derive(Debug)]
pub struct SessionHandle {
    url: Url,
    redirect_uri: String,
    state: String,
    cancel: Arc<Notify>,
    manual: mpsc::UnboundedSender<Callback>,
    /// Why nothing listens, when nothing does: the address the browser ends on is pasted.
    paste_only: Option<String>,
}

/// The side that waits for the answer and exchanges it; finished once.
#[derive(Debug)]
pub struct SessionRun {
    client_id: String,
    client_secret: Secret,
    bases: ProviderBases,
    pending: Pending,
    listener: Option<CallbackListener>,
    manual: mpsc::UnboundedReceiver<Callback>,
    cancel: Arc<Notify>,
}

/// Binds what the provider's redirect rule allows and builds the consent page.
pub async fn open(setup: SessionSetup) -> Result<(SessionHandle, SessionRun), EngineError> {
    let provider = setup.provider;
    let (listener, redirect_uri, paste_only) = match provider.redirect {
        RedirectPolicy::AnyLoopback => {
            let listener = CallbackListener::bind_on(LoopbackHost::V4, 0, "/").await.map_err(listening)?;
            let uri = listener.redirect_uri();
            (Some(listener), uri, None)
        }
        RedirectPolicy::RegisteredLoopback { uri } => {
            let Ok(RedirectSetting::Fixed { host, port, path, .. }) = RedirectSetting::registered(uri) else {
                return Err(EngineError::Configuration { detail: format!("the registered redirect {uri}") });
            };
            match CallbackListener::bind_on(host, port, &path).await {
                Ok(listener) => (Some(listener), uri.to_owned(), None),
                // Another program holds the port: the consent goes on, and the user pastes the
                // address the browser ends on (an error page on that port).
                Err(e) => (None, uri.to_owned(), Some(e.to_string())),
            }
        }
        RedirectPolicy::HttpsOnlyPaste => {
            let uri = setup.https_redirect.clone().unwrap_or_default();
            let note = format!(
                "{} sends the browser to {uri}; paste the whole address it ends on here.",
                provider.display_name
            );
            (None, uri, Some(note))
        }
    };
    let pending =
        begin(provider, &setup.values, &setup.client_id, &setup.scopes, &redirect_uri, &setup.bases)?;
    let (sender, receiver) = mpsc::unbounded_channel();
    let cancel = Arc::new(Notify::new());
    let handle = SessionHandle {
        url: pending.url.clone(),
        redirect_uri,
        state: pending.state().to_owned(),
        cancel: Arc::clone(&cancel),
        manual: sender,
        paste_only,
    };
    let run = SessionRun {
        client_id: setup.client_id,
        client_secret: setup.client_secret,
        bases: setup.bases,
        pending,
        listener,
        manual: receiver,
        cancel,
    };
    Ok((handle, run))
}

fn listening(e: ListenerError) -> EngineError {
    EngineError::Configuration { detail: e.to_string() }
}

impl SessionHandle {
    /// The provider's consent page, to open in the system browser.
    pub fn url(&self) -> &Url {
        &self.url
    }

    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Why the address must be pasted, when it must.
    pub fn paste_only(&self) -> Option<&str> {
        self.paste_only.as_deref()
    }

    pub fn cancel(&self) {
        self.cancel.notify_one();
    }

    /// What the user pasted back. One from another sign-in is refused and the wait goes on.
    pub fn paste(&self, pasted: &str) -> Result<(), EngineError> {
        let callback = callback_from_paste(pasted, &self.state)
            .map_err(|e| EngineError::Pasted { reason: e.to_string() })?;
        let (Callback::Code { state, .. } | Callback::Error { state, .. }) = &callback;
        if !state_matches(&self.state, state) {
            return Err(EngineError::StateMismatch);
        }
        self.manual.send(callback).map_err(|_| EngineError::Cancelled)
    }
}

impl SessionRun {
    /// Waits for the redirect or a paste within `limit`, then trades the code for the params.
    pub async fn finish(
        self,
        limit: Duration,
        http: &reqwest::Client,
        now: impl FnOnce() -> u64,
    ) -> Result<Consented, EngineError> {
        let Self { client_id, client_secret, bases, pending, listener, mut manual, cancel } = self;
        let state = pending.state().to_owned();
        let listening = wait_or_time_out(listener, limit, &state);
        let callback = tokio::select! {
            answer = listening => answer.map_err(|e| match e {
                ListenerError::Cancelled => EngineError::Cancelled,
                ListenerError::TimedOut { minutes } => {
                    EngineError::TimedOut { provider: pending.provider.display_name, minutes }
                }
                ListenerError::Bind { .. } => EngineError::Waiting { reason: e.to_string() },
            })?,
            Some(pasted) = manual.recv() => pasted,
            () = cancel.notified() => return Err(EngineError::Cancelled),
        };
        finish(pending, callback, &client_id, &client_secret, http, &bases, now()).await
    }
}
