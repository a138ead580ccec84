//! The connection specs the org sees: one by id, or the whole list page after page, capped in
//! size so a list that never ends cannot fill memory.

use serde_json::Value;

use super::client::{check_id, first, parse, FlowClient, MAX_PAGES, PAGE_SIZE};
use super::error::FlowError;
use super::model::{ConnectionSpec, Items, Links};

/// The specs of `GET /connectionSpecs`, and how many items could not be read.
#[derive(Debug, Default)]
pub struct SpecList {
    pub specs: Vec<ConnectionSpec>,
    pub unreadable: usize,
}

/// The most of all pages of the connection spec list that is read: Adobe's whole catalog is a
/// few MiB, so this leaves room to grow while a list that never ends is stopped.
pub const MAX_SPEC_LIST_BYTES: usize = 32 * 1024 * 1024;

/// The error of a spec list longer than [`MAX_SPEC_LIST_BYTES`].
fn spec_list_too_large(status: u16) -> FlowError {
    FlowError::UnexpectedResponse {
        status,
        detail: format!(
            "the list of connection specs is larger than {} MiB, so it was not read to the end; the catalog shown is the one from before",
            MAX_SPEC_LIST_BYTES / (1024 * 1024)
        ),
    }
}

impl FlowClient {
    /// `GET /connectionSpecs/{id}`.
    pub async fn connection_spec(&self, spec_id: &str) -> Result<ConnectionSpec, FlowError> {
        check_id(spec_id, "connection spec")?;
        let reply = self.read(self.flow_url(&["connectionSpecs", spec_id])).await?;
        let items: Items<ConnectionSpec> = parse(&reply)?;
        first(items.items, reply.status)
    }

    /// Every connection spec the org sees (`GET /connectionSpecs`, page after page), sources
    /// and destinations alike. An item that is not a readable spec is counted and left out,
    /// so one odd entry cannot hide the whole catalog.
    pub async fn connection_specs(&self) -> Result<SpecList, FlowError> {
        let mut list = SpecList::default();
        let mut token: Option<String> = None;
        let mut total = 0;
        for _ in 0..MAX_PAGES {
            let mut url = self.flow_url(&["connectionSpecs"]);
            url.query_pairs_mut().append_pair("limit", &PAGE_SIZE.to_string());
            if let Some(token) = &token {
                url.query_pairs_mut().append_pair("continuationToken", token);
            }
            let reply = self.read(url).await?;
            // Each page is capped, and so is their sum: a service that pages on and on must
            // not fill memory with specs.
            total += reply.body.len();
            if total > MAX_SPEC_LIST_BYTES {
                return Err(spec_list_too_large(reply.status.as_u16()));
            }
            let page: Items<Value> = parse(&reply)?;
            for item in page.items {
                match serde_json::from_value::<ConnectionSpec>(item) {
                    Ok(spec) => list.specs.push(spec),
                    Err(_) => list.unreadable += 1,
                }
            }
            token = Links::continuation_token(page.links);
            if token.is_none() {
                return Ok(list);
            }
        }
        tracing::warn!(pages = MAX_PAGES, "the connection spec list was cut short");
        Ok(list)
    }
}
