//! The catalog door. The source catalog and the form engine: sources, live specs, search, form checks, connection strings.

use super::Operations;

/// The source catalog and the form engine: sources, live specs, search, form checks, connection strings.
pub struct Catalog<'a> {
    pub(super) ops: &'a Operations,
}

impl Catalog<'_> {}
