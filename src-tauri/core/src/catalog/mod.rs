//! The source catalog: the built-in description of each source, refined by the live
//! connection spec when a Platform connection is available.

mod builtin;
mod model;
mod reconcile;
mod request;
mod validate;

use std::collections::HashMap;
use std::sync::Mutex;

pub use builtin::{builtin_source, builtin_sources};
pub use model::{
    AuthMethod, CatalogOrigin, ConnectionStringPart, FieldError, Param, ParamKind, PartKind, Source,
};
pub use reconcile::reconcile;
pub use request::{
    masked_connection_string, new_connection, split_connection_string, validate, warnings, FormValues,
    RequestError, MAX_VALUE_BYTES, NAME_FIELD,
};

use crate::flow::{FlowClient, FlowError};

/// Live catalog entries, fetched once per org and connection spec.
#[derive(Debug, Default)]
pub struct LiveCatalog {
    by_org_and_spec: Mutex<HashMap<(String, String), Source>>,
}

impl LiveCatalog {
    /// The entry for `spec_id` as the org behind `client` sees it. When the spec cannot be
    /// read the built-in entry stands in (and is not cached, so the next call tries again);
    /// the error is returned beside it for the caller to mention.
    pub async fn source(&self, client: &FlowClient, spec_id: &str) -> (Option<Source>, Option<FlowError>) {
        let key = (client.target().org_id.clone(), spec_id.to_owned());
        if let Some(hit) = self.lock().get(&key) {
            return (Some(hit.clone()), None);
        }
        match client.connection_spec(spec_id).await {
            Ok(live) => {
                let merged = reconcile(builtin_source(spec_id), &live);
                self.lock().insert(key, merged.clone());
                (Some(merged), None)
            }
            Err(err) => {
                tracing::warn!(spec_id, error = %err, "using the built-in catalog entry");
                (builtin_source(spec_id).cloned(), Some(err))
            }
        }
    }

    /// The entry fetched earlier for this org, if any; never a network call.
    pub fn cached(&self, org_id: &str, spec_id: &str) -> Option<Source> {
        self.lock().get(&(org_id.to_owned(), spec_id.to_owned())).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Source>> {
        // A panic while holding the lock cannot leave the map half-written: recover it.
        self.by_org_and_spec.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
