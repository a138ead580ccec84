//! The org's catalog between runs: one file per org in the data folder, holding the source
//! specs as last listed (without any secret value: see `listing::for_cache`), so the next
//! start shows the whole catalog at once, offline too. Losing it costs one refresh, so an
//! unreadable file is simply replaced.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::adobe::flow::ConnectionSpec;
use crate::store::data_file;

const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheFile {
    pub schema_version: u32,
    pub org_id: String,
    /// When the list was fetched, in milliseconds since 1970.
    pub refreshed_at: i64,
    pub specs: Vec<ConnectionSpec>,
}

#[derive(Debug, Clone)]
pub struct CatalogCache {
    folder: PathBuf,
}

impl CatalogCache {
    pub fn new(folder: impl Into<PathBuf>) -> Self {
        Self { folder: folder.into() }
    }

    /// `catalog-<org>.json`, the org id reduced to characters safe in a file name.
    pub fn path(&self, org_id: &str) -> PathBuf {
        let safe: String = org_id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '@' || c == '-' { c } else { '_' })
            .collect();
        self.folder.join(format!("catalog-{safe}.json"))
    }

    /// The cached list of `org_id`, if a readable one is there. Blocking: call it off the
    /// async runtime.
    pub fn read(&self, org_id: &str) -> Option<CacheFile> {
        let path = self.path(org_id);
        let bytes = match data_file::read_bounded(&path) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return None,
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "the catalog cache cannot be read");
                return None;
            }
        };
        match serde_json::from_slice::<CacheFile>(&bytes) {
            Ok(file) if file.schema_version == SCHEMA_VERSION && file.org_id == org_id => Some(file),
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "the catalog cache is unreadable; it will be replaced");
                None
            }
        }
    }

    /// Writes the list atomically. Blocking.
    pub fn write(&self, org_id: &str, refreshed_at: i64, specs: Vec<ConnectionSpec>) -> std::io::Result<()> {
        let file =
            CacheFile { schema_version: SCHEMA_VERSION, org_id: org_id.to_owned(), refreshed_at, specs };
        let bytes = serde_json::to_vec(&file).map_err(std::io::Error::other)?;
        data_file::write_atomically(&self.path(org_id), &bytes)
    }
}
