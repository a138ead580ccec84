//! Connection profiles: a named, reusable set of form values for one source and sign-in
//! method. Everything but the secrets lives in `profiles.json` in the app's data folder
//! (`file`); each secret lives in the keychain under `profile/<id>/<field>` (`book`).

mod book;
mod exchange;
mod file;
mod model;

pub use crate::store::data_file::StoreNotice;
pub use book::{ProfileBook, ProfileError};
pub use file::{ProfileFile, SCHEMA_VERSION};
pub use model::{OpenedProfile, Profile, ProfileDraft, SharedProfile};
