//! The profiles door, driven directly.
