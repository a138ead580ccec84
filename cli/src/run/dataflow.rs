//! `dataflow plan | create | resume | undo | list | show | runs | enable | disable | delete`.
//! Each reads its arguments (a plan file for `plan` and `create`), calls the dataflows door,
//! and prints the result: tables for people, one JSON document with `--json`.

use std::process::ExitCode;

use flow_connect_core::adobe::flow::{FlowDetails, Run};
use flow_connect_core::dataflows::{Creation, CreationState, DataflowPlan, MappingRow, SchedulePlan};
use flow_connect_core::operations::failure::{ErrorCode, Failure};
use flow_connect_core::operations::{
    CreationRequest, FlowChange, FlowChangeRequest, FlowRequest, PlanOutcome, PlanRequest,
};

use super::Ctx;
use crate::args::{ConnectionTarget, CreationArgs, DataflowCommand, FlowArgs, PlanArgs};
use crate::output::{when, Out};

/// A plan file larger than this is not a plan.
const MAX_PLAN_BYTES: u64 = 1024 * 1024;

pub async fn run(ctx: &Ctx, command: DataflowCommand) -> Result<ExitCode, Failure> {
    match command {
        DataflowCommand::Plan(args) => plan(ctx, &args).await,
        DataflowCommand::Create(args) => create(ctx, &args).await,
        DataflowCommand::Resume(args) => resume(ctx, &args).await,
        DataflowCommand::Undo(args) => undo(ctx, &args).await,
        DataflowCommand::List(target) => list(ctx, &target).await,
        DataflowCommand::Show(args) => show(ctx, &args).await,
        DataflowCommand::Runs(args) => runs(ctx, &args).await,
        DataflowCommand::Enable(args) => enable(ctx, &args, true).await,
        DataflowCommand::Disable(args) => enable(ctx, &args, false).await,
        DataflowCommand::Delete(args) => delete(ctx, &args).await,
        DataflowCommand::Rename { flow, name } => change(ctx, &flow, |r| r.name = Some(name.clone())).await,
        DataflowCommand::Schedule { flow, frequency, interval, start, backfill } => {
            let schedule = SchedulePlan { frequency, interval, start_time: start, backfill };
            change(ctx, &flow, |r| r.schedule = Some(schedule.clone())).await
        }
        DataflowCommand::Remap { flow, from } => {
            let rows = read_rows(&from)?;
            change(ctx, &flow, |r| r.mappings = Some(rows.clone())).await
        }
    }
}

