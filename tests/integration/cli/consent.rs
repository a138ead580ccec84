//! Google consent in a terminal without a browser, completed with the pasted address.

use std::process::Stdio;

use fakes::{FakeConfig, FakeGoogle, FakePlatform, GoogleConfig};
use serde_json::{json, Value};

use super::{allow_elsewhere_and_paste, assert_nothing_holds, machine, BIGQUERY};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn consent_without_a_browser_completes_with_the_pasted_address() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let google = FakeGoogle::start(GoogleConfig::default()).await.expect("google");
    let machine = machine(&fake, Some(&google));
    machine.add_account(&fake, "Acme").await;
    let export = json!({
        "flowConnectProfiles": 1,
        "profiles": [{
            "name": "BigQuery marketing", "specId": BIGQUERY, "specName": "Basic Authentication",
            "sourceName": "Google BigQuery", "connectionName": "BigQuery marketing", "description": "",
            "values": { "project": "acme-analytics", "clientId": GoogleConfig::default().client_id },
            "secretFields": ["clientSecret", "refreshToken"]
        }]
    });
    let path = machine.write("bigquery.json", &export.to_string()).display().to_string();
    machine.ok(&["profiles", "import", &path, "--json"]).await;

    let mut child = machine
        .command(&[
            "consent",
            "--profile",
            "BigQuery marketing",
            "--no-browser",
            "--secret",
            "clientSecret=env:G_SECRET",
            "--json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("started");
    // The user opens the address elsewhere; Google sends the browser to the redirect address.
    let _printed = allow_elsewhere_and_paste(&mut child).await;
    let output =
        tokio::task::spawn_blocking(move || child.wait_with_output()).await.expect("joined").expect("ended");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let finished: Value = serde_json::from_str(&stdout).expect("json");
    assert!(
        finished["stored"].as_array().is_some_and(|s| s.iter().any(|f| f == "refreshToken")),
        "{finished}"
    );
    machine.note_printed(&stdout);

    let index = machine.root().join("data/io.flowconnect.desktop/secret-sets.json");
    let index: Value = serde_json::from_str(&std::fs::read_to_string(index).expect("index")).expect("json");
    assert_eq!(index["sets"], json!([]), "the consent's own set went once the profile held copies");
    let shown = machine.ok(&["profiles", "show", "BigQuery marketing", "--json"]).await;
    let in_keychain = shown["secrets"]["inKeychain"].as_array().expect("known").clone();
    assert!(in_keychain.iter().any(|f| f == "refreshToken"), "{shown}");
    let dry = machine
        .ok(&["create", "--profile", "BigQuery marketing", "--sandbox", "prod", "--dry-run", "--json"])
        .await;
    assert_eq!(dry[0]["status"], "dryRun", "the profile's keychain tokens fill the request");
    assert_nothing_holds(&machine, &[&GoogleConfig::default().client_secret]);
    machine.ok(&["profiles", "delete", "BigQuery marketing", "--json"]).await;
}
