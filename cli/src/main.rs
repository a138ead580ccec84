//! `flow-connect-cli`: Flow Connect from a terminal or a script. It opens the same data folder
//! and keychain entries as the app, and every subcommand is a thin adapter over one of core's
//! doors; this binary links no GUI library, so it runs on a headless server.

mod args;
mod output;
mod run;
mod secrets;

use std::process::ExitCode;

use clap::{CommandFactory as _, Parser as _};
use flow_connect_core::operations::failure::{ErrorCode, Failure};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use args::{Cli, Command, Shell};
use output::Out;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    if let Command::Completions { shell } = cli.command {
        let mut command = Cli::command();
        let shell = match shell {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
        };
        // Written through output::write_out, which never panics on a closed pipe.
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut command, "flow-connect-cli", &mut script);
        output::write_out(String::from_utf8_lossy(&script).trim_end_matches('\n'));
        return finish(ExitCode::SUCCESS);
    }
    let out = Out::new(cli.json);
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            out.error(&format!("Could not start ({e})."));
            return ExitCode::FAILURE;
        }
    };
    let code = match runtime.block_on(run::run(cli, out)) {
        Ok(code) => code,
        Err(failure) => report(out, &failure),
    };
    finish(code)
}

/// The exit code of a command that ran to its end: its own, except that a command that
/// succeeded but could not write all its output (a closed pipe) ends with
/// [`output::OUTPUT_CLOSED`], so a script does not take a cut-off result for a whole one.
fn finish(code: ExitCode) -> ExitCode {
    if code == ExitCode::SUCCESS && output::output_lost() {
        ExitCode::from(output::OUTPUT_CLOSED)
    } else {
        code
    }
}

/// Tells the failure (on standard error, and as JSON on standard output with `--json`) and
/// returns its exit code.
pub fn report(out: Out, failure: &Failure) -> ExitCode {
    let mut message = failure.message.clone();
    if failure.code == ErrorCode::Keychain {
        message = format!("{message} {}", secrets::NO_KEYCHAIN_HINT);
    }
    if out.json {
        out.result(&serde_json::json!({ "error": { "code": failure.code, "message": message } }), |_| {
            String::new()
        });
    }
    out.error(&message);
    exit_code(failure.code)
}

/// The exit codes `--help` documents (args::EXIT_CODES).
pub fn exit_code(code: ErrorCode) -> ExitCode {
    ExitCode::from(match code {
        ErrorCode::Validation | ErrorCode::Duplicate => 2,
        ErrorCode::NotFound | ErrorCode::UnknownSource => 3,
        ErrorCode::AdobeSignIn | ErrorCode::AdobeRejected => 4,
        ErrorCode::Network => 5,
        ErrorCode::Keychain => 6,
        ErrorCode::Storage | ErrorCode::Configuration => 7,
        ErrorCode::GoogleSignIn | ErrorCode::Cancelled => 8,
        ErrorCode::Ambiguous => 9,
    })
}

/// Logs go to standard error, at `warn` unless `FLOW_CONNECT_LOG` says otherwise, so a
/// script's output stays its results.
fn init_logging() {
    let setting = std::env::var("FLOW_CONNECT_LOG").ok();
    let warn = Targets::new().with_default(LevelFilter::WARN);
    let filter = match setting.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => warn,
        Some(value) => value.parse().unwrap_or(warn),
    };
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(|| LogWriter).with_ansi(false))
        .with(filter)
        .init();
}

/// Log lines on standard error, through [`output::write_err`]: cleaned of control characters
/// (a log may quote a server's message) and never a panic on a closed pipe.
struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        output::write_err(&output::clean_lines(text.trim_end_matches('\n')));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arguments_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_code_has_the_exit_code_the_help_documents() {
        for (code, exit) in [
            (ErrorCode::Validation, "2"),
            (ErrorCode::NotFound, "3"),
            (ErrorCode::AdobeRejected, "4"),
            (ErrorCode::Network, "5"),
            (ErrorCode::Keychain, "6"),
            (ErrorCode::Storage, "7"),
            (ErrorCode::GoogleSignIn, "8"),
            (ErrorCode::Ambiguous, "9"),
        ] {
            assert_eq!(exit_code(code), ExitCode::from(exit.parse::<u8>().expect("number")));
            assert!(args::EXIT_CODES.contains(&format!("  {exit}  ")), "{exit} is documented");
        }
        assert!(args::EXIT_CODES.contains(&format!("\n{}  ", output::OUTPUT_CLOSED)), "documented");
    }
}
