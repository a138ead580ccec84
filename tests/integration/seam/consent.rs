//! The consent door, driven directly.
