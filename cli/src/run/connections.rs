//! `connections list | test | rename | delete | explore | health` in a sandbox.

use std::process::ExitCode;

use flow_connect_core::adobe::flow::{Connection, FlowClient, ListQuery, Listing, Place, TestOutcome};
use flow_connect_core::operations::failure::Failure;

use super::Ctx;
use crate::args::{ConnectionTarget, ConnectionsCommand};
use crate::output::when;

/// The most connections `list` walks: a sandbox with more is listed in part, and says so.
const MAX_LISTED: usize = 5_000;

pub async fn run(ctx: &Ctx, command: ConnectionsCommand) -> Result<ExitCode, Failure> {
    match command {
        ConnectionsCommand::List { sandbox, source } => {
            list(ctx, sandbox.as_deref(), source.as_deref()).await?
        }
        ConnectionsCommand::Test(target) => {
            let (_, Connection { id, .. }, client) = open(ctx, &target).await?;
            let outcome = client.test_connection(&id).await?;
            let passed = !matches!(outcome, TestOutcome::Failed);
            ctx.out.result(&serde_json::json!({ "id": id, "outcome": outcome, "passed": passed }), |_| match outcome {
                TestOutcome::Passed => "The test passed: Adobe reached the source with these credentials.".into(),
                TestOutcome::Explored => "The source has no test, but exploring it worked: the credentials are good.".into(),
                TestOutcome::Failed => "The test failed: Adobe could not reach the source with these credentials. Renew them with `renew`.".into(),
            });
            if !passed {
                return Ok(crate::exit_code(
                    flow_connect_core::operations::failure::ErrorCode::AdobeRejected,
                ));
            }
        }
        ConnectionsCommand::Rename { target, new_name } => {
            let (_, connection, client) = open(ctx, &target).await?;
            let id = &connection.id;
            let name = new_name.trim();
            if name.is_empty() {
                return Err(Failure::new(
                    flow_connect_core::operations::failure::ErrorCode::Validation,
                    "Give the new name with --to.",
                ));
            }
            let renamed = client.rename_connection(id, &connection.etag, name).await?;
            ctx.out.result(&renamed, |_| format!("Renamed “{}” to “{name}”.", connection.name));
        }
        ConnectionsCommand::Delete(target) => {
            let (_, Connection { id, name, .. }, client) = open(ctx, &target).await?;
            ctx.services.delete_connection(&client, &id).await?;
            ctx.out.result(&serde_json::json!({ "deleted": id, "name": name }), |_| {
                format!("Deleted the connection “{name}” ({id}).")
            });
        }
        ConnectionsCommand::Explore { target, path, preview } => {
            let (account, connection, client) = open(ctx, &target).await?;
            let id = connection.id.clone();
            match (path, preview) {
                (Some(path), true) => {
                    let details = client.table_details(&id, &path, true).await?;
                    ctx.out.result(&details, |out| {
                        let headings: Vec<&str> = details.columns.iter().map(|c| c.name.as_str()).collect();
                        let rows: Vec<Vec<String>> = details
                            .rows
                            .iter()
                            .map(|r| r.iter().map(|c| c.clone().unwrap_or_else(|| "null".into())).collect())
                            .collect();
                        out.table(&headings, &rows)
                    });
                }
                (path, _) => {
                    let support =
                        ctx.services.source(Some(&account.id), &connection.connection_spec.id)?.explore;
                    let place = path.map_or(Place::Root, Place::Folder);
                    let listing = client.explore(&id, support, &place, 0).await?;
                    ctx.out.result(&listing, |out| match &listing {
                        Listing::Objects { items, next_start, truncated } => {
                            let rows = items
                                .iter()
                                .map(|i| vec![i.kind.clone(), i.name.clone(), i.path.clone()])
                                .collect::<Vec<_>>();
                            let more = if next_start.is_some() || *truncated {
                                "\n(more objects not shown)"
                            } else {
                                ""
                            };
                            format!("{}{more}", out.table(&["TYPE", "NAME", "PATH"], &rows))
                        }
                        Listing::NeedsParameters { message } => message.clone(),
                        Listing::Unavailable { message, .. } => message.clone(),
                    });
                }
            }
        }
        ConnectionsCommand::Health(target) => {
            let (_, Connection { id, .. }, client) = open(ctx, &target).await?;
            let health = client.connection_health(&id).await?;
            let failing = health.flows.iter().any(|f| f.last_run.as_ref().is_some_and(|r| r.failed));
            ctx.out.result(&health, |out| {
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
            });
            if failing {
                ctx.out.progress("A dataflow's last run failed.");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The connection the target names, by id or by exactly its name (the core's one rule: two
/// of the name are refused with their ids), and a client of its sandbox.
async fn open(
    ctx: &Ctx,
    target: &ConnectionTarget,
) -> Result<(flow_connect_core::accounts::Account, Connection, FlowClient), Failure> {
    let (account, _, client) = ctx.client(target.sandbox.as_deref()).await?;
    let connection = client.find_connection(&target.connection).await?;
    Ok((account, connection, client))
}

async fn list(ctx: &Ctx, sandbox: Option<&str>, source: Option<&str>) -> Result<(), Failure> {
    let (account, sandbox, client) = ctx.client(sandbox).await?;
    let catalog = ctx.services.catalog.list(&account.org_id).await;
    let spec_ids = match source {
        Some(wanted) => vec![super::sources::find(&catalog, wanted)?.spec_id.clone()],
        None => Vec::new(),
    };
    let mut query = ListQuery { spec_ids, limit: Some(100), ..ListQuery::default() };
    let mut connections = Vec::new();
    loop {
        let page = client.list_connections(&query).await?;
        connections.extend(page.items);
        match page.continuation_token {
            Some(token) if connections.len() < MAX_LISTED => query.continuation_token = Some(token),
            _ => break,
        }
    }
    let origins = ctx.services.origins.of(&account.id, &sandbox).await;
    ctx.out.result(&connections, |out| {
        if connections.is_empty() {
            return format!(
                "No connections in {sandbox}. Create one with `create --profile NAME --sandbox {sandbox}`."
            );
        }
        let rows = connections
            .iter()
            .map(|c| {
                let source = catalog
                    .sources
                    .iter()
                    .find(|s| s.spec_id == c.connection_spec.id)
                    .map_or_else(|| c.connection_spec.id.clone(), |s| s.display_name.clone());
                let from = origins
                    .iter()
                    .find(|o| o.connection_id == c.id)
                    .and_then(|o| o.profile_name.clone())
                    .unwrap_or_else(|| "-".into());
                vec![c.name.clone(), source, c.state.clone(), when(c.created_at), from, c.id.clone()]
            })
            .collect::<Vec<_>>();
        out.table(&["NAME", "SOURCE", "STATE", "CREATED (UTC)", "PROFILE", "ID"], &rows)
    });
    Ok(())
}
