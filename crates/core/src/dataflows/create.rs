//! Making a dataflow exactly once: the plan prepared against the sandbox (flow spec, schema,
//! mappings), then each object of the chain made in order and recorded as it succeeds. A
//! failure records which step failed; resuming skips what is recorded, looks for an object
//! a lost answer or a crash may have left (by the creation's marker) before making it again,
//! and deleting removes what was made in reverse order.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::bodies;
use super::checks::{self, PlanError};
use super::journal::{Creation, CreationState, Journal, JournalError, MadeStep};
use super::mapping::{self, ProposedMapping};
use super::plan::{DataflowPlan, MappingRow, PlanColumn, TargetPlan};
use crate::adobe::flow::{
    ChainObject, Column, DatasetSummary, FlowClient, FlowError, FlowSpec, SchemaField, SchemaTree,
};

/// Why a dataflow could not be planned or made.
#[derive(Debug, thiserror::Error)]
pub enum DataflowError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Flow(#[from] FlowError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Data Prep refused mappings: nothing reads from the source yet; edit them and resume.
    #[error("Data Prep refused {} mapping(s): {}. Edit them, then resume.", .refused.len(), .refused.join("; "))]
    MappingsRefused { creation_id: String, refused: Vec<String> },
    /// A step failed; the creation records it, and what was made before it.
    #[error("Making the {} failed: {source}. What was made before it is kept: resume to make only what is missing, or delete what was made.", .step.label())]
    Step { step: ChainObject, creation_id: String, source: FlowError },
}

/// The plan checked against the sandbox: everything the create needs, decided.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Prepared {
    pub plan: DataflowPlan,
    pub source_spec_id: String,
    pub flow_spec: FlowSpec,
    #[ts(type = "unknown")]
    pub schedule: Value,
    #[ts(type = "unknown")]
    pub options: Value,
    #[ts(type = "unknown")]
    pub delta: Option<Value>,
    /// The existing dataset and its schema, when the plan lands in one.
    pub dataset: Option<DatasetSummary>,
    pub schema: Option<SchemaTree>,
    /// The fields a new schema gets, one per column.
    pub new_fields: Vec<SchemaField>,
    pub mappings: Vec<ProposedMapping>,
    pub drafts: bool,
}

impl Prepared {
    pub fn mapping_rows(&self) -> Vec<MappingRow> {
        self.mappings.iter().map(|m| m.row.clone()).collect()
    }

    /// The mapping set's body, once the schema's id is known.
    pub fn mapping_set(&self, schema_id: &str) -> Value {
        bodies::mapping_set(schema_id, &self.mapping_rows())
    }
}

