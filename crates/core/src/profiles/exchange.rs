//! Sharing profiles: export the chosen ones as JSON without ids, accounts or secrets, and
//! import such a file as new profiles (refused whole when it holds a secret value).

use super::book::{commit, ProfileBook, ProfileError};
use super::model::{Profile, SharedProfile};
use crate::catalog::secrets::{names_a_secret, source_secret_fields};

/// The format of an export file.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Export {
    flow_connect_profiles: u32,
    profiles: Vec<SharedProfile>,
}

/// The largest export accepted: 10,000 profiles fit in a fraction of it.
const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

impl ProfileBook {
    /// The chosen profiles (all when `ids` is empty) as JSON to share, and how many: no ids, no
    /// accounts, no secrets; only the names of the secrets each needs.
    pub async fn export(&self, ids: &[String]) -> (String, usize) {
        let profiles: Vec<SharedProfile> = self.file.read(|file| {
            file.profiles
                .iter()
                .filter(|p| ids.is_empty() || ids.contains(&p.id))
                .map(|p| SharedProfile {
                    name: p.name.clone(),
                    spec_id: p.spec_id.clone(),
                    spec_name: p.spec_name.clone(),
                    source_name: p.source_name.clone(),
                    connection_name: p.connection_name.clone(),
                    description: p.description.clone(),
                    values: p.values.clone(),
                    secret_fields: p.secret_fields.clone(),
                })
                .collect()
        });
        let count = profiles.len();
        let text =
            serde_json::to_string_pretty(&Export { flow_connect_profiles: 1, profiles }).unwrap_or_default();
        (text, count)
    }

    /// Adds the profiles of an export as new profiles. Their secrets are not in the keychain
    /// yet, so opening one asks for them.
    pub async fn import(&self, text: &str) -> Result<Vec<Profile>, ProfileError> {
        if text.len() > MAX_IMPORT_BYTES {
            return Err(ProfileError::NotAnExport);
        }
        let export: Export = serde_json::from_str(text).map_err(|_| ProfileError::NotAnExport)?;
        for shared in &export.profiles {
            let known = crate::catalog::builtin_source(&shared.spec_id).map(source_secret_fields);
            let secret = shared.values.keys().find(|field| {
                shared.secret_fields.contains(field)
                    || known.as_ref().is_some_and(|k| k.contains(field))
                    // A nested field (`group.member`) is judged by its own name, as the form
                    // engine judges it.
                    || names_a_secret(field.rsplit('.').next().unwrap_or(field))
            });
            if let Some(field) = secret {
                return Err(ProfileError::SecretInImport {
                    profile: shared.name.clone(),
                    field: field.clone(),
                });
            }
        }
        let file = self.edit().await?;
        let now = crate::dates::now_ms_u64();
        let imported: Vec<Profile> = export
            .profiles
            .into_iter()
            .map(|shared| Profile {
                id: uuid::Uuid::new_v4().to_string(),
                name: shared.name,
                spec_id: shared.spec_id,
                spec_name: shared.spec_name,
                source_name: shared.source_name,
                connection_name: shared.connection_name,
                description: shared.description,
                values: shared.values,
                secret_fields: shared.secret_fields,
                account_id: None,
                sandbox: None,
                updated_at: now,
                last_used_at: now,
            })
            .collect();
        let mut next = file.current();
        next.profiles.extend(imported.iter().cloned());
        commit(&file, next).await?;
        Ok(imported)
    }
}
