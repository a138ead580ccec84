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
use super::Operations;
use crate::accounts::Account;
use crate::adobe::flow::{FlowClient, ListQuery, TestOutcome};
use crate::catalog::secrets::secret_fields_of;
use crate::dataflows::manage::{rows_of, running_mapping};
use crate::operations::failure::{ErrorCode, Failure};
use crate::promotion::{
    self, changes_anything, diff, rows_fingerprint, ConsentedSecrets, LiveConnection, LiveFlow, LiveSchedule,
    ManifestError, NeededConsent, ObjectKind, Planned, ResolvedManifest,
};

/// The most pages of connections read for a plan.
const MAX_PAGES: usize = 100;

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
    /// Another IMS org than the environment's (an account here must sign in to it).
    #[serde(default)]
    #[ts(optional)]
    pub org: Option<String>,
    /// Replacements (what cannot change in place) are made only when asked.
    #[serde(default)]
    pub allow_replace: bool,
    /// Apply only while the sandbox is as a saved plan found it ([`PromotionPlan::fingerprint`]).
    #[serde(default)]
    #[ts(optional)]
    pub expected: Option<String>,
    /// The consents run for this apply (`{consent: true}` fields), by connection.
    #[serde(default)]
    pub consented: Vec<ConsentedSecrets>,
}

/// The connection a dataflow is applied under, and the mapping version the plan saw the
/// dataflow run (`None` when the plan did not see it).
pub(super) struct FlowTarget<'a> {
    pub connection_id: &'a str,
    pub running: Option<Option<i64>>,
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
    /// The versions of what it compared ([`promotion::state_fingerprint`]).
    pub fingerprint: String,
    /// The consents an apply will run first.
    pub consents: Vec<NeededConsent>,
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
        if let Some(org) = request.org.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            resolved.org = Some(org.to_owned());
        }
        Ok(resolved)
    }

    /// What applying the manifest to the sandbox would do; nothing is written.
    pub async fn plan(&self, request: &PromotionRequest) -> Result<PromotionPlan, Failure> {
        let resolved = self.resolve(request)?;
        let (account, client) = self.client(request, &resolved).await?;
        let (items, fingerprint, _) = self.planned(&account, &client, &resolved).await?;
        Ok(PromotionPlan {
            consents: self.needed(&request.account_id, &resolved, &items),
            environment: resolved.environment.clone(),
            sandbox: resolved.sandbox.clone(),
            org_id: account.org_id.clone(),
            changes: changes_anything(&items),
            items,
            fingerprint,
        })
    }

    async fn planned(
        &self,
        account: &Account,
        client: &FlowClient,
        resolved: &ResolvedManifest,
    ) -> Result<(Vec<Planned>, String, Vec<LiveConnection>), Failure> {
        let applied = self.ops.promotions.of(&account.org_id, &resolved.sandbox).await;
        let live = self.live(client, resolved, &applied).await?;
        let items = diff(resolved, &live, &applied, crate::dates::now_ms() / 1000);
        let fingerprint = promotion::state_fingerprint(&live);
        Ok((items, fingerprint, live))
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
        let listed = listed_with_params(client, sources).await?;
        // Only what the manifest names (by name within its source, or by an earlier apply).
        let mut relevant = Vec::new();
        for (connection, params) in listed {
            let wanted = resolved.connections.iter().find(|w| {
                (w.source.eq_ignore_ascii_case(&connection.connection_spec.id) && w.name == connection.name)
                    || applied.iter().any(|a| a.key == w.key && a.connection_id == connection.id)
            });
            if let Some(wanted) = wanted {
                relevant.push((wanted, connection, params));
            }
        }
        let ids: Vec<String> = relevant.iter().map(|(_, c, _)| c.id.clone()).collect();
        let mut flows_of = client.flows_of_connections(&ids).await?;
        let mut live = Vec::new();
        for (wanted, connection, params) in relevant {
            let source = self.ops.catalog().live_source(client, &connection.connection_spec.id).await?;
            let method = connection.auth_spec_name.clone().unwrap_or_default();
            let values = renew::known_values(&source, &method, &params);
            let record = applied.iter().find(|a| a.key == wanted.key && a.connection_id == connection.id);
            let mut flows = Vec::new();
            let (mine, rest): (Vec<_>, Vec<_>) =
                flows_of.into_iter().partition(|(base, _)| *base == connection.id);
            flows_of = rest;
            for (_, flow) in mine {
                let manifest_rows =
                    wanted.dataflows.iter().find(|f| f.name == flow.name).and_then(|f| f.mappings.as_ref());
                let running = running_mapping(&flow);
                let running_version = running.as_ref().and_then(|(_, version)| *version);
                let mapping = match (running, manifest_rows) {
                    (Some((set_id, version)), Some(rows)) => {
                        // The version an earlier apply left with these very rows: not read again.
                        let known = record
                            .and_then(|r| r.flows.iter().find(|f| f.flow_id == flow.id))
                            .is_some_and(|f| {
                                f.mapping_version == version
                                    && f.rows.as_deref() == Some(rows_fingerprint(rows).as_str())
                            });
                        if known {
                            Some((set_id, version.unwrap_or(0), rows.clone()))
                        } else {
                            let set = match version {
                                Some(v) => client.mapping_set_at(&set_id, v).await?,
                                None => client.mapping_set(&set_id).await?,
                            };
                            Some((set_id, version.unwrap_or(0), rows_of(&set)))
                        }
                    }
                    _ => None,
                };
                flows.push(LiveFlow {
                    id: flow.id.clone(),
                    name: flow.name.clone(),
                    enabled: flow.state != "disabled",
                    schedule: schedule_of(&flow.schedule_params),
                    mapping,
                    running_version,
                    etag: flow.etag.clone(),
                });
            }
            live.push(LiveConnection {
                id: connection.id.clone(),
                name: connection.name.clone(),
                spec_id: connection.connection_spec.id.clone(),
                method,
                description: connection.description.clone(),
                values,
                flows,
                etag: connection.etag.clone(),
            });
        }
        Ok(live)
    }

    /// Applies the manifest: the plan is made again now, then followed in order. One object
    /// failing stops what depends on it (a connection's dataflows), not the others.
    pub async fn apply(&self, request: &PromotionRequest) -> Result<ApplyReport, Failure> {
        self.apply_with(request, &|_| {}).await
    }

    /// [`Promotion::apply`], telling `step` each object's outcome as soon as it is known.
    pub async fn apply_with(
        &self,
        request: &PromotionRequest,
        step: &(dyn Fn(&AppliedItem) + Send + Sync),
    ) -> Result<ApplyReport, Failure> {
        let resolved = self.resolve(request)?;
        let (account, client) = self.client(request, &resolved).await?;
        let (planned, fingerprint, live) = self.planned(&account, &client, &resolved).await?;
        if request.expected.as_ref().is_some_and(|expected| *expected != fingerprint) {
            return Err(Failure::new(
                ErrorCode::Validation,
                format!("The sandbox “{}” changed since the plan was made (someone changed a connection or dataflow it compared): plan again.", resolved.sandbox),
            ));
        }
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
                        // The mapping version an unchanged dataflow runs, as the plan read it:
                        // recording it needs no request.
                        let running = live
                            .iter()
                            .flat_map(|c| &c.flows)
                            .find(|f| Some(&f.id) == item.existing_id.as_ref())
                            .map(|f| f.running_version);
                        let target = FlowTarget { connection_id: &connection_id, running };
                        self.apply_flow(request, &account, &resolved, wanted, &item, target).await
                    }
                    None => ApplyOutcome::Skipped { reason: "its connection was not made".into() },
                },
            };
            let applied = AppliedItem { planned: item, outcome };
            step(&applied);
            items.push(applied);
        }
        Ok(ApplyReport {
            environment: resolved.environment.clone(),
            sandbox: resolved.sandbox.clone(),
            items,
        })
    }
}

