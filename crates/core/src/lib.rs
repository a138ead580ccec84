//! Flow Connect's core, free of Tauri: what the app knows about sources, how it talks to Adobe
//! Experience Platform, and how secrets are kept from leaking. The Tauri commands are thin
//! adapters over this crate, and the integration tests drive it directly.

pub mod accounts;
pub mod adobe;
pub mod catalog;
pub mod config;
pub mod dataflows;
pub mod dates;
pub mod expiry;
pub mod http_body;
pub mod keys;
pub mod names;
pub mod oauth;
pub mod operations;
pub mod profiles;
pub mod promotion;
pub mod secret;
pub mod secrets;
pub mod store;
#[cfg(test)]
mod ui_constants;

pub use operations::failure::{ErrorCode, Failure};
pub use secret::Secret;
