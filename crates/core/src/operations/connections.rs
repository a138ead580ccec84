//! Creating, deleting and renewing connections, with the local records (where each came
//! from, the refresh tokens' dates) kept in step.

use super::Operations;
use crate::adobe::flow::{Created, FlowClient, NewConnection, SameName};
use crate::catalog::{self, FormValues};
use crate::operations::failure::Failure;
use crate::operations::form_secrets;
use crate::operations::renew::{self, Renewal};
use crate::secrets::credentials::StoredSecrets;
use crate::store::origins::{Origin, TokenIssue};

/// A filled form (or a profile), ready to become `POST /connections`.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionRequest {
    pub account_id: String,
    pub sandbox: String,
    pub spec_id: String,
    pub spec_name: String,
    pub name: String,
    pub description: String,
    #[ts(type = "Record<string, string>")]
    pub values: FormValues,
    /// Secret fields held in the keychain (a consent's tokens, a profile's secrets); a value
    /// typed into the form wins over the stored one.
    #[serde(default)]
    #[ts(optional)]
    pub stored: Option<StoredSecrets>,
    /// The user saw that the sandbox already has a connection of this source with this name,
    /// and wants a second one.
    #[serde(default)]
    #[ts(optional)]
    pub allow_duplicate: Option<bool>,
    /// The profile the form was opened from, recorded as the connection's origin.
    #[serde(default)]
    #[ts(optional)]
    pub profile_id: Option<String>,
    /// The refresh token's issue, when a consent in this form made it.
    #[serde(default)]
    #[ts(optional)]
    pub token: Option<TokenIssue>,
}

/// New credentials for a connection, sent with the etag the form was opened with.
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RenewRequest {
    pub account_id: String,
    pub sandbox: String,
    pub connection_id: String,
    pub etag: String,
    pub spec_id: String,
    pub spec_name: String,
    #[ts(type = "Record<string, string>")]
    pub values: FormValues,
    #[serde(default)]
    #[ts(optional)]
    pub stored: Option<StoredSecrets>,
    /// Also put the new secrets into this profile.
    #[serde(default)]
    #[ts(optional)]
    pub update_profile: Option<String>,
    /// The new refresh token's issue, when a consent made it.
    #[serde(default)]
    #[ts(optional)]
    pub token: Option<TokenIssue>,
}

impl Operations {
    /// The checked create body and a client for the request's account and sandbox.
    pub async fn prepare(&self, request: &ConnectionRequest) -> Result<(NewConnection, FlowClient), Failure> {
        let account = self.account(&request.account_id)?;
        let source = self.source(Some(&account.id), &request.spec_id)?;
        let mut values = request.values.clone();
        if let Some(stored) = &request.stored {
            form_secrets::fill(stored, &source, &self.sets, &self.profiles, &self.vault, &mut values).await?;
        }
        let new = catalog::new_connection(
            &source,
            &request.spec_name,
            &request.name,
            &request.description,
            &values,
        )?;
        let client = self.client(&account, &request.sandbox).await?;
        Ok((new, client))
    }

    /// Creates the connection (exactly once, `flow::create`) and records where it came from.
    /// A record that cannot be written is told in the result's note: the connection exists.
    pub async fn create(&self, request: &ConnectionRequest) -> Result<Created, Failure> {
        let (new, client) = self.prepare(request).await?;
        let same_name =
            if request.allow_duplicate == Some(true) { SameName::Allow } else { SameName::Refuse };
        let mut created = client.create_connection(&new, same_name).await?;
        tracing::info!(id = %created.id, spec = %request.spec_id, sandbox = %request.sandbox, "created a connection");
        let profile = match &request.profile_id {
            Some(id) => self.profiles.profile(id).await,
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
        };
        if let Err(e) = self.origins.record(origin).await {
            tracing::warn!(error = %e, "connection origin not recorded");
            add_note(&mut created.note, e.to_string());
        }
        Ok(created)
    }

    /// Deletes a connection and forgets its origin.
    pub async fn delete_connection(&self, client: &FlowClient, connection_id: &str) -> Result<(), Failure> {
        client.delete_connection(connection_id).await?;
        tracing::info!(id = %connection_id, "deleted a connection");
        if let Err(e) = self.origins.forget(connection_id).await {
            tracing::warn!(error = %e, "the deleted connection's origin stays recorded");
        }
        Ok(())
    }

    /// Sends new credentials; then keeps the profile (when asked) and the token dates in step.
    /// The connection has the new credentials once Adobe accepted them, so a local record
    /// that fails afterwards is told in the note, not returned as if the renewal had failed.
    pub async fn renew(&self, request: &RenewRequest) -> Result<Renewal, Failure> {
        let account = self.account(&request.account_id)?;
        let source = self.source(Some(&account.id), &request.spec_id)?;
        let mut values = request.values.clone();
        if let Some(stored) = &request.stored {
            form_secrets::fill(stored, &source, &self.sets, &self.profiles, &self.vault, &mut values).await?;
        }
        let client = self.client(&account, &request.sandbox).await?;
        let mut renewal = renew::renew(
            &client,
            &source,
            &request.connection_id,
            &request.etag,
            &request.spec_name,
            &values,
        )
        .await?;
        let Renewal::Updated { note, .. } = &mut renewal else { return Ok(renewal) };
        if let Some(profile_id) = &request.update_profile {
            let kept = renew::update_profile(
                &self.profiles,
                &source,
                profile_id,
                &request.values,
                request.stored.clone(),
            )
            .await;
            match kept {
                Ok(_) => {
                    if let Some(token) = &request.token {
                        if let Err(e) = self.origins.set_profile_token(profile_id, token.clone()).await {
                            tracing::warn!(error = %e, "the profile's token date was not recorded");
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the renewed secrets were not kept in the profile");
                    *note = Some(format!(
                        "The connection has the new credentials, but the profile was not updated: {}",
                        Failure::from(e).message
                    ));
                }
            }
        }
        if request.token.is_some() {
            if let Err(e) = self.origins.set_token(&request.connection_id, request.token.clone()).await {
                tracing::warn!(error = %e, "the connection's token date was not recorded");
            }
        }
        Ok(renewal)
    }
}

fn add_note(note: &mut Option<String>, more: String) {
    *note = Some(match note.take() {
        Some(earlier) => format!("{earlier} {more}"),
        None => more,
    });
}

/// Connections in a sandbox: list, preview, create, test, rename, delete, with their origins.
pub struct Connections<'a> {
    pub(super) ops: &'a Operations,
}

impl Connections<'_> {}
