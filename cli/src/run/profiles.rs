//! `profiles list | show | export | import | delete`: the app's saved profiles.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use flow_connect_core::operations::failure::Failure;
use flow_connect_core::operations::ProfileListRequest;
use flow_connect_core::profiles::Profile;
use serde::Serialize;

use super::Ctx;
use crate::args::ProfilesCommand;
use crate::output::when;

pub async fn run(ctx: &Ctx, command: ProfilesCommand) -> Result<ExitCode, Failure> {
    match command {
        ProfilesCommand::List { search } => list(ctx, search.unwrap_or_default()).await,
        ProfilesCommand::Show { profile } => show(ctx, &profile).await?,
        ProfilesCommand::Export { profiles, output } => export(ctx, &profiles, output).await?,
        ProfilesCommand::Import { file } => import(ctx, &file).await?,
        ProfilesCommand::Delete { profile } => delete(ctx, &profile).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(ctx: &Ctx, query: String) {
    let list = ctx.ops.profiles().list(&ProfileListRequest { query, limit: None }).await.profiles;
    ctx.out.result(&list, |out| {
        if list.is_empty() {
            return "No profiles. Save one from the app's form, or import an export with `profiles import FILE`.".into();
        }
        let rows = list
            .iter()
            .map(|p| {
                let used = i64::try_from(p.last_used_at.max(p.updated_at)).ok();
                vec![
                    p.name.clone(),
                    p.source_name.clone(),
                    p.connection_name.clone(),
                    p.sandbox.clone().unwrap_or_else(|| "-".into()),
                    when(used),
                ]
            })
            .collect::<Vec<_>>();
        out.table(&["NAME", "SOURCE", "CONNECTION NAME", "SANDBOX", "LAST USED (UTC)"], &rows)
    });
}

async fn show(ctx: &Ctx, name: &str) -> Result<(), Failure> {
    let profiles = ctx.ops.profiles();
    let profile = profiles.find(name).await?;
    let secrets = match profiles.held_secrets(&profile).await {
        Ok((stored, missing)) => SecretState::Known { in_keychain: stored.fields, missing },
        Err(e) => SecretState::Unknown { reason: e.message },
    };
    let shown = Shown { profile: &profile, secrets };
    ctx.out.result(&shown, |out| describe(out, &shown));
    Ok(())
}

/// To `output`, or printed: the export is the result, JSON with or without --json.
async fn export(ctx: &Ctx, names: &[String], output: Option<PathBuf>) -> Result<(), Failure> {
    let profiles = ctx.ops.profiles();
    let ids = profiles.ids_of(names).await?;
    let Some(path) = output else {
        let text = profiles.export_text(&ids).await;
        let json = serde_json::from_str::<serde_json::Value>(&text).unwrap_or_default();
        ctx.out.result(&json, |_| text.clone());
        return Ok(());
    };
    let count = profiles.export_file(&path, &ids).await?;
    let path_text = path.display().to_string();
    ctx.out.result(&serde_json::json!({ "path": path_text, "count": count }), |_| {
        format!("Exported {count} profiles, without secrets, to {path_text}.")
    });
    Ok(())
}

async fn import(ctx: &Ctx, file: &Path) -> Result<(), Failure> {
    let imported = ctx.ops.profiles().import_file(file).await?;
    ctx.out.result(&imported, |_| {
        let names: Vec<&str> = imported.iter().map(|p| p.name.as_str()).collect();
        format!(
            "Imported {} profiles: {}. Their secrets are asked for when first used.",
            names.len(),
            names.join(", ")
        )
    });
    Ok(())
}

async fn delete(ctx: &Ctx, name: &str) -> Result<(), Failure> {
    let profiles = ctx.ops.profiles();
    let profile = profiles.find(name).await?;
    profiles.delete(&profile.id).await?;
    ctx.out.result(&serde_json::json!({ "deleted": profile.id }), |_| {
        format!("Deleted the profile “{}” and its keychain entries.", profile.name)
    });
    Ok(())
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Shown<'a> {
    profile: &'a Profile,
    secrets: SecretState,
}

/// Which secrets the keychain holds; never a value.
#[derive(Debug, Serialize)]
#[serde(tag = "state", rename_all = "camelCase", rename_all_fields = "camelCase")]
enum SecretState {
    Known { in_keychain: Vec<String>, missing: Vec<String> },
    Unknown { reason: String },
}

fn describe(out: &crate::output::Out, shown: &Shown<'_>) -> String {
    let p = shown.profile;
    let mut rows: Vec<Vec<String>> = p.values.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect();
    match &shown.secrets {
        SecretState::Known { in_keychain, missing } => {
            rows.extend(in_keychain.iter().map(|f| vec![f.clone(), "(secret, in the keychain)".into()]));
            rows.extend(
                missing.iter().map(|f| vec![f.clone(), "(secret, missing: asked for when used)".into()]),
            );
        }
        SecretState::Unknown { reason } => {
            rows.extend(
                p.secret_fields
                    .iter()
                    .map(|f| vec![f.clone(), format!("(secret; keychain not read: {reason})")]),
            );
        }
    }
    format!(
        "{} ({})\nSource: {} ({}, {})\nConnection name: {}\n\n{}",
        p.name,
        p.id,
        p.source_name,
        p.spec_id,
        p.spec_name,
        p.connection_name,
        out.table(&["FIELD", "VALUE"], &rows)
    )
}