/// The plan file, read and parsed, with `--connection` in place of its connection.
fn read_plan(args: &PlanArgs) -> Result<DataflowPlan, Failure> {
    let path = &args.from;
    let shown = path.display();
    let size = std::fs::metadata(path)
        .map_err(|e| {
            Failure::new(ErrorCode::NotFound, format!("--from {shown}: the file cannot be read ({e})."))
        })?
        .len();
    if size > MAX_PLAN_BYTES {
        return Err(Failure::new(
            ErrorCode::Validation,
            format!("--from {shown}: {size} bytes is too large for a plan."),
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::new(ErrorCode::Validation, format!("--from {shown}: the file cannot be read ({e})."))
    })?;
    let mut plan = DataflowPlan::parse(&text).map_err(|e| {
        Failure::new(ErrorCode::Validation, format!("--from {shown}: this is not a dataflow plan ({e})."))
    })?;
    if let Some(connection) = &args.connection {
        plan.connection_id = connection.clone();
    }
    Ok(plan)
}

async fn request(ctx: &Ctx, args: &PlanArgs) -> Result<PlanRequest, Failure> {
    let plan = read_plan(args)?;
    let (account, sandbox) = ctx.target(args.sandbox.as_deref()).await?;
    Ok(PlanRequest { account_id: account.id, sandbox, plan, creation_id: None })
}

async fn plan(ctx: &Ctx, args: &PlanArgs) -> Result<ExitCode, Failure> {
    let request = request(ctx, args).await?;
    let outcome = ctx.ops.dataflows().plan(&request).await?;
    ctx.out.result(&outcome, |out| plan_text(out, &request.sandbox, &outcome));
    Ok(ExitCode::SUCCESS)
}

async fn create(ctx: &Ctx, args: &PlanArgs) -> Result<ExitCode, Failure> {
    let request = request(ctx, args).await?;
    let outcome = ctx.ops.dataflows().create(&request).await?;
    if outcome.existed {
        ctx.out.notice(&format!(
            "The dataflow “{}” exists already in {}: nothing was created.",
            request.plan.name, request.sandbox
        ));
    } else {
        for made in &outcome.creation.made {
            ctx.out.progress(&format!("Made the {}: {}", made.object.label(), made.id));
        }
    }
    ctx.out.result(&outcome, |out| creation_text(out, &outcome.creation));
    Ok(ExitCode::SUCCESS)
}

async fn creation_request(ctx: &Ctx, args: &CreationArgs) -> Result<CreationRequest, Failure> {
    let (account, sandbox) = ctx.target(args.sandbox.as_deref()).await?;
    Ok(CreationRequest { account_id: account.id, sandbox, creation_id: args.creation.clone() })
}

async fn resume(ctx: &Ctx, args: &CreationArgs) -> Result<ExitCode, Failure> {
    let request = creation_request(ctx, args).await?;
    let creation = ctx.ops.dataflows().resume(&request).await?;
    ctx.out.result(&creation, |out| creation_text(out, &creation));
    Ok(ExitCode::SUCCESS)
}

async fn undo(ctx: &Ctx, args: &CreationArgs) -> Result<ExitCode, Failure> {
    let request = creation_request(ctx, args).await?;
    let creation = ctx.ops.dataflows().delete_made(&request).await?;
    ctx.out.result(&creation, |_| format!("Deleted what the creation of “{}” had made.", creation.plan.name));
    Ok(ExitCode::SUCCESS)
}

async fn list(ctx: &Ctx, target: &ConnectionTarget) -> Result<ExitCode, Failure> {
    let (account, sandbox) = ctx.target(target.sandbox.as_deref()).await?;
    let connection = ctx.ops.connections().find(&account.id, &sandbox, &target.connection).await?;
    let flows = ctx.ops.dataflows().of_connection(&account.id, &sandbox, &connection.id).await?;
    let creations: Vec<Creation> = ctx
        .ops
        .dataflows()
        .creations(&account.id, &sandbox)
        .into_iter()
        .filter(|c| c.connection_id == connection.id)
        .collect();
    let value = serde_json::json!({ "flows": flows, "creations": creations });
    ctx.out.result(&value, |out| list_text(out, &flows, &creations));
    Ok(ExitCode::SUCCESS)
}

async fn flow_request(ctx: &Ctx, args: &FlowArgs) -> Result<FlowRequest, Failure> {
    let (account, sandbox) = ctx.target(args.sandbox.as_deref()).await?;
    Ok(FlowRequest { account_id: account.id, sandbox, flow_id: args.flow.clone() })
}

async fn show(ctx: &Ctx, args: &FlowArgs) -> Result<ExitCode, Failure> {
    let request = flow_request(ctx, args).await?;
    let flow = ctx.ops.dataflows().show(&request).await?;
    ctx.out.result(&flow, |out| list_text(out, std::slice::from_ref(&flow), &[]));
    Ok(ExitCode::SUCCESS)
}

async fn runs(ctx: &Ctx, args: &FlowArgs) -> Result<ExitCode, Failure> {
    let request = flow_request(ctx, args).await?;
    let runs = ctx.ops.dataflows().runs(&request).await?;
    ctx.out.result(&runs, |out| runs_text(out, &runs));
    Ok(ExitCode::SUCCESS)
}

async fn enable(ctx: &Ctx, args: &FlowArgs, enabled: bool) -> Result<ExitCode, Failure> {
    let request = flow_request(ctx, args).await?;
    let flow = ctx.ops.dataflows().set_enabled(&request, enabled).await?;
    ctx.out.result(&flow, |_| format!("The dataflow “{}” is {}.", flow.name, flow.state));
    Ok(ExitCode::SUCCESS)
}

async fn delete(ctx: &Ctx, args: &FlowArgs) -> Result<ExitCode, Failure> {
    let request = flow_request(ctx, args).await?;
    ctx.ops.dataflows().delete(&request).await?;
    ctx.out.result(&serde_json::json!({ "deleted": args.flow }), |_| {
        format!("Deleted the dataflow {} with its source and target connections.", args.flow)
    });
    Ok(ExitCode::SUCCESS)
}

/// Reads the dataflow as it is, then makes `edit`'s change over that version.
async fn change(
    ctx: &Ctx,
    args: &FlowArgs,
    edit: impl Fn(&mut FlowChangeRequest),
) -> Result<ExitCode, Failure> {
    let request = flow_request(ctx, args).await?;
    let current = ctx.ops.dataflows().show(&request).await?;
    let FlowRequest { account_id, sandbox, flow_id } = request;
    let mut change = FlowChangeRequest {
        account_id,
        sandbox,
        flow_id,
        etag: current.etag,
        name: None,
        schedule: None,
        mappings: None,
    };
    edit(&mut change);
    match ctx.ops.dataflows().change(&change).await? {
        FlowChange::Changed { flow } => {
            ctx.out.result(&flow, |out| list_text(out, std::slice::from_ref(&flow), &[]));
            Ok(ExitCode::SUCCESS)
        }
        FlowChange::Stale { flow } => Err(Failure::new(
            ErrorCode::AdobeRejected,
            format!("Someone changed the dataflow “{}” at the same moment: nothing was written. Run the command again.", flow.name),
        )),
    }
}

/// Mapping rows from a JSON or YAML file.
fn read_rows(path: &std::path::Path) -> Result<Vec<MappingRow>, Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::new(ErrorCode::NotFound, format!("--from {shown}: the file cannot be read ({e})."))
    })?;
    if text.len() as u64 > MAX_PLAN_BYTES {
        return Err(Failure::new(
            ErrorCode::Validation,
            format!("--from {shown}: too large for a list of mappings."),
        ));
    }
    flow_connect_core::dataflows::plan::parse_rows(&text).map_err(|e| {
        Failure::new(ErrorCode::Validation, format!("--from {shown}: these are not mapping rows ({e})."))
    })
}

