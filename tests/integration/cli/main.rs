//! flow-connect-cli as a script runs it: the built binary, against the fake Adobe and Google
//! services on loopback, with its own data folder and the private keychain session. Every
//! subcommand's `--json` is parsed and checked, and so is every exit code; at the end no
//! secret given to it appears in anything it printed or in any file it wrote.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};

use fakes::cli::{binary, skip_without_keychain, CliHome};
use fakes::{FakeConfig, FakeGoogle, FakePlatform, GoogleConfig};
use serde_json::{json, Value};

const SERVICENOW: &str = "eb13cb25-47ab-407f-ba89-c0125281c563";
const BIGQUERY: &str = "3c9b37f8-13a6-43d8-bad3-b863b941fedd";
const PASSWORD: &str = "now-pass-Zq81";
const NEW_PASSWORD: &str = "now-pass-renewed-Yt27";
const PLAIN: &str = "plain-typed-Xw55";

/// One user's machine: a data folder of its own, endpoints on the fakes, and the secrets the
/// tests hand over through the environment.
fn machine(fake: &FakePlatform, google: Option<&FakeGoogle>) -> CliHome {
    let machine = CliHome::new("flow-connect-cli")
        .on_platform(fake)
        .with_env("FLOW_CONNECT_LOG", "info")
        .with_env("SN_PASSWORD", PASSWORD)
        .with_env("SN_NEW_PASSWORD", NEW_PASSWORD)
        // `accounts add` given directly, as one test does, reads its secret from here.
        .with_env("ACME_SECRET", fake.config().client_secret);
    match google {
        Some(google) => machine.on_google(google).with_env("G_SECRET", GoogleConfig::default().client_secret),
        None => machine,
    }
}

/// Every file under the machine's folder, and everything printed, is free of `secrets`.
fn assert_nothing_holds(machine: &CliHome, secrets: &[&str]) {
    let printed = machine.printed();
    for (n, secret) in secrets.iter().enumerate() {
        assert!(!printed.contains(secret), "secret #{n} was printed");
    }
    let mut stack = vec![machine.root().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.starts_with(machine.root().join("inputs")) {
                let bytes = std::fs::read(&path).unwrap_or_default();
                let text = String::from_utf8_lossy(&bytes);
                for secret in secrets {
                    assert!(!text.contains(secret), "{} holds a secret", path.display());
                }
            }
        }
    }
}

