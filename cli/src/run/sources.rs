//! `sources list | show | refresh`: the catalog as last fetched for the account's org (the
//! app's cache file, no request), and its refresh.

use std::process::ExitCode;

use flow_connect_core::catalog::{self, CatalogList, Source};
use flow_connect_core::operations::failure::{ErrorCode, Failure};
use flow_connect_core::operations::form_secrets;
use serde::Serialize;

use super::Ctx;
use crate::args::SourcesCommand;

pub async fn run(ctx: &Ctx, command: SourcesCommand) -> Result<ExitCode, Failure> {
    match command {
        SourcesCommand::List { search } => {
            let list = cached(ctx).await;
            // The window's rule: every word of the search, in the name, category, key or id.
            let wanted = search.unwrap_or_default();
            let sources: Vec<&Source> =
                list.sources.iter().filter(|s| catalog::matches_search(s, &wanted)).collect();
            let summaries: Vec<Summary<'_>> = sources.iter().map(|s| Summary::of(s)).collect();
            ctx.out.result(&summaries, |out| {
                let rows = summaries
                    .iter()
                    .map(|s| {
                        vec![
                            s.name.to_owned(),
                            s.category.to_owned(),
                            s.methods.join(", "),
                            s.spec_id.to_owned(),
                        ]
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
        }
        SourcesCommand::Show { source } => {
            let list = cached(ctx).await;
            let source = find(&list, &source)?;
            ctx.out.result(source, |out| describe(out, source));
        }
        SourcesCommand::Refresh { sandbox } => {
            let (_, _, client) = ctx.client(sandbox.as_deref()).await?;
            ctx.out.progress("Fetching the catalog…");
            let list = ctx.services.catalog.refresh(&client).await?;
            let count = list.sources.len();
            ctx.out
                .result(&serde_json::json!({ "sources": count, "refreshedAt": list.refreshed_at }), |_| {
                    format!("The catalog now holds {count} sources.")
                });
        }
    }
    Ok(ExitCode::SUCCESS)
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

/// The org's catalog from the cache (the built-in sources without an account or a cache).
async fn cached(ctx: &Ctx) -> CatalogList {
    let org = ctx.services.pick_account(ctx.account_name()).map(|a| a.org_id).unwrap_or_default();
    ctx.services.catalog.list(&org).await
}

/// The source with this spec id, or this name (ignoring case).
pub fn find<'a>(list: &'a CatalogList, wanted: &str) -> Result<&'a Source, Failure> {
    let wanted = wanted.trim();
    list.sources
        .iter()
        .find(|s| s.spec_id == wanted)
        .or_else(|| list.sources.iter().find(|s| s.display_name.eq_ignore_ascii_case(wanted)))
        .ok_or_else(|| {
            Failure::new(
                ErrorCode::NotFound,
                format!("No source is named “{wanted}”. Search with `sources list --search TEXT`."),
            )
        })
}

fn describe(out: &crate::output::Out, source: &Source) -> String {
    let secrets = form_secrets::secret_fields_of(source);
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
