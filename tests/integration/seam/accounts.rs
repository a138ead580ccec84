//! The accounts door, driven directly.
