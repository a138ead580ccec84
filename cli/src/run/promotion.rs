//! `plan FILE --sandbox ENV…` and `apply FILE --sandbox ENV… [--allow-replace]`: a manifest
//! compared with, then applied to, each environment named, one after the other; one failing
//! does not stop the others. `plan` exits 11 when anything would change (args::EXIT_CODES).

use std::process::ExitCode;

use flow_connect_core::operations::failure::{ErrorCode, Failure};
use flow_connect_core::operations::{ApplyOutcome, ExportRequest, PromotionRequest};
use flow_connect_core::promotion::{Action, ConsentedSecrets, ObjectKind, Planned, MAX_MANIFEST_BYTES};
use serde_json::json;

use super::consent::hand_over;
use super::Ctx;
use crate::args::{ExportArgs, PromotionArgs};

/// The exit code when a plan would change something.
const CHANGES: u8 = 11;

fn read(args: &PromotionArgs) -> Result<String, Failure> {
    let refused =
        |why: String| Failure::new(ErrorCode::Validation, format!("{}: {why}", args.file.display()));
    let meta = std::fs::metadata(&args.file).map_err(|e| refused(e.to_string()))?;
    if meta.len() > MAX_MANIFEST_BYTES as u64 {
        return Err(refused(format!("larger than {MAX_MANIFEST_BYTES} bytes")));
    }
    std::fs::read_to_string(&args.file).map_err(|e| refused(e.to_string()))
}

fn request(ctx_account: &str, text: &str, environment: &str, allow_replace: bool) -> PromotionRequest {
    PromotionRequest {
        account_id: ctx_account.to_owned(),
        manifest: text.to_owned(),
        environment: environment.to_owned(),
        sandbox: None,
        allow_replace,
        expected: None,
        org: None,
        consented: Vec::new(),
    }
}

/// A saved plan: which manifest it was made from, and what each environment held then.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedPlan {
    version: u32,
    manifest: String,
    environments: Vec<SavedEnvironment>,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedEnvironment {
    environment: String,
    fingerprint: String,
}

fn read_plan(path: &std::path::Path, text: &str) -> Result<SavedPlan, Failure> {
    let refused = |why: String| Failure::new(ErrorCode::Validation, format!("{}: {why}", path.display()));
    let meta = std::fs::metadata(path).map_err(|e| refused(e.to_string()))?;
    if meta.len() > MAX_MANIFEST_BYTES as u64 {
        return Err(refused("not a saved plan (too large)".into()));
    }
    let bytes = std::fs::read(path).map_err(|e| refused(e.to_string()))?;
    let saved: SavedPlan =
        serde_json::from_slice(&bytes).map_err(|e| refused(format!("not a saved plan ({e})")))?;
    if saved.manifest != flow_connect_core::promotion::fingerprint(text) {
        return Err(refused("was made from another version of the manifest: plan again".into()));
    }
    Ok(saved)
}

