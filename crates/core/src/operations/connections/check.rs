//! Checks before create: a client-credentials sign-in tried at its own provider with the form's
//! values (the stored secrets filled in), before anything is sent to Adobe. Which sign-in
//! methods have such a check is `oauth::client_check`'s rule, the same for the window and the
//! CLI's `create --check`.

use serde::Serialize;
use ts_rs::TS;

use super::{ConnectionRequest, Connections};
use crate::oauth::client_check::{check_for, CheckError};
use crate::oauth::engine::ProviderBases;
use crate::operations::failure::{ErrorCode, Failure};
use crate::operations::form_secrets;

/// A check that passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CredentialsChecked {
    /// What the provider is called.
    pub provider: String,
    /// Where the token was minted (the token endpoint, no secret in it).
    pub token_url: String,
}

impl Connections<'_> {
    /// Mints a token with the form's client credentials at the provider the form names.
    pub async fn check_credentials(
        &self,
        request: &ConnectionRequest,
    ) -> Result<CredentialsChecked, Failure> {
        let ops = self.ops;
        let source = ops.catalog().source(Some(&request.account_id), &request.spec_id)?;
        let method = source.auth_method(&request.spec_name).ok_or_else(|| {
            Failure::new(
                ErrorCode::UnknownSource,
                "This sign-in method is not in the source's catalog entry: pick it again.",
            )
        })?;
        let check = check_for(&source.spec_id, method.params.iter().map(|p| p.name.as_str())).ok_or_else(|| {
            Failure::new(
                ErrorCode::Validation,
                format!("“{}” does not sign in with client credentials, so there is nothing to check before creating.", method.label),
            )
        })?;
        let mut values = request.values.clone();
        if let Some(stored) = &request.stored {
            form_secrets::fill(stored, &source, &ops.sets, &ops.profiles, &ops.vault, &mut values).await?;
        }
        let bases = ProviderBases::from_env()?;
        let token_url = check.token_url(&values, &bases).map_err(failure)?;
        let http = ops.http().await?;
        check.run(&values, &http, &bases).await.map_err(failure)?;
        tracing::info!(provider = check.provider, "client credentials checked at the provider");
        Ok(CredentialsChecked { provider: check.provider.to_owned(), token_url: token_url.to_string() })
    }
}

fn failure(e: CheckError) -> Failure {
    let code = match &e {
        CheckError::Missing { .. }
        | CheckError::Tenant
        | CheckError::NotHttps { .. }
        | CheckError::Unreadable { .. } => ErrorCode::Validation,
        CheckError::Network { .. } => ErrorCode::Network,
        // The provider refused the client: what the user fixes is at the provider.
        CheckError::Refused { .. } => ErrorCode::GoogleSignIn,
    };
    Failure::new(code, e.to_string())
}
