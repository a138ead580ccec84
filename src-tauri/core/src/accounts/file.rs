//! `accounts.json`: the accounts list, versioned and written atomically like the profiles file.
//! Before this format the same file was a tauri-plugin-store file, `{"accounts": [...]}`
//! without a version and with `acct-…` ids: it is read as version 0 and migrated, each account
//! given a UUID and its old id kept until its keychain entry has moved.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Account;
use crate::data_file::{self, StoreNotice};

/// The version this build writes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountFile {
    pub schema_version: u32,
    pub accounts: Vec<Account>,
}

impl AccountFile {
    fn empty() -> Self {
        Self { schema_version: SCHEMA_VERSION, accounts: Vec::new() }
    }

    /// Reads `path`; a missing file is an empty list, an unreadable one is set aside.
    pub fn open(path: &Path) -> std::io::Result<(Self, Option<StoreNotice>)> {
        data_file::open_versioned(path, SCHEMA_VERSION, Self::parse, Self::empty)
    }

    fn parse(bytes: &[u8]) -> Result<(Self, u32), String> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| format!("it is not valid JSON ({e})"))?;
        let version = match value.get("schemaVersion") {
            None if value.get("accounts").is_some_and(Value::is_array) => 0,
            None => return Err("it has no schema version".into()),
            Some(v) => {
                v.as_u64().and_then(|v| u32::try_from(v).ok()).ok_or("its schema version is not a number")?
            }
        };
        match version {
            0 => {
                let accounts: Vec<Account> = serde_json::from_value(value["accounts"].clone())
                    .map_err(|e| format!("its accounts cannot be read ({e})"))?;
                Ok((
                    Self {
                        schema_version: SCHEMA_VERSION,
                        accounts: accounts.into_iter().map(migrate_id).collect(),
                    },
                    0,
                ))
            }
            SCHEMA_VERSION => {
                let file: Self = serde_json::from_value(value)
                    .map_err(|e| format!("its accounts cannot be read ({e})"))?;
                Ok((file, SCHEMA_VERSION))
            }
            newer => Err(format!("a newer Flow Connect wrote it (schema version {newer})")),
        }
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        data_file::write_atomically(path, &bytes)
    }
}

/// An `acct-…` id becomes a UUID; the old one stays as `legacy_id`, which names the keychain
/// entry until the secret has moved.
fn migrate_id(account: Account) -> Account {
    if uuid::Uuid::try_parse(&account.id).is_ok() {
        return account;
    }
    Account { legacy_id: Some(account.id.clone()), id: uuid::Uuid::new_v4().to_string(), ..account }
}

impl crate::shared_file::Stored for AccountFile {
    fn load(path: &Path) -> std::io::Result<(Self, Option<StoreNotice>)> {
        Self::open(path)
    }
    fn store(&self, path: &Path) -> std::io::Result<()> {
        self.save(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_plugin_s_file_is_version_0() {
        let old = br#"{"accounts":[{"id":"acct-18a","displayName":"Acme","orgId":"A@AdobeOrg","clientId":"c","scopes":"openid"}]}"#;
        let (file, from) = AccountFile::parse(old).expect("migrated");
        assert_eq!(from, 0);
        let account = &file.accounts[0];
        assert!(uuid::Uuid::try_parse(&account.id).is_ok(), "{}", account.id);
        assert_eq!(account.legacy_id.as_deref(), Some("acct-18a"));
        assert_eq!(account.secret_key(), "account/acct-18a/clientSecret");
    }

    #[test]
    fn unknown_and_newer_versions_are_refused() {
        assert!(AccountFile::parse(br#"{"other":1}"#).is_err());
        let newer = AccountFile::parse(br#"{"schemaVersion":7,"accounts":[]}"#).expect_err("newer");
        assert!(newer.contains("newer Flow Connect"), "{newer}");
    }
}
