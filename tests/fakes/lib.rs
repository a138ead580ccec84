//! Faithful fakes of the Adobe services Flow Connect talks to, served on loopback. They follow
//! the contracts in the reference notes: the headers each call needs, the documented success
//! bodies and the three error shapes. Tests use them in-process; `make demo` runs the
//! `fake-services` binary.

pub mod cli;
pub mod clients;
mod connection_service;
mod counting;
mod gateway;
mod google;
pub mod http;
pub mod keychain;
mod lifecycle;
mod platform;
mod spec_service;
pub mod specs;

pub use counting::CountingStore;
pub use google::{FakeGoogle, GoogleConfig};
pub use keychain::{in_private_keyring, require_private_keyring, MemoryStore, Scratch, TestStore};
pub use platform::{FakeConfig, FakePlatform, Fault, FaultAction, Recorded};
