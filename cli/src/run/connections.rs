//! `connections list | test | rename | delete | explore | health` in a sandbox. Each reads its
//! arguments, finds the connection named (core's one rule: its id, else exactly its name), calls
//! the connections or lifecycle door, and prints the result.

use std::process::ExitCode;

use flow_connect_core::adobe::flow::{
    Connection, ConnectionHealth, Listing, Place, TableDetails, TestOutcome,
};
use flow_connect_core::operations::failure::{ErrorCode, Failure};
use flow_connect_core::operations::{
    ConnectionTarget as Target, ExploreRequest, Labels, ListRequest, ListSize, RenameRequest, SandboxRequest,
    TableRequest,
};

use super::Ctx;
use crate::args::{ConnectionTarget, ConnectionsCommand};
use crate::output::{when, Out};

pub async fn run(ctx: &Ctx, command: ConnectionsCommand) -> Result<ExitCode, Failure> {
    match command {
        ConnectionsCommand::List { sandbox, source } => {
            list(ctx, sandbox.as_deref(), source.as_deref()).await
        }
        ConnectionsCommand::Test(target) => test(ctx, &target).await,
        ConnectionsCommand::Rename { target, new_name } => rename(ctx, &target, new_name).await,
        ConnectionsCommand::Delete(target) => delete(ctx, &target).await,
        ConnectionsCommand::Explore { target, path, preview } => explore(ctx, &target, path, preview).await,
        ConnectionsCommand::Health(target) => health(ctx, &target).await,
    }
}

/// The connection the target names, and the door's target for it (account, sandbox, id).
async fn open(ctx: &Ctx, target: &ConnectionTarget) -> Result<(Connection, Target), Failure> {
    let (account, sandbox) = ctx.target(target.sandbox.as_deref()).await?;
    let connection = ctx.ops.connections().find(&account.id, &sandbox, &target.connection).await?;
    let door = Target { account_id: account.id.clone(), sandbox, connection_id: connection.id.clone() };
    Ok((connection, door))
}

async fn test(ctx: &Ctx, target: &ConnectionTarget) -> Result<ExitCode, Failure> {
    let (Connection { id, .. }, target) = open(ctx, target).await?;
    let outcome = ctx.ops.connections().test(&target).await?;
    let passed = !matches!(outcome, TestOutcome::Failed);
    ctx.out.result(&serde_json::json!({ "id": id, "outcome": outcome, "passed": passed }), |_| match outcome {
        TestOutcome::Passed => "The test passed: Adobe reached the source with these credentials.".into(),
        TestOutcome::Explored => "The source has no test, but exploring it worked: the credentials are good.".into(),
        TestOutcome::Failed => "The test failed: Adobe could not reach the source with these credentials. Renew them with `renew`.".into(),
    });
    Ok(if passed { ExitCode::SUCCESS } else { crate::exit_code(ErrorCode::AdobeRejected) })
}

async fn rename(ctx: &Ctx, target: &ConnectionTarget, name: String) -> Result<ExitCode, Failure> {
    let (connection, target) = open(ctx, target).await?;
    let Target { account_id, sandbox, connection_id } = target;
    let request = RenameRequest { account_id, sandbox, connection_id, etag: connection.etag.clone(), name };
    let renamed = ctx.ops.connections().rename(&request).await?;
    ctx.out.result(&renamed, |_| format!("Renamed “{}” to “{}”.", connection.name, request.name.trim()));
    Ok(ExitCode::SUCCESS)
}

async fn delete(ctx: &Ctx, target: &ConnectionTarget) -> Result<ExitCode, Failure> {
    let (Connection { id, name, .. }, target) = open(ctx, target).await?;
    ctx.ops.connections().delete(&target).await?;
    ctx.out.result(&serde_json::json!({ "deleted": id, "name": name }), |_| {
        format!("Deleted the connection “{name}” ({id}).")
    });
    Ok(ExitCode::SUCCESS)
}

