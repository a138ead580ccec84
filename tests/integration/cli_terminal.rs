//! flow-connect-cli as a terminal citizen, run as the built binary: a closed pipe ends with the
//! documented exit code and never a panic, text from outside cannot drive the terminal,
//! `--secret FIELD=file:PATH` reads regular files only, a moved endpoint is announced, and
//! `consent` always shows the consent address and where the client secret goes. Unix only:
//! it needs `sh`, FIFOs and file modes.
#![cfg(unix)]

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fakes::cli::{binary, CliHome, Ran};
use fakes::{FakeConfig, FakeGoogle, FakePlatform, GoogleConfig};
use serde_json::json;

const SERVICENOW: &str = "eb13cb25-47ab-407f-ba89-c0125281c563";
const BIGQUERY: &str = flow_connect_core::catalog::BIGQUERY_SPEC_ID;
/// `output::OUTPUT_CLOSED`, as `--help` and the README document it.
const OUTPUT_CLOSED: i32 = 141;
/// What a Rust panic exits with.
const PANIC: i32 = 101;

/// A data folder and a home of its own; the endpoints given, every other `FLOW_CONNECT_*`
/// variable of the test's own environment left out.
fn machine(endpoints: &[(&str, &str)]) -> CliHome {
    endpoints
        .iter()
        .fold(CliHome::new("flow-connect-terminal").with_env("FLOW_CONNECT_LOG", "warn"), |home, (k, v)| {
            home.with_env(k, *v)
        })
}

/// A machine with its endpoints on the fakes.
fn on(fake: &FakePlatform, google: Option<&FakeGoogle>) -> CliHome {
    let machine = machine(&[]).on_platform(fake);
    match google {
        Some(google) => machine.on_google(google),
        None => machine,
    }
}

/// Runs the CLI with standard output and standard error on one pipe whose reading end is
/// closed before it starts, as after `| head -n1` has read its line: every write fails.
async fn run_into_closed_pipe(machine: &CliHome, args: &[&str]) -> i32 {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let mut command = machine.command(args);
    command.stdout(writer.try_clone().expect("clone")).stderr(writer);
    let status = tokio::task::spawn_blocking(move || command.status()).await.expect("joined").expect("ran");
    status.code().unwrap_or(-1)
}

/// Writes `text` to `name` under the machine's folder, with the file mode `mode`.
fn write(machine: &CliHome, name: &str, text: &str, mode: u32) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = machine.write(name, text);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("mode");
    path
}

async fn import(machine: &CliHome, profile: serde_json::Value) {
    let export = json!({ "flowConnectProfiles": 1, "profiles": [profile] });
    let path = write(machine, &format!("{}.json", uuid::Uuid::new_v4()), &export.to_string(), 0o600);
    machine.ok(&["profiles", "import", &path.display().to_string(), "--json"]).await;
}

fn servicenow_profile(name: &str) -> serde_json::Value {
    json!({
        "name": name, "specId": SERVICENOW, "specName": "Basic Authentication",
        "sourceName": "ServiceNow", "connectionName": "ServiceNow tickets", "description": "",
        "values": { "endpoint": "https://acme.service-now.com", "username": "svc" },
        "secretFields": ["password"]
    })
}

fn bigquery_profile(name: &str) -> serde_json::Value {
    json!({
        "name": name, "specId": BIGQUERY, "specName": "Basic Authentication",
        "sourceName": "Google BigQuery", "connectionName": name, "description": "",
        "values": { "project": "acme-analytics", "clientId": GoogleConfig::default().client_id },
        "secretFields": ["clientSecret", "refreshToken"]
    })
}

