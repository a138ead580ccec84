//! `create` (a profile's connection in one or more sandboxes) and `renew` (a profile's
//! credentials sent to an existing connection). The secrets come from `--secret`, then the
//! profile's keychain entries, then a prompt; they go only into the request.

use std::process::ExitCode;

use flow_connect_core::adobe::flow::{self, TestOutcome};
use flow_connect_core::catalog::FormValues;
use flow_connect_core::operations::failure::{ErrorCode, Failure};
use flow_connect_core::operations::renew::Renewal;
use flow_connect_core::operations::{ConnectionRequest, RenewRequest};
use flow_connect_core::profiles::Profile;
use flow_connect_core::secrets::credentials::StoredSecrets;
use flow_connect_core::Secret;
use serde::Serialize;

use super::Ctx;
use crate::args::{CreateArgs, RenewArgs, SecretOptions};
use crate::secrets;

/// What happened in one sandbox.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "status")]
enum Outcome {
    Created {
        sandbox: String,
        id: String,
        note: Option<String>,
    },
    /// A connection of this source with this name was there already: `id` when it is one,
    /// `ids` all of them (a sandbox may hold two of a name; none is picked as "the" one).
    Skipped {
        sandbox: String,
        id: Option<String>,
        ids: Vec<String>,
    },
    /// `--dry-run`: the request that would be sent, secrets masked.
    DryRun {
        sandbox: String,
        curl: String,
    },
    Failed {
        sandbox: String,
        code: ErrorCode,
        message: String,
    },
}

pub async fn create(ctx: &Ctx, args: CreateArgs) -> Result<ExitCode, Failure> {
    let profile = ctx.services.profiles.find(&args.profile).await?;
    let account = ctx.account_or(profile.account_id.as_deref()).await?;
    let (values, stored) = profile_values(ctx, &profile, &args.secrets).await?;
    let name = args.name.clone().unwrap_or_else(|| {
        if profile.connection_name.trim().is_empty() {
            profile.name.clone()
        } else {
            profile.connection_name.clone()
        }
    });
    let mut outcomes = Vec::new();
    for sandbox in &args.sandboxes {
        ctx.out.progress(&format!(
            "{} “{name}” in {sandbox}…",
            if args.dry_run { "Preparing" } else { "Creating" }
        ));
        let request = ConnectionRequest {
            account_id: account.id.clone(),
            sandbox: sandbox.clone(),
            spec_id: profile.spec_id.clone(),
            spec_name: profile.spec_name.clone(),
            name: name.clone(),
            description: profile.description.clone(),
            values: values.clone(),
            stored: stored.clone(),
            allow_duplicate: Some(args.force),
            profile_id: Some(profile.id.clone()),
            token: ctx.services.origins.profile_token(&profile.id).await,
        };
        let outcome = match create_in(ctx, &request, args.dry_run).await {
            Ok(outcome) => outcome,
            Err(f) => Outcome::Failed { sandbox: sandbox.clone(), code: f.code, message: f.message },
        };
        outcomes.push(outcome);
    }
    let failed = outcomes.iter().find_map(|o| match o {
        Outcome::Failed { code, .. } => Some(*code),
        _ => None,
    });
    ctx.out.result(&outcomes, |out| human(out, &outcomes));
    Ok(failed.map_or(ExitCode::SUCCESS, crate::exit_code))
}

async fn create_in(ctx: &Ctx, request: &ConnectionRequest, dry_run: bool) -> Result<Outcome, Failure> {
    let sandbox = request.sandbox.clone();
    let account = ctx.services.account(&request.account_id)?;
    let client = ctx.services.client(&account, &sandbox).await?;
    // The source as this org sees it now: the form engine checks the values against it.
    ctx.services.live_source(&client, &request.spec_id).await?;
    if dry_run {
        let (new, client) = ctx.services.prepare(request).await?;
        let preview = flow::preview(&new, client.connections_url().as_str(), client.target());
        return Ok(Outcome::DryRun { sandbox, curl: preview.curl });
    }
    match ctx.services.create(request).await {
        Ok(created) => Ok(Outcome::Created { sandbox, id: created.id, note: created.note }),
        Err(f) if f.code == ErrorCode::Duplicate => {
            let ids = client.connection_ids_named(&request.spec_id, &request.name).await.unwrap_or_default();
            let id = match ids.as_slice() {
                [one] => Some(one.clone()),
                _ => None,
            };
            Ok(Outcome::Skipped { sandbox, id, ids })
        }
        Err(f) => Err(f),
    }
}

