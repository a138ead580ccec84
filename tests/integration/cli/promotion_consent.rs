//! `{consent: true}` in a manifest: `apply` runs the consent itself for a connection it makes
//! (here without a browser, the address pasted back), the tokens go to the keychain and into
//! the create, and nothing of them is printed or written. A plan names the consent first; an
//! unchanged apply runs none; an export names the token as a consent again.

use std::process::Stdio;

use fakes::{FakeConfig, FakeGoogle, FakePlatform, GoogleConfig};
use serde_json::Value;

use super::{allow_elsewhere_and_paste, assert_nothing_holds, machine, BIGQUERY};

fn manifest() -> String {
    format!(
        r#"
version: 1
environments:
  prod: {{ sandbox: prod }}
connections:
  - name: BigQuery marketing
    source: {BIGQUERY}
    method: Basic Authentication
    values: {{ project: acme-analytics, clientId: {client} }}
    secrets: {{ clientSecret: env:G_SECRET, refreshToken: {{ consent: true }} }}
"#,
        client = GoogleConfig::default().client_id
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn apply_runs_the_consent_a_manifest_asks_for_and_keeps_its_token_out_of_sight() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let google = FakeGoogle::start(GoogleConfig::default()).await.expect("google");
    let machine = machine(&fake, Some(&google));
    machine.add_account(&fake, "Acme").await;
    let file = machine.write("bigquery.yaml", &manifest()).display().to_string();

    // The plan names the consent the apply will run.
    let plan = machine.run(&["plan", &file, "--sandbox", "prod", "--json"]).await;
    assert_eq!(plan.code, 11, "{}", plan.stderr);
    let consents = plan.json()["plans"][0]["plan"]["consents"].clone();
    assert_eq!(consents[0]["provider"], "Google", "{consents}");
    assert_eq!(consents[0]["fields"], serde_json::json!(["refreshToken"]), "{consents}");

    let mut child = machine
        .command(&["apply", &file, "--sandbox", "prod", "--no-browser", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("started");
    let (before, rest) = allow_elsewhere_and_paste(&mut child).await;
    assert!(before.contains("BigQuery marketing") && before.contains("Google"), "{before}");
    let output =
        tokio::task::spawn_blocking(move || child.wait_with_output()).await.expect("joined").expect("ended");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = rest.join().expect("stderr");
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    machine.note_printed(&stdout);
    machine.note_printed(&stderr);
    let report: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(report["applies"][0]["report"]["items"][0]["outcome"]["outcome"], "done", "{report}");

    // The connection was made once, with the token Google issued for this consent.
    let made: Vec<Value> =
        fake.connections().into_iter().filter(|c| c["connectionSpec"]["id"] == BIGQUERY).collect();
    assert_eq!(made.len(), 1);
    let token = made[0]["auth"]["params"]["refreshToken"].as_str().expect("a token").to_owned();
    assert!(google.refresh_tokens().contains(&token), "the consent's own token was sent");
    assert_eq!(made[0]["auth"]["params"]["clientSecret"], GoogleConfig::default().client_secret);

    // Applied again, nothing changes and no consent is asked for.
    let again = machine.run(&["apply", &file, "--sandbox", "prod", "--json"]).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(!again.stderr.contains("from a consent"), "no consent asked for: {}", again.stderr);
    assert_eq!(google.authorize_queries().len(), 1, "one consent in all");

    // Exported again, the token is to be got by a consent where the file goes, not carried.
    let exported = machine.run(&["export", "--sandbox", "prod", "--json"]).await;
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let exported = exported.json();
    let text = exported["manifest"].as_str().expect("yaml");
    assert!(text.contains("refreshToken:\n      consent: true"), "{text}");
    assert_eq!(
        exported["placeholders"].as_array().map(Vec::len),
        Some(1),
        "the client secret only: {exported}"
    );
    assert_nothing_holds(&machine, &[&token, &GoogleConfig::default().client_secret]);
}
