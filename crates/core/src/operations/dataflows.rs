//! The dataflows door: a plan checked against the sandbox (with its mappings validated and
//! previewed on the explored rows), a dataflow made exactly once and resumed or undone, and
//! the dataflows of a connection listed, read, enabled, disabled and deleted.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Operations;
use crate::adobe::flow::{
    ChainObject, DatasetSummary, FlowClient, FlowDetails, FlowError, IdentityNamespace, MappingCheck,
    PreviewRecord, Run, XdmClass,
};
use crate::dataflows::create::{self, DataflowError, Prepared, Until};
use crate::dataflows::journal::{key_of, marker_of, Creation, CreationState, JournalError};
use crate::dataflows::manage;
use crate::dataflows::{DataflowPlan, PlanError, SourcePlan};
use crate::operations::failure::{ErrorCode, Failure};
use crate::operations::ConnectionTarget;

/// A plan, for a sandbox of an account.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanRequest {
    pub account_id: String,
    pub sandbox: String,
    pub plan: DataflowPlan,
    /// The creation this plan continues: the one whose target was made for the preview.
    #[serde(default)]
    #[ts(optional)]
    pub creation_id: Option<String>,
}

/// What a plan comes to, before anything is made.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanOutcome {
    pub prepared: Prepared,
    /// Each mapping's standing, from Data Prep (for an existing schema; a new one is checked
    /// once it exists).
    pub checks: Vec<MappingCheck>,
    /// The explored rows as they would land, with each row's errors.
    pub preview: Vec<PreviewRecord>,
    /// A dataflow this plan made already in this sandbox.
    pub existing: Option<Creation>,
    /// The creation the plan continues (its target made), when it names one.
    pub creation: Option<Creation>,
}

/// What a create came to.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DataflowCreated {
    pub creation: Creation,
    /// The plan had made this dataflow before: nothing was created.
    pub existed: bool,
}

/// What a new or an existing target can be chosen from, read in one go.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TargetOptions {
    pub datasets: Vec<DatasetSummary>,
    /// Record and time-series classes a new schema can be built on.
    pub classes: Vec<XdmClass>,
    pub namespaces: Vec<IdentityNamespace>,
    /// The flow specs that read from the connection's source into the data lake: the user
    /// picks when there are several, and is told when there is none.
    pub flow_specs: Vec<FlowSpecChoice>,
}

/// A flow spec the user may pick, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FlowSpecChoice {
    pub id: String,
    pub name: String,
}

/// The dataflows of a connection, and the creations recorded for it here.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionDataflows {
    pub flows: Vec<FlowDetails>,
    /// Creations of this connection that did not finish: resume or undo them.
    pub unfinished: Vec<Creation>,
}

/// A change to a dataflow, made over the version (`etag`) the user saw.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FlowChangeRequest {
    pub account_id: String,
    pub sandbox: String,
    pub flow_id: String,
    pub etag: String,
    #[serde(default)]
    #[ts(optional)]
    pub name: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub schedule: Option<crate::dataflows::SchedulePlan>,
    /// A new version of the flow's mapping set, wired to the flow.
    #[serde(default)]
    #[ts(optional)]
    pub mappings: Option<Vec<crate::dataflows::MappingRow>>,
}

/// What a change came to.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "outcome")]
#[ts(export)]
pub enum FlowChange {
    Changed {
        flow: FlowDetails,
    },
    /// Someone changed the dataflow since it was read: nothing was written; here it is now.
    Stale {
        flow: FlowDetails,
    },
}

/// One recorded creation, by id.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CreationRequest {
    pub account_id: String,
    pub sandbox: String,
    pub creation_id: String,
}

/// One dataflow, by id.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FlowRequest {
    pub account_id: String,
    pub sandbox: String,
    pub flow_id: String,
}

impl From<DataflowError> for Failure {
    fn from(e: DataflowError) -> Self {
        match e {
            DataflowError::Plan(PlanError::SeveralFlowSpecs { .. }) => {
                Failure::new(ErrorCode::Ambiguous, e.to_string())
            }
            DataflowError::Plan(_) | DataflowError::MappingsRefused { .. } => {
                Failure::new(ErrorCode::Validation, e.to_string())
            }
            DataflowError::Flow(e) => e.into(),
            DataflowError::Journal(e) => e.into(),
            DataflowError::Step { ref source, .. } => {
                let code = match source {
                    FlowError::Network { .. } | FlowError::CreateUnconfirmed { .. } => ErrorCode::Network,
                    FlowError::Ims(_) => ErrorCode::AdobeSignIn,
                    FlowError::Api(api) if api.status == 404 => ErrorCode::NotFound,
                    FlowError::InvalidId { .. } => ErrorCode::Validation,
                    _ => ErrorCode::AdobeRejected,
                };
                Failure::new(code, e.to_string())
            }
        }
    }
}

