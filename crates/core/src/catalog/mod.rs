//! The source catalog: the built-in description of each source, refined by the live
//! connection spec when a Platform connection is available, and every other source of the
//! org rendered from its spec by the form engine (`schema`).

mod body;
mod builtin;
mod cache;
pub mod connection_string;
mod consent;
pub mod json_rules;
mod labels;
mod listing;
mod live;
mod model;
mod reconcile;
mod request;
mod schema;
pub mod secrets;
mod validate;
mod values;

#[cfg(test)]
mod engine_generated;
#[cfg(test)]
mod engine_tests;

pub use builtin::{builtin_source, builtin_sources};
pub use cache::{CacheFile, CatalogCache};
pub use consent::{ConsentKind, ProviderRedirect, BIGQUERY_SCOPE, BIGQUERY_SPEC_ID};
pub use labels::humanize;
pub use listing::{for_cache, is_source, matches_search};
pub use live::{CatalogError, CatalogList, LiveCatalog};
pub use model::{
    AuthMethod, CatalogOrigin, ConnectionStringPart, CredentialCheck, FieldError, Param, ParamKind, PartKind,
    Rules, Source, Variant, VARIANT_FIELD,
};
pub use reconcile::reconcile;
pub use request::{auth_params, new_connection, validate, warnings, RequestError, NAME_FIELD};
pub use schema::method_from_spec;
pub use values::{masked_connection_string, split_connection_string, FormValues, MAX_VALUE_BYTES};
