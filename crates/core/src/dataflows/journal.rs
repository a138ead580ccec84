//! `dataflow-steps.json`: each dataflow creation and what it has made so far, written after
//! every step that succeeded, so a failure (or a crash, or the other process) half way shows
//! what exists, resumes from the step that failed, or deletes what was made. It holds the
//! plan (names, paths, column names) and Adobe's ids: never a secret, never a row of data.
//!
//! Shared by the app and flow-connect-cli like the other data files: each change takes the
//! file's lock and is made to what is on disk now.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::plan::DataflowPlan;
use crate::adobe::flow::ChainObject;
use crate::store::data_file::{self, StoreNotice, Unreadable};
use crate::store::shared_file::{EditError, Refused, SharedFile, Stored};

pub const SCHEMA_VERSION: u32 = 1;
/// The most creations kept; the oldest finished ones are forgotten first.
const MAX_CREATIONS: usize = 2_000;

/// One object a creation made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MadeStep {
    pub object: ChainObject,
    pub id: String,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub version: Option<i64>,
    /// Made as a draft and not published yet.
    #[serde(default)]
    pub draft: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "state")]
#[ts(export)]
pub enum CreationState {
    /// Steps are being made (or the process making them stopped).
    Running,
    /// The target is made (a new schema and dataset) and the mappings can be previewed on
    /// it; the rest is made by the create.
    TargetReady,
    /// A step failed; resume it or delete what was made.
    Failed { step: ChainObject, message: String },
    /// Every object is made (and published).
    Done,
    /// What was made has been deleted again.
    Deleted,
}

/// One dataflow's creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Creation {
    pub id: String,
    /// The same account, sandbox and plan give the same key: a second run of one plan finds
    /// the first.
    pub key: String,
    pub account_id: String,
    pub sandbox: String,
    /// The base connection read from (the plan may name it instead).
    #[serde(default)]
    pub connection_id: String,
    pub plan: DataflowPlan,
    pub flow_spec_id: String,
    /// Made as drafts, published at the end.
    pub drafts: bool,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number")]
    pub updated_at: i64,
    pub made: Vec<MadeStep>,
    pub state: CreationState,
    /// How many times making it started: after the first, objects may exist unrecorded.
    #[serde(default)]
    pub runs: u32,
}

impl Creation {
    /// The marker every object of this creation carries in its description.
    pub fn marker(&self) -> String {
        marker_of(&self.key)
    }

    pub fn made(&self, object: ChainObject) -> Option<&MadeStep> {
        self.made.iter().find(|m| m.object == object)
    }
}

pub fn marker_of(key: &str) -> String {
    format!("[flow-connect dataflow {}]", &key[..key.len().min(16)])
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StepsFile {
    schema_version: u32,
    creations: Vec<Creation>,
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("Flow Connect could not record the dataflow's progress ({0}). What was made so far is in Experience Platform with “[flow-connect dataflow …]” in its description; free some disk space, then resume.")]
    Write(#[source] std::io::Error),
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error("No dataflow creation {0} is recorded here.")]
    Unknown(String),
}

impl Stored for StepsFile {
    fn load(path: &Path) -> std::io::Result<(Self, Option<StoreNotice>)> {
        data_file::open_versioned(path, SCHEMA_VERSION, parse, empty)
    }
    fn reread(path: &Path) -> Result<(Self, Option<StoreNotice>), Unreadable> {
        Ok((data_file::read_versioned(path, parse)?.map(|(file, _)| file).unwrap_or_else(empty), None))
    }
    fn store(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        data_file::write_atomically(path, &bytes)
    }
}

fn empty() -> StepsFile {
    StepsFile { schema_version: SCHEMA_VERSION, creations: Vec::new() }
}

fn parse(bytes: &[u8]) -> Result<(StepsFile, u32), Unreadable> {
    data_file::parse_one_version(bytes, SCHEMA_VERSION)
}

