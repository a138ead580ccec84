//! `profiles.json`: a versioned file, migrated forward when an older Flow Connect wrote it,
//! written atomically (`data_file`). A file that cannot be read is moved aside with a
//! timestamp at start-up, never overwritten, and the caller is told so it can tell the user.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::model::Profile;
use crate::store::data_file::{self, StoreNotice, Unreadable};

/// The version this build writes. Version 1 kept profiles in a map by id, with `source`,
/// `method` and `fields`, and no timestamps.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileFile {
    pub schema_version: u32,
    pub profiles: Vec<Profile>,
}

impl ProfileFile {
    /// Reads `path`; a missing file is an empty book, an unreadable one is set aside.
    pub fn open(path: &Path) -> std::io::Result<(Self, Option<StoreNotice>)> {
        data_file::open_versioned(path, SCHEMA_VERSION, Self::parse, || Self {
            schema_version: SCHEMA_VERSION,
            profiles: Vec::new(),
        })
    }

    /// Reads `path` as it is, changing nothing; a missing file is an empty book.
    pub fn read(path: &Path) -> Result<(Self, Option<StoreNotice>), Unreadable> {
        Ok(match data_file::read_versioned(path, Self::parse)? {
            None => (Self { schema_version: SCHEMA_VERSION, profiles: Vec::new() }, None),
            Some((file, from)) => (file, (from < SCHEMA_VERSION).then_some(StoreNotice::Migrated { from })),
        })
    }

    /// Parses any known version; returns the file at the current version and the version read.
    fn parse(bytes: &[u8]) -> Result<(Self, u32), Unreadable> {
        let invalid = |reason: &str| Unreadable::Invalid(reason.to_owned());
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| Unreadable::Invalid(format!("it is not valid JSON ({e})")))?;
        let version = value
            .get("schemaVersion")
            .or_else(|| value.get("version"))
            .and_then(Value::as_u64)
            .ok_or_else(|| invalid("it has no schema version"))?;
        let version = u32::try_from(version).map_err(|_| invalid("its schema version is out of range"))?;
        let current = match version {
            1 => migrate_v1(&value).map_err(Unreadable::Invalid)?,
            SCHEMA_VERSION => value,
            newer => return Err(Unreadable::Newer { version: newer }),
        };
        let file: Self = serde_json::from_value(current)
            .map_err(|e| Unreadable::Invalid(format!("its profiles cannot be read ({e})")))?;
        Ok((file, version))
    }

    /// Writes the file atomically.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        data_file::write_atomically(path, &bytes)
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

impl crate::store::shared_file::Stored for ProfileFile {
    fn load(path: &Path) -> std::io::Result<(Self, Option<StoreNotice>)> {
        Self::open(path)
    }
    fn reread(path: &Path) -> Result<(Self, Option<StoreNotice>), Unreadable> {
        Self::read(path)
    }
    fn store(&self, path: &Path) -> std::io::Result<()> {
        self.save(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_newer_versions_are_refused_not_guessed() {
        assert!(ProfileFile::parse(br#"{"profiles":[]}"#).is_err());
        let newer = ProfileFile::parse(br#"{"schemaVersion":9,"profiles":[]}"#).expect_err("newer");
        assert_eq!(newer, Unreadable::Newer { version: 9 });
        let (file, from) = ProfileFile::parse(br#"{"schemaVersion":2,"profiles":[]}"#).expect("current");
        assert_eq!((file.profiles.len(), from), (0, 2));
    }
}
