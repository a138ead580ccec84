//! The expiry radar: for every connection Flow Connect made or renewed, what will stop working
//! and when, soonest first, from what was recorded when its credentials were issued (never the
//! credentials) and from the provider table's rules and deadlines.

mod radar;

pub use radar::{radar, DependentFlow, Expiring, ExpiringWhat, ProfileToken, RenewedBy};