/// A folder's (or the root's) objects; with `--path` and `--preview`, the table's columns and
/// first rows.
async fn explore(
    ctx: &Ctx,
    target: &ConnectionTarget,
    path: Option<String>,
    preview: bool,
) -> Result<ExitCode, Failure> {
    let (connection, Target { account_id, sandbox, connection_id }) = open(ctx, target).await?;
    let lifecycle = ctx.ops.lifecycle();
    match (path, preview) {
        (Some(path), true) => {
            let details = lifecycle
                .table_details(&TableRequest {
                    account_id,
                    sandbox,
                    connection_id,
                    path,
                    preview,
                    file_type: None,
                })
                .await?;
            ctx.out.result(&details, |out| table_text(out, &details));
        }
        (path, _) => {
            let place = path.map_or(Place::Root, Place::Folder);
            let spec_id = connection.connection_spec.id;
            let request = ExploreRequest { account_id, sandbox, connection_id, spec_id, place, start: None };
            let listing = lifecycle.explore(&request).await?;
            ctx.out.result(&listing, |out| listing_text(out, &listing));
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn health(ctx: &Ctx, target: &ConnectionTarget) -> Result<ExitCode, Failure> {
    let (_, target) = open(ctx, target).await?;
    let health = ctx.ops.lifecycle().health(&target).await?;
    let failing = health.flows.iter().any(|f| f.last_run.as_ref().is_some_and(|r| r.failed));
    ctx.out.result(&health, |out| health_text(out, &health));
    if failing {
        ctx.out.progress("A dataflow's last run failed.");
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(ctx: &Ctx, sandbox: Option<&str>, source: Option<&str>) -> Result<ExitCode, Failure> {
    let (account, sandbox) = ctx.target(sandbox).await?;
    let spec_id = match source {
        Some(wanted) => Some(ctx.ops.catalog().find(Some(&account.id), wanted).await?.spec_id),
        None => None,
    };
    let (account_id, continuation_token) = (account.id.clone(), None);
    let request = ListRequest { account_id, sandbox: sandbox.clone(), spec_id, continuation_token };
    let connections = ctx.ops.connections().list(&request, ListSize::Whole).await?.items;
    let of = SandboxRequest { account_id: account.id, sandbox: sandbox.clone() };
    let labels = ctx.ops.connections().labels(&of, &connections).await?;
    ctx.out.result(&connections, |out| list_text(out, &sandbox, &connections, &labels));
    Ok(ExitCode::SUCCESS)
}

fn list_text(out: &Out, sandbox: &str, connections: &[Connection], labels: &[Labels]) -> String {
    if connections.is_empty() {
        return format!(
            "No connections in {sandbox}. Create one with `create --profile NAME --sandbox {sandbox}`."
        );
    }
    let rows = connections
        .iter()
        .zip(labels)
        .map(|(c, l)| {
            let from = l.profile.clone().unwrap_or_else(|| "-".into());
            vec![c.name.clone(), l.source.clone(), c.state.clone(), when(c.created_at), from, c.id.clone()]
        })
        .collect::<Vec<_>>();
    out.table(&["NAME", "SOURCE", "STATE", "CREATED (UTC)", "PROFILE", "ID"], &rows)
}

fn table_text(out: &Out, details: &TableDetails) -> String {
    let headings: Vec<&str> = details.columns.iter().map(|c| c.name.as_str()).collect();
    let rows: Vec<Vec<String>> = details
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.clone().unwrap_or_else(|| "null".into())).collect())
        .collect();
    out.table(&headings, &rows)
}

fn listing_text(out: &Out, listing: &Listing) -> String {
    match listing {
        Listing::Objects { items, next_start, truncated } => {
            let rows = items
                .iter()
                .map(|i| vec![i.kind.clone(), i.name.clone(), i.path.clone()])
                .collect::<Vec<_>>();
            let more = if next_start.is_some() || *truncated { "\n(more objects not shown)" } else { "" };
            format!("{}{more}", out.table(&["TYPE", "NAME", "PATH"], &rows))
        }
        Listing::NeedsParameters { message } => message.clone(),
        Listing::Unavailable { message, .. } => message.clone(),
    }
}

fn health_text(out: &Out, health: &ConnectionHealth) -> String {
    if health.flows.is_empty() {
        return "No dataflow uses this connection yet.".into();
    }
    let rows = health
        .flows
        .iter()
        .map(|f| {
            let (state, at) = match &f.last_run {
                Some(run) => (run.state.clone(), when(run.completed_at.or(run.started_at))),
                None => ("never ran".into(), "-".into()),
            };
            vec![f.name.clone(), f.state.clone(), f.schedule.clone(), state, at]
        })
        .collect::<Vec<_>>();
    out.table(&["DATAFLOW", "STATE", "SCHEDULE", "LAST RUN", "AT (UTC)"], &rows)
}
