//! The credentials door: what will stop working and when, for every connection Flow Connect
//! made or renewed (the expiry radar), read from what was recorded when the credentials were
//! issued. Nothing here reads a secret.

use super::Operations;
use crate::dates::now_ms;
use crate::expiry::{radar, Expiring};

#[derive(Debug)]
pub struct Credentials<'a> {
    pub(super) ops: &'a Operations,
}

impl Credentials<'_> {
    /// What expires within `within_ms` from now, or has expired already, soonest first; all of
    /// it when `within_ms` is `None`.
    pub async fn expiring(&self, within_ms: Option<i64>) -> Vec<Expiring> {
        let (origins, testing) = self.ops.origins.everything().await;
        let limit = within_ms.map(|w| now_ms().saturating_add(w));
        radar(&origins, &testing).into_iter().filter(|e| limit.is_none_or(|l| e.expires_at <= l)).collect()
    }
}