/// Checks `plan` against the sandbox: the connection, the flow spec, the target, the mappings.
pub async fn prepare(
    client: &FlowClient,
    plan: &DataflowPlan,
    now_s: i64,
) -> Result<Prepared, DataflowError> {
    checks::check_plan(plan)?;
    // The plan may name the connection and the dataset instead of giving their ids, so one
    // file makes the same dataflow in every sandbox where those names exist.
    let connection = client.find_connection(&plan.connection_id).await?;
    let mut plan = plan.clone();
    plan.connection_id = connection.id.clone();
    let plan = &plan;
    let source_spec_id = connection.connection_spec.id.clone();
    let specs = client.flow_specs().await?;
    let flow_spec = checks::choose_spec(&specs, &source_spec_id, plan.flow_spec_id.as_deref())?.clone();
    let schedule = checks::schedule_params(&plan.schedule, &flow_spec, now_s)?;
    let options = checks::options(plan, &flow_spec)?;
    let delta = checks::delta_column(plan, &flow_spec)?;
    let connection_drafts = match client.connection_spec(&source_spec_id).await {
        Ok(spec) => spec.attributes.get("isDraftModeSupported").and_then(Value::as_bool).unwrap_or(false),
        Err(e) => {
            tracing::info!(error = %e, "connection spec not read; no drafts");
            false
        }
    };
    let drafts = flow_spec.draft_supported && connection_drafts;
    let (dataset, schema, new_fields, proposed) = match &plan.target {
        TargetPlan::Existing { dataset_id } => {
            let dataset = find_dataset(client, dataset_id).await?;
            let schema = client.schema_tree(&dataset.schema_id).await?;
            let proposed = mapping::by_similarity(plan.columns(), &schema.fields);
            (Some(dataset), Some(schema), Vec::new(), proposed)
        }
        TargetPlan::New { .. } => {
            let tenant = client.tenant_id().await?;
            let fields = mapping::new_fields(&tenant, plan.columns());
            let proposed = mapping::one_to_one(&fields);
            (None, None, fields.into_iter().map(|(_, f)| f).collect(), proposed)
        }
    };
    let mappings = match &plan.mappings {
        Some(rows) => rows
            .iter()
            .map(|row| ProposedMapping { row: row.clone(), score: 1.0, reason: "as edited".into() })
            .collect(),
        None => proposed,
    };
    if mappings.is_empty() {
        return Err(PlanError::Invalid {
            field: "mappings".into(),
            message: "No column matches a field of the schema by name and type: map the columns by hand."
                .into(),
        }
        .into());
    }
    let known: Vec<&str> = match &schema {
        Some(schema) => schema.fields.iter().map(|f| f.path.as_str()).collect(),
        None => new_fields.iter().map(|f| f.path.as_str()).collect(),
    };
    if let Some(bad) = mappings.iter().find(|m| !known.contains(&m.row.destination.as_str())) {
        return Err(PlanError::Invalid {
            field: "mappings".into(),
            message: format!("The schema has no field {}: pick one from its tree.", bad.row.destination),
        }
        .into());
    }
    Ok(Prepared {
        plan: plan.clone(),
        source_spec_id,
        flow_spec,
        schedule,
        options,
        delta,
        dataset,
        schema,
        new_fields,
        mappings,
        drafts,
    })
}

/// The dataset whose id is `id_or_name`, else the only one named exactly that.
async fn find_dataset(client: &FlowClient, id_or_name: &str) -> Result<DatasetSummary, DataflowError> {
    match client.dataset(id_or_name).await {
        Ok(found) => return Ok(found),
        Err(FlowError::InvalidId { .. }) => {}
        Err(FlowError::Api(e)) if e.status == 404 => {}
        Err(e) => return Err(e.into()),
    }
    let named: Vec<DatasetSummary> =
        client.datasets().await?.into_iter().filter(|d| d.name == id_or_name).collect();
    match named.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(PlanError::Invalid {
            field: "target.datasetId".into(),
            message: format!("No dataset of this sandbox has the id or the name “{id_or_name}”."),
        }
        .into()),
        several => Err(PlanError::Invalid {
            field: "target.datasetId".into(),
            message: format!(
                "{} datasets are named “{id_or_name}”: give the id of the one to use ({}).",
                several.len(),
                several.iter().map(|d| d.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        }
        .into()),
    }
}

/// The explored rows as the objects Data Prep previews: each kept column's name to its value
/// (a null left out). `columns` are the table's, in the order of the rows' cells.
pub fn preview_rows(columns: &[Column], kept: &[PlanColumn], rows: &[Vec<Option<String>>]) -> Vec<Value> {
    // Which cells are kept is decided once per column, not once per cell: 100 rows of 500
    // columns would otherwise compare 25 million names.
    let kept: HashSet<&str> = kept.iter().map(|k| k.name.as_str()).collect();
    let keep: Vec<bool> = columns.iter().map(|c| kept.contains(c.name.as_str())).collect();
    rows.iter()
        .map(|row| {
            Value::Object(
                columns
                    .iter()
                    .zip(&keep)
                    .zip(row)
                    .filter(|((_, keep), _)| **keep)
                    .filter_map(|((c, _), v)| v.as_ref().map(|v| (c.name.clone(), Value::String(v.clone()))))
                    .collect(),
            )
        })
        .collect()
}

/// How far a run of a creation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// The target only (field group, schema, identity, dataset), so the mappings can be
    /// checked and previewed against the schema before anything reads from the source.
    Target,
    /// Every object, published.
    Done,
}