/// Control characters and bidirectional overrides a terminal would act on.
fn drives_the_terminal(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_pipe_ends_with_the_documented_code_and_never_a_panic() {
    let machine = machine(&[("FLOW_CONNECT_PLATFORM_URL", "http://127.0.0.1:9")]);
    // A command that succeeded but could not write its result says so.
    assert_eq!(run_into_closed_pipe(&machine, &["sources", "list"]).await, OUTPUT_CLOSED);
    assert_eq!(run_into_closed_pipe(&machine, &["sources", "list", "--json"]).await, OUTPUT_CLOSED);
    assert_eq!(run_into_closed_pipe(&machine, &["completions", "bash"]).await, OUTPUT_CLOSED);
    // A command that failed keeps its own code: the error could not be shown, the code can.
    assert_eq!(run_into_closed_pipe(&machine, &["sources", "show", "No such source"]).await, 3);

    // The shell's own `2>&1 | head -n1`: head takes the first line and leaves. Whether the
    // rest was written before it left depends on timing, so both outcomes are accepted; a
    // panic is not.
    let status = machine.root().join("status");
    let mut command = machine.prepare(Command::new("sh"));
    command
        .arg("-c")
        .arg(r#"("$0" sources list 2>&1; echo $? >"$STATUS") | head -n1"#)
        .arg(binary())
        .env("STATUS", &status)
        .stdout(Stdio::piped());
    let first = machine.finish(command).await.stdout;
    assert!(first.starts_with("Note: FLOW_CONNECT_PLATFORM_URL"), "{first}");
    assert_eq!(first.lines().count(), 1);
    let code: i32 = std::fs::read_to_string(&status).expect("status").trim().parse().expect("a number");
    assert!(code == 0 || code == OUTPUT_CLOSED, "exit code {code}");
    assert_ne!(code, PANIC);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_create_in_several_sandboxes_runs_to_its_end_when_its_output_is_closed() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let machine = on(&fake, None);
    machine.add_account(&fake, "Acme").await;
    import(&machine, servicenow_profile("ServiceNow prod")).await;
    let password = write(&machine, "password", "now-pass-Qz41\n", 0o600);
    let secret = format!("password=file:{}", password.display());
    let code = run_into_closed_pipe(
        &machine,
        &[
            "create",
            "--profile",
            "ServiceNow prod",
            "--sandbox",
            "prod",
            "--sandbox",
            "dev-marketing",
            "--secret",
            &secret,
        ],
    )
    .await;
    assert_eq!(code, OUTPUT_CLOSED);
    let made = fake.connections();
    assert_eq!(made.len(), 2, "both sandboxes got the connection");
    assert!(
        made.iter().all(|c| c["auth"]["params"]["password"] == "now-pass-Qz41"),
        "a text field's final newline is not part of the secret"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn text_from_outside_is_printed_without_control_characters() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let machine = on(&fake, None);
    machine.add_account(&fake, "Acme").await;
    let hostile = "Sales\u{1b}[2J\u{1b}]0;owned\u{7}\r\nEU\u{202E}txt.exe";
    let ids = fake.seed_named(SERVICENOW, "prod", &[hostile]);
    fake.fail(&ids[0], "CONNECTOR-1\u{1b}[31m", "Denied\u{1b}[2J\u{1b}[1;1HAll good\u{7}");

    let listed = machine.run(&["connections", "list", "--sandbox", "prod"]).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let text = listed.stdout;
    assert!(text.contains("Sales[2J]0;owned  EUtxt.exe"), "the name, cleaned: {text}");
    assert!(!drives_the_terminal(&text), "{text:?}");

    let health = machine.run(&["connections", "health", &ids[0], "--sandbox", "prod"]).await;
    let printed = format!("{}{}", health.stdout, health.stderr);
    assert!(!drives_the_terminal(&printed), "{printed:?}");
    assert_ne!(health.code, PANIC);

    // A profile's name comes from whoever wrote the export.
    import(&machine, servicenow_profile("Shared\u{1b}[8m hidden")).await;
    let profiles = machine.run(&["profiles", "list"]).await;
    let text = profiles.stdout;
    assert!(text.contains("Shared[8m hidden") && !drives_the_terminal(&text), "{text:?}");
    // JSON keeps the text as it is, escaped.
    let json = machine.ok(&["profiles", "list", "--json"]).await;
    assert_eq!(json[0]["name"], "Shared\u{1b}[8m hidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_secret_file_must_be_a_regular_file_and_a_shared_one_is_warned_about() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let google = FakeGoogle::start(GoogleConfig::default()).await.expect("google");
    let machine = on(&fake, Some(&google));
    import(&machine, bigquery_profile("BigQuery")).await;
    let consent = |secret: String| {
        let mut command = machine.command(&["consent", "--profile", "BigQuery", "--no-browser", "--secret"]);
        command.arg(secret);
        command
    };

    // A FIFO would wait for a writer forever; a device never ends. Both are refused at once
    // (the deadline only bounds a run that hangs).
    let fifo = machine.root().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    for path in [fifo.display().to_string(), "/dev/zero".to_owned()] {
        let ran = finish_within(consent(format!("clientSecret=file:{path}")), Duration::from_secs(30)).await;
        assert_eq!(ran.code, 2, "{path}: {}", ran.stderr);
        assert!(ran.stderr.contains("is not a regular file"), "{}", ran.stderr);
    }

    // Readable by others: read, with a warning. Kept to its owner: no warning.
    let shared =
        write(&machine, "shared-secret", &format!("{}\n", GoogleConfig::default().client_secret), 0o644);
    let ran =
        finish_within(consent(format!("clientSecret=file:{}", shared.display())), Duration::from_secs(60))
            .await;
    assert!(ran.stderr.contains("readable by other users"), "{}", ran.stderr);
    assert_ne!(ran.code, PANIC);
    let private =
        write(&machine, "private-secret", &format!("{}\n", GoogleConfig::default().client_secret), 0o600);
    let ran =
        finish_within(consent(format!("clientSecret=file:{}", private.display())), Duration::from_secs(60))
            .await;
    assert!(!ran.stderr.contains("readable by other users"), "{}", ran.stderr);

    // A variable that is not UTF-8 is named as such, not as missing.
    let mut command = consent("clientSecret=env:G_SECRET_BYTES".to_owned());
    command.env(
        "G_SECRET_BYTES",
        <std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(vec![0xff, 0xfe, b'x']),
    );
    let ran = finish_within(command, Duration::from_secs(30)).await;
    assert_eq!(ran.code, 2);
    assert!(
        ran.stderr.contains("G_SECRET_BYTES") && ran.stderr.contains("not valid UTF-8"),
        "{}",
        ran.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn consent_shows_its_address_also_when_a_browser_opened_it_and_where_the_secret_goes() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let google = FakeGoogle::start(GoogleConfig::default()).await.expect("google");
    let machine = on(&fake, Some(&google));
    import(&machine, bigquery_profile("BigQuery")).await;
    // A "browser" that only notes the address it was asked to open, as one on another
    // display would: the user sees nothing of it.
    let bin = machine.root().join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let opened = machine.root().join("opened");
    for name in ["xdg-open", "gio", "gnome-open", "kde-open", "wslview"] {
        let script = format!("#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{}'\n", opened.display());
        let path = write(&machine, &format!("bin/{name}"), &script, 0o755);
        assert!(path.exists());
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let secret = write(&machine, "secret", &GoogleConfig::default().client_secret, 0o600);
    let mut command = machine.command(&[
        "consent",
        "--profile",
        "BigQuery",
        "--secret",
        &format!("clientSecret=file:{}", secret.display()),
    ]);
    command.env("PATH", path).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("started");
    let guard = KillOnDrop(&mut child);
    let lines = read_stderr_until(guard.0, |l| l.starts_with("http"), Duration::from_secs(60)).await;
    let url = lines.last().cloned().unwrap_or_default();
    assert!(url.starts_with(&google.auth_url()), "{lines:#?}");
    let token_line = lines.iter().find(|l| l.contains("token address")).expect("the token address is shown");
    assert!(token_line.contains(&google.token_url()), "{token_line}");
    // The browser was asked too (the address is shown either way).
    let deadline = Instant::now() + Duration::from_secs(30);
    while !std::fs::read_to_string(&opened).unwrap_or_default().contains(&url) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(std::fs::read_to_string(&opened).unwrap_or_default().contains(&url), "the browser was asked");
    drop(guard);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_endpoint_is_announced_once_and_the_defaults_are_not() {
    let moved = machine(&[
        ("FLOW_CONNECT_PLATFORM_URL", "http://127.0.0.1:9"),
        ("FLOW_CONNECT_GOOGLE_TOKEN_URL", "https://token.example/t"),
    ]);
    for args in [&["sources", "list"][..], &["sources", "list", "--json"][..]] {
        let ran = moved.run(args).await;
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        let err = ran.stderr;
        let notes: Vec<&str> = err.lines().filter(|l| l.starts_with("Note:")).collect();
        assert_eq!(notes.len(), 2, "{err}");
        assert!(notes[0].contains("FLOW_CONNECT_PLATFORM_URL") && notes[0].contains("http://127.0.0.1:9/"));
        assert!(
            notes[1].contains("FLOW_CONNECT_GOOGLE_TOKEN_URL")
                && notes[1].contains("https://token.example/t")
        );
    }
    let default = machine(&[]);
    let ran = default.run(&["sources", "list"]).await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(!ran.stderr.contains("Note:"), "{}", ran.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_finds_every_word_as_the_window_does() {
    let machine = machine(&[]);
    let found = machine.ok(&["sources", "list", "--json", "--search", "big query"]).await;
    let ids: Vec<&str> =
        found.as_array().expect("list").iter().filter_map(|s| s["specId"].as_str()).collect();
    assert_eq!(ids, [BIGQUERY]);
}

struct KillOnDrop<'a>(&'a mut Child);

impl Drop for KillOnDrop<'_> {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines of the child's standard error up to the first that `last` accepts.
async fn read_stderr_until(child: &mut Child, last: fn(&str) -> bool, within: Duration) -> Vec<String> {
    let stderr = child.stderr.take().expect("stderr");
    let reading = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let done = last(&line);
            seen.push(line);
            if done {
                break;
            }
        }
        seen
    });
    tokio::time::timeout(within, reading).await.expect("in time").expect("joined")
}

/// Runs `command` to its end; one still running after `within` is killed and fails the test
/// (a FIFO opened for reading waits for a writer forever).
async fn finish_within(mut command: Command, within: Duration) -> Ran {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = command.spawn().expect("started");
    let id = child.id();
    let waiting = tokio::task::spawn_blocking(move || child.wait_with_output());
    match tokio::time::timeout(within, waiting).await {
        Ok(done) => Ran::from(done.expect("joined").expect("ran")),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(id.to_string()).status();
            panic!("the CLI was still running after {within:?}");
        }
    }
}
