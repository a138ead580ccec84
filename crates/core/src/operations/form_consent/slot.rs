//! The one consent that may run at a time. Starting another cancels the first, so a tab left
//! open from an earlier click can never finish into the current form.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::catalog::Source;
use crate::oauth::engine::{SessionHandle, SessionRun};
use crate::oauth::google::{ConsentHandle, ConsentRun};
use crate::secrets::credentials::StoredSecrets;

/// What the finished consent fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// BigQuery's OAuth sign-in: the refresh token.
    GoogleRefreshToken,
    /// A generic REST API's OAuth 2 refresh code: access token, refresh token and expiry.
    RestTokens,
    /// A provider of the table (HubSpot, Zendesk, …): the params its sign-in method holds.
    ProviderTokens { provider: &'static str },
}

/// The side of a consent the app keeps: Google's own flow, or the table's engine.
#[derive(Debug)]
pub enum FlowHandle {
    Google(ConsentHandle),
    Provider(SessionHandle),
}

/// The side that waits for the answer.
#[derive(Debug)]
pub enum FlowRun {
    // Boxed: each run holds its client, endpoints and PKCE verifier, hundreds of bytes.
    Google(Box<ConsentRun>),
    Provider(Box<SessionRun>),
}

impl FlowHandle {
    /// Ends the wait; the run answers `Cancelled`.
    pub fn cancel(&self) {
        match self {
            Self::Google(handle) => handle.cancel(),
            Self::Provider(handle) => handle.cancel(),
        }
    }
}

/// What the consent's tokens are for: the form's source and its stored secrets.
#[derive(Debug, Clone)]
pub struct ForForm {
    pub source: Source,
    pub stored: Option<StoredSecrets>,
    pub purpose: Purpose,
    /// The OAuth client the consent signs in with (public, recorded with the token's issue).
    pub client_id: String,
}

#[derive(Debug)]
struct Active {
    id: u64,
    handle: FlowHandle,
    run: Option<FlowRun>,
    form: ForForm,
}

#[derive(Debug, Default)]
pub struct ConsentSlot {
    active: Mutex<Option<Active>>,
    next_id: AtomicU64,
}

/// A run taken out of the slot, with what its result is for.
#[derive(Debug)]
pub struct Taken {
    pub id: u64,
    pub run: FlowRun,
    pub form: ForForm,
}

impl ConsentSlot {
    fn lock(&self) -> MutexGuard<'_, Option<Active>> {
        self.active.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes this consent the current one, cancelling any other.
    pub fn replace(&self, handle: FlowHandle, run: FlowRun, form: ForForm) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let previous = self.lock().replace(Active { id, handle, run: Some(run), form });
        if let Some(previous) = previous {
            previous.handle.cancel();
        }
    }

    /// The current consent's run, to wait for; the handle stays for paste and cancel.
    pub fn take_run(&self) -> Option<Taken> {
        let mut active = self.lock();
        let active = active.as_mut()?;
        let run = active.run.take()?;
        Some(Taken { id: active.id, run, form: active.form.clone() })
    }

    /// Forgets consent `id` once its run ended, unless a newer one has replaced it.
    pub fn clear(&self, id: u64) {
        let mut active = self.lock();
        if active.as_ref().is_some_and(|a| a.id == id) {
            *active = None;
        }
    }

    /// Runs `f` with the current consent's handle, if one is waiting.
    pub fn with_handle<T>(&self, f: impl FnOnce(&FlowHandle) -> T) -> Option<T> {
        self.lock().as_ref().map(|a| f(&a.handle))
    }
}
