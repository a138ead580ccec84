//! Where secrets live: the keychain behind one vault, the sets of secrets a form or a profile
//! keeps there, and the key files a user imports. Values cross this folder only as [`Secret`]s.
//!
//! [`Secret`]: crate::Secret

pub mod credentials;
pub mod key_files;
pub mod renewal;
pub mod vault;
