//! A connection asked for by id or by name, in the client's sandbox: the rule of
//! [`crate::names`] over every page of `GET /connections`.

use super::client::{check_id, FlowClient, MAX_PAGES, PAGE_SIZE};
use super::error::FlowError;
use super::model::Connection;
use super::ListQuery;
use crate::names::{self, Kind, Where};

impl FlowClient {
    /// Refuses what is not a connection id in Adobe's shape, before anything is sent: the
    /// rule every request about one connection applies, for callers that check first.
    pub fn check_connection_id(id: &str) -> Result<(), FlowError> {
        check_id(id, "connection")
    }

    /// The connection whose id is `name_or_id`, else the only one named exactly that. Two
    /// named alike are refused with their ids ([`names::NameError::Ambiguous`]).
    pub async fn find_connection(&self, name_or_id: &str) -> Result<Connection, FlowError> {
        let sandbox = Where::sandbox(&self.target().sandbox);
        if check_id(name_or_id, "connection").is_ok() {
            match self.get_connection(name_or_id).await {
                Err(FlowError::Api(e)) if e.status == 404 => {}
                found => return found,
            }
        }
        let candidates = self.connections_with_name(None, name_or_id).await?;
        Ok(names::resolve(candidates, name_or_id, Kind::Connection, sandbox, |c| &c.id, |c| &c.name)?)
    }

    /// The connections named exactly `name` (of `spec_id` when given), walking every page up
    /// to [`MAX_PAGES`].
    pub(super) async fn connections_with_name(
        &self,
        spec_id: Option<&str>,
        name: &str,
    ) -> Result<Vec<Connection>, FlowError> {
        // The service filters by name too, but it splits a filter's value at commas
        // (`name==Sales,EU` matches “Sales”), so a name with a comma is matched here only.
        // Either way only exact names are kept: the filter narrows, it does not decide.
        let name_filter = (!name.contains(',')).then(|| name.to_owned());
        let mut query = ListQuery {
            spec_ids: spec_id.map(str::to_owned).into_iter().collect(),
            name: name_filter,
            limit: Some(PAGE_SIZE),
            continuation_token: None,
        };
        let mut found = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = self.list_connections(&query).await?;
            found.extend(
                page.items
                    .into_iter()
                    .filter(|c| c.name == name && spec_id.is_none_or(|s| c.connection_spec.id == s)),
            );
            match page.continuation_token {
                Some(token) => query.continuation_token = Some(token),
                None => return Ok(found),
            }
        }
        tracing::warn!(pages = MAX_PAGES, "stopped walking the connections list");
        Ok(found)
    }
}
