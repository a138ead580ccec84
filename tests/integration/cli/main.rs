//! flow-connect-cli as a script runs it: the built binary, against the fake Adobe and Google
//! services on loopback, with its own data folder and the private keychain session. Every
//! subcommand's `--json` is parsed and checked, and so is every exit code; at the end no
//! secret given to it appears in anything it printed or in any file it wrote.
//!
//! One binary, a module per subject: a profile's lifecycle, consent, the binary itself.

use fakes::cli::CliHome;
use fakes::{FakeGoogle, FakePlatform, GoogleConfig};
use serde_json::json;

mod binary;
mod consent;
mod dataflow;
mod profile_lifecycle;
mod promotion;
mod promotion_consent;

const SERVICENOW: &str = "eb13cb25-47ab-407f-ba89-c0125281c563";
const BIGQUERY: &str = flow_connect_core::catalog::BIGQUERY_SPEC_ID;
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

/// The user's side of a consent run without a browser: reads the address `child` prints on
/// standard error, opens it elsewhere (the fake Google answers with its redirect), and pastes
/// the address the browser ended on. Returns what was printed before the address, and the
/// rest of standard error once the process has closed it.
async fn allow_elsewhere_and_paste(
    child: &mut std::process::Child,
) -> (String, std::thread::JoinHandle<String>) {
    use std::io::{BufRead as _, BufReader, Write as _};
    let stderr = child.stderr.take().expect("stderr");
    let (url, before, rest) = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stderr).lines();
        let mut before = String::new();
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .inspect(|l| before.push_str(&format!("{l}\n")))
            .find(|l| l.starts_with("http"))
            .expect("the consent address");
        let rest = std::thread::spawn(move || lines.map_while(Result::ok).collect::<Vec<_>>().join("\n"));
        (url, before, rest)
    })
    .await
    .expect("read");
    let browser =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let consent = browser.get(&url).send().await.expect("consent page");
    let location = consent.headers()["location"].to_str().expect("location").to_owned();
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{location}").expect("pasted");
    drop(stdin);
    (before, rest)
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
