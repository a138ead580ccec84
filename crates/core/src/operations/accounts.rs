//! The accounts door. Adobe accounts: list, save, remove, sign in, sandboxes; which account a name means.

use super::Operations;

/// Adobe accounts: list, save, remove, sign in, sandboxes; which account a name means.
pub struct Accounts<'a> {
    pub(super) ops: &'a Operations,
}

impl Accounts<'_> {}
