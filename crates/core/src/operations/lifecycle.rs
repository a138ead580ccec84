//! The lifecycle door: connections already made explored, their dataflows' health, their
//! credentials renewed, and the standing of the refresh tokens they were made with.

mod renewal;
mod requests;

pub use requests::{
    ExploreRequest, OpenRenewRequest, ProfileTokenRequest, RecordProfileTokenRequest, RenewRequest,
    SummariesRequest, TableRequest, TestingClientRequest, TokenStatusRequest,
};

use super::connections::{ConnectionTarget, ConnectionsError};
use super::Operations;
use crate::adobe::flow::{ConnectionHealth, FlowClient, FlowSummary, Listing, TableDetails};
use crate::operations::failure::{ErrorCode, Failure};
use crate::store::origins::TokenStatus;

/// The most connections one `flow_summaries` call looks at: a page of the connections screen.
pub const MAX_SUMMARIES: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error("“{connection}” is a connection of another source than the profile “{profile}”: pick a profile of its source.")]
    OtherSource { connection: String, profile: String },
}

impl From<LifecycleError> for Failure {
    fn from(e: LifecycleError) -> Self {
        match e {
            LifecycleError::OtherSource { .. } => Failure::new(ErrorCode::Validation, e.to_string()),
        }
    }
}

/// Connections already made: explore, health, renewal and the tokens' standing.
#[derive(Debug)]
pub struct Lifecycle<'a> {
    pub(super) ops: &'a Operations,
}

impl Lifecycle<'_> {
    /// One folder (or the root) of a connection's source, a page at a time where the source
    /// pages (its catalog entry says how it is explored).
    pub async fn explore(&self, request: &ExploreRequest) -> Result<Listing, Failure> {
        FlowClient::check_connection_id(&request.connection_id).map_err(ConnectionsError::InvalidId)?;
        let support = self.ops.catalog().source(Some(&request.account_id), &request.spec_id)?.explore;
        let client = self.ops.client_for(&request.account_id, &request.sandbox).await?;
        let start = request.start.unwrap_or(0);
        Ok(client.explore(&request.connection_id, support, &request.place, start).await?)
    }

    /// A table's (or a file's) columns, and its first rows when `preview` is set.
    pub async fn table_details(&self, request: &TableRequest) -> Result<TableDetails, Failure> {
        let client =
            self.ops.client_of(&request.account_id, &request.sandbox, &request.connection_id).await?;
        let (id, path) = (&request.connection_id, &request.path);
        Ok(match &request.file_type {
            Some(kind) => client.file_details(id, path, kind, request.preview).await?,
            None => client.table_details(id, path, request.preview).await?,
        })
    }

    /// The dataflows of a connection and how each last ran.
    pub async fn health(&self, target: &ConnectionTarget) -> Result<ConnectionHealth, Failure> {
        let client = self.ops.client_of(&target.account_id, &target.sandbox, &target.connection_id).await?;
        Ok(client.connection_health(&target.connection_id).await?)
    }

    /// How many dataflows each listed connection has, and how many last failed; the first
    /// [`MAX_SUMMARIES`] connections only.
    pub async fn flow_summaries(&self, request: &SummariesRequest) -> Result<Vec<FlowSummary>, Failure> {
        let ids: Vec<String> = request.connection_ids.iter().take(MAX_SUMMARIES).cloned().collect();
        for id in &ids {
            FlowClient::check_connection_id(id).map_err(ConnectionsError::InvalidId)?;
        }
        let client = self.ops.client_for(&request.account_id, &request.sandbox).await?;
        Ok(client.flow_summaries(&ids).await?)
    }

    /// The refresh token a profile holds, when a consent made it, with its standing.
    pub async fn profile_token(&self, request: &ProfileTokenRequest) -> Option<TokenStatus> {
        let origins = &self.ops.origins;
        match origins.profile_token(&request.profile_id).await {
            Some(issue) => Some(origins.status(&issue).await),
            None => None,
        }
    }

    pub async fn record_profile_token(&self, request: &RecordProfileTokenRequest) -> Result<(), Failure> {
        Ok(self.ops.origins.set_profile_token(&request.profile_id, request.token.clone()).await?)
    }

    /// The standing of a token the form holds (from a consent just now).
    pub async fn token_status(&self, request: &TokenStatusRequest) -> TokenStatus {
        self.ops.origins.status(&request.token).await
    }

    /// Marks an OAuth client as in Google's Testing status (its refresh tokens last 7 days).
    pub async fn mark_testing_client(&self, request: &TestingClientRequest) -> Result<(), Failure> {
        Ok(self.ops.origins.mark_testing(&request.client_id, request.testing).await?)
    }
}
