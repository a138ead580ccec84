//! `create` (a profile's connection in one or more sandboxes) and `renew` (a profile's
//! credentials sent to an existing connection). The secrets come from `--secret`, then the
//! profile's keychain entries, then a prompt; they go only into the request. Which name, which
//! token date, the live spec check, create-or-skip and the spec check before a renewal are the
//! connections and lifecycle doors'.

use std::process::ExitCode;

use flow_connect_core::adobe::flow::TestOutcome;
use flow_connect_core::operations::failure::{ErrorCode, Failure};
use flow_connect_core::operations::renew::Renewal;
use flow_connect_core::operations::{CreateOutcome, ProfileValues};
use flow_connect_core::profiles::Profile;

use flow_connect_core::oauth::client_check::TENANT_VALUE;

use super::Ctx;
use crate::args::{CreateArgs, RenewArgs, SecretOptions};
use crate::secrets;

pub async fn create(ctx: &Ctx, args: CreateArgs) -> Result<ExitCode, Failure> {
    let profile = ctx.ops.profiles().find(&args.profile).await?;
    let account = ctx.account_or(profile.account_id.as_deref()).await?;
    let values = profile_values(ctx, &profile, &args.secrets).await?;
    let connections = ctx.ops.connections();
    if args.check {
        // The provider is asked once, before any sandbox: a refused client stops everything.
        let sandbox = args.sandboxes.first().map_or("", String::as_str);
        let mut request =
            connections.request_from_profile(&profile, &account.id, sandbox, None, &values, false).await;
        if let Some(tenant) = &args.tenant {
            request.values.insert(TENANT_VALUE.to_owned(), flow_connect_core::Secret::new(tenant.clone()));
        }
        let checked = connections.check_credentials(&request).await?;
        ctx.out
            .progress(&format!("{} issued a token for this client: the credentials work.", checked.provider));
    }
    let mut outcomes = Vec::new();
    for sandbox in &args.sandboxes {
        let name = args.name.as_deref();
        let request =
            connections.request_from_profile(&profile, &account.id, sandbox, name, &values, args.force).await;
        let doing = if args.dry_run { "Preparing" } else { "Creating" };
        ctx.out.progress(&format!("{doing} “{}” in {sandbox}…", request.name));
        outcomes.push(connections.create_or_skip(&request, args.dry_run).await);
    }
    let failed = outcomes.iter().find_map(|o| match o {
        CreateOutcome::Failed { code, .. } => Some(*code),
        _ => None,
    });
    ctx.out.result(&outcomes, |out| human(out, &outcomes));
    Ok(failed.map_or(ExitCode::SUCCESS, crate::exit_code))
}

fn human(out: &crate::output::Out, outcomes: &[CreateOutcome]) -> String {
    let mut curls = String::new();
    let rows = outcomes
        .iter()
        .map(|o| match o {
            CreateOutcome::Created { sandbox, id, note } => {
                let mut result = format!("created {id}");
                if let Some(note) = note {
                    result.push_str(&format!(" ({note})"));
                }
                vec![sandbox.clone(), result]
            }
            CreateOutcome::Skipped { sandbox, ids, .. } => vec![sandbox.clone(), skipped_text(ids)],
            CreateOutcome::DryRun { sandbox, curl } => {
                curls.push_str(&format!("# {sandbox}\n{curl}\n\n"));
                vec![sandbox.clone(), "dry run: nothing sent".into()]
            }
            CreateOutcome::Failed { sandbox, message, .. } => {
                vec![sandbox.clone(), format!("failed: {message}")]
            }
        })
        .collect::<Vec<_>>();
    format!("{curls}{}", out.table(&["SANDBOX", "RESULT"], &rows))
}

fn skipped_text(ids: &[String]) -> String {
    match ids {
        [] => "skipped: it exists (--force creates another)".to_owned(),
        [one] => format!("skipped: it exists as {one} (--force creates another)"),
        all => format!("skipped: {} exist ({}) (--force creates another)", all.len(), all.join(", ")),
    }
}

pub async fn renew(ctx: &Ctx, args: RenewArgs) -> Result<ExitCode, Failure> {
    let profile = ctx.ops.profiles().find(&args.profile).await?;
    let account = ctx.account_or(profile.account_id.as_deref()).await?;
    let sandbox = ctx.sandbox(&account, args.sandbox.as_deref().or(profile.sandbox.as_deref()))?;
    let lifecycle = ctx.ops.lifecycle();
    let connection = lifecycle.renew_target(&account.id, &sandbox, &args.connection, &profile).await?;
    let values = profile_values(ctx, &profile, &args.secrets).await?;
    ctx.out.progress(&format!("Sending new credentials to “{}” in {sandbox}…", connection.name));
    let request = lifecycle.request_from_profile(&profile, &account.id, &sandbox, &connection, values).await;
    let renewal = lifecycle.renew(&request).await?;
    ctx.out.result(&renewal, |_| renewal_text(&renewal, &connection.name));
    Ok(match renewal {
        Renewal::Updated { .. } => ExitCode::SUCCESS,
        Renewal::Stale { .. } => crate::exit_code(ErrorCode::AdobeRejected),
    })
}

fn renewal_text(renewal: &Renewal, name: &str) -> String {
    match renewal {
        Renewal::Updated { test, test_error, note, .. } => {
            let tested = match (test, test_error) {
                (Some(TestOutcome::Passed | TestOutcome::Explored), _) => "the test passed".to_owned(),
                (Some(TestOutcome::Failed), _) => "but the test failed: check the credentials".to_owned(),
                (None, Some(why)) => format!("not tested ({why})"),
                (None, None) => "not tested".to_owned(),
            };
            let note = note.as_ref().map(|n| format!(" {n}")).unwrap_or_default();
            format!("Renewed “{name}”; {tested}.{note}")
        }
        Renewal::Stale { .. } => {
            "The connection changed while the renewal was sent; nothing was written. Run it again.".into()
        }
    }
}

/// The profile's values, with each secret from `--secret`, else held in the keychain (as a
/// reference the core fills from), else asked for on the terminal.
async fn profile_values(
    ctx: &Ctx,
    profile: &Profile,
    options: &SecretOptions,
) -> Result<ProfileValues, Failure> {
    let source = ctx.ops.catalog().source(profile.account_id.as_deref(), &profile.spec_id).ok();
    let given = secrets::read_all(&options.secrets, source.as_ref())?;
    let (mut values, ask) =
        ctx.ops.connections().profile_values(profile, given.into_iter().collect()).await?;
    for field in ask {
        let asked = secrets::prompt(&field, &format!("The profile's {field}"))?;
        values.values.insert(field, asked);
    }
    Ok(values)
}
