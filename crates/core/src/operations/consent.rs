//! The consent door. OAuth consent for a form or a profile: begin, finish, paste, cancel, verify, revoke, import a client.

use super::Operations;

/// OAuth consent for a form or a profile: begin, finish, paste, cancel, verify, revoke, import a client.
pub struct Consent<'a> {
    pub(super) ops: &'a Operations,
}

impl Consent<'_> {}