fn plan_text(out: &Out, sandbox: &str, outcome: &PlanOutcome) -> String {
    let p = &outcome.prepared;
    let mut text = format!(
        "Plan for “{}” in {sandbox} (nothing made):\n  flow spec  {} ({})\n  schedule   {}\n",
        p.plan.name,
        p.flow_spec.name,
        p.flow_spec.id,
        serde_json::to_string(&p.schedule).unwrap_or_default()
    );
    match (&p.dataset, &p.schema) {
        (Some(dataset), Some(schema)) => {
            text.push_str(&format!(
                "  target     dataset “{}” ({}), schema “{}”\n",
                dataset.name, dataset.id, schema.title
            ));
        }
        _ => text.push_str(&format!(
            "  target     a new schema with {} field(s) and a new dataset\n",
            p.new_fields.len()
        )),
    }
    if let Some(existing) = &outcome.existing {
        text.push_str(&format!(
            "  made before: creation {} ({})\n",
            existing.id,
            state_text(&existing.state)
        ));
    }
    let rows: Vec<Vec<String>> = p
        .mappings
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let check = outcome.checks.get(i).map_or("-".to_owned(), |c| {
                if c.ok {
                    "ok".into()
                } else {
                    c.errors.join("; ")
                }
            });
            vec![
                m.row.source.clone(),
                m.row.destination.clone(),
                format!("{:.2}", m.score),
                m.reason.clone(),
                check,
            ]
        })
        .collect();
    text.push('\n');
    text.push_str(&out.table(&["SOURCE", "TARGET FIELD", "SCORE", "WHY", "CHECK"], &rows));
    if !outcome.preview.is_empty() {
        let failing = outcome.preview.iter().filter(|r| !r.errors.is_empty()).count();
        text.push_str(&format!("\n\nPreview of {} row(s), {failing} with errors:\n", outcome.preview.len()));
        let rows: Vec<Vec<String>> = outcome
            .preview
            .iter()
            .enumerate()
            .map(|(i, r)| vec![(i + 1).to_string(), r.data.to_string(), r.errors.join("; ")])
            .collect();
        text.push_str(&out.table(&["ROW", "XDM RECORD", "ERRORS"], &rows));
    }
    text
}

fn state_text(state: &CreationState) -> String {
    match state {
        CreationState::Running => "running, or stopped: resume it".into(),
        CreationState::Failed { step, message } => format!("failed at the {}: {message}", step.label()),
        CreationState::TargetReady => "its target is made: create it to go on, or undo it".into(),
        CreationState::Done => "done".into(),
        CreationState::Deleted => "deleted".into(),
    }
}

fn creation_text(out: &Out, creation: &Creation) -> String {
    let rows: Vec<Vec<String>> = creation
        .made
        .iter()
        .map(|m| {
            vec![
                m.object.label().to_owned(),
                m.id.clone(),
                if m.draft { "draft".into() } else { String::new() },
            ]
        })
        .collect();
    format!(
        "Creation {} of “{}”: {}\n{}",
        creation.id,
        creation.plan.name,
        state_text(&creation.state),
        out.table(&["OBJECT", "ID", ""], &rows)
    )
}

fn list_text(out: &Out, flows: &[FlowDetails], creations: &[Creation]) -> String {
    let mut text = if flows.is_empty() {
        "No dataflow reads from this connection yet.".to_owned()
    } else {
        let rows: Vec<Vec<String>> = flows
            .iter()
            .map(|f| {
                let last = f.last_run.as_ref().map_or("never ran".to_owned(), |r| r.state.clone());
                vec![f.name.clone(), f.state.clone(), f.schedule.clone(), last, f.id.clone()]
            })
            .collect();
        out.table(&["DATAFLOW", "STATE", "SCHEDULE", "LAST RUN", "ID"], &rows)
    };
    let unfinished: Vec<&Creation> = creations
        .iter()
        .filter(|c| !matches!(c.state, CreationState::Done | CreationState::Deleted))
        .collect();
    if !unfinished.is_empty() {
        let rows: Vec<Vec<String>> = unfinished
            .iter()
            .map(|c| vec![c.plan.name.clone(), state_text(&c.state), c.id.clone()])
            .collect();
        text.push_str("\n\nCreations not finished (resume or undo them):\n");
        text.push_str(&out.table(&["DATAFLOW", "STATE", "CREATION"], &rows));
    }
    text
}

fn runs_text(out: &Out, runs: &[Run]) -> String {
    if runs.is_empty() {
        return "No run yet.".into();
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            let count = |n: Option<u64>| n.map_or("-".to_owned(), |n| n.to_string());
            vec![
                r.status.clone(),
                when(r.started_at),
                count(r.input_records),
                count(r.failed_records),
                r.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "),
                r.id.clone(),
            ]
        })
        .collect();
    out.table(&["STATUS", "STARTED (UTC)", "READ", "FAILED", "ERRORS", "ID"], &rows)
}
