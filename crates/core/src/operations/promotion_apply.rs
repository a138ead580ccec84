//! Applying a planned manifest: each connection made, updated in place or replaced (only when
//! allowed) and tested; each dataflow made through the same exactly-once steps as `dataflow
//! create`, or changed over the version read; every object recorded as it is made. Secrets are
//! read from where the manifest names them, never from the file.

use super::promotion::{ApplyOutcome, FlowTarget, Promotion, PromotionRequest};
use super::promotion_consent::ConsentUse;
use super::renew;
use super::{
    ConnectionRequest, ConnectionTarget, FlowChangeRequest, FlowRequest, PlanRequest, RenameRequest,
};
use crate::accounts::Account;
use crate::catalog::FormValues;
use crate::dataflows::manage::running_mapping;
use crate::operations::failure::{ErrorCode, Failure};
use crate::promotion::{
    self, Action, AppliedFlow, AppliedShape, ManifestError, Planned, ResolvedConnection, ResolvedManifest,
    SecretRef,
};
use crate::secrets::credentials::StoredSecrets;
use crate::Secret;

/// A `file:` secret is read whole; past this it is refused.
const MAX_SECRET_FILE_BYTES: u64 = 64 * 1024;

impl Promotion<'_> {
    pub(super) async fn apply_connection(
        &self,
        request: &PromotionRequest,
        account: &Account,
        resolved: &ResolvedManifest,
        wanted: &ResolvedConnection,
        item: &Planned,
    ) -> ApplyOutcome {
        let ops = self.ops;
        let record = |id: String| async move {
            let shape = AppliedShape {
                spec_id: wanted.source.clone(),
                name: wanted.name.clone(),
                method: wanted.method.clone(),
                values: wanted.values.clone(),
            };
            if let Err(e) =
                ops.promotions.connection(&account.org_id, &resolved.sandbox, &wanted.key, &id, shape).await
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
                    let id = self.create_connection(request, account, resolved, wanted).await?;
                    let test = ops.connections().test(&target(&id)).await.ok();
                    Ok(ApplyOutcome::Done { id: record(id).await, test })
                }
                Action::Create => {
                    let id = self.create_connection(request, account, resolved, wanted).await?;
                    let id = record(id).await;
                    let test = ops.connections().test(&target(&id)).await.ok();
                    Ok(ApplyOutcome::Done { id, test })
                }
                Action::Update => {
                    let id = item.existing_id.clone().unwrap_or_default();
                    self.update_connection(request, account, resolved, wanted, item, &id).await?;
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
        request: &PromotionRequest,
        account: &Account,
        resolved: &ResolvedManifest,
        wanted: &ResolvedConnection,
    ) -> Result<String, Failure> {
        let consented = consented_for(request, wanted);
        let (values, stored) = self.secrets(wanted, ConsentUse::Apply(consented)).await?;
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
            // A consent's refresh token: when and for which client, for the expiry radar.
            token: consented.and_then(|c| c.issued.clone()),
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
        request: &PromotionRequest,
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
            let consented = ConsentUse::Apply(consented_for(request, wanted));
            let (mut values, stored) = self.secrets(wanted, consented).await?;
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
    /// keychain set by reference, an environment variable, a file, or (for an apply) the
    /// keychain set a consent run for it filled, which holds copies of the profile's too.
    pub(super) async fn secrets(
        &self,
        wanted: &ResolvedConnection,
        consent: ConsentUse<'_>,
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
                SecretRef::Consent { .. } => match consent {
                    ConsentUse::Begin => {}
                    ConsentUse::Apply(Some(done)) if done.stored.fields.contains(field) => {}
                    ConsentUse::Apply(Some(_)) => {
                        return Err(Failure::new(
                            ErrorCode::Validation,
                            format!("The consent run for “{}” gave no {field}: run it again.", wanted.name),
                        ))
                    }
                    ConsentUse::Apply(None) => {
                        return Err(Failure::new(
                            ErrorCode::Validation,
                            format!("{field} of “{}” comes from a consent, which was not run: apply from a terminal (the CLI runs it) or from Promote… in the window.", wanted.name),
                        ))
                    }
                },
            }
        }
        if let ConsentUse::Apply(Some(done)) = consent {
            // The consent began with the profile's set, so its own set holds copies of those.
            stored = Some(done.stored.clone());
        }
        Ok((values, stored))
    }

    pub(super) async fn apply_flow(
        &self,
        request: &PromotionRequest,
        account: &Account,
        resolved: &ResolvedManifest,
        wanted: &ResolvedConnection,
        item: &Planned,
        target: FlowTarget<'_>,
    ) -> ApplyOutcome {
        let ops = self.ops;
        let connection_id = target.connection_id;
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
                    self.record_flow(account, resolved, wanted, plan, &id, target.running).await;
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
            self.record_flow(account, resolved, wanted, plan, &id, None).await;
            Ok(ApplyOutcome::Done { id, test: None })
        }
        .await;
        result.unwrap_or_else(|e| ApplyOutcome::Failed { message: e.message })
    }

    /// Records the dataflow and the mapping version it now runs: `known` when the plan saw it
    /// and nothing changed since, else read back (a create or a new version just made).
    async fn record_flow(
        &self,
        account: &Account,
        resolved: &ResolvedManifest,
        wanted: &ResolvedConnection,
        plan: &crate::dataflows::plan::DataflowPlan,
        id: &str,
        known: Option<Option<i64>>,
    ) {
        let ops = self.ops;
        let version = match known {
            Some(version) => version,
            None => match ops.client_for(&account.id, &resolved.sandbox).await {
                Ok(client) => {
                    client.flow(id).await.ok().and_then(|f| running_mapping(&f)).and_then(|(_, v)| v)
                }
                Err(_) => None,
            },
        };
        let rows = plan.mappings.as_deref().map(promotion::rows_fingerprint);
        let flow = AppliedFlow {
            name: plan.name.clone(),
            flow_id: id.to_owned(),
            mapping_version: version,
            rows,
            frequency: plan.schedule.frequency.clone(),
            interval: (plan.schedule.frequency != "once").then(|| plan.schedule.interval.unwrap_or(1)),
        };
        if let Err(e) = ops.promotions.flow(&account.org_id, &resolved.sandbox, &wanted.key, flow).await {
            tracing::warn!(error = %e, "promotion record not written");
        }
    }
}

/// The consent run for `wanted` before this apply, if any.
fn consented_for<'a>(
    request: &'a PromotionRequest,
    wanted: &ResolvedConnection,
) -> Option<&'a promotion::ConsentedSecrets> {
    request.consented.iter().find(|c| c.connection == wanted.key)
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
