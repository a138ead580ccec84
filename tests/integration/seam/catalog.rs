//! The catalog door, driven directly.
