//! The connections door, driven directly.
