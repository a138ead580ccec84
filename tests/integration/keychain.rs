//! The vault against the real OS keychain: the Secret Service of the private gnome-keyring
//! that the test command starts. Another process (`secret-tool`) must see what the vault wrote.

use std::process::Command;

use flow_connect_core::secrets::vault::{KeyringStore, Vault};
use flow_connect_core::Secret;

fn service() -> String {
    format!("io.flowconnect.test.{}", std::process::id())
}

fn secret_tool_lookup(service: &str, key: &str) -> Option<String> {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", key])
        .output()
        .expect("secret-tool runs (package libsecret-tools)");
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn stores_reads_overwrites_and_deletes_in_the_system_keychain() {
    fakes::require_private_keyring();
    let service = service();
    let key = "profile-1/clientSecret";

    let vault = Vault::new(KeyringStore::new(&service));
    assert_eq!(vault.get(key).await.expect("keychain reachable"), None, "not found is an ordinary answer");

    vault.set(key, Secret::new("first value ✓")).await.expect("stored");
    assert_eq!(secret_tool_lookup(&service, key).as_deref(), Some("first value ✓"));

    // A second vault has no cache: it reads from the keychain itself.
    let fresh = Vault::new(KeyringStore::new(&service));
    assert_eq!(
        fresh.get(key).await.expect("read").map(|s| s.expose().to_owned()).as_deref(),
        Some("first value ✓")
    );

    vault.set(key, Secret::new("second value")).await.expect("overwritten");
    assert_eq!(secret_tool_lookup(&service, key).as_deref(), Some("second value"));

    vault.delete(key).await.expect("deleted");
    assert_eq!(secret_tool_lookup(&service, key), None);
    assert_eq!(Vault::new(KeyringStore::new(&service)).get(key).await.expect("read"), None);
    vault.delete(key).await.expect("deleting what is gone is fine");
}
