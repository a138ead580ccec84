//! `accounts.json`: the accounts list, versioned and written atomically like the profiles file.
//! Before this format the same file was a tauri-plugin-store file, `{"accounts": [...]}`
//! without a version and with `acct-…` ids: it is read as version 0 and migrated, each account
//! given a UUID and its old id kept until its keychain entry has moved. The UUID is derived
//! from the old id, so every process that reads the old file (the app, each run of
//! flow-connect-cli) gives an account the same one, whichever writes the migration back.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Account;
use crate::store::data_file::{self, StoreNotice, Unreadable};

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

    /// Reads `path` as it is, changing nothing; a missing file is an empty list.
    pub fn read(path: &Path) -> Result<(Self, Option<StoreNotice>), Unreadable> {
        Ok(match data_file::read_versioned(path, Self::parse)? {
            None => (Self::empty(), None),
            Some((file, from)) => (file, (from < SCHEMA_VERSION).then_some(StoreNotice::Migrated { from })),
        })
    }

    fn parse(bytes: &[u8]) -> Result<(Self, u32), Unreadable> {
        let invalid = |reason: String| Unreadable::Invalid(reason);
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| invalid(format!("it is not valid JSON ({e})")))?;
        let version = match value.get("schemaVersion") {
            None if value.get("accounts").is_some_and(Value::is_array) => 0,
            None => return Err(invalid("it has no schema version".into())),
            Some(v) => v
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| invalid("its schema version is not a number".into()))?,
        };
        match version {
            0 => {
                let accounts: Vec<Account> = serde_json::from_value(value["accounts"].clone())
                    .map_err(|e| invalid(format!("its accounts cannot be read ({e})")))?;
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
                    .map_err(|e| invalid(format!("its accounts cannot be read ({e})")))?;
                Ok((file, SCHEMA_VERSION))
            }
            newer => Err(Unreadable::Newer { version: newer }),
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
    Account { legacy_id: Some(account.id.clone()), id: migrated_id(&account.id), ..account }
}

/// The UUID an old `acct-…` id becomes: the same in every process and every run, so a
/// flow-connect-cli run that does not write the migration back, and the app that does, agree
/// on it (and on the profiles that name it). A version 8 UUID of a 128-bit FNV-1a hash of the
/// old id: stable across Rust releases and builds, unlike `std`'s hasher.
pub(crate) fn migrated_id(old: &str) -> String {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let hash = b"flow-connect account id\0"
        .iter()
        .chain(old.as_bytes())
        .fold(OFFSET, |hash, byte| (hash ^ u128::from(*byte)).wrapping_mul(PRIME));
    uuid::Builder::from_custom_bytes(hash.to_be_bytes()).into_uuid().to_string()
}

impl crate::store::shared_file::Stored for AccountFile {
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
    fn the_store_plugin_s_file_is_version_0() {
        let old = br#"{"accounts":[{"id":"acct-18a","displayName":"Acme","orgId":"A@AdobeOrg","clientId":"c","scopes":"openid"}]}"#;
        let (file, from) = AccountFile::parse(old).expect("migrated");
        assert_eq!(from, 0);
        let account = &file.accounts[0];
        assert!(uuid::Uuid::try_parse(&account.id).is_ok(), "{}", account.id);
        assert_eq!(account.legacy_id.as_deref(), Some("acct-18a"));
        assert_eq!(account.secret_key(), "account/acct-18a/clientSecret");
        let (again, _) = AccountFile::parse(old).expect("read again");
        assert_eq!(again.accounts[0].id, account.id, "the same UUID every time");
    }

    #[test]
    fn migrated_ids_are_fixed_and_distinct() {
        // Fixed for good: a change would give accounts new ids in a process that reads an old file.
        assert_eq!(migrated_id("acct-18a"), "efbdeaf3-acbe-8745-81ae-8ceaaa341340");
        assert_ne!(migrated_id("acct-18a"), migrated_id("acct-18b"));
        let id = uuid::Uuid::try_parse(&migrated_id("acct-18a")).expect("a UUID");
        assert_eq!(id.get_version_num(), 8);
    }

    #[test]
    fn unknown_and_newer_versions_are_refused() {
        assert!(AccountFile::parse(br#"{"other":1}"#).is_err());
        let newer = AccountFile::parse(br#"{"schemaVersion":7,"accounts":[]}"#).expect_err("newer");
        assert_eq!(newer, Unreadable::Newer { version: 7 });
    }
}
