//! The promotion door: a manifest planned against a sandbox (what would be created, updated
//! in place, replaced or left), and applied: in dependency order (each connection, then its
//! dataflows), each object recorded as it is made so an interrupted apply resumes without
//! duplicates, replacements only when asked, every changed connection tested. Secrets come
//! from where the manifest says (a profile's keychain entries, `env:`, `file:`), never from
//! the file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::renew;
use super::{
    ConnectionRequest, ConnectionTarget, FlowChangeRequest, FlowRequest, Operations, PlanRequest,
    RenameRequest,
};
use crate::accounts::Account;
use crate::adobe::flow::{FlowClient, ListQuery, TestOutcome};
use crate::catalog::secrets::secret_fields_of;
use crate::catalog::FormValues;
use crate::dataflows::manage::{rows_of, running_mapping};
use crate::operations::failure::{ErrorCode, Failure};
use crate::promotion::{
    self, changes_anything, diff, Action, AppliedFlow, LiveConnection, LiveFlow, LiveSchedule, ManifestError,
    ObjectKind, Planned, ResolvedConnection, ResolvedManifest, SecretRef,
};
use crate::secrets::credentials::StoredSecrets;
use crate::Secret;

/// The most pages of connections read for a plan.
const MAX_PAGES: usize = 100;
/// A `file:` secret is read whole; past this it is refused.
const MAX_SECRET_FILE_BYTES: u64 = 64 * 1024;

#[derive(Debug)]
pub struct Promotion<'a> {
    pub(super) ops: &'a Operations,
}

/// A manifest, for one environment, against the sandbox of that environment (or another one
/// named here), with the account that signs in.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PromotionRequest {
    pub account_id: String,
    /// The manifest's text (YAML or JSON).
    pub manifest: String,
    pub environment: String,
    /// Another sandbox than the environment's.
    #[serde(default)]
    #[ts(optional)]
    pub sandbox: Option<String>,
    /// Replacements (what cannot change in place) are made only when asked.
    #[serde(default)]
    pub allow_replace: bool,
}

/// What a plan comes to.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PromotionPlan {
    pub environment: String,
    pub sandbox: String,
    pub org_id: String,
    pub items: Vec<Planned>,
    /// Whether applying it would change anything.
    pub changes: bool,
}

/// What became of one planned object.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "outcome")]
#[ts(export)]
pub enum ApplyOutcome {
    /// Made or changed (and, for a connection, tested).
    Done {
        id: String,
        test: Option<TestOutcome>,
    },
    /// Nothing to do.
    Unchanged {
        id: String,
    },
    /// Not done, and why (a replacement not allowed, its connection not made).
    Skipped {
        reason: String,
    },
    Failed {
        message: String,
    },
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppliedItem {
    pub planned: Planned,
    pub outcome: ApplyOutcome,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ApplyReport {
    pub environment: String,
    pub sandbox: String,
    pub items: Vec<AppliedItem>,
}

impl From<ManifestError> for Failure {
    fn from(e: ManifestError) -> Self {
        Failure::new(ErrorCode::Validation, e.to_string())
    }
}

impl Promotion<'_> {
    /// The manifest resolved for the request's environment, its secret fields checked against
    /// the catalog of the account's org.
    pub fn resolve(&self, request: &PromotionRequest) -> Result<ResolvedManifest, Failure> {
        let manifest = promotion::parse(&request.manifest)?;
        let catalog = self.ops.catalog();
        let mut resolved = promotion::resolve(&manifest, &request.environment, |spec_id| {
            catalog.source(Some(&request.account_id), spec_id).ok().map(|s| secret_fields_of(&s))
        })?;
        if let Some(sandbox) = request.sandbox.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            resolved.sandbox = sandbox.to_owned();
        }
        Ok(resolved)
    }

    /// What applying the manifest to the sandbox would do; nothing is written.
    pub async fn plan(&self, request: &PromotionRequest) -> Result<PromotionPlan, Failure> {
        let resolved = self.resolve(request)?;
        let (account, client) = self.client(request, &resolved).await?;
        let items = self.planned(&account, &client, &resolved).await?;
        Ok(PromotionPlan {
            environment: resolved.environment.clone(),
            sandbox: resolved.sandbox.clone(),
            org_id: account.org_id.clone(),
            changes: changes_anything(&items),
            items,
        })
    }

