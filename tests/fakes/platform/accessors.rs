//! What tests read of the dataflow model: the stored objects of every sandbox, flows and runs
//! as they stand at the moment of reading, and the failure of the next run.

use serde_json::Value;

use super::{lock, FakePlatform};
use crate::dataflow::{view_flows, view_run};
use crate::platform::now_ms;

impl FakePlatform {
    /// Source connections: those made through `POST /sourceConnections` and by `add_flows`.
    pub fn source_connections(&self) -> Vec<Value> {
        lock(&self.state).lifecycle.source_connections.clone()
    }

    pub fn target_connections(&self) -> Vec<Value> {
        lock(&self.state).dataflow.target_connections.clone()
    }

    /// Flows as `GET /flows` shows them now, `lastRunDetails` included.
    pub fn flows(&self) -> Vec<Value> {
        view_flows(&lock(&self.state))
    }

    /// Runs as `GET /runs` shows them now.
    pub fn runs(&self) -> Vec<Value> {
        let state = lock(&self.state);
        let (now, run_ms) = (now_ms(), state.config.run_ms);
        state.lifecycle.runs.iter().map(|run| view_run(run, now, run_ms)).collect()
    }

    /// The newest version of each mapping set.
    pub fn mapping_sets(&self) -> Vec<Value> {
        lock(&self.state).dataflow.mapping_sets.clone()
    }

    /// Datasets, the seeded ones included.
    pub fn datasets(&self) -> Vec<Value> {
        lock(&self.state).dataflow.datasets.clone()
    }

    /// Tenant schemas as stored (with `allOf`), the seeded ones included.
    pub fn schemas(&self) -> Vec<Value> {
        lock(&self.state).dataflow.schemas.clone()
    }

    /// Tenant field groups, the seeded ones included.
    pub fn field_groups(&self) -> Vec<Value> {
        lock(&self.state).dataflow.field_groups.clone()
    }

    pub fn descriptors(&self) -> Vec<Value> {
        lock(&self.state).dataflow.descriptors.clone()
    }

    /// The next run to start ends `failed` with this error and no records.
    pub fn fail_next_run(&self, code: &str, message: &str) {
        lock(&self.state).dataflow.next_run_failure = Some((code.to_owned(), message.to_owned()));
    }
}
