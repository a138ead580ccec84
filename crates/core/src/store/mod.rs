//! Flow Connect's data files: versioned, written atomically, locked per file so the window and
//! the CLI can share them, and the origins file (which profile made which connection).

pub mod data_file;
pub mod origins;
pub mod shared_file;