    async fn planned(
        &self,
        account: &Account,
        client: &FlowClient,
        resolved: &ResolvedManifest,
    ) -> Result<Vec<Planned>, Failure> {
        let applied = self.ops.promotions.of(&account.org_id, &resolved.sandbox).await;
        let live = self.live(client, resolved, &applied).await?;
        Ok(diff(resolved, &live, &applied, crate::dates::now_ms() / 1000))
    }

    /// The account that signs in: the request's, or the one of the environment's org.
    async fn client(
        &self,
        request: &PromotionRequest,
        resolved: &ResolvedManifest,
    ) -> Result<(Account, FlowClient), Failure> {
        let mut account = self.ops.account(&request.account_id)?;
        if let Some(org) = resolved.org.as_deref().filter(|o| *o != account.org_id) {
            let accounts = self.ops.accounts().list();
            account = accounts.into_iter().find(|a| a.org_id == org).ok_or_else(|| {
                Failure::new(
                    ErrorCode::NotFound,
                    format!("The environment “{}” is in the org {org}, which no account here signs in to. Add an account for it.", resolved.environment),
                )
            })?;
        }
        let client = self.ops.client(&account, &resolved.sandbox).await?;
        Ok((account, client))
    }

    /// The sandbox's connections of the manifest's sources that the plan compares (by name,
    /// or by an earlier apply's record), with their values and dataflows.
    async fn live(
        &self,
        client: &FlowClient,
        resolved: &ResolvedManifest,
        applied: &[promotion::AppliedConnection],
    ) -> Result<Vec<LiveConnection>, Failure> {
        let mut sources: Vec<String> = resolved.connections.iter().map(|c| c.source.clone()).collect();
        sources.sort();
        sources.dedup();
        let mut listed = Vec::new();
        let mut token = None;
        for _ in 0..MAX_PAGES {
            let query = ListQuery {
                spec_ids: sources.clone(),
                name: None,
                limit: Some(100),
                continuation_token: token.take(),
            };
            let page = client.list_connections(&query).await?;
            listed.extend(page.items);
            token = page.continuation_token;
            if token.is_none() {
                break;
            }
        }
        let mut live = Vec::new();
        for connection in listed {
            let wanted = resolved.connections.iter().find(|w| {
                (w.source.eq_ignore_ascii_case(&connection.connection_spec.id) && w.name == connection.name)
                    || applied.iter().any(|a| a.key == w.key && a.connection_id == connection.id)
            });
            let Some(wanted) = wanted else { continue };
            let source = self.ops.catalog().live_source(client, &connection.connection_spec.id).await?;
            let (read, params) = client.connection_with_params(&connection.id).await?;
            let method = read.auth_spec_name.clone().unwrap_or_default();
            let values = renew::known_values(&source, &method, &params);
            let mut flows = Vec::new();
            for flow in client.flows_of_connection(&connection.id).await? {
                let manifest_flow = wanted.dataflows.iter().find(|f| f.name == flow.name);
                let mapping = match (running_mapping(&flow), manifest_flow.and_then(|f| f.mappings.as_ref()))
                {
                    (Some((set_id, version)), Some(_)) => {
                        let set = match version {
                            Some(v) => client.mapping_set_at(&set_id, v).await?,
                            None => client.mapping_set(&set_id).await?,
                        };
                        Some((set_id, version.unwrap_or(0), rows_of(&set)))
                    }
                    _ => None,
                };
                flows.push(LiveFlow {
                    id: flow.id.clone(),
                    name: flow.name.clone(),
                    enabled: flow.state != "disabled",
                    schedule: schedule_of(&flow.schedule_params),
                    mapping,
                });
            }
            live.push(LiveConnection {
                id: connection.id.clone(),
                name: connection.name.clone(),
                spec_id: connection.connection_spec.id.clone(),
                method,
                description: read.description.clone(),
                values,
                flows,
            });
        }
        Ok(live)
    }