pub async fn export(ctx: &Ctx, args: ExportArgs) -> Result<ExitCode, Failure> {
    let account = ctx.account().await?;
    let request = ExportRequest {
        account_id: account.id.clone(),
        sandbox: args.sandbox.clone(),
        connections: args.connections.clone(),
    };
    let exported = ctx.ops.promotion().export(&request).await?;
    for placeholder in &exported.placeholders {
        ctx.out.progress(&format!("Fill in before applying: {placeholder}"));
    }
    match &args.output {
        Some(path) => {
            flow_connect_core::store::data_file::write_atomically(path, exported.manifest.as_bytes())
                .map_err(|e| {
                    Failure::new(
                        ErrorCode::Storage,
                        format!("{} could not be written ({e}).", path.display()),
                    )
                })?;
            ctx.out.result(&exported, |_| format!("Wrote {}.", path.display()));
        }
        None => ctx.out.result(&exported, |_| exported.manifest.trim_end().to_owned()),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn plan(ctx: &Ctx, args: PromotionArgs) -> Result<ExitCode, Failure> {
    let text = read(&args)?;
    let account = ctx.account().await?;
    let mut plans = Vec::new();
    for environment in &args.sandboxes {
        let mut request = request(&account.id, &text, environment, false);
        request.org.clone_from(&args.org);
        let planned = ctx.ops.promotion().plan(&request).await;
        plans.push((environment.clone(), planned));
    }
    let shown: Vec<serde_json::Value> = plans
        .iter()
        .map(|(environment, planned)| match planned {
            Ok(plan) => json!({ "environment": environment, "status": "planned", "plan": plan }),
            Err(e) => json!({ "environment": environment, "status": "failed", "code": e.code, "message": e.message }),
        })
        .collect();
    let changes = plans.iter().any(|(_, p)| p.as_ref().is_ok_and(|p| p.changes));
    if let Some(out) = &args.out {
        let saved = SavedPlan {
            version: 1,
            manifest: flow_connect_core::promotion::fingerprint(&text),
            environments: plans
                .iter()
                .filter_map(|(environment, p)| {
                    p.as_ref().ok().map(|p| SavedEnvironment {
                        environment: environment.clone(),
                        fingerprint: p.fingerprint.clone(),
                    })
                })
                .collect(),
        };
        let bytes = serde_json::to_vec_pretty(&saved).unwrap_or_default();
        flow_connect_core::store::data_file::write_atomically(out, &bytes).map_err(|e| {
            Failure::new(ErrorCode::Storage, format!("{} could not be written ({e}).", out.display()))
        })?;
        ctx.out.progress(&format!("Plan saved to {}: apply it with --plan.", out.display()));
    }
    ctx.out.result(&json!({ "plans": shown }), |out| {
        let mut text = String::new();
        for (environment, planned) in &plans {
            match planned {
                Err(e) => text.push_str(&format!("{environment}: failed: {}\n", e.message)),
                Ok(plan) => text.push_str(&format!(
                    "{environment} (sandbox {}):\n{}",
                    plan.sandbox,
                    out.table(&["", "KIND", "NAME", "CHANGES", "DRIFT"], &rows(&plan.items))
                )),
            }
        }
        text
    });
    // Each failure is told on standard error; the first one's code is the exit code.
    let mut first = None;
    for (environment, planned) in &plans {
        if let Err(e) = planned {
            ctx.out.error(&format!("{environment}: {}", e.message));
            first.get_or_insert(e.code);
        }
    }
    Ok(match first {
        Some(code) => crate::exit_code(code),
        None if changes => ExitCode::from(CHANGES),
        None => ExitCode::SUCCESS,
    })
}

pub async fn apply(ctx: &Ctx, args: PromotionArgs) -> Result<ExitCode, Failure> {
    let text = read(&args)?;
    let saved = args.plan.as_deref().map(|path| read_plan(path, &text)).transpose()?;
    let account = ctx.account().await?;
    let mut reports = Vec::new();
    let mut first_failure: Option<ErrorCode> = None;
    for environment in &args.sandboxes {
        ctx.out.progress(&format!("Applying to {environment}…"));
        let mut request = request(&account.id, &text, environment, args.allow_replace);
        request.org.clone_from(&args.org);
        if let Some(saved) = &saved {
            let Some(found) = saved.environments.iter().find(|e| e.environment == *environment) else {
                return Err(Failure::new(
                    ErrorCode::Validation,
                    format!("The saved plan has no plan for “{environment}”: plan it with the others."),
                ));
            };
            request.expected = Some(found.fingerprint.clone());
        }
        let applied = match run_consents(ctx, &request, args.no_browser).await {
            Ok(consented) => {
                request.consented = consented;
                ctx.ops.promotion().apply(&request).await
            }
            Err(e) => Err(e),
        };
        match applied {
            Ok(report) => {
                for item in &report.items {
                    ctx.out.progress(&format!(
                        "  {} {}: {}",
                        kind(item.planned.kind),
                        item.planned.name,
                        outcome(&item.outcome)
                    ));
                }
                for item in &report.items {
                    if let ApplyOutcome::Failed { message } = &item.outcome {
                        ctx.out.error(&format!("{environment}: {}: {message}", item.planned.name));
                        first_failure.get_or_insert(ErrorCode::AdobeRejected);
                    }
                }
                reports.push(json!({ "environment": environment, "status": "applied", "report": report }));
            }
            Err(e) => {
                ctx.out.error(&format!("{environment}: {}", e.message));
                reports.push(json!({ "environment": environment, "status": "failed", "code": e.code, "message": e.message }));
                first_failure.get_or_insert(e.code);
            }
        }
    }
    ctx.out.result(&json!({ "applies": reports }), |_| {
        format!("Applied to {} environment(s); see each step above.", reports.len())
    });
    Ok(first_failure.map_or(ExitCode::SUCCESS, crate::exit_code))
}

/// Runs each consent the apply needs (`{consent: true}` fields), one after the other, as
/// `consent` does: the browser opened (or the address printed and the one it ended on read
/// back). The tokens go to the keychain; only where they are comes back.
async fn run_consents(
    ctx: &Ctx,
    request: &PromotionRequest,
    no_browser: bool,
) -> Result<Vec<ConsentedSecrets>, Failure> {
    let door = ctx.ops.promotion();
    let mut consented = Vec::new();
    for needed in door.consents(request).await? {
        let asked =
            if needed.provider.is_empty() { "its provider".to_owned() } else { needed.provider.clone() };
        // Told with --json too: the person running it has to act.
        ctx.out.notice(&format!(
            "“{}” takes {} from a consent: sign in at {asked}.",
            needed.name,
            needed.fields.join(", ")
        ));
        let started = door.begin_consent(request, &needed.connection).await?;
        hand_over(ctx, &started, no_browser).await?;
        consented.push(door.finish_consent(&needed.connection).await?);
    }
    Ok(consented)
}

fn rows(items: &[Planned]) -> Vec<Vec<String>> {
    items
        .iter()
        .map(|p| {
            vec![
                symbol(p.action).into(),
                kind(p.kind).into(),
                p.name.clone(),
                if p.changes.is_empty() { "-".into() } else { p.changes.join("; ") },
                if p.drift.is_empty() { "-".into() } else { p.drift.join("; ") },
            ]
        })
        .collect()
}

fn symbol(action: Action) -> &'static str {
    match action {
        Action::Create => "+ create",
        Action::Update => "~ update",
        Action::Replace => "-/+ replace",
        Action::Unchanged => "= unchanged",
    }
}

fn kind(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Connection => "connection",
        ObjectKind::Dataflow => "dataflow",
    }
}

fn outcome(outcome: &ApplyOutcome) -> String {
    match outcome {
        ApplyOutcome::Done { id, test } => match test {
            Some(t) => format!("done ({id}, test {})", format!("{t:?}").to_lowercase()),
            None => format!("done ({id})"),
        },
        ApplyOutcome::Unchanged { id } => format!("unchanged ({id})"),
        ApplyOutcome::Skipped { reason } => format!("skipped: {reason}"),
        ApplyOutcome::Failed { message } => format!("failed: {message}"),
    }
}
