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