    /// Applies the manifest: the plan is made again now, then followed in order. One object
    /// failing stops what depends on it (a connection's dataflows), not the others.
    pub async fn apply(&self, request: &PromotionRequest) -> Result<ApplyReport, Failure> {
        let resolved = self.resolve(request)?;
        let (account, client) = self.client(request, &resolved).await?;
        let planned = self.planned(&account, &client, &resolved).await?;
        let mut items = Vec::new();
        let mut connection_ids: BTreeMap<String, Option<String>> = BTreeMap::new();
        for item in planned {
            let Some(wanted) = resolved.connections.iter().find(|c| c.key == item.key) else { continue };
            let outcome = match item.kind {
                ObjectKind::Connection => {
                    let outcome = self.apply_connection(request, &account, &resolved, wanted, &item).await;
                    let id = match &outcome {
                        ApplyOutcome::Done { id, .. } | ApplyOutcome::Unchanged { id } => Some(id.clone()),
                        ApplyOutcome::Skipped { .. } | ApplyOutcome::Failed { .. } => {
                            item.existing_id.clone()
                        }
                    };
                    connection_ids.insert(item.key.clone(), id);
                    outcome
                }
                ObjectKind::Dataflow => match connection_ids.get(&item.key).cloned().flatten() {
                    Some(connection_id) => {
                        self.apply_flow(request, &account, &resolved, wanted, &item, &connection_id).await
                    }
                    None => ApplyOutcome::Skipped { reason: "its connection was not made".into() },
                },
            };
            items.push(AppliedItem { planned: item, outcome });
        }
        Ok(ApplyReport {
            environment: resolved.environment.clone(),
            sandbox: resolved.sandbox.clone(),
            items,
        })
    }

    async fn apply_connection(
        &self,
        request: &PromotionRequest,
        account: &Account,
        resolved: &ResolvedManifest,
        wanted: &ResolvedConnection,
        item: &Planned,
    ) -> ApplyOutcome {
        let ops = self.ops;
        let record = |id: String| async move {
            if let Err(e) =
                ops.promotions.connection(&account.org_id, &resolved.sandbox, &wanted.key, &id).await
            {
                tracing::warn!(error = %e, "promotion record not written");
            }
            id
        };
        let target = |id: &str| ConnectionTarget {
            account_id: account.id.clone(),
            sandbox: resolved.sandbox.clone(),
            connection_id: id.to_owned(),
        };
        let result: Result<ApplyOutcome, Failure> = async {
            match item.action {
                Action::Unchanged => {
                    let id = item.existing_id.clone().unwrap_or_default();
                    Ok(ApplyOutcome::Unchanged { id: record(id).await })
                }
                Action::Replace if !request.allow_replace => Ok(ApplyOutcome::Skipped {
                    reason: "it cannot change in place; apply with --allow-replace to make it again".into(),
                }),
                Action::Replace => {
                    let old = item.existing_id.clone().unwrap_or_default();
                    ops.connections().delete(&target(&old)).await?;
                    let id = self.create_connection(account, resolved, wanted).await?;
                    let test = ops.connections().test(&target(&id)).await.ok();
                    Ok(ApplyOutcome::Done { id: record(id).await, test })
                }
                Action::Create => {
                    let id = self.create_connection(account, resolved, wanted).await?;
                    let id = record(id).await;
                    let test = ops.connections().test(&target(&id)).await.ok();
                    Ok(ApplyOutcome::Done { id, test })
                }
                Action::Update => {
                    let id = item.existing_id.clone().unwrap_or_default();
                    self.update_connection(account, resolved, wanted, item, &id).await?;
                    let test = ops.connections().test(&target(&id)).await.ok();
                    Ok(ApplyOutcome::Done { id: record(id).await, test })
                }
            }
        }
        .await;
        result.unwrap_or_else(|e| ApplyOutcome::Failed { message: e.message })
    }

    async fn create_connection(
        &self,
        account: &Account,
        resolved: &ResolvedManifest,
        wanted: &ResolvedConnection,
    ) -> Result<String, Failure> {
        let (values, stored) = self.secrets(wanted).await?;
        let request = ConnectionRequest {
            account_id: account.id.clone(),
            sandbox: resolved.sandbox.clone(),
            spec_id: wanted.source.clone(),
            spec_name: wanted.method.clone(),
            name: wanted.name.clone(),
            description: wanted.description.clone(),
            values,
            stored,
            allow_duplicate: None,
            profile_id: None,
            token: None,
            signed: None,
            secret_expires_at: None,
            minted: None,
        };
        Ok(self.ops.connections().create(&request).await?.id)
    }

