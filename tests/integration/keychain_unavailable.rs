//! Without a Secret Service the vault fails fast with an error that says how to fix it, and
//! nothing is written anywhere else. This binary runs alone so it can take the session bus
//! away from itself.

use std::time::{Duration, Instant};

use flow_connect_core::secrets::vault::{KeyringStore, Vault, VaultError};
use flow_connect_core::Secret;

fn files_containing(dir: &std::path::Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if std::fs::read(&path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle)) {
            found.push(path);
        }
    }
    found
}

#[tokio::test]
async fn no_secret_service_is_a_clear_error_and_nothing_lands_in_a_file() {
    let home = std::env::temp_dir().join(format!("flow-connect-no-keychain-{}", std::process::id()));
    std::fs::create_dir_all(&home).expect("temp dir");
    // A bus address nobody listens on, and no display to autolaunch one from.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}/no-bus", home.display()));
    std::env::remove_var("DISPLAY");
    std::env::set_var("XDG_DATA_HOME", &home);
    std::env::set_var("HOME", &home);

    let vault =
        Vault::new(KeyringStore::new("io.flowconnect.test.unavailable")).with_timeout(Duration::from_secs(5));
    let started = Instant::now();
    let err =
        vault.set("account/clientSecret", Secret::new("never-in-a-file-42")).await.expect_err("no keychain");
    assert!(started.elapsed() < Duration::from_secs(5), "answered within the timeout");
    assert!(matches!(err, VaultError::Unavailable { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("unlock a Secret Service keyring"), "{message}");
    assert!(!message.contains("never-in-a-file-42"));

    assert_eq!(files_containing(&home, b"never-in-a-file-42"), Vec::<std::path::PathBuf>::new());
    std::fs::remove_dir_all(&home).expect("cleaned up");
}
