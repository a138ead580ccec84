//! The lifecycle door. Connections already made: explore, health, renewal, origins and the tokens' standing.

use super::Operations;

/// Connections already made: explore, health, renewal, origins and the tokens' standing.
pub struct Lifecycle<'a> {
    pub(super) ops: &'a Operations,
}

impl Lifecycle<'_> {}
