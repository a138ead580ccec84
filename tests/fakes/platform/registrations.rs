//! What tests register with the sources behind the fake Flow Service, as the control routes
//! `POST /__fake/snowflake/users` and `POST /__fake/salesforce/certificate` do.

use super::{lock, FakePlatform};
use crate::keys::KeyError;

impl FakePlatform {
    /// Sets a Snowflake user's public key, as `ALTER USER {username} SET
    /// RSA_PUBLIC_KEY='{rsa_public_key}'` run in `account` does: Base64 of the DER
    /// SubjectPublicKeyInfo ([`crate::keys::snowflake_public_key`] makes it from a key).
    /// Account and user name match case-insensitively, as Snowflake's unquoted identifiers do.
    pub fn register_snowflake_user(
        &self,
        account: &str,
        username: &str,
        rsa_public_key: &str,
    ) -> Result<(), KeyError> {
        lock(&self.state).credentials.set_snowflake_key(account, username, rsa_public_key)
    }

    /// Uploads a certificate (PEM; an RSA public key's PEM also does) to the Salesforce
    /// connected app: from now on a JWT credential's signature must verify with its key.
    pub fn register_salesforce_certificate(&self, pem: &str) -> Result<(), KeyError> {
        lock(&self.state).credentials.set_salesforce_certificate(pem)
    }
}

impl FakePlatform {
    /// An account of the fake's org, signing in with its client credentials, with the client
    /// secret to keep: what a test saves before it talks to the fake through the doors.
    pub fn account_request(&self, display_name: &str) -> flow_connect_core::operations::SaveAccountRequest {
        use flow_connect_core::accounts::{Account, SignIn};
        let config = self.config();
        let account = Account {
            id: String::new(),
            display_name: display_name.into(),
            org_id: config.org_id,
            client_id: config.client_id,
            scopes: flow_connect_core::adobe::ims::DEFAULT_SCOPES.into(),
            default_sandbox: None,
            sign_in: SignIn::ClientCredentials,
            legacy_id: None,
        };
        flow_connect_core::operations::SaveAccountRequest {
            account,
            client_secret: Some(flow_connect_core::Secret::new(config.client_secret)),
        }
    }
}