/// The sandbox's connections of `sources` with their params, in pages of 100.
async fn listed_with_params(
    client: &FlowClient,
    sources: Vec<String>,
) -> Result<Vec<(crate::adobe::flow::Connection, serde_json::Value)>, Failure> {
    let mut listed = Vec::new();
    let mut token = None;
    for _ in 0..MAX_PAGES {
        let query = ListQuery {
            spec_ids: sources.clone(),
            name: None,
            limit: Some(100),
            continuation_token: token.take(),
        };
        let (page, next) = client.list_connections_with_params(&query).await?;
        listed.extend(page);
        token = next;
        if token.is_none() {
            break;
        }
    }
    Ok(listed)
}

/// A connection of a sandbox that drifted from what a manifest applied there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Drifted {
    pub connection_id: String,
    /// What was changed by hand, one short phrase each.
    pub drift: Vec<String>,
}

impl Promotion<'_> {
    /// The connections of `sandbox` an apply made or matched that someone changed by hand
    /// since, from the records of the applies and what the sandbox holds now: a few lists,
    /// none at all when nothing was applied there.
    pub async fn drifted(&self, account_id: &str, sandbox: &str) -> Result<Vec<Drifted>, Failure> {
        let ops = self.ops;
        let account = ops.account(account_id)?;
        let applied = ops.promotions.of(&account.org_id, sandbox).await;
        if applied.is_empty() {
            return Ok(Vec::new());
        }
        let client = ops.client(&account, sandbox).await?;
        let mut sources: Vec<String> =
            applied.iter().map(|a| a.shape.spec_id.clone()).filter(|s| !s.is_empty()).collect();
        sources.sort();
        sources.dedup();
        let listed = listed_with_params(&client, sources).await?;
        let ids: Vec<String> = applied.iter().map(|a| a.connection_id.clone()).collect();
        let flows = client.flows_of_connections(&ids).await?;
        let mut found = Vec::new();
        for record in &applied {
            let live = match listed.iter().find(|(c, _)| c.id == record.connection_id) {
                None => None,
                Some((connection, params)) => {
                    let source = ops.catalog().live_source(&client, &connection.connection_spec.id).await?;
                    let method = connection.auth_spec_name.clone().unwrap_or_default();
                    let flows = flows
                        .iter()
                        .filter(|(base, _)| *base == connection.id)
                        .map(|(_, flow)| {
                            let running = running_mapping(flow);
                            LiveFlow {
                                id: flow.id.clone(),
                                name: flow.name.clone(),
                                enabled: flow.state != "disabled",
                                schedule: schedule_of(&flow.schedule_params),
                                running_version: running.as_ref().and_then(|(_, version)| *version),
                                mapping: running
                                    .map(|(set, version)| (set, version.unwrap_or(0), Vec::new())),
                                etag: flow.etag.clone(),
                            }
                        })
                        .collect();
                    Some(LiveConnection {
                        id: connection.id.clone(),
                        name: connection.name.clone(),
                        spec_id: connection.connection_spec.id.clone(),
                        values: renew::known_values(&source, &method, params),
                        method,
                        description: connection.description.clone(),
                        flows,
                        etag: connection.etag.clone(),
                    })
                }
            };
            let drift = promotion::drift_of(record, live.as_ref());
            if !drift.is_empty() {
                found.push(Drifted { connection_id: record.connection_id.clone(), drift });
            }
        }
        Ok(found)
    }
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
