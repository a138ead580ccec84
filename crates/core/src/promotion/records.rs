//! `promotions.json`: what each apply made, by org, sandbox and manifest key, so the next plan
//! finds an object renamed by hand, tells what was changed since (drift), and an interrupted
//! apply resumes without making anything twice. Ids and names only, never a secret; written
//! like the other data files (a copy changed, written atomically, then kept).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::store::data_file::{self, StoreNotice, Unreadable};
use crate::store::shared_file::{EditError, Refused, SharedFile, Stored};

pub const SCHEMA_VERSION: u32 = 1;
/// The most records kept: the oldest are forgotten first.
const MAX_RECORDS: usize = 20_000;

/// A connection an apply made or matched, and its dataflows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedConnection {
    pub org_id: String,
    pub sandbox: String,
    pub key: String,
    pub connection_id: String,
    #[serde(default)]
    pub flows: Vec<AppliedFlow>,
    /// What the manifest made it: compared with what the sandbox holds to tell drift.
    #[serde(default)]
    pub shape: AppliedShape,
}

/// A connection as an apply left it: nothing secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedShape {
    pub spec_id: String,
    pub name: String,
    pub method: String,
    #[serde(default)]
    pub values: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedFlow {
    /// The dataflow's name in the manifest.
    pub name: String,
    pub flow_id: String,
    /// The mapping version the apply left it running.
    #[serde(default)]
    pub mapping_version: Option<i64>,
    /// The fingerprint of the mappings that version holds ([`rows_fingerprint`]), so a plan
    /// need not read the mapping set back while the flow still runs that version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<String>,
    /// The cadence the apply left it with (`hour`, every `interval`).
    #[serde(default)]
    pub frequency: String,
    #[serde(default)]
    pub interval: Option<u32>,
}

/// A fingerprint of mapping rows, in any order (FNV-1a over the sorted rows): equal rows give
/// equal fingerprints across runs and versions of Flow Connect.
pub fn rows_fingerprint(rows: &[crate::dataflows::plan::MappingRow]) -> String {
    let mut keys: Vec<String> = rows
        .iter()
        .map(|r| format!("{}\u{1f}{}\u{1f}{}", r.source_type.wire(), r.source, r.destination))
        .collect();
    keys.sort();
    fingerprint(&keys.join("\u{1e}"))
}

/// FNV-1a of `text`, as 16 hex digits: stable across runs and builds, unlike std's hasher.
pub fn fingerprint(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordFile {
    schema_version: u32,
    applied: Vec<AppliedConnection>,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    #[error("Flow Connect could not record what the apply made ({0}). What exists is in Experience Platform; free some disk space, then apply again: it finds what was made by name.")]
    Write(#[source] std::io::Error),
    #[error(transparent)]
    Refused(#[from] Refused),
}

#[derive(Debug)]
pub struct Records {
    file: SharedFile<RecordFile>,
}

impl Stored for RecordFile {
    fn load(path: &Path) -> std::io::Result<(Self, Option<StoreNotice>)> {
        data_file::open_versioned(path, SCHEMA_VERSION, parse, || RecordFile {
            schema_version: SCHEMA_VERSION,
            ..RecordFile::default()
        })
    }
    fn reread(path: &Path) -> Result<(Self, Option<StoreNotice>), Unreadable> {
        Ok(match data_file::read_versioned(path, parse)? {
            Some((file, _)) => (file, None),
            None => (RecordFile { schema_version: SCHEMA_VERSION, ..RecordFile::default() }, None),
        })
    }
    fn store(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        data_file::write_atomically(path, &bytes)
    }
}

fn parse(bytes: &[u8]) -> Result<(RecordFile, u32), Unreadable> {
    data_file::parse_one_version(bytes, SCHEMA_VERSION)
}

impl Records {
    /// Opens `path`; a missing file is empty and an unreadable one is set aside.
    pub fn open(path: PathBuf) -> (Self, Option<StoreNotice>) {
        let (file, notice) = SharedFile::open(path.clone()).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "promotion records not read; starting empty");
            let empty = RecordFile { schema_version: SCHEMA_VERSION, ..RecordFile::default() };
            (SharedFile::empty(path, empty), None)
        });
        (Self { file }, notice)
    }

    /// What earlier applies recorded for a sandbox of an org.
    pub async fn of(&self, org_id: &str, sandbox: &str) -> Vec<AppliedConnection> {
        self.file.read(|file| {
            file.applied.iter().filter(|a| a.org_id == org_id && a.sandbox == sandbox).cloned().collect()
        })
    }

    /// Records (or replaces) the connection a manifest key made, keeping its dataflows.
    pub async fn connection(
        &self,
        org_id: &str,
        sandbox: &str,
        key: &str,
        connection_id: &str,
        shape: AppliedShape,
    ) -> Result<(), RecordsError> {
        self.change(|file| {
            match file.applied.iter_mut().find(|a| a.org_id == org_id && a.sandbox == sandbox && a.key == key)
            {
                Some(found) => {
                    if found.connection_id != connection_id {
                        found.flows.clear();
                    }
                    found.connection_id = connection_id.to_owned();
                    found.shape = shape;
                }
                None => file.applied.push(AppliedConnection {
                    org_id: org_id.to_owned(),
                    sandbox: sandbox.to_owned(),
                    key: key.to_owned(),
                    connection_id: connection_id.to_owned(),
                    flows: Vec::new(),
                    shape,
                }),
            }
            let excess = file.applied.len().saturating_sub(MAX_RECORDS);
            file.applied.drain(..excess);
        })
        .await
    }

    /// Records (or replaces) a dataflow of a recorded connection.
    pub async fn flow(
        &self,
        org_id: &str,
        sandbox: &str,
        key: &str,
        flow: AppliedFlow,
    ) -> Result<(), RecordsError> {
        self.change(|file| {
            if let Some(found) =
                file.applied.iter_mut().find(|a| a.org_id == org_id && a.sandbox == sandbox && a.key == key)
            {
                match found.flows.iter_mut().find(|f| f.name == flow.name) {
                    Some(same) => *same = flow,
                    None => found.flows.push(flow),
                }
            }
        })
        .await
    }

    async fn change(&self, edit: impl FnOnce(&mut RecordFile)) -> Result<(), RecordsError> {
        let file = self.file.edit().await.map_err(|e| match e {
            EditError::Refused(refused) => RecordsError::Refused(refused),
            other => RecordsError::Write(std::io::Error::other(other)),
        })?;
        let current = file.current();
        let mut next = current.clone();
        edit(&mut next);
        // An apply that changed nothing leaves the file as it was: no write at all.
        if next == current {
            return Ok(());
        }
        file.commit(next).await.map_err(RecordsError::Write)
    }
}
