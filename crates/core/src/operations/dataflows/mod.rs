//! The dataflows door: a plan checked against the sandbox (with its mappings validated and
//! previewed on the explored rows), a dataflow made exactly once and resumed or undone, and
//! (`manage`) the dataflows of a connection listed, read, changed, enabled, disabled and
//! deleted. What the door is asked and answers is in `requests`.

mod manage;
mod requests;

pub use requests::{
    ConnectionDataflows, CreationRequest, DataflowCreated, FlowChange, FlowChangeRequest, FlowRequest,
    FlowSpecChoice, PlanOutcome, PlanRequest, RunRequest, TargetOptions,
};

use super::Operations;
use crate::adobe::flow::{ChainObject, FlowClient, FlowError, MappingCheck, PreviewRecord};
use crate::dataflows::create::{self, DataflowError, Prepared, Until};
use crate::dataflows::journal::{key_of, marker_of, Creation, CreationState, JournalError};
use crate::dataflows::{PlanError, SourcePlan};
use crate::operations::failure::{ErrorCode, Failure};

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
    let rows = create::preview_rows(&table.columns, columns, &table.rows);
    let preview = client.preview_mappings(&set, &rows).await?;
    Ok((checks, preview))
}
