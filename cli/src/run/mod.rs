//! Each subcommand: read its arguments, call one of the core's doors, print the result. No
//! decision about accounts, profiles or connections is made here that the app does not share.

mod accounts;
mod connections;
mod consent;
mod create;
mod credentials;
mod dataflow;
mod profiles;
mod promotion;
mod sources;

use std::process::ExitCode;

use flow_connect_core::accounts::Account;
use flow_connect_core::config::Endpoints;
use flow_connect_core::operations::failure::{ErrorCode, Failure};
use flow_connect_core::operations::{Operations, APP_IDENTIFIER};

use crate::args::{Cli, Command};
use crate::output::Out;
use crate::secrets::SecretSource;

/// What every subcommand works with.
pub struct Ctx {
    pub ops: Operations,
    pub out: Out,
    account: Option<String>,
    account_secret: Option<SecretSource>,
}

pub async fn run(cli: Cli, out: Out) -> Result<ExitCode, Failure> {
    let account_secret = cli
        .account_secret
        .as_deref()
        .map(|s| {
            s.parse::<SecretSource>()
                .map_err(|e| Failure::new(ErrorCode::Validation, format!("--account-secret: {e}.")))
        })
        .transpose()?;
    let ctx = Ctx::open(out, cli.account, account_secret)?;
    match cli.command {
        Command::Accounts(command) => accounts::run(&ctx, command).await,
        Command::Sandboxes(command) => accounts::sandboxes(&ctx, command).await,
        Command::Sources(command) => sources::run(&ctx, command).await,
        Command::Profiles(command) => profiles::run(&ctx, command).await,
        Command::Create(args) => create::create(&ctx, args).await,
        Command::Connections(command) => connections::run(&ctx, command).await,
        Command::Renew(args) => create::renew(&ctx, args).await,
        Command::Dataflow(command) => dataflow::run(&ctx, command).await,
        Command::Consent(args) => consent::run(&ctx, args).await,
        Command::Credentials(command) => credentials::run(&ctx, command).await,
        Command::Export(args) => promotion::export(&ctx, args).await,
        Command::Plan(args) => promotion::plan(&ctx, args).await,
        Command::Apply(args) => promotion::apply(&ctx, args).await,
        // Handled before the data folder is opened.
        Command::Completions { .. } => Ok(ExitCode::SUCCESS),
    }
}

/// The app's data folder, as its Tauri path resolver finds it: `$XDG_DATA_HOME` (else
/// `~/.local/share`) on Linux, followed by the app's identifier.
fn data_dir() -> Result<std::path::PathBuf, Failure> {
    dirs::data_dir().map(|d| d.join(APP_IDENTIFIER)).ok_or_else(|| {
        Failure::new(ErrorCode::Storage, "Found no data folder: set HOME (or XDG_DATA_HOME), then try again.")
    })
}

impl Ctx {
    fn open(
        out: Out,
        account: Option<String>,
        account_secret: Option<SecretSource>,
    ) -> Result<Self, Failure> {
        let endpoints = Endpoints::from_env()?;
        // Said once, also with --json: the account's client secret and the tokens go there.
        for (var, url) in endpoints.overridden() {
            out.notice(&format!(
                "Note: {var} is set, so requests (with the account's client secret and tokens) go to {url} instead of Adobe's or Google's own address."
            ));
        }
        let (ops, notices) = Operations::open(endpoints, APP_IDENTIFIER, &data_dir()?)?;
        for notice in notices {
            out.progress(&notice);
        }
        Ok(Self { ops, out, account, account_secret })
    }

    /// The account `--account` names (or the only one), signed in with `--account-secret`
    /// when given.
    pub async fn account(&self) -> Result<Account, Failure> {
        self.account_or(None).await
    }

    /// The account `--account` names, else `fallback` (a profile's) when it still exists,
    /// else the only one.
    pub async fn account_or(&self, fallback: Option<&str>) -> Result<Account, Failure> {
        let account = self.ops.accounts().pick_or(self.account.as_deref(), fallback)?;
        if let Some(source) = &self.account_secret {
            let secret = source.read("the account's client secret")?;
            self.ops.accounts().use_secret(&account, secret).await?;
        }
        Ok(account)
    }

    /// The account `--account` named, if any.
    pub fn account_name(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The sandbox named, else the account's default.
    pub fn sandbox(&self, account: &Account, named: Option<&str>) -> Result<String, Failure> {
        named
            .map(str::to_owned)
            .or_else(|| account.default_sandbox.clone())
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| {
                Failure::new(
                    ErrorCode::Validation,
                    "Name the sandbox with --sandbox (see `sandboxes list`), or give the account a default one.",
                )
            })
    }

    /// The account, and the sandbox named (or its default): where a subcommand works.
    pub async fn target(&self, sandbox: Option<&str>) -> Result<(Account, String), Failure> {
        let account = self.account().await?;
        let sandbox = self.sandbox(&account, sandbox)?;
        Ok((account, sandbox))
    }
}
