//! Dataflows through core's door against the fakes of Flow Service, the Schema Registry,
//! Catalog, Identity Service and Data Prep, over real HTTP on loopback, with the account's
//! secret in the private keychain: plans checked, a chain made exactly once, failures at each
//! step resumed or undone, and the first run read back with the rows it could not ingest.

mod creates;
mod failures;
mod manage;
mod rows;
mod support;