    /// A rename over the etag just read, and new credentials (the manifest's values with the
    /// secrets from their sources) when a value changed.
    async fn update_connection(
        &self,
        account: &Account,
        resolved: &ResolvedManifest,
        wanted: &ResolvedConnection,
        item: &Planned,
        id: &str,
    ) -> Result<(), Failure> {
        let ops = self.ops;
        let client = ops.client_of(&account.id, &resolved.sandbox, id).await?;
        if item.changes.iter().any(|c| c.starts_with("credentials")) {
            let source = ops.catalog().live_source(&client, &wanted.source).await?;
            let form = renew::open(&client, &source, id).await?;
            let (mut values, stored) = self.secrets(wanted).await?;
            if let Some(stored) = &stored {
                crate::operations::form_secrets::fill(
                    stored,
                    &source,
                    &ops.sets,
                    &ops.profiles,
                    &ops.vault,
                    &mut values,
                )
                .await?;
            }
            if let renew::Renewal::Stale { .. } =
                renew::renew(&client, &source, id, &form.connection.etag, &wanted.method, &values).await?
            {
                return Err(Failure::new(
                    ErrorCode::AdobeRejected,
                    "Someone changed the connection during the apply; plan again.",
                ));
            }
        }
        if item.changes.iter().any(|c| c.starts_with("name:")) {
            let current = client.get_connection(id).await?;
            let rename = RenameRequest {
                account_id: account.id.clone(),
                sandbox: resolved.sandbox.clone(),
                connection_id: id.to_owned(),
                etag: current.etag,
                name: wanted.name.clone(),
            };
            ops.connections().rename(&rename).await?;
        }
        Ok(())
    }

    /// The connection's values with each secret from where the manifest names it: a profile's
    /// keychain set by reference, an environment variable, or a file.
    async fn secrets(
        &self,
        wanted: &ResolvedConnection,
    ) -> Result<(FormValues, Option<StoredSecrets>), Failure> {
        let mut values: FormValues =
            wanted.values.iter().map(|(k, v)| (k.clone(), Secret::new(v.clone()))).collect();
        let mut stored: Option<StoredSecrets> = None;
        for (field, reference) in &wanted.secrets {
            match reference {
                SecretRef::Profile { profile } => {
                    let profile = self.ops.profiles().find(profile).await?;
                    if !profile.secret_fields.contains(field) {
                        return Err(Failure::new(
                            ErrorCode::NotFound,
                            format!("The profile “{}” keeps no {field}: save it in the profile, or name another source for it.", profile.name),
                        ));
                    }
                    let set = profile.secret_set();
                    match &mut stored {
                        Some(s) if s.set == set => s.fields.push(field.clone()),
                        Some(_) => {
                            return Err(Failure::new(
                                ErrorCode::Validation,
                                format!("“{}” takes secrets from two profiles: one connection's stored secrets come from one profile.", wanted.name),
                            ))
                        }
                        None => stored = Some(StoredSecrets { set, fields: vec![field.clone()] }),
                    }
                }
                SecretRef::Text(text) => {
                    let value = match SecretRef::text(text) {
                        Some(promotion::TextRef::Env(var)) => std::env::var(var).map_err(|_| {
                            Failure::new(ErrorCode::Validation, format!("{field} comes from the environment variable {var}, which is not set."))
                        })?,
                        Some(promotion::TextRef::File(path)) => read_secret_file(field, path)?,
                        None => return Err(ManifestError::SecretValue { at: format!("{}.secrets.{field}", wanted.name) }.into()),
                    };
                    values.insert(field.clone(), Secret::new(value.trim_end_matches(['\n', '\r']).to_owned()));
                }
                SecretRef::Consent { .. } => {
                    return Err(Failure::new(
                        ErrorCode::Validation,
                        format!("{field} of “{}” comes from a consent: run it into a profile (flow-connect-cli consent --profile NAME) and name the profile in the manifest.", wanted.name),
                    ))
                }
            }
        }
        Ok((values, stored))
    }

