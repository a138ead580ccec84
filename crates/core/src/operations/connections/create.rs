//! Creating a connection: the checked body (against the source as the account's org sees it
//! now), its preview, the create itself with its origin recorded, and the command line's
//! create-or-skip over a profile's sandboxes.

use serde::Serialize;

use super::{ConnectionRequest, Connections};
use crate::adobe::flow::{self, Created, FlowClient, NewConnection, RequestPreview, SameName};
use crate::catalog::{self, FormValues};
use crate::operations::failure::{ErrorCode, Failure};
use crate::operations::form_secrets;
use crate::profiles::Profile;
use crate::secrets::credentials::StoredSecrets;
use crate::store::origins::Origin;

/// What a create from a profile came to in one sandbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "status")]
pub enum CreateOutcome {
    Created {
        sandbox: String,
        id: String,
        note: Option<String>,
    },
    /// A connection of this source with this name was there already: `id` when it is one,
    /// `ids` all of them (a sandbox may hold two of a name; none is picked as "the" one).
    Skipped {
        sandbox: String,
        id: Option<String>,
        ids: Vec<String>,
    },
    /// A dry run: the request that would be sent, secrets masked.
    DryRun {
        sandbox: String,
        curl: String,
    },
    Failed {
        sandbox: String,
        code: ErrorCode,
        message: String,
    },
}

/// A profile's values for a create or a renewal: typed or asked for, and the keychain entries
/// the core fills the remaining secrets from.
#[derive(Debug, Clone)]
pub struct ProfileValues {
    pub values: FormValues,
    pub stored: Option<StoredSecrets>,
}

/// The name a connection made from `profile` gets unless one is given: the profile's
/// connection name, else (when it has none) the profile's own name, so a profile always
/// makes a named connection.
pub fn default_connection_name(profile: &Profile) -> String {
    if profile.connection_name.trim().is_empty() {
        profile.name.clone()
    } else {
        profile.connection_name.clone()
    }
}