fn servicenow_export() -> String {
    json!({
        "flowConnectProfiles": 1,
        "profiles": [{
            "name": "ServiceNow prod", "specId": SERVICENOW, "specName": "Basic Authentication",
            "sourceName": "ServiceNow", "connectionName": "ServiceNow tickets", "description": "",
            "values": { "endpoint": "https://acme.service-now.com", "username": "svc" },
            "secretFields": ["password"]
        }]
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_is_created_in_several_sandboxes_then_listed_tested_renamed_renewed_and_deleted() {
    if skip_without_keychain() {
        return;
    }
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let machine = machine(&fake, None);
    let account = machine.add_account(&fake, "Acme").await;

    let accounts = machine.ok(&["accounts", "list", "--json"]).await;
    assert_eq!(accounts[0]["id"], account.as_str());
    assert_eq!(accounts[0]["displayName"], "Acme");
    let sandboxes = machine.ok(&["sandboxes", "list", "--json"]).await;
    let names: Vec<&str> =
        sandboxes.as_array().expect("list").iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["prod", "dev-marketing"], "active sandboxes, the default first");
    let signed_in = machine.ok(&["accounts", "sign-in", "--json"]).await;
    assert_eq!(signed_in["preselected"], "prod");

    let sources = machine.ok(&["sources", "list", "--json", "--search", "servicenow"]).await;
    assert_eq!(sources.as_array().expect("list").len(), 1);
    assert_eq!(sources[0]["specId"], SERVICENOW);
    let shown = machine.ok(&["sources", "show", "ServiceNow", "--json"]).await;
    assert_eq!(shown["specId"], SERVICENOW);
    let text = machine.run(&["sources", "show", SERVICENOW]).await;
    assert!(
        text.stdout.lines().any(|l| l.starts_with("password") && l.ends_with("secret")),
        "{}",
        text.stdout
    );
    assert_eq!(machine.run(&["sources", "show", "No such source"]).await.code, 3);

    let export = machine.write("servicenow.json", &servicenow_export()).display().to_string();
    let imported = machine.ok(&["profiles", "import", &export, "--json"]).await;
    assert_eq!(imported[0]["name"], "ServiceNow prod");
    let listed = machine.ok(&["profiles", "list", "--json"]).await;
    assert_eq!(listed.as_array().expect("list").len(), 1);
    let profile = machine.ok(&["profiles", "show", "servicenow PROD", "--json"]).await;
    assert_eq!(profile["profile"]["values"]["username"], "svc");
    assert_eq!(profile["secrets"], json!({ "state": "known", "inKeychain": [], "missing": ["password"] }));
    assert_eq!(machine.run(&["profiles", "show", "nope"]).await.code, 3);

    // A secret as a plain argument is refused before anything runs, without repeating it.
    let refused = machine
        .run(&[
            "create",
            "--profile",
            "ServiceNow prod",
            "--sandbox",
            "prod",
            "--secret",
            &format!("password={PLAIN}"),
        ])
        .await;
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("never taken as a plain value"), "{}", refused.stderr);
    assert!(!refused.stderr.contains(PLAIN), "the refusal does not repeat the value");
    assert!(fake.connections().is_empty());

    // Without the password anywhere and no terminal to ask on, the error says how to give it.
    let missing = machine.run(&["create", "--profile", "ServiceNow prod", "--sandbox", "prod"]).await;
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("--secret password=env:"), "{}", missing.stderr);

    // Three sandboxes, one of them deleted: the other two get the connection.
    let create = [
        "create",
        "--profile",
        "ServiceNow prod",
        "--sandbox",
        "prod",
        "--sandbox",
        "old-test",
        "--sandbox",
        "dev-marketing",
        "--secret",
        "password=env:SN_PASSWORD",
        "--json",
    ];
    let first = machine.run(&create).await;
    assert_ne!(first.code, 0, "one sandbox failed");
    let outcomes = first.json();
    let statuses: Vec<(&str, &str)> = outcomes
        .as_array()
        .expect("outcomes")
        .iter()
        .map(|o| (o["sandbox"].as_str().unwrap_or_default(), o["status"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(statuses, [("prod", "created"), ("old-test", "failed"), ("dev-marketing", "created")]);
    assert!(outcomes[1]["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(fake.connections().len(), 2);
    let made = fake.connections();
    assert!(made.iter().all(|c| c["auth"]["params"]["password"] == PASSWORD), "the env: secret was sent");

    // A re-run skips what is there; a dry run sends nothing and masks the secret.
    let again = machine
        .ok(&[
            "create",
            "--profile",
            "ServiceNow prod",
            "--sandbox",
            "prod",
            "--secret",
            "password=env:SN_PASSWORD",
            "--json",
        ])
        .await;
    assert_eq!(again[0]["status"], "skipped");
    assert_eq!(again[0]["id"], outcomes[0]["id"]);
    let file = machine.write("inputs-password", PASSWORD);
    std::fs::create_dir_all(machine.root().join("inputs")).expect("inputs");
    let file_path = machine.root().join("inputs/password");
    std::fs::rename(file, &file_path).expect("moved");
    let dry = machine
        .ok(&[
            "create",
            "--profile",
            "ServiceNow prod",
            "--sandbox",
            "prod",
            "--name",
            "Dry",
            "--dry-run",
            "--secret",
            &format!("password=file:{}", file_path.display()),
            "--json",
        ])
        .await;
    assert_eq!(dry[0]["status"], "dryRun");
    assert!(dry[0]["curl"].as_str().is_some_and(|c| c.contains("curl") && c.contains("Dry")));
    assert_eq!(fake.connections().len(), 2);
    let forced = machine
        .ok(&[
            "create",
            "--profile",
            "ServiceNow prod",
            "--sandbox",
            "dev-marketing",
            "--force",
            "--secret",
            "password=env:SN_PASSWORD",
            "--json",
        ])
        .await;
    assert_eq!(forced[0]["status"], "created", "--force makes a second one of the same name");
    assert_eq!(fake.connections().len(), 3);

    // The connections: listed with the profile they came from, tested, renamed, renewed.
    let listed = machine.ok(&["connections", "list", "--sandbox", "prod", "--json"]).await;
    assert_eq!(listed.as_array().expect("list").len(), 1);
    assert_eq!(listed[0]["name"], "ServiceNow tickets");
    let table = machine.run(&["connections", "list", "--sandbox", "prod"]).await;
    assert!(table.stdout.contains("ServiceNow prod"), "the profile column: {}", table.stdout);
    let tested = machine.ok(&["connections", "test", "ServiceNow tickets", "--json"]).await;
    assert_eq!(tested["passed"], true);
    let health = machine.ok(&["connections", "health", "ServiceNow tickets", "--json"]).await;
    assert!(health["flows"].as_array().is_some_and(Vec::is_empty));
    let explored = machine.run(&["connections", "explore", "ServiceNow tickets", "--json"]).await;
    assert_eq!(explored.code, 0, "{}", explored.stderr);
    explored.json();
    let renamed =
        machine.ok(&["connections", "rename", "ServiceNow tickets", "--to", "Tickets", "--json"]).await;
    assert!(renamed["etag"].as_str().is_some());
    let id = outcomes[0]["id"].as_str().expect("id");
    assert!(fake.connections().iter().any(|c| c["id"] == id && c["name"] == "Tickets"));
    let renewed = machine
        .ok(&[
            "renew",
            "Tickets",
            "--profile",
            "ServiceNow prod",
            "--secret",
            "password=env:SN_NEW_PASSWORD",
            "--json",
        ])
        .await;
    assert_eq!(renewed["outcome"], "updated");
    assert!(fake
        .connections()
        .iter()
        .any(|c| c["id"] == id && c["auth"]["params"]["password"] == NEW_PASSWORD));
    assert_eq!(machine.run(&["connections", "test", "No such connection"]).await.code, 3);

    let deleted = machine.ok(&["connections", "delete", id, "--json"]).await;
    assert_eq!(deleted["deleted"], id);
    assert_eq!(fake.connections().len(), 2);

    // Export to a file and standard output; delete the profile.
    let out = machine.root().join("export.json");
    let exported =
        machine.ok(&["profiles", "export", "--output", &out.display().to_string(), "--json"]).await;
    assert_eq!(exported["count"], 1);
    let to_stdout = machine.ok(&["profiles", "export"]).await;
    assert_eq!(to_stdout["profiles"][0]["name"], "ServiceNow prod");
    machine.ok(&["profiles", "delete", "ServiceNow prod", "--json"]).await;
    assert!(machine.ok(&["profiles", "list", "--json"]).await.as_array().is_some_and(Vec::is_empty));

    let removed = machine.ok(&["accounts", "remove", "Acme", "--json"]).await;
    assert_eq!(removed["id"], account.as_str());
    assert_eq!(machine.run(&["sandboxes", "list"]).await.code, 3, "no account left");

    assert_nothing_holds(&machine, &[PASSWORD, NEW_PASSWORD, PLAIN, &fake.config().client_secret]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_without_a_browser_completes_with_the_pasted_address() {
    if skip_without_keychain() {
        return;
    }
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
    let stderr = child.stderr.take().expect("stderr");
    let url = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stderr).lines();
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|l| l.starts_with("http"))
            .expect("the consent address");
        std::thread::spawn(move || lines.for_each(drop));
        url
    })
    .await
    .expect("read");
    // The user opens the address elsewhere; Google sends the browser to the redirect address.
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let consent = browser.get(&url).send().await.expect("consent page");
    let location = consent.headers()["location"].to_str().expect("location").to_owned();
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{location}").expect("pasted");
    drop(stdin);
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
