//! The connections door: the connections of a sandbox listed, previewed, created, tested,
//! renamed and deleted, found by name or id, with where each came from kept in step.

mod check;
mod create;
mod keys;
mod requests;

pub use check::CredentialsChecked;
pub use create::{default_connection_name, CreateOutcome, ProfileValues};
pub(crate) use keys::mint_failure;
pub use keys::{JwtRequest, JwtSigned, KeyFormRequest, KeyPairMade, MintRequest, TokenMinted};
pub use requests::{
    ConnectionRequest, ConnectionTarget, ListRequest, OriginView, RenameRequest, SandboxRequest,
};

use super::Operations;
use crate::adobe::flow::{Connection, ConnectionPage, Created, FlowError, ListQuery, TestOutcome};
use crate::operations::failure::{ErrorCode, Failure};

/// Connections per page of the window's connections view: one page at a time, never the
/// whole sandbox.
pub const PAGE_SIZE: u32 = 50;
/// The most connections a whole listing (the command line's) walks: a sandbox with more is
/// listed in part, and the answer's continuation token says so.
pub const MAX_LISTED: usize = 5_000;
/// Connections per request while walking a whole listing.
const WALK_PAGE: u32 = 100;

/// How much of a sandbox one listing reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListSize {
    /// One page of [`PAGE_SIZE`] from the request's position: a screen that pages on demand.
    Page,
    /// Every page, up to [`MAX_LISTED`] connections: a terminal's whole list.
    Whole,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectionsError {
    #[error("The new name is empty: enter the name the connection should have.")]
    EmptyName,
    /// A connection id that is not one of Adobe's (they come from a list, never typed).
    #[error("{0}")]
    InvalidId(FlowError),
}

impl From<ConnectionsError> for Failure {
    fn from(e: ConnectionsError) -> Self {
        match e {
            ConnectionsError::EmptyName | ConnectionsError::InvalidId(_) => {
                Failure::new(ErrorCode::Validation, e.to_string())
            }
        }
    }
}

/// Connections in a sandbox: list, preview, create, test, rename, delete, with their origins.
#[derive(Debug)]
pub struct Connections<'a> {
    pub(super) ops: &'a Operations,
}

impl Connections<'_> {
    /// The connections of a sandbox (of one source when the request names one), as much of
    /// the list as `size` says.
    pub async fn list(&self, request: &ListRequest, size: ListSize) -> Result<ConnectionPage, Failure> {
        let client = self.ops.client_for(&request.account_id, &request.sandbox).await?;
        let mut query = ListQuery {
            spec_ids: request.spec_id.iter().filter(|s| !s.is_empty()).cloned().collect(),
            name: None,
            limit: Some(match size {
                ListSize::Page => PAGE_SIZE,
                ListSize::Whole => WALK_PAGE,
            }),
            continuation_token: request.continuation_token.clone(),
        };
        if size == ListSize::Page {
            return Ok(client.list_connections(&query).await?);
        }
        let mut items = Vec::new();
        loop {
            let page = client.list_connections(&query).await?;
            items.extend(page.items);
            match page.continuation_token {
                Some(token) if items.len() < MAX_LISTED => query.continuation_token = Some(token),
                rest => return Ok(ConnectionPage { items, continuation_token: rest }),
            }
        }
    }

    /// The connection `name_or_id` names in the sandbox: its id, else exactly its name (two of
    /// the name are refused with their ids; nothing is taken for being first).
    pub async fn find(
        &self,
        account_id: &str,
        sandbox: &str,
        name_or_id: &str,
    ) -> Result<Connection, Failure> {
        let client = self.ops.client_for(account_id, sandbox).await?;
        Ok(client.find_connection(name_or_id).await?)
    }

    pub async fn test(&self, target: &ConnectionTarget) -> Result<TestOutcome, Failure> {
        let client = self.ops.client_of(&target.account_id, &target.sandbox, &target.connection_id).await?;
        Ok(client.test_connection(&target.connection_id).await?)
    }

    /// Renames with the etag as listed (a stale one is refreshed and the rename tried once
    /// more). The name is trimmed; an empty one is refused before anything is sent.
    pub async fn rename(&self, request: &RenameRequest) -> Result<Created, Failure> {
        let name = request.name.trim();
        if name.is_empty() {
            return Err(ConnectionsError::EmptyName.into());
        }
        let client =
            self.ops.client_of(&request.account_id, &request.sandbox, &request.connection_id).await?;
        Ok(client.rename_connection(&request.connection_id, &request.etag, name).await?)
    }

    /// Deletes a connection and forgets its origin.
    pub async fn delete(&self, target: &ConnectionTarget) -> Result<(), Failure> {
        let client = self.ops.client_of(&target.account_id, &target.sandbox, &target.connection_id).await?;
        client.delete_connection(&target.connection_id).await?;
        tracing::info!(id = %target.connection_id, "deleted a connection");
        if let Err(e) = self.ops.origins.forget(&target.connection_id).await {
            tracing::warn!(error = %e, "the deleted connection's origin stays recorded");
        }
        Ok(())
    }

    /// Where the connections of a sandbox made here came from, each with its token's standing.
    pub async fn origins(&self, request: &SandboxRequest) -> Vec<OriginView> {
        let origins = &self.ops.origins;
        let mut views = Vec::new();
        for origin in origins.of(&request.account_id, &request.sandbox).await {
            let token = match &origin.refresh_token {
                Some(issue) => Some(origins.status(issue).await),
                None => None,
            };
            views.push(OriginView { origin, token });
        }
        views
    }

    /// The name of each connection's source in the account's catalog (its spec id when the
    /// catalog does not have it), and the profile it was made from, if it was made here.
    pub async fn labels(
        &self,
        request: &SandboxRequest,
        connections: &[Connection],
    ) -> Result<Vec<Labels>, Failure> {
        let catalog = self.ops.catalog().sources(Some(&request.account_id)).await?;
        let origins = self.ops.origins.of(&request.account_id, &request.sandbox).await;
        Ok(connections
            .iter()
            .map(|c| Labels {
                source: catalog
                    .sources
                    .iter()
                    .find(|s| s.spec_id == c.connection_spec.id)
                    .map_or_else(|| c.connection_spec.id.clone(), |s| s.display_name.clone()),
                profile: origins
                    .iter()
                    .find(|o| o.connection_id == c.id)
                    .and_then(|o| o.profile_name.clone()),
            })
            .collect())
    }
}

/// What a listed connection is shown with besides its own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    pub source: String,
    pub profile: Option<String>,
}