impl Connections<'_> {
    /// The checked create body and a client for the request's account and sandbox. The values
    /// are checked against the source as the org sees it now (fetched once per process), not
    /// whatever an earlier call happened to leave in memory.
    async fn prepare(&self, request: &ConnectionRequest) -> Result<(NewConnection, FlowClient), Failure> {
        let ops = self.ops;
        let client = ops.client_for(&request.account_id, &request.sandbox).await?;
        let source = ops.catalog().live_source(&client, &request.spec_id).await?;
        let mut values = request.values.clone();
        if let Some(stored) = &request.stored {
            form_secrets::fill(stored, &source, &ops.sets, &ops.profiles, &ops.vault, &mut values).await?;
        }
        let new = catalog::new_connection(
            &source,
            &request.spec_name,
            &request.name,
            &request.description,
            &values,
        )?;
        Ok((new, client))
    }

    /// The exact body and a curl command, secrets masked; nothing is sent.
    pub async fn preview(&self, request: &ConnectionRequest) -> Result<RequestPreview, Failure> {
        let (new, client) = self.prepare(request).await?;
        Ok(flow::preview(&new, client.connections_url().as_str(), client.target()))
    }

    /// Creates the connection (exactly once, `flow::create`) and records where it came from.
    /// A record that cannot be written is told in the result's note: the connection exists.
    pub async fn create(&self, request: &ConnectionRequest) -> Result<Created, Failure> {
        // Between 1970 and 3000: a date picker's value, not a typo that would sort first forever.
        if request.secret_expires_at.is_some_and(|at| !(0..=32_503_680_000_000).contains(&at)) {
            return Err(Failure::new(
                ErrorCode::Validation,
                "The client secret's end date is not a date: pick it again, or leave it empty.",
            ));
        }
        let (new, client) = self.prepare(request).await?;
        let same_name =
            if request.allow_duplicate == Some(true) { SameName::Allow } else { SameName::Refuse };
        let mut created = client.create_connection(&new, same_name).await?;
        tracing::info!(id = %created.id, spec = %request.spec_id, sandbox = %request.sandbox, "created a connection");
        let profile = match &request.profile_id {
            Some(id) => self.ops.profiles.profile(id).await,
            None => None,
        };
        let origin = Origin {
            connection_id: created.id.clone(),
            account_id: request.account_id.clone(),
            sandbox: request.sandbox.clone(),
            spec_id: request.spec_id.clone(),
            profile_id: profile.as_ref().map(|p| p.id.clone()),
            profile_name: profile.map(|p| p.name),
            created_at: crate::dates::now_ms(),
            refresh_token: request.token.clone(),
            signed: request.signed.clone(),
            secret_expires_at: request.secret_expires_at,
            minted: request.minted.clone(),
        };
        if let Err(e) = self.ops.origins.record(origin).await {
            tracing::warn!(error = %e, "connection origin not recorded");
            add_note(&mut created.note, e.to_string());
        }
        Ok(created)
    }

    /// `profile`'s values for a create or a renewal, with the secrets `given` (typed, or read
    /// from where the user said) winning; the others are left to the keychain entries the
    /// profile holds, by reference. Also which secrets neither has: the caller asks for them.
    pub async fn profile_values(
        &self,
        profile: &Profile,
        given: FormValues,
    ) -> Result<(ProfileValues, Vec<String>), Failure> {
        let mut values: FormValues =
            profile.values.iter().map(|(k, v)| (k.clone(), crate::Secret::new(v.clone()))).collect();
        let needed: Vec<String> =
            profile.secret_fields.iter().filter(|f| !given.contains_key(*f)).cloned().collect();
        values.extend(given);
        if needed.is_empty() {
            return Ok((ProfileValues { values, stored: None }, Vec::new()));
        }
        let (stored, missing) = self.ops.profiles().held_secrets(profile).await?;
        let ask = needed.into_iter().filter(|f| missing.contains(f)).collect();
        Ok((ProfileValues { values, stored: Some(stored) }, ask))
    }

    /// The request that creates `profile`'s connection in `sandbox`: named `name`, else by
    /// [`default_connection_name`], with the refresh token's date the profile keeps.
    pub async fn request_from_profile(
        &self,
        profile: &Profile,
        account_id: &str,
        sandbox: &str,
        name: Option<&str>,
        values: &ProfileValues,
        allow_duplicate: bool,
    ) -> ConnectionRequest {
        ConnectionRequest {
            account_id: account_id.to_owned(),
            sandbox: sandbox.to_owned(),
            spec_id: profile.spec_id.clone(),
            spec_name: profile.spec_name.clone(),
            name: name.map_or_else(|| default_connection_name(profile), str::to_owned),
            description: profile.description.clone(),
            values: values.values.clone(),
            stored: values.stored.clone(),
            allow_duplicate: Some(allow_duplicate),
            profile_id: Some(profile.id.clone()),
            token: self.ops.origins.profile_token(&profile.id).await,
            signed: None,
            secret_expires_at: None,
            minted: None,
        }
    }

    /// Creates the request's connection unless the sandbox has one of this source and name
    /// already (and a second was not asked for): then it is skipped with the ids found. A dry
    /// run only prepares the request. Every outcome, a failure too, is an answer, so one
    /// sandbox failing does not stop the others.
    pub async fn create_or_skip(&self, request: &ConnectionRequest, dry_run: bool) -> CreateOutcome {
        let sandbox = request.sandbox.clone();
        let outcome = if dry_run {
            self.preview(request)
                .await
                .map(|p| CreateOutcome::DryRun { sandbox: sandbox.clone(), curl: p.curl })
        } else {
            match self.create(request).await {
                Ok(created) => Ok(CreateOutcome::Created {
                    sandbox: sandbox.clone(),
                    id: created.id,
                    note: created.note,
                }),
                Err(f) if f.code == ErrorCode::Duplicate => Ok(self.skipped(request).await),
                Err(f) => Err(f),
            }
        };
        outcome.unwrap_or_else(|f| CreateOutcome::Failed { sandbox, code: f.code, message: f.message })
    }

    async fn skipped(&self, request: &ConnectionRequest) -> CreateOutcome {
        let ids = match self.ops.client_for(&request.account_id, &request.sandbox).await {
            Ok(client) => {
                client.connection_ids_named(&request.spec_id, &request.name).await.unwrap_or_default()
            }
            Err(_) => Vec::new(),
        };
        let id = match ids.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        };
        CreateOutcome::Skipped { sandbox: request.sandbox.clone(), id, ids }
    }
}

fn add_note(note: &mut Option<String>, more: String) {
    *note = Some(match note.take() {
        Some(earlier) => format!("{earlier} {more}"),
        None => more,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str, connection_name: &str) -> Profile {
        serde_json::from_value(serde_json::json!({
            "id": "p-1", "name": name, "specId": "eb13cb25-47ab-407f-ba89-c0125281c563",
            "specName": "Basic Authentication", "sourceName": "ServiceNow", "connectionName": connection_name,
            "values": {}, "secretFields": [], "updatedAt": 0, "lastUsedAt": 0,
        }))
        .expect("a profile")
    }

    #[test]
    fn a_profile_names_its_connection_and_one_without_a_connection_name_lends_its_own() {
        assert_eq!(default_connection_name(&profile("Prod", "ServiceNow tickets")), "ServiceNow tickets");
        assert_eq!(default_connection_name(&profile("Prod", "  ")), "Prod");
    }
}
