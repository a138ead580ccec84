//! The dataflows door, for dataflows that exist: the target options the wizard opens with, a
//! connection's dataflows, one read, its runs and the rows a run could not ingest, enabled or
//! disabled, changed over the version the user saw, and deleted.

use super::{now_s, Dataflows, FlowChange, FlowChangeRequest, FlowRequest, RunRequest, TargetOptions};
use super::{ConnectionDataflows, FlowSpecChoice};
use crate::adobe::flow::{ChainObject, FailedRows, FlowDetails, FlowError, Run, MAX_FAILED_ROWS};
use crate::dataflows::create::DataflowError;
use crate::dataflows::journal::CreationState;
use crate::dataflows::manage;
use crate::operations::failure::{ErrorCode, Failure};
use crate::operations::ConnectionTarget;

impl Dataflows<'_> {
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

    /// The mappings the flow runs now (the version its `Mapping` transformation names, found
    /// by name), for a new version to be made from them.
    pub async fn mapping(&self, request: &FlowRequest) -> Result<manage::FlowMapping, Failure> {
        let client = self.client(&request.account_id, &request.sandbox).await?;
        let flow = client.flow(&request.flow_id).await?;
        let Some((set_id, version)) = manage::running_mapping(&flow) else {
            return Err(Failure::new(
                ErrorCode::Validation,
                "This dataflow has no Mapping transformation: it copies files as they are.",
            ));
        };
        let set = match version {
            Some(version) => client.mapping_set_at(&set_id, version).await?,
            None => client.mapping_set(&set_id).await?,
        };
        Ok(manage::FlowMapping {
            rows: manage::rows_of(&set),
            version: version.map(|v| v.to_string()).unwrap_or_default(),
            mapping_set_id: set_id,
        })
    }

    pub async fn runs(&self, request: &FlowRequest) -> Result<Vec<Run>, Failure> {
        let client = self.client(&request.account_id, &request.sandbox).await?;
        Ok(client.runs_of(&request.flow_id).await?)
    }

    /// The rows a run could not ingest, each with Adobe's errors, read from the batches it
    /// wrote: at most 50. Empty when the run wrote no batch (yet) or its dataflow had error
    /// diagnostics off, since Adobe keeps no rows then. The rows are shown, never kept.
    pub async fn failed_rows(&self, request: &RunRequest) -> Result<FailedRows, Failure> {
        let client = self.client(&request.account_id, &request.sandbox).await?;
        // The run is found among its flow's: the run id is only compared, never sent, and a
        // run of another flow is not read through this one.
        let run = client.runs_of(&request.flow_id).await?.into_iter().find(|r| r.id == request.run_id);
        let Some(run) = run else {
            return Err(Failure::new(
                ErrorCode::NotFound,
                "This run is not among the dataflow's latest runs: reload its runs and pick one again.",
            ));
        };
        let mut found = FailedRows::default();
        for batch in &run.batch_ids {
            if found.rows.len() >= MAX_FAILED_ROWS {
                // The batches left are not read: they may hold more.
                found.truncated = true;
                break;
            }
            let more = client.failed_rows(batch).await?;
            let room = MAX_FAILED_ROWS - found.rows.len();
            found.truncated |= more.truncated || more.rows.len() > room;
            found.rows.extend(more.rows.into_iter().take(room));
        }
        Ok(found)
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
