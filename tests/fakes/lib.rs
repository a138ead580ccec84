//! Faithful fakes of the Adobe services Flow Connect talks to, served on loopback. They follow
//! the contracts in the reference notes: the headers each call needs, the documented success
//! bodies and each service's error shape. Besides IMS, sandbox management and Flow Service's
//! connections, they model a dataflow's chain: Schema Registry, Catalog, Identity Service, Data
//! Prep, and Flow Service's flow specs, flows and runs. Tests use them in-process; `make demo` runs the
//! `fake-services` binary.

pub mod cli;
pub mod clients;
mod connection_service;
mod counting;
mod credentials;
mod dataflow;
mod files;
mod gateway;
mod google;
pub mod http;
pub mod jwt;
pub mod keychain;
pub mod keys;
mod lifecycle;
pub mod manifests;
mod platform;
pub mod providers;
mod spec_service;
pub mod specs;

pub use counting::CountingStore;
pub use google::{FakeGoogle, GoogleConfig};
pub use keychain::{in_private_keyring, require_private_keyring, MemoryStore, Scratch, TestStore};
pub use platform::{FakeConfig, FakePlatform, Fault, FaultAction, Recorded};
pub use providers::{
    EntraConfig, FakeProviders, OneTrustConfig, ProviderClient, ProviderRequest, ProvidersConfig,
    SalesforceConfig,
};