impl From<JournalError> for Failure {
    fn from(e: JournalError) -> Self {
        match e {
            JournalError::Unknown(_) => Failure::new(ErrorCode::NotFound, e.to_string()),
            JournalError::Write(_) | JournalError::Refused(_) => {
                Failure::new(ErrorCode::Storage, e.to_string())
            }
        }
    }
}

/// Dataflows: plan, create, resume, undo, and manage.
#[derive(Debug)]
pub struct Dataflows<'a> {
    pub(super) ops: &'a Operations,
}

impl Dataflows<'_> {
    async fn client(&self, account_id: &str, sandbox: &str) -> Result<FlowClient, Failure> {
        self.ops.client_for(account_id, sandbox).await
    }

    /// Checks a plan against the sandbox and previews its mappings on the explored rows;
    /// nothing is made. A new schema is previewed once `make_target` has made it.
    pub async fn plan(&self, request: &PlanRequest) -> Result<PlanOutcome, Failure> {
        let client = self.client(&request.account_id, &request.sandbox).await?;
        let prepared = create::prepare(&client, &request.plan, now_s()).await?;
        let creation = match &request.creation_id {
            Some(id) => Some(self.creation_of(request, id)?),
            None => None,
        };
        let made_schema = creation.as_ref().and_then(|c| c.made(ChainObject::Schema)).map(|m| m.id.clone());
        let schema_id = prepared.schema.as_ref().map(|s| s.id.clone()).or(made_schema);
        let (checks, preview) = match schema_id {
            Some(schema_id) => check_and_preview(&client, &prepared, &schema_id).await?,
            None => (Vec::new(), Vec::new()),
        };
        let existing = self.ops.journal.by_key(&key(request));
        Ok(PlanOutcome { prepared, checks, preview, existing, creation })
    }

    /// Makes the target a new schema needs (field group, schema, identity, dataset) as the
    /// first steps of the dataflow's creation, then checks and previews the mappings on it.
    /// The create goes on from there; undoing the creation deletes them again.
    pub async fn make_target(&self, request: &PlanRequest) -> Result<PlanOutcome, Failure> {
        if !matches!(request.plan.target, crate::dataflows::TargetPlan::New { .. }) {
            return Err(Failure::new(
                ErrorCode::Validation,
                "An existing dataset needs nothing made: check the plan instead.",
            ));
        }
        let client = self.client(&request.account_id, &request.sandbox).await?;
        let prepared = create::prepare(&client, &request.plan, now_s()).await?;
        let id = self.continue_or_begin(request, &prepared).await?;
        let creation = create::run(&client, &self.ops.journal, &id, &prepared, Until::Target).await?;
        let schema_id = creation.made(ChainObject::Schema).map(|m| m.id.clone()).unwrap_or_default();
        let (checks, preview) = check_and_preview(&client, &prepared, &schema_id).await?;
        Ok(PlanOutcome { prepared, checks, preview, existing: None, creation: Some(creation) })
    }

    fn creation_of(&self, request: &PlanRequest, id: &str) -> Result<Creation, Failure> {
        self.creation(&CreationRequest {
            account_id: request.account_id.clone(),
            sandbox: request.sandbox.clone(),
            creation_id: id.to_owned(),
        })
    }

    /// The creation `request` continues, its plan replaced by the request's (mappings edited
    /// after the preview), or a new one begun.
    async fn continue_or_begin(&self, request: &PlanRequest, prepared: &Prepared) -> Result<String, Failure> {
        let key = key(request);
        if let Some(id) = &request.creation_id {
            if self.creation_of(request, id)?.state == CreationState::Deleted {
                return Err(Failure::new(
                    ErrorCode::NotFound,
                    "What this dataflow's creation made was deleted: start it again.",
                ));
            }
            let plan = request.plan.clone();
            let flow_spec_id = prepared.flow_spec.id.clone();
            self.ops
                .journal
                .update(id, move |c| {
                    c.plan = plan;
                    c.key = key;
                    c.flow_spec_id = flow_spec_id;
                })
                .await?;
            return Ok(id.clone());
        }
        let creation = new_creation(request, key, prepared, Vec::new(), CreationState::Running);
        let id = creation.id.clone();
        self.ops.journal.begin(creation).await?;
        Ok(id)
    }

    /// Makes the dataflow of the plan, or finds the one it made before, or goes on with a
    /// creation of it that stopped half way (or whose target was made for the preview).
    pub async fn create(&self, request: &PlanRequest) -> Result<DataflowCreated, Failure> {
        let client = self.client(&request.account_id, &request.sandbox).await?;
        let key = key(request);
        let earlier = match &request.creation_id {
            Some(id) => Some(self.creation_of(request, id)?),
            None => self.ops.journal.by_key(&key),
        };
        if let Some(earlier) = earlier.filter(|c| c.state != CreationState::Deleted) {
            if earlier.state == CreationState::Done {
                // Made before, unless someone deleted it since (in Experience Platform's own UI,
                // say): then the record goes and the plan is made afresh below.
                let flow = earlier.made(ChainObject::Flow).map(|m| m.id.clone()).unwrap_or_default();
                match client.flow(&flow).await {
                    Ok(_) => return Ok(DataflowCreated { creation: earlier, existed: true }),
                    Err(FlowError::Api(e)) if e.status == 404 => {
                        self.ops.journal.update(&earlier.id, |c| c.state = CreationState::Deleted).await?;
                        return Box::pin(self.create(&PlanRequest { creation_id: None, ..request.clone() }))
                            .await;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            let prepared = create::prepare(&client, &request.plan, now_s()).await?;
            let continued = PlanRequest { creation_id: Some(earlier.id.clone()), ..request.clone() };
            let id = self.continue_or_begin(&continued, &prepared).await?;
            let creation = create::run(&client, &self.ops.journal, &id, &prepared, Until::Done).await?;
            return Ok(DataflowCreated { creation, existed: false });
        }
        let prepared = create::prepare(&client, &request.plan, now_s()).await?;
        // Made from another machine (or a journal lost): the flow carries the plan's marker.
        let marker = marker_of(&key);
        if let Some(flow) = client
            .flows_named(&request.plan.name)
            .await?
            .into_iter()
            .find(|f| f.description.contains(&marker))
        {
            let made = vec![crate::dataflows::MadeStep {
                object: ChainObject::Flow,
                id: flow.id.clone(),
                version: None,
                draft: false,
            }];
            let creation = new_creation(request, key, &prepared, made, CreationState::Done);
            self.ops.journal.begin(creation.clone()).await?;
            return Ok(DataflowCreated { creation, existed: true });
        }
        let id = self.continue_or_begin(request, &prepared).await?;
        let creation = create::run(&client, &self.ops.journal, &id, &prepared, Until::Done).await?;
        Ok(DataflowCreated { creation, existed: false })
    }

    /// Goes on with a creation that failed or stopped, making only what is missing.
    pub async fn resume(&self, request: &CreationRequest) -> Result<Creation, Failure> {
        let creation = self.creation(request)?;
        let client = self.client(&request.account_id, &request.sandbox).await?;
        let prepared = create::prepare(&client, &creation.plan, now_s()).await?;
        Ok(create::run(&client, &self.ops.journal, &creation.id, &prepared, Until::Done).await?)
    }

    /// Deletes what a creation made, the flow first.
    pub async fn delete_made(&self, request: &CreationRequest) -> Result<Creation, Failure> {
        let creation = self.creation(request)?;
        let client = self.client(&request.account_id, &request.sandbox).await?;
        Ok(create::delete_made(&client, &self.ops.journal, &creation.id).await?)
    }

    /// The creations recorded for a sandbox, newest first.
    pub fn creations(&self, account_id: &str, sandbox: &str) -> Vec<Creation> {
        self.ops.journal.of(account_id, sandbox)
    }

    fn creation(&self, request: &CreationRequest) -> Result<Creation, Failure> {
        self.ops
            .journal
            .get(&request.creation_id)
            .filter(|c| c.account_id == request.account_id && c.sandbox == request.sandbox)
            .ok_or_else(|| JournalError::Unknown(request.creation_id.clone()).into())
    }

    /// The datasets, classes and identity namespaces of a sandbox, and the flow specs that fit
    /// the connection: read at once.
    pub async fn target_options(&self, request: &ConnectionTarget) -> Result<TargetOptions, Failure> {
        let client =
            self.ops.client_of(&request.account_id, &request.sandbox, &request.connection_id).await?;
        let (datasets, classes, namespaces, connection, specs) = tokio::join!(
            client.datasets(),
            client.xdm_classes(),
            client.identity_namespaces(),
            client.get_connection(&request.connection_id),
            client.flow_specs(),
        );
        let (connection, specs) = (connection?, specs?);
        let flow_specs = crate::dataflows::checks::fitting_specs(&specs, &connection.connection_spec.id)
            .into_iter()
            .map(|s| FlowSpecChoice { id: s.id.clone(), name: s.name.clone() })
            .collect();
        Ok(TargetOptions { datasets: datasets?, classes: classes?, namespaces: namespaces?, flow_specs })
    }

    /// A connection's dataflows, with its creations that did not finish.
    pub async fn of_target(&self, target: &ConnectionTarget) -> Result<ConnectionDataflows, Failure> {
        let flows = self.of_connection(&target.account_id, &target.sandbox, &target.connection_id).await?;
        let unfinished = self
            .creations(&target.account_id, &target.sandbox)
            .into_iter()
            .filter(|c| !matches!(c.state, CreationState::Done | CreationState::Deleted))
            .filter(|c| c.connection_id == target.connection_id)
            .collect();
        Ok(ConnectionDataflows { flows, unfinished })
    }

    /// The dataflows reading from a connection.
    pub async fn of_connection(
        &self,
        account_id: &str,
        sandbox: &str,
        connection_id: &str,
    ) -> Result<Vec<FlowDetails>, Failure> {
        let client = self.ops.client_of(account_id, sandbox, connection_id).await?;
        Ok(client.flows_of_connection(connection_id).await?)
    }

    pub async fn show(&self, request: &FlowRequest) -> Result<FlowDetails, Failure> {
        let client = self.client(&request.account_id, &request.sandbox).await?;
        Ok(client.flow(&request.flow_id).await?)
    }

    pub async fn runs(&self, request: &FlowRequest) -> Result<Vec<Run>, Failure> {
        let client = self.client(&request.account_id, &request.sandbox).await?;
        Ok(client.runs_of(&request.flow_id).await?)
    }

    pub async fn set_enabled(&self, request: &FlowRequest, enabled: bool) -> Result<FlowDetails, Failure> {
        let client = self.client(&request.account_id, &request.sandbox).await?;
        client.set_flow_enabled(&request.flow_id, enabled).await?;
        Ok(client.flow(&request.flow_id).await?)
    }

    /// Renames a dataflow, changes its schedule, or wires a new version of its mappings to it,
    /// each over the version the user saw: a dataflow changed meanwhile is handed back as it
    /// is now and nothing is written over it.
    pub async fn change(&self, request: &FlowChangeRequest) -> Result<FlowChange, Failure> {
        let client = self.client(&request.account_id, &request.sandbox).await?;
        let mut flow = client.flow(&request.flow_id).await?;
        if flow.etag != request.etag {
            return Ok(FlowChange::Stale { flow });
        }
        let mut ops: Vec<serde_json::Value> = Vec::new();
        if let Some(name) = request.name.as_deref().map(str::trim) {
            if name.is_empty() {
                return Err(Failure::new(
                    ErrorCode::Validation,
                    "The new name is empty: enter the name the dataflow should have.",
                ));
            }
            ops.push(serde_json::json!({ "op": "replace", "path": "/name", "value": name }));
        }
        if let Some(schedule) = &request.schedule {
            let specs = client.flow_specs().await?;
            let spec = specs.iter().find(|s| s.id == flow.flow_spec_id).ok_or_else(|| {
                Failure::new(
                    ErrorCode::NotFound,
                    "This dataflow's flow spec is not in the org's list any more.",
                )
            })?;
            let patch = manage::reschedule(&flow, schedule, spec, now_s()).map_err(DataflowError::from)?;
            ops.extend(patch.as_array().cloned().unwrap_or_default());
        }
        if let Some(rows) = &request.mappings {
            let Some((index, set_id)) = manage::mapping_of(&flow) else {
                return Err(Failure::new(
                    ErrorCode::Validation,
                    "This dataflow has no Mapping transformation to change.",
                ));
            };
            let current = client.mapping_set(&set_id).await?;
            let schema_id = current
                .pointer("/outputSchema/schemaRef/id")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            let body = crate::dataflows::bodies::mapping_set(schema_id, rows);
            let checks = client.validate_mappings(&body).await?;
            let refused: Vec<String> = rows
                .iter()
                .zip(&checks)
                .filter(|(_, c)| !c.ok)
                .map(|(r, c)| format!("{} → {}: {}", r.source, r.destination, c.errors.join("; ")))
                .collect();
            if !refused.is_empty() {
                return Err(Failure::new(
                    ErrorCode::Validation,
                    format!("Data Prep refused these mappings: {}.", refused.join("; ")),
                ));
            }
            let version = client.new_mapping_version(&set_id, &body).await?;
            ops.extend(manage::remap(index, &set_id, version).as_array().cloned().unwrap_or_default());
        }
        if ops.is_empty() {
            return Ok(FlowChange::Changed { flow });
        }
        match client.patch_flow(&flow.id, &flow.etag, &serde_json::Value::Array(ops)).await {
            Err(FlowError::Api(e)) if e.status == 412 => {
                flow = client.flow(&request.flow_id).await?;
                Ok(FlowChange::Stale { flow })
            }
            Err(e) => Err(e.into()),
            Ok(_) => Ok(FlowChange::Changed { flow: client.flow(&request.flow_id).await? }),
        }
    }

    /// Deletes a dataflow with its source and target connections, the flow first (a
    /// connection in use cannot be deleted).
    pub async fn delete(&self, request: &FlowRequest) -> Result<(), Failure> {
        let client = self.client(&request.account_id, &request.sandbox).await?;
        let flow = client.flow(&request.flow_id).await?;
        client.delete_made(ChainObject::Flow, &flow.id).await?;
        for id in &flow.target_connection_ids {
            client.delete_made(ChainObject::TargetConnection, id).await?;
        }
        for id in &flow.source_connection_ids {
            client.delete_made(ChainObject::SourceConnection, id).await?;
        }
        // A creation that made it is over: its plan may make it again.
        for creation in self.ops.journal.of(&request.account_id, &request.sandbox) {
            if creation.made(ChainObject::Flow).is_some_and(|m| m.id == flow.id) {
                self.ops.journal.update(&creation.id, |c| c.state = CreationState::Deleted).await?;
            }
        }
        Ok(())
    }
}

fn key(request: &PlanRequest) -> String {
    let plan = serde_json::to_string(&request.plan).unwrap_or_default();
    key_of(&[&request.account_id, &request.sandbox, &plan])
}

fn now_s() -> i64 {
    crate::dates::now_ms() / 1000
}

fn new_creation(
    request: &PlanRequest,
    key: String,
    prepared: &Prepared,
    made: Vec<crate::dataflows::MadeStep>,
    state: CreationState,
) -> Creation {
    let now = crate::dates::now_ms();
    Creation {
        id: uuid::Uuid::new_v4().to_string(),
        key,
        connection_id: prepared.plan.connection_id.clone(),
        account_id: request.account_id.clone(),
        sandbox: request.sandbox.clone(),
        plan: request.plan.clone(),
        flow_spec_id: prepared.flow_spec.id.clone(),
        drafts: prepared.drafts,
        started_at: now,
        updated_at: now,
        made,
        state,
        runs: 0,
    }
}

/// Data Prep's check of each mapping against `schema_id`, and the table's rows as they would
/// land. The rows are read, sent and dropped: never kept or written.
async fn check_and_preview(
    client: &FlowClient,
    prepared: &Prepared,
    schema_id: &str,
) -> Result<(Vec<MappingCheck>, Vec<PreviewRecord>), Failure> {
    let set = prepared.mapping_set(schema_id);
    let checks = client.validate_mappings(&set).await?;
    let id = &prepared.plan.connection_id;
    let (table, columns) = match &prepared.plan.source {
        SourcePlan::Table { path, columns } => (client.table_details(id, path, true).await?, columns),
        SourcePlan::Files { path, object_type, format, columns, preview_file, .. } => {
            let file = match (preview_file, object_type.as_str()) {
                (Some(file), _) => file,
                (None, "file") => path,
                // A folder without a file named: nothing to preview on.
                (None, _) => return Ok((checks, Vec::new())),
            };
            (client.file_details(id, file, &format.format, true).await?, columns)
        }
    };
    let all: Vec<crate::dataflows::PlanColumn> = table
        .columns
        .iter()
        .map(|c| crate::dataflows::PlanColumn {
            name: c.name.clone(),
            column_type: c.column_type.clone(),
            xdm_type: c.xdm_type.clone(),
        })
        .collect();
    let rows: Vec<serde_json::Value> = create::preview_rows(&all, &table.rows)
        .into_iter()
        .map(|mut row| {
            if let Some(object) = row.as_object_mut() {
                object.retain(|k, _| columns.iter().any(|c| &c.name == k));
            }
            row
        })
        .collect();
    let preview = client.preview_mappings(&set, &rows).await?;
    Ok((checks, preview))
}
