//! The lifecycle door, driven directly.
