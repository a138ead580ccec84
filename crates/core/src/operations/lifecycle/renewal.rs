//! New credentials for a connection already made: the renew form opened from the connection,
//! the credentials sent with its etag, and the profile and token dates kept in step.

use super::{Lifecycle, LifecycleError, OpenRenewRequest, RenewRequest};
use crate::adobe::flow::{Connection, FlowClient};
use crate::operations::connections::ProfileValues;
use crate::operations::failure::Failure;
use crate::operations::form_secrets;
use crate::operations::renew::{self, RenewForm, Renewal};
use crate::profiles::Profile;

impl Lifecycle<'_> {
    /// The renew form of a connection: its sign-in method and non-secret values, read against
    /// the source as the account's org sees it now.
    pub async fn open_renew(&self, request: &OpenRenewRequest) -> Result<RenewForm, Failure> {
        let client =
            self.ops.client_of(&request.account_id, &request.sandbox, &request.connection_id).await?;
        let source = self.ops.catalog().live_source(&client, &request.spec_id).await?;
        Ok(renew::open(&client, &source, &request.connection_id).await?)
    }

    /// The connection `name_or_id` names, to be renewed with `profile`'s credentials: one of
    /// another source is refused, since the profile's fields mean something else there.
    pub async fn renew_target(
        &self,
        account_id: &str,
        sandbox: &str,
        name_or_id: &str,
        profile: &Profile,
    ) -> Result<Connection, Failure> {
        let connection = self.ops.connections().find(account_id, sandbox, name_or_id).await?;
        if connection.connection_spec.id != profile.spec_id {
            return Err(LifecycleError::OtherSource {
                connection: connection.name,
                profile: profile.name.clone(),
            }
            .into());
        }
        Ok(connection)
    }

    /// The renewal of `connection` with `profile`'s credentials, carrying the date of the
    /// refresh token the profile keeps.
    pub async fn request_from_profile(
        &self,
        profile: &Profile,
        account_id: &str,
        sandbox: &str,
        connection: &Connection,
        values: ProfileValues,
    ) -> RenewRequest {
        RenewRequest {
            account_id: account_id.to_owned(),
            sandbox: sandbox.to_owned(),
            connection_id: connection.id.clone(),
            etag: connection.etag.clone(),
            spec_id: profile.spec_id.clone(),
            spec_name: profile.spec_name.clone(),
            values: values.values,
            stored: values.stored,
            update_profile: None,
            token: self.ops.origins.profile_token(&profile.id).await,
        }
    }

    /// Sends new credentials, checked against the source as the org sees it now; then keeps
    /// the profile (when asked) and the token dates in step. The connection has the new
    /// credentials once Adobe accepted them, so a local record that fails afterwards is told
    /// in the note, not returned as if the renewal had failed.
    pub async fn renew(&self, request: &RenewRequest) -> Result<Renewal, Failure> {
        let ops = self.ops;
        let client: FlowClient =
            self.ops.client_of(&request.account_id, &request.sandbox, &request.connection_id).await?;
        let source = ops.catalog().live_source(&client, &request.spec_id).await?;
        let mut values = request.values.clone();
        if let Some(stored) = &request.stored {
            form_secrets::fill(stored, &source, &ops.sets, &ops.profiles, &ops.vault, &mut values).await?;
        }
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
            let kept =
                ops.profiles().update(&source, profile_id, &request.values, request.stored.clone()).await;
            match kept {
                Ok(_) => {
                    if let Some(token) = &request.token {
                        if let Err(e) = ops.origins.set_profile_token(profile_id, token.clone()).await {
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
            if let Err(e) = ops.origins.set_token(&request.connection_id, request.token.clone()).await {
                tracing::warn!(error = %e, "the connection's token date was not recorded");
            }
        }
        Ok(renewal)
    }
}
