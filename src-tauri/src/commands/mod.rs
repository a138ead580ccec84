//! The commands the UI invokes. Each one is an adapter: it unpacks its arguments, calls the
//! core, and turns the outcome into data or a `{code, message}` error.

pub mod accounts;
pub mod catalog;
pub mod connections;
pub mod consent;
pub mod credentials;
pub mod dataflows;
pub mod key_files;
pub mod lifecycle;
pub mod notifications;
pub mod preferences;
pub mod profiles;
pub mod promotion;
