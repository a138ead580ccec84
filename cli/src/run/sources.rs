//! `sources list | show | refresh`: the catalog as last fetched for the account's org (the
//! app's cache file, no request), and its refresh.

use std::process::ExitCode;

use flow_connect_core::catalog::secrets::secret_fields_of;
use flow_connect_core::catalog::Source;
use flow_connect_core::operations::failure::Failure;
use flow_connect_core::operations::{RefreshCatalogRequest, SearchCatalogRequest};
use serde::Serialize;

use super::Ctx;
use crate::args::SourcesCommand;

pub async fn run(ctx: &Ctx, command: SourcesCommand) -> Result<ExitCode, Failure> {
    match command {
        SourcesCommand::List { search } => list(ctx, search.unwrap_or_default()).await?,
        SourcesCommand::Show { source } => {
            let source = ctx.ops.catalog().find(account_id(ctx).as_deref(), &source).await?;
            ctx.out.result(&source, |out| describe(out, &source));
        }
        SourcesCommand::Refresh { sandbox } => refresh(ctx, sandbox.as_deref()).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The catalog as last fetched, or what the search finds in it (core's one search rule, the
/// window's too).
async fn list(ctx: &Ctx, query: String) -> Result<(), Failure> {
    let request = SearchCatalogRequest { account_id: account_id(ctx), query };
    let list = ctx.ops.catalog().search(&request).await?;
    let summaries: Vec<Summary<'_>> = list.sources.iter().map(Summary::of).collect();
    ctx.out.result(&summaries, |out| {
        let rows = summaries
            .iter()
            .map(|s| {
                vec![s.name.to_owned(), s.category.to_owned(), s.methods.join(", "), s.spec_id.to_owned()]
            })
            .collect::<Vec<_>>();
        let fetched = match list.refreshed_at {
            Some(at) => format!("as fetched {} UTC", crate::output::when(Some(at))),
            None => "built in; `sources refresh` fetches your org's".into(),
        };
        format!(
            "{}{} sources ({fetched})",
            out.table(&["NAME", "CATEGORY", "SIGN-IN", "SPEC ID"], &rows),
            rows.len()
        )
    });
    Ok(())
}

async fn refresh(ctx: &Ctx, sandbox: Option<&str>) -> Result<(), Failure> {
    let account = ctx.account().await?;
    let request = RefreshCatalogRequest { sandbox: ctx.sandbox(&account, sandbox)?, account_id: account.id };
    ctx.out.progress("Fetching the catalog…");
    let list = ctx.ops.catalog().refresh(&request).await?;
    let count = list.sources.len();
    ctx.out.result(&serde_json::json!({ "sources": count, "refreshedAt": list.refreshed_at }), |_| {
        format!("The catalog now holds {count} sources.")
    });
    Ok(())
}

/// A source in a list: what tells it apart, not its forms.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Summary<'a> {
    spec_id: &'a str,
    name: &'a str,
    category: &'a str,
    /// The sign-in methods' spec names.
    methods: Vec<&'a str>,
}

impl<'a> Summary<'a> {
    fn of(source: &'a Source) -> Self {
        Self {
            spec_id: &source.spec_id,
            name: &source.display_name,
            category: &source.category,
            methods: source.auth_methods.iter().map(|m| m.spec_name.as_str()).collect(),
        }
    }
}

/// The account whose org's catalog is listed: the one `--account` names, else the only one;
/// none (the built-in sources) when there is no such account.
fn account_id(ctx: &Ctx) -> Option<String> {
    ctx.ops.accounts().pick(ctx.account_name()).ok().map(|a| a.id)
}

fn describe(out: &crate::output::Out, source: &Source) -> String {
    let secrets = secret_fields_of(source);
    let mut text = format!("{} ({})\n{}\n", source.display_name, source.spec_id, source.category);
    for method in &source.auth_methods {
        text.push_str(&format!("\nSign-in method “{}” ({}):\n", method.label, method.spec_name));
        let rows = method
            .all_params()
            .into_iter()
            .filter(|p| !p.hidden)
            .map(|p| {
                let secret = p.secret || secrets.contains(&p.field);
                vec![
                    p.field.clone(),
                    p.label.clone(),
                    if p.required { "required" } else { "optional" }.to_owned(),
                    if secret { "secret" } else { "" }.to_owned(),
                ]
            })
            .collect::<Vec<_>>();
        text.push_str(&out.table(&["FIELD", "LABEL", "REQUIRED", "SECRET"], &rows));
    }
    text
}