fn human(out: &crate::output::Out, outcomes: &[Outcome]) -> String {
    let mut curls = String::new();
    let rows = outcomes
        .iter()
        .map(|o| match o {
            Outcome::Created { sandbox, id, note } => {
                let mut result = format!("created {id}");
                if let Some(note) = note {
                    result.push_str(&format!(" ({note})"));
                }
                vec![sandbox.clone(), result]
            }
            Outcome::Skipped { sandbox, ids, .. } => vec![
                sandbox.clone(),
                match ids.as_slice() {
                    [] => "skipped: it exists (--force creates another)".to_owned(),
                    [one] => format!("skipped: it exists as {one} (--force creates another)"),
                    all => {
                        format!("skipped: {} exist ({}) (--force creates another)", all.len(), all.join(", "))
                    }
                },
            ],
            Outcome::DryRun { sandbox, curl } => {
                curls.push_str(&format!("# {sandbox}\n{curl}\n\n"));
                vec![sandbox.clone(), "dry run: nothing sent".into()]
            }
            Outcome::Failed { sandbox, message, .. } => vec![sandbox.clone(), format!("failed: {message}")],
        })
        .collect::<Vec<_>>();
    format!("{curls}{}", out.table(&["SANDBOX", "RESULT"], &rows))
}

pub async fn renew(ctx: &Ctx, args: RenewArgs) -> Result<ExitCode, Failure> {
    let profile = ctx.services.profiles.find(&args.profile).await?;
    let account = ctx.account_or(profile.account_id.as_deref()).await?;
    let sandbox = ctx.sandbox(&account, args.sandbox.as_deref().or(profile.sandbox.as_deref()))?;
    let client = ctx.services.client(&account, &sandbox).await?;
    // By id or exactly its name; two of the name are refused with their ids.
    let connection = client.find_connection(&args.connection).await?;
    let id = connection.id.clone();
    if connection.connection_spec.id != profile.spec_id {
        return Err(Failure::new(
            ErrorCode::Validation,
            format!(
                "“{}” is a connection of another source than the profile “{}”: pick a profile of its source.",
                connection.name, profile.name
            ),
        ));
    }
    ctx.services.live_source(&client, &profile.spec_id).await?;
    let (values, stored) = profile_values(ctx, &profile, &args.secrets).await?;
    ctx.out.progress(&format!("Sending new credentials to “{}” in {sandbox}…", connection.name));
    let request = RenewRequest {
        account_id: account.id.clone(),
        sandbox: sandbox.clone(),
        connection_id: id.clone(),
        etag: connection.etag.clone(),
        spec_id: profile.spec_id.clone(),
        spec_name: profile.spec_name.clone(),
        values,
        stored,
        update_profile: None,
        token: ctx.services.origins.profile_token(&profile.id).await,
    };
    let renewal = ctx.services.renew(&request).await?;
    ctx.out.result(&renewal, |_| match &renewal {
        Renewal::Updated { test, test_error, note, .. } => {
            let tested = match (test, test_error) {
                (Some(TestOutcome::Passed | TestOutcome::Explored), _) => "the test passed".to_owned(),
                (Some(TestOutcome::Failed), _) => "but the test failed: check the credentials".to_owned(),
                (None, Some(why)) => format!("not tested ({why})"),
                (None, None) => "not tested".to_owned(),
            };
            let note = note.as_ref().map(|n| format!(" {n}")).unwrap_or_default();
            format!("Renewed “{}”; {tested}.{note}", connection.name)
        }
        Renewal::Stale { .. } => {
            "The connection changed while the renewal was sent; nothing was written. Run it again.".into()
        }
    });
    Ok(match renewal {
        Renewal::Updated { .. } => ExitCode::SUCCESS,
        Renewal::Stale { .. } => crate::exit_code(ErrorCode::AdobeRejected),
    })
}

/// The profile's values, with each secret from `--secret`, else held in the keychain (as a
/// reference the core fills from), else asked for on the terminal.
async fn profile_values(
    ctx: &Ctx,
    profile: &Profile,
    options: &SecretOptions,
) -> Result<(FormValues, Option<StoredSecrets>), Failure> {
    let source = ctx.services.source(profile.account_id.as_deref(), &profile.spec_id).ok();
    let given = secrets::read_all(&options.secrets, source.as_ref())?;
    let mut values: FormValues =
        profile.values.iter().map(|(k, v)| (k.clone(), Secret::new(v.clone()))).collect();
    let needed: Vec<&String> = profile.secret_fields.iter().filter(|f| !given.contains_key(*f)).collect();
    values.extend(given);
    if needed.is_empty() {
        return Ok((values, None));
    }
    let (stored, missing) = ctx.services.profiles.stored_secrets(profile).await?;
    for field in needed.into_iter().filter(|f| missing.contains(f)) {
        let asked = secrets::prompt(field, &format!("The profile's {field}"))?;
        values.insert(field.clone(), asked);
    }
    Ok((values, Some(stored)))
}
