//! The keychain read fresh between two holders, timed-out calls, and the start-up sweep sparing a running consent.