    async fn apply_flow(
        &self,
        request: &PromotionRequest,
        account: &Account,
        resolved: &ResolvedManifest,
        wanted: &ResolvedConnection,
        item: &Planned,
        connection_id: &str,
    ) -> ApplyOutcome {
        let ops = self.ops;
        let Some(plan) = wanted.dataflows.iter().find(|f| f.name == item.name) else {
            return ApplyOutcome::Skipped { reason: "not in the manifest".into() };
        };
        let flow_request = |id: &str| FlowRequest {
            account_id: account.id.clone(),
            sandbox: resolved.sandbox.clone(),
            flow_id: id.to_owned(),
        };
        let result: Result<ApplyOutcome, Failure> = async {
            let create = || async {
                let mut plan = plan.clone();
                plan.connection_id = connection_id.to_owned();
                let made = ops
                    .dataflows()
                    .create(&PlanRequest {
                        account_id: account.id.clone(),
                        sandbox: resolved.sandbox.clone(),
                        plan,
                        creation_id: None,
                    })
                    .await?;
                Ok::<String, Failure>(
                    made.creation
                        .made
                        .iter()
                        .find(|m| m.object == crate::adobe::flow::ChainObject::Flow)
                        .map(|m| m.id.clone())
                        .unwrap_or_default(),
                )
            };
            let id = match item.action {
                Action::Unchanged => {
                    let id = item.existing_id.clone().unwrap_or_default();
                    self.record_flow(account, resolved, wanted, plan, &id).await;
                    return Ok(ApplyOutcome::Unchanged { id });
                }
                Action::Replace if !request.allow_replace => {
                    return Ok(ApplyOutcome::Skipped {
                        reason: "it cannot change in place; apply with --allow-replace to make it again"
                            .into(),
                    })
                }
                Action::Replace => {
                    ops.dataflows()
                        .delete(&flow_request(item.existing_id.as_deref().unwrap_or_default()))
                        .await?;
                    create().await?
                }
                Action::Create => create().await?,
                Action::Update => {
                    let id = item.existing_id.clone().unwrap_or_default();
                    let flow = ops.dataflows().show(&flow_request(&id)).await?;
                    let change = FlowChangeRequest {
                        account_id: account.id.clone(),
                        sandbox: resolved.sandbox.clone(),
                        flow_id: id.clone(),
                        etag: flow.etag.clone(),
                        name: item.changes.iter().any(|c| c.starts_with("name:")).then(|| plan.name.clone()),
                        schedule: item
                            .changes
                            .iter()
                            .any(|c| c.starts_with("schedule") || c.starts_with("start time"))
                            .then(|| plan.schedule.clone()),
                        mappings: item
                            .changes
                            .iter()
                            .any(|c| c.starts_with("mapping"))
                            .then(|| plan.mappings.clone())
                            .flatten(),
                    };
                    if let super::FlowChange::Stale { .. } = ops.dataflows().change(&change).await? {
                        return Err(Failure::new(
                            ErrorCode::AdobeRejected,
                            "Someone changed the dataflow during the apply; plan again.",
                        ));
                    }
                    if item.changes.iter().any(|c| c == "enable") {
                        ops.dataflows().set_enabled(&flow_request(&id), true).await?;
                    }
                    id
                }
            };
            self.record_flow(account, resolved, wanted, plan, &id).await;
            Ok(ApplyOutcome::Done { id, test: None })
        }
        .await;
        result.unwrap_or_else(|e| ApplyOutcome::Failed { message: e.message })
    }

    /// Records the dataflow and the mapping version it now runs.
    async fn record_flow(
        &self,
        account: &Account,
        resolved: &ResolvedManifest,
        wanted: &ResolvedConnection,
        plan: &crate::dataflows::plan::DataflowPlan,
        id: &str,
    ) {
        let ops = self.ops;
        let version = match ops.client_for(&account.id, &resolved.sandbox).await {
            Ok(client) => client.flow(id).await.ok().and_then(|f| running_mapping(&f)).and_then(|(_, v)| v),
            Err(_) => None,
        };
        let flow = AppliedFlow { name: plan.name.clone(), flow_id: id.to_owned(), mapping_version: version };
        if let Err(e) = ops.promotions.flow(&account.org_id, &resolved.sandbox, &wanted.key, flow).await {
            tracing::warn!(error = %e, "promotion record not written");
        }
    }
}

fn read_secret_file(field: &str, path: &str) -> Result<String, Failure> {
    let refused =
        |why: String| Failure::new(ErrorCode::Validation, format!("{field} comes from {path}, which {why}."));
    let meta = std::fs::metadata(path).map_err(|e| refused(format!("cannot be read ({e})")))?;
    if meta.len() > MAX_SECRET_FILE_BYTES {
        return Err(refused(format!("is larger than {MAX_SECRET_FILE_BYTES} bytes")));
    }
    std::fs::read_to_string(path).map_err(|e| refused(format!("cannot be read as text ({e})")))
}

/// `scheduleParams` as the plan compares them (the values come back as strings or numbers).
fn schedule_of(params: &serde_json::Value) -> LiveSchedule {
    let text = |name: &str| {
        params
            .get(name)
            .and_then(|v| v.as_str().map(str::to_owned).or_else(|| v.as_i64().map(|n| n.to_string())))
    };
    LiveSchedule {
        frequency: text("frequency").unwrap_or_else(|| "once".into()),
        interval: text("interval").and_then(|v| v.parse().ok()),
        start_time: text("startTime").and_then(|v| v.parse().ok()),
    }
}
