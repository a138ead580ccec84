//! A keychain wrapper that counts the calls reaching it, so tests and benchmarks can show
//! which operations touch the keychain at all.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use flow_connect_core::secrets::vault::{SecretStore, VaultError};
use flow_connect_core::Secret;

#[derive(Debug, Clone)]
pub struct CountingStore<S> {
    inner: S,
    calls: Arc<AtomicUsize>,
}

impl<S> CountingStore<S> {
    pub fn new(inner: S) -> Self {
        Self { inner, calls: Arc::default() }
    }

    /// Calls made through this store and every clone of it.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// The store it counts calls to.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    pub fn reset(&self) {
        self.calls.store(0, Ordering::SeqCst);
    }
}

impl<S: SecretStore + Clone> SecretStore for CountingStore<S> {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.get(key)
    }
    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.set(key, value)
    }
    fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.delete(key)
    }
}