/// Makes (or goes on making) creation `id` of `prepared` until it is done or a step fails, or
/// (`Until::Target`) until its target is made.
pub async fn run(
    client: &FlowClient,
    journal: &Journal,
    id: &str,
    prepared: &Prepared,
    until: Until,
) -> Result<Creation, DataflowError> {
    let before = journal.get(id).ok_or_else(|| JournalError::Unknown(id.to_owned()))?;
    // An earlier run (which failed, or whose process stopped) may have left objects it did
    // not record: each missing step is then looked for before it is made.
    let resuming = before.runs > 0 || !before.made.is_empty();
    let mut creation = journal
        .update(id, |c| {
            c.state = CreationState::Running;
            c.runs += 1;
        })
        .await?;
    let marker = creation.marker();
    let plan = &prepared.plan;
    let mut step = Step { client, journal, id, marker: &marker, resuming, drafts: creation.drafts };

    let (schema_id, dataset_id) = match (&plan.target, &prepared.dataset) {
        (TargetPlan::Existing { .. }, Some(dataset)) => (dataset.schema_id.clone(), dataset.id.clone()),
        (TargetPlan::New { dataset_name, schema_title, class_id, identity, profile, .. }, _) => {
            let group = bodies::field_group(
                &format!("{schema_title} fields"),
                class_id,
                &prepared.new_fields,
                &marker,
            );
            let group = step.make(&mut creation, ChainObject::FieldGroup, &group).await?;
            let schema = bodies::schema(schema_title, class_id, &group.id, &marker);
            let schema_id = step.make(&mut creation, ChainObject::Schema, &schema).await?.id;
            if let Some(identity) = identity {
                let path = prepared
                    .mappings
                    .iter()
                    .find(|m| m.row.source == identity.column)
                    .map(|m| m.row.destination.clone())
                    .unwrap_or_default();
                let body = bodies::identity_descriptor(&schema_id, &path, &identity.namespace);
                step.make(&mut creation, ChainObject::Descriptor, &body).await?;
            }
            if *profile && creation.made(ChainObject::Dataset).is_none() {
                // A resumed creation may have tagged it already; the tag is never sent twice.
                let tagged = if step.resuming {
                    match client.schema_tree(&schema_id).await {
                        Ok(tree) => tree.profile,
                        Err(e) => return Err(step.fail(ChainObject::Schema, e).await),
                    }
                } else {
                    false
                };
                if !tagged {
                    if let Err(e) = client.enable_schema_for_profile(&schema_id).await {
                        return Err(step.fail(ChainObject::Schema, e).await);
                    }
                }
            }
            let body = bodies::dataset(dataset_name, &schema_id, *profile, &marker);
            let dataset_id = step.make(&mut creation, ChainObject::Dataset, &body).await?.id;
            (schema_id, dataset_id)
        }
        (TargetPlan::Existing { dataset_id }, None) => {
            return Err(PlanError::Invalid {
                field: "target.datasetId".into(),
                message: format!("Dataset {dataset_id} was not read."),
            }
            .into())
        }
    };
    if until == Until::Target {
        return Ok(journal.update(id, |c| c.state = CreationState::TargetReady).await?);
    }
    // Checked by Data Prep before anything reads from the source: a plan for a new schema
    // could not be checked before its schema existed.
    if creation.made(ChainObject::MappingSet).is_none() {
        let checks = client.validate_mappings(&prepared.mapping_set(&schema_id)).await;
        let refused: Vec<String> = match checks {
            Ok(checks) => prepared
                .mappings
                .iter()
                .zip(&checks)
                .filter(|(_, c)| !c.ok)
                .map(|(m, c)| format!("{} → {}: {}", m.row.source, m.row.destination, c.errors.join("; ")))
                .collect(),
            Err(e) => return Err(step.fail(ChainObject::MappingSet, e).await),
        };
        if !refused.is_empty() {
            let message = format!("Data Prep refused these mappings: {}", refused.join(" | "));
            step.record_failure(ChainObject::MappingSet, message).await;
            return Err(DataflowError::MappingsRefused { creation_id: id.to_owned(), refused });
        }
    }
    let body = bodies::source_connection(plan, &prepared.source_spec_id, &marker);
    let source = step.make(&mut creation, ChainObject::SourceConnection, &body).await?;
    let body = bodies::target_connection(plan, &dataset_id, &schema_id, &marker);
    let target = step.make(&mut creation, ChainObject::TargetConnection, &body).await?;
    let set = step.make(&mut creation, ChainObject::MappingSet, &prepared.mapping_set(&schema_id)).await?;
    let body = bodies::flow(
        plan,
        &prepared.flow_spec,
        &source.id,
        &target.id,
        (&set.id, set.version.unwrap_or(0)),
        &prepared.schedule,
        &prepared.options,
        prepared.delta.as_ref(),
        &marker,
    );
    step.make(&mut creation, ChainObject::Flow, &body).await?;
    // Drafts are published in dependency order: the connections, then the flow.
    for object in [ChainObject::SourceConnection, ChainObject::TargetConnection, ChainObject::Flow] {
        let Some(made) = creation.made(object).filter(|m| m.draft).cloned() else { continue };
        if let Err(e) = client.publish(object, &made.id).await {
            return Err(step.fail(object, e).await);
        }
        creation = journal
            .update(id, |c| {
                if let Some(m) = c.made.iter_mut().find(|m| m.object == object) {
                    m.draft = false;
                }
            })
            .await?;
    }
    Ok(journal.update(id, |c| c.state = CreationState::Done).await?)
}

