//! The vault against an in-memory store that can be slow, fail or lose its answers.

use super::*;

#[derive(Default)]
struct MemoryStore {
    values: Mutex<HashMap<String, String>>,
}

impl SecretStore for Arc<MemoryStore> {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        Ok(self.values.lock().unwrap_or_else(PoisonError::into_inner).get(key).cloned().map(Secret::new))
    }
    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
        self.values.lock().unwrap_or_else(PoisonError::into_inner).insert(key.into(), value.expose().into());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.values.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
        Ok(())
    }
}

struct HangingStore;

impl SecretStore for HangingStore {
    fn get(&self, _: &str) -> Result<Option<Secret>, VaultError> {
        std::thread::sleep(Duration::from_secs(1));
        Ok(None)
    }
    fn set(&self, _: &str, _: &Secret) -> Result<(), VaultError> {
        Ok(())
    }
    fn delete(&self, _: &str) -> Result<(), VaultError> {
        Ok(())
    }
}

#[tokio::test]
async fn every_read_asks_the_keychain() {
    let store = Arc::new(MemoryStore::default());
    let window = Vault::new(Arc::clone(&store));
    let cli = Vault::new(Arc::clone(&store));
    assert_eq!(window.get("k").await, Ok(None));
    cli.set("k", Secret::new("renewed")).await.expect("set");
    assert_eq!(window.get("k").await.expect("get").map(|s| s.expose().to_owned()), Some("renewed".into()));
    cli.delete("k").await.expect("delete");
    assert_eq!(window.get("k").await, Ok(None), "a value the other holder deleted is gone here too");
}

#[tokio::test]
async fn a_roll_back_leaves_a_value_another_holder_wrote_since() {
    let store = Arc::new(MemoryStore::default());
    let window = Vault::new(Arc::clone(&store));
    let cli = Vault::new(Arc::clone(&store));
    window.set("k", Secret::new("old")).await.expect("set");
    let mut changes = VaultChanges::new(&window);
    changes.set("k", Secret::new("window's")).await.expect("set");
    cli.set("k", Secret::new("cli's, newer")).await.expect("set");
    changes.roll_back().await;
    let values = store.values.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert_eq!(values.get("k").map(String::as_str), Some("cli's, newer"));
}

#[tokio::test]
async fn rolled_back_changes_restore_the_keychain() {
    let store = Arc::new(MemoryStore::default());
    let vault = Vault::new(Arc::clone(&store));
    vault.set("kept", Secret::new("old")).await.expect("set");
    vault.set("removed", Secret::new("there")).await.expect("set");
    let mut changes = VaultChanges::new(&vault);
    changes.set("kept", Secret::new("new")).await.expect("set");
    changes.set("added", Secret::new("x")).await.expect("set");
    changes.delete("removed").await.expect("delete");
    changes.roll_back().await;
    let values = store.values.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert_eq!(values.get("kept").map(String::as_str), Some("old"));
    assert_eq!(values.get("removed").map(String::as_str), Some("there"));
    assert!(!values.contains_key("added"));
}

/// A keychain whose writes wait until the test opens the gate, as a locked keyring waits
/// for the user's password.
#[derive(Default)]
struct GatedStore {
    values: Mutex<HashMap<String, String>>,
    open: Mutex<bool>,
    opened: std::sync::Condvar,
    /// Writes that got through the gate.
    done: Mutex<usize>,
    finished: std::sync::Condvar,
}

impl GatedStore {
    fn open_gate(&self) {
        *self.open.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.opened.notify_all();
    }
    fn wait(&self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        while !*open {
            open = self.opened.wait(open).unwrap_or_else(PoisonError::into_inner);
        }
    }
    fn wrote(&self) {
        *self.done.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.finished.notify_all();
    }
    /// Waits until the late write has landed, so what follows does not race it. A call
    /// given up on before it reached the store writes nothing, hence the bound.
    fn wait_for_the_first_write(&self) {
        let done = self.done.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = self.finished.wait_timeout_while(done, Duration::from_secs(5), |done| *done == 0);
    }
    fn value(&self, key: &str) -> Option<String> {
        self.values.lock().unwrap_or_else(PoisonError::into_inner).get(key).cloned()
    }
}

impl SecretStore for Arc<GatedStore> {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        Ok(self.value(key).map(Secret::new))
    }
    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
        self.wait();
        self.values.lock().unwrap_or_else(PoisonError::into_inner).insert(key.into(), value.expose().into());
        self.wrote();
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.wait();
        self.values.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
        self.wrote();
        Ok(())
    }
}

#[tokio::test]
async fn a_save_that_timed_out_is_undone_when_it_lands_late() {
    let store = Arc::new(GatedStore::default());
    let vault = Vault::new(Arc::clone(&store)).with_timeout(Duration::from_millis(50));
    assert_eq!(vault.set("new", Secret::new("orphan?")).await, Err(VaultError::TimedOut { seconds: 1 }));
    store.open_gate();
    let landed = Arc::clone(&store);
    tokio::task::spawn_blocking(move || landed.wait_for_the_first_write()).await.expect("landed");
    // The next call on the key waits for the late one, which has put the key back by then.
    let patient = vault.clone().with_timeout(Duration::from_secs(30));
    assert_eq!(patient.get("new").await, Ok(None), "a \"failed\" save leaves no entry behind");
    assert_eq!(store.value("new"), None);
}

#[tokio::test]
async fn a_delete_that_timed_out_is_undone_when_it_lands_late() {
    let store = Arc::new(GatedStore::default());
    store.values.lock().unwrap_or_else(PoisonError::into_inner).insert("kept".into(), "value".into());
    let vault = Vault::new(Arc::clone(&store)).with_timeout(Duration::from_millis(50));
    let mut changes = VaultChanges::new(&vault);
    assert_eq!(changes.delete("kept").await, Err(VaultError::TimedOut { seconds: 1 }));
    store.open_gate();
    let landed = Arc::clone(&store);
    tokio::task::spawn_blocking(move || landed.wait_for_the_first_write()).await.expect("landed");
    let patient = vault.clone().with_timeout(Duration::from_secs(30));
    assert_eq!(
        patient.get("kept").await.expect("read").map(|s| s.expose().to_owned()).as_deref(),
        Some("value"),
        "a \"failed\" delete deletes nothing"
    );
}

#[tokio::test]
async fn a_hung_keychain_times_out() {
    let vault = Vault::new(HangingStore).with_timeout(Duration::from_millis(100));
    let started = std::time::Instant::now();
    assert_eq!(vault.get("k").await, Err(VaultError::TimedOut { seconds: 1 }));
    assert!(started.elapsed() < Duration::from_secs(2));
}
