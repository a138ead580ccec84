//! `accounts list | add | remove | sign-in` and `sandboxes list`: core's accounts door, printed.

use std::process::ExitCode;

use flow_connect_core::accounts::{Account, SignIn};
use flow_connect_core::adobe::flow::Sandbox;
use flow_connect_core::adobe::ims::DEFAULT_SCOPES;
use flow_connect_core::operations::failure::{ErrorCode, Failure};
use flow_connect_core::operations::SaveAccountRequest;
use flow_connect_core::Secret;

use super::Ctx;
use crate::args::{AccountAddArgs, AccountsCommand, SandboxesCommand};
use crate::output::Out;
use crate::secrets::{self, SecretSource};

pub async fn run(ctx: &Ctx, command: AccountsCommand) -> Result<ExitCode, Failure> {
    match command {
        AccountsCommand::List => list(ctx),
        AccountsCommand::Add(args) => add(ctx, args).await?,
        AccountsCommand::Remove { account } => remove(ctx, &account).await?,
        AccountsCommand::SignIn => sign_in(ctx).await?,
    }
    Ok(ExitCode::SUCCESS)
}

fn list(ctx: &Ctx) {
    let accounts = ctx.ops.accounts().list();
    ctx.out.result(&accounts, |out| {
        if accounts.is_empty() {
            return "No accounts yet. Add one with `flow-connect-cli accounts add`.".into();
        }
        let rows = accounts
            .iter()
            .map(|a| {
                let sandbox = a.default_sandbox.clone().unwrap_or_else(|| "-".into());
                vec![a.display_name.clone(), a.org_id.clone(), a.client_id.clone(), sandbox, a.id.clone()]
            })
            .collect::<Vec<_>>();
        out.table(&["NAME", "ORG", "CLIENT ID", "DEFAULT SANDBOX", "ID"], &rows)
    });
}

async fn add(ctx: &Ctx, args: AccountAddArgs) -> Result<(), Failure> {
    let secret = client_secret(args.client_secret.as_deref())?;
    let account = Account {
        id: String::new(),
        display_name: args.name,
        org_id: args.org_id,
        client_id: args.client_id,
        scopes: args.scopes.unwrap_or_else(|| DEFAULT_SCOPES.to_owned()),
        default_sandbox: args.default_sandbox,
        sign_in: SignIn::ClientCredentials,
        legacy_id: None,
    };
    let saved = ctx.ops.accounts().save(SaveAccountRequest { account, client_secret: Some(secret) }).await?;
    ctx.out.result(&saved, |_| {
        format!(
            "Added the account “{}” ({}); its client secret is in the keychain.",
            saved.display_name, saved.id
        )
    });
    Ok(())
}

/// The client secret from where `--client-secret` says, else asked for without echo.
fn client_secret(given: Option<&str>) -> Result<Secret, Failure> {
    match given {
        Some(source) => source
            .parse::<SecretSource>()
            .map_err(|e| Failure::new(ErrorCode::Validation, format!("--client-secret: {e}.")))?
            .read("the client secret"),
        None => secrets::prompt("client-secret", "Client secret"),
    }
}

async fn remove(ctx: &Ctx, name_or_id: &str) -> Result<(), Failure> {
    let account = ctx.ops.accounts().pick(Some(name_or_id))?;
    let removed = ctx.ops.accounts().remove(&account.id).await?;
    ctx.out.result(&removed, |_| {
        format!("Removed the account “{}” and its client secret.", removed.display_name)
    });
    Ok(())
}

async fn sign_in(ctx: &Ctx) -> Result<(), Failure> {
    let account = ctx.account().await?;
    ctx.out.progress(&format!("Signing in as “{}”…", account.display_name));
    let signed_in = ctx.ops.accounts().sign_in(&account.id).await?;
    ctx.out.result(&signed_in, |out| {
        format!("Signed in. Sandboxes:\n{}", sandbox_table(out, &signed_in.sandboxes))
    });
    Ok(())
}

pub async fn sandboxes(ctx: &Ctx, command: SandboxesCommand) -> Result<ExitCode, Failure> {
    let SandboxesCommand::List = command;
    let account = ctx.account().await?;
    let sandboxes = ctx.ops.accounts().sandboxes(&account.id).await?;
    ctx.out.result(&sandboxes, |out| sandbox_table(out, &sandboxes));
    Ok(ExitCode::SUCCESS)
}

fn sandbox_table(out: &Out, sandboxes: &[Sandbox]) -> String {
    let rows = sandboxes
        .iter()
        .map(|s| {
            let default = if s.is_default { "yes" } else { "" };
            vec![s.name.clone(), s.title.clone(), s.sandbox_type.clone(), default.to_owned()]
        })
        .collect::<Vec<_>>();
    out.table(&["NAME", "TITLE", "TYPE", "DEFAULT"], &rows)
}