/// Deletes what creation `id` made, in reverse dependency order, recording each deletion.
pub async fn delete_made(
    client: &FlowClient,
    journal: &Journal,
    id: &str,
) -> Result<Creation, DataflowError> {
    let order = [
        ChainObject::Flow,
        ChainObject::TargetConnection,
        ChainObject::SourceConnection,
        ChainObject::MappingSet,
        ChainObject::Dataset,
        ChainObject::Descriptor,
        ChainObject::Schema,
        ChainObject::FieldGroup,
    ];
    let mut creation = journal.get(id).ok_or_else(|| JournalError::Unknown(id.to_owned()))?;
    for object in order {
        let Some(made) = creation.made(object).cloned() else { continue };
        if !made.id.is_empty() {
            client.delete_made(object, &made.id).await.map_err(|source| DataflowError::Step {
                step: object,
                creation_id: id.to_owned(),
                source,
            })?;
        }
        creation = journal.update(id, |c| c.made.retain(|m| m.object != object)).await?;
    }
    Ok(journal.update(id, |c| c.state = CreationState::Deleted).await?)
}

struct Step<'a> {
    client: &'a FlowClient,
    journal: &'a Journal,
    id: &'a str,
    marker: &'a str,
    resuming: bool,
    drafts: bool,
}

impl Step<'_> {
    /// The object of `what`: recorded already, found by the marker, or made now; recorded.
    async fn make(
        &mut self,
        creation: &mut Creation,
        what: ChainObject,
        body: &Value,
    ) -> Result<MadeStep, DataflowError> {
        if let Some(made) = creation.made(what) {
            return Ok(made.clone());
        }
        let draft = self.drafts && what.drafts();
        let found = if self.resuming {
            let since = creation.started_at;
            match self.client.find_marked(what, body, self.marker, since).await {
                Ok(found) => found,
                Err(e) => return Err(self.fail(what, e).await),
            }
        } else {
            None
        };
        let made = match found {
            Some(found) => found,
            None => match self.client.create_marked(what, body, self.marker, draft).await {
                Ok(made) => made,
                // A second primary identity on the field is refused: the first one is there.
                Err(FlowError::Api(e)) if what == ChainObject::Descriptor && e.status == 409 => {
                    crate::adobe::flow::Made { id: String::new(), etag: None, version: None, note: None }
                }
                Err(e) => return Err(self.fail(what, e).await),
            },
        };
        let step = MadeStep { object: what, id: made.id, version: made.version, draft };
        let recorded = step.clone();
        *creation = self.journal.update(self.id, move |c| c.made.push(recorded)).await?;
        Ok(step)
    }

    /// Records that `what` failed, and the error to hand back.
    async fn fail(&self, what: ChainObject, source: FlowError) -> DataflowError {
        self.record_failure(what, source.to_string()).await;
        DataflowError::Step { step: what, creation_id: self.id.to_owned(), source }
    }

    async fn record_failure(&self, what: ChainObject, message: String) {
        let recorded =
            self.journal.update(self.id, |c| c.state = CreationState::Failed { step: what, message }).await;
        if let Err(e) = recorded {
            tracing::warn!(error = %e, "the failed step could not be recorded");
        }
    }
}
