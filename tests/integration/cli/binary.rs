//! The binary on a machine: without a keychain it says how to give secrets instead, it links no
//! GUI library, its help documents the exit codes, and its completions are generated.

use std::process::Command;

use fakes::cli::binary;
use fakes::{FakeConfig, FakePlatform};

use super::{assert_nothing_holds, machine};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_keychain_the_error_says_to_give_secrets_from_env_or_file() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    // No Secret Service answers at this address, as on a CI runner.
    let machine =
        machine(&fake, None).with_env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/flow-connect-bus");
    let config = fake.config();
    let added = machine
        .run(&[
            "accounts",
            "add",
            "--name",
            "CI",
            "--org-id",
            &config.org_id,
            "--client-id",
            &config.client_id,
            "--client-secret",
            "env:ACME_SECRET",
            "--json",
        ])
        .await;
    assert_eq!(added.code, 6, "{}", added.stderr);
    assert!(added.stderr.contains("--secret FIELD=env:"), "{}", added.stderr);
    assert_eq!(added.json()["error"]["code"], "Keychain");
    assert!(
        machine.ok(&["accounts", "list", "--json"]).await.as_array().is_some_and(Vec::is_empty),
        "nothing half-saved"
    );
    assert_nothing_holds(&machine, &[&config.client_secret]);
}

#[test]
fn the_cli_links_no_gui_library() {
    let output = Command::new("ldd").arg(binary()).output().expect("ldd runs");
    let libraries = String::from_utf8_lossy(&output.stdout);
    assert!(libraries.contains("libc.so"), "ldd listed the libraries: {libraries}");
    for gui in ["libwebkit2gtk", "libgtk", "libjavascriptcoregtk", "libsoup"] {
        assert!(!libraries.contains(gui), "the CLI links {gui}");
    }
}

#[test]
fn help_documents_the_exit_codes_and_completions_are_generated() {
    let help = Command::new(binary()).arg("--help").output().expect("help");
    let help = String::from_utf8_lossy(&help.stdout);
    for line in ["3  not found", "4  rejected by Adobe", "5  network", "6  keychain"] {
        assert!(help.contains(line), "{line} in --help");
    }
    for shell in ["bash", "zsh"] {
        let script = Command::new(binary()).args(["completions", shell]).output().expect("completions");
        assert!(String::from_utf8_lossy(&script.stdout).contains("flow-connect-cli"));
    }
    let usage = Command::new(binary()).args(["create"]).output().expect("usage");
    assert_eq!(usage.status.code(), Some(2));
}
