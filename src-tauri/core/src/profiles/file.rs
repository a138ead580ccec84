//! `profiles.json`: a versioned file, migrated forward when an older Flow Connect wrote it,
//! written atomically (a temporary file renamed over the old one, so a crash leaves either the
//! old or the new file, never half of one). A file that cannot be read is moved aside with a
//! timestamp, never overwritten, and the caller is told so it can tell the user.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::model::Profile;

/// The version this build writes. Version 1 kept profiles in a map by id, with `source`,
/// `method` and `fields`, and no timestamps.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileFile {
    pub schema_version: u32,
    pub profiles: Vec<Profile>,
}

/// What happened to the file on opening, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreNotice {
    /// The file was unreadable (or from a newer Flow Connect) and now sits at `moved_to`.
    MovedAside { moved_to: PathBuf, reason: String },
    /// An older file was brought up to the current version.
    Migrated { from: u32 },
}

impl ProfileFile {
    /// Reads `path`; a missing file is an empty book.
    pub fn open(path: &Path) -> std::io::Result<(Self, Option<StoreNotice>)> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Self { schema_version: SCHEMA_VERSION, profiles: Vec::new() }, None))
            }
            Err(e) => return Err(e),
        };
        match Self::parse(&bytes) {
            Ok((file, from)) => {
                let notice = (from < SCHEMA_VERSION).then_some(StoreNotice::Migrated { from });
                Ok((file, notice))
            }
            Err(reason) => {
                let moved_to = aside_path(path);
                std::fs::rename(path, &moved_to)?;
                tracing::warn!(moved_to = %moved_to.display(), %reason, "profiles file moved aside");
                let empty = Self { schema_version: SCHEMA_VERSION, profiles: Vec::new() };
                Ok((empty, Some(StoreNotice::MovedAside { moved_to, reason })))
            }
        }
    }

    /// Parses any known version; returns the file at the current version and the version read.
    fn parse(bytes: &[u8]) -> Result<(Self, u32), String> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| format!("it is not valid JSON ({e})"))?;
        let version = value
            .get("schemaVersion")
            .or_else(|| value.get("version"))
            .and_then(Value::as_u64)
            .ok_or("it has no schema version")?;
        let version = u32::try_from(version).map_err(|_| "its schema version is out of range")?;
        let current = match version {
            1 => migrate_v1(&value)?,
            SCHEMA_VERSION => value,
            newer => return Err(format!("a newer Flow Connect wrote it (schema version {newer})")),
        };
        let file: Self =
            serde_json::from_value(current).map_err(|e| format!("its profiles cannot be read ({e})"))?;
        Ok((file, version))
    }

    /// Writes the file atomically: a sibling temporary file, flushed, then renamed over it.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write as _;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let temporary = path.with_extension("json.tmp");
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)
    }
}

/// Version 1 → 2: the map by id becomes a list; `source`/`method`/`fields` are renamed; the
/// timestamps start at zero ("never used").
fn migrate_v1(value: &Value) -> Result<Value, String> {
    let map = value.get("profiles").and_then(Value::as_object).ok_or("its profiles are not a map")?;
    let profiles: Vec<Value> = map
        .iter()
        .map(|(id, p)| {
            serde_json::json!({
                "id": id,
                "name": p.get("name").cloned().unwrap_or_default(),
                "specId": p.get("source").cloned().unwrap_or_default(),
                "specName": p.get("method").cloned().unwrap_or_default(),
                "sourceName": p.get("sourceName").cloned().unwrap_or_else(|| p.get("source").cloned().unwrap_or_default()),
                "connectionName": p.get("connectionName").cloned().unwrap_or_else(|| p.get("name").cloned().unwrap_or_default()),
                "description": p.get("description").cloned().unwrap_or_else(|| Value::String(String::new())),
                "values": p.get("fields").cloned().unwrap_or_else(|| serde_json::json!({})),
                "secretFields": p.get("secrets").cloned().unwrap_or_else(|| serde_json::json!([])),
                "accountId": p.get("account").cloned().unwrap_or(Value::Null),
                "sandbox": p.get("sandbox").cloned().unwrap_or(Value::Null),
                "updatedAt": 0,
                "lastUsedAt": 0,
            })
        })
        .collect();
    Ok(serde_json::json!({ "schemaVersion": SCHEMA_VERSION, "profiles": profiles }))
}

/// `profiles.json` → `profiles.json.unreadable-20261123T101500Z` (UTC).
fn aside_path(path: &Path) -> PathBuf {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let date = crate::dates::civil_date(secs / 86_400).replace('-', "");
    let time = secs % 86_400;
    let stamp = format!("{date}T{:02}{:02}{:02}Z", time / 3600, time / 60 % 60, time % 60);
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".unreadable-{stamp}"));
    let mut candidate = path.with_file_name(&name);
    // Two failures in one second still keep both files.
    let mut n = 1;
    while candidate.exists() {
        n += 1;
        candidate = path.with_file_name(format!("{}-{n}", name.to_string_lossy()));
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_newer_versions_are_refused_not_guessed() {
        assert!(ProfileFile::parse(br#"{"profiles":[]}"#).is_err());
        let newer = ProfileFile::parse(br#"{"schemaVersion":9,"profiles":[]}"#).expect_err("newer");
        assert!(newer.contains("newer Flow Connect"), "{newer}");
        let (file, from) = ProfileFile::parse(br#"{"schemaVersion":2,"profiles":[]}"#).expect("current");
        assert_eq!((file.profiles.len(), from), (0, 2));
    }
}
