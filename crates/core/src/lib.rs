//! Flow Connect's core, free of Tauri: what the app knows about sources, how it talks to Adobe
//! Experience Platform, and how secrets are kept from leaking. The Tauri commands are thin
//! adapters over this crate, and the integration tests drive it directly.

pub mod accounts;
pub mod catalog;
pub mod config;
pub mod connection_string;
pub mod credentials;
pub mod data_file;
pub mod dates;
pub mod failure;
pub mod flow;
pub mod form_consent;
pub mod form_secrets;
pub mod google;
pub mod http_body;
pub mod ims;
pub mod key_files;
pub mod names;
pub mod origins;
pub mod profiles;
pub mod renew;
pub mod secret;
pub mod services;
pub mod shared_file;
pub mod vault;

pub use secret::Secret;
