//! Runs the built `flow-connect-cli` as a user's shell would, for the suites that test it as a
//! separate process. A [`CliHome`] is one user's machine: a data folder and a home of its own,
//! the endpoints a test points it at, and nothing of the test's own `FLOW_CONNECT_*`
//! environment, so a developer's settings never reach a run. Everything the runs printed is
//! kept, for a suite that checks no secret was shown.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, PoisonError};

use serde_json::Value;

use crate::{FakeGoogle, FakePlatform};

/// The `flow-connect-cli` built beside the running test binary. Cargo does not build another
/// package's binary for a test, so `cargo build -p flow-connect-cli` must run first (the test
/// script does); the assertion says so.
pub fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let cli = dir.join("flow-connect-cli");
    assert!(
        cli.exists(),
        "build flow-connect-cli first: cargo build -p flow-connect-cli ({})",
        cli.display()
    );
    cli
}

/// How one run ended and what it printed.
#[derive(Debug)]
pub struct Ran {
    /// The exit code; -1 when a signal ended the run.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Standard output as JSON; a run that printed anything else fails the test, showing it.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

impl From<Output> for Ran {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// One user's machine for the CLI: `XDG_DATA_HOME`, `HOME` and `NO_COLOR` set, plus whatever
/// [`CliHome::with_env`] adds. A folder made by [`CliHome::new`] is removed when it drops.
pub struct CliHome {
    root: PathBuf,
    env: Vec<(String, String)>,
    printed: Mutex<String>,
    owned: bool,
}

impl CliHome {
    /// A new folder `<temp>/<prefix>-<uuid>` holding `data` (the data home) and `home`.
    pub fn new(prefix: &str) -> Self {
        let root = std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(root.join("home")).expect("home");
        Self::at(root.clone(), &root.join("data"), true)
    }

    /// The CLI over a data home that already exists (`XDG_DATA_HOME=xdg`, `HOME=xdg/home`), as
    /// a second process over a folder another holder uses. The folder is left in place.
    pub fn over(xdg: &Path) -> Self {
        Self::at(xdg.to_path_buf(), xdg, false)
    }

    fn at(root: PathBuf, xdg: &Path, owned: bool) -> Self {
        let env = vec![
            ("XDG_DATA_HOME".to_owned(), xdg.display().to_string()),
            ("HOME".to_owned(), root.join("home").display().to_string()),
            ("NO_COLOR".to_owned(), "1".to_owned()),
        ];
        Self { root, env, printed: Mutex::default(), owned }
    }

    /// Adds `key=value` to every run's environment (a later value for the same key wins).
    pub fn with_env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.to_owned(), value.into()));
        self
    }

    /// Adobe IMS and the Platform APIs on `fake`.
    pub fn on_platform(self, fake: &FakePlatform) -> Self {
        self.with_env("FLOW_CONNECT_PLATFORM_URL", fake.url()).with_env("FLOW_CONNECT_IMS_URL", fake.url())
    }

    /// Google's consent, token and revoke addresses on `google`.
    pub fn on_google(self, google: &FakeGoogle) -> Self {
        self.with_env("FLOW_CONNECT_GOOGLE_AUTH_URL", google.auth_url())
            .with_env("FLOW_CONNECT_GOOGLE_TOKEN_URL", google.token_url())
            .with_env("FLOW_CONNECT_GOOGLE_REVOKE_URL", google.revoke_url())
    }

    /// The machine's folder, where runs start and [`CliHome::write`] puts files.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `contents` to `name` under the machine's folder.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.root.join(name);
        std::fs::write(&path, contents).expect("written");
        path
    }

    /// The CLI with `args`, prepared as [`CliHome::prepare`] says.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = self.prepare(Command::new(binary()));
        command.args(args);
        command
    }

    /// `command` (the CLI or a shell that runs it) with this machine's environment and folder
    /// and nothing on standard input; the test's own `FLOW_CONNECT_*` variables are left out.
    pub fn prepare(&self, mut command: Command) -> Command {
        for (var, _) in std::env::vars_os() {
            if var.to_string_lossy().starts_with("FLOW_CONNECT_") {
                command.env_remove(var);
            }
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v))).current_dir(&self.root).stdin(Stdio::null());
        command
    }

    /// Runs the CLI with `args` to its end.
    pub async fn run(&self, args: &[&str]) -> Ran {
        self.finish(self.command(args)).await
    }

    /// Runs `command` to its end, off the runtime that serves the fakes, and keeps what it
    /// printed.
    pub async fn finish(&self, mut command: Command) -> Ran {
        let output =
            tokio::task::spawn_blocking(move || command.output()).await.expect("joined").expect("ran");
        let ran = Ran::from(output);
        self.note_printed(&format!("{}\n{}\n", ran.stdout, ran.stderr));
        ran
    }

    /// Runs the CLI with `args`; it must succeed, and its output is JSON.
    pub async fn ok(&self, args: &[&str]) -> Value {
        let ran = self.run(args).await;
        assert_eq!(ran.code, 0, "{args:?} failed: {}{}", ran.stdout, ran.stderr);
        ran.json()
    }

    /// Adds the account `name` for `fake`'s integration (default sandbox `prod`) the way a
    /// script does, its client secret from the variable `ACME_SECRET`; returns its id.
    pub async fn add_account(&self, fake: &FakePlatform, name: &str) -> String {
        let config = fake.config();
        let args = [
            "accounts",
            "add",
            "--json",
            "--name",
            name,
            "--org-id",
            &config.org_id,
            "--client-id",
            &config.client_id,
            "--client-secret",
            "env:ACME_SECRET",
            "--default-sandbox",
            "prod",
        ];
        let mut command = self.command(&args);
        command.env("ACME_SECRET", &config.client_secret);
        let ran = self.finish(command).await;
        assert_eq!(ran.code, 0, "{args:?} failed: {}{}", ran.stdout, ran.stderr);
        ran.json()["id"].as_str().expect("id").to_owned()
    }

    /// Everything the runs through [`CliHome::finish`] printed, and what
    /// [`CliHome::note_printed`] added.
    pub fn printed(&self) -> String {
        self.printed.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Keeps `text` a run outside [`CliHome::finish`] printed (a child the test drove itself).
    pub fn note_printed(&self, text: &str) {
        self.printed.lock().unwrap_or_else(PoisonError::into_inner).push_str(text);
    }
}

/// The folder and the names of the variables set; their values may be secrets a test hands over.
impl std::fmt::Debug for CliHome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let vars: Vec<&str> = self.env.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("CliHome").field("root", &self.root).field("env", &vars).finish_non_exhaustive()
    }
}

impl Drop for CliHome {
    fn drop(&mut self) {
        if self.owned {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}