#[derive(Debug)]
pub struct Journal {
    file: SharedFile<StepsFile>,
}

impl Journal {
    pub fn open(path: PathBuf) -> (Self, Option<StoreNotice>) {
        let (file, notice) = SharedFile::open(path.clone()).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "dataflow steps not read; starting empty");
            (SharedFile::empty(path, empty()), None)
        });
        (Self { file }, notice)
    }

    pub fn path(&self) -> &Path {
        self.file.path()
    }

    pub fn get(&self, id: &str) -> Option<Creation> {
        self.file.read(|f| f.creations.iter().find(|c| c.id == id).cloned())
    }

    /// The latest creation of `key` that was not deleted.
    pub fn by_key(&self, key: &str) -> Option<Creation> {
        self.file.read(|f| {
            f.creations.iter().rev().find(|c| c.key == key && c.state != CreationState::Deleted).cloned()
        })
    }

    /// The creations of a sandbox, newest first.
    pub fn of(&self, account_id: &str, sandbox: &str) -> Vec<Creation> {
        self.file.read(|f| {
            f.creations
                .iter()
                .rev()
                .filter(|c| c.account_id == account_id && c.sandbox == sandbox)
                .cloned()
                .collect()
        })
    }

    /// Starts recording a creation.
    pub async fn begin(&self, creation: Creation) -> Result<(), JournalError> {
        self.change(|f| {
            f.creations.retain(|c| c.id != creation.id);
            f.creations.push(creation);
            while f.creations.len() > MAX_CREATIONS {
                match f
                    .creations
                    .iter()
                    .position(|c| matches!(c.state, CreationState::Done | CreationState::Deleted))
                {
                    Some(oldest) => drop(f.creations.remove(oldest)),
                    None => break,
                }
            }
        })
        .await
    }

    /// Applies `edit` to creation `id` as it is on disk now, writes it, and returns it.
    pub async fn update(&self, id: &str, edit: impl FnOnce(&mut Creation)) -> Result<Creation, JournalError> {
        let file = self.file.edit().await.map_err(edit_error)?;
        let mut next = file.current();
        let creation = next
            .creations
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or_else(|| JournalError::Unknown(id.to_owned()))?;
        edit(creation);
        creation.updated_at = crate::dates::now_ms();
        let updated = creation.clone();
        file.commit(next).await.map_err(JournalError::Write)?;
        Ok(updated)
    }

    async fn change(&self, edit: impl FnOnce(&mut StepsFile)) -> Result<(), JournalError> {
        let file = self.file.edit().await.map_err(edit_error)?;
        let mut next = file.current();
        edit(&mut next);
        file.commit(next).await.map_err(JournalError::Write)
    }

    pub fn take_notice(&self) -> Option<Refused> {
        self.file.take_notice()
    }
}

fn edit_error(e: EditError) -> JournalError {
    match e {
        EditError::Refused(refused) => JournalError::Refused(refused),
        other => JournalError::Write(std::io::Error::other(other)),
    }
}

/// A stable key of `parts`: FNV-1a 64 twice over, as 32 hex digits. Not a secret and not a
/// security boundary: it only tells one plan from another.
pub fn key_of(parts: &[&str]) -> String {
    let hash = |seed: u64| {
        let mut h = seed;
        for part in parts {
            for byte in part.bytes().chain(std::iter::once(0)) {
                h ^= u64::from(byte);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        h
    };
    format!("{:016x}{:016x}", hash(0xcbf2_9ce4_8422_2325), hash(0x6c62_272e_07bb_0142))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_and_tell_plans_apart() {
        assert_eq!(key_of(&["a", "b"]), key_of(&["a", "b"]));
        assert_ne!(key_of(&["a", "b"]), key_of(&["ab", ""]));
        assert_eq!(key_of(&["x"]).len(), 32);
        assert_eq!(marker_of(&key_of(&["x"])).len(), "[flow-connect dataflow ]".len() + 16);
    }
}
