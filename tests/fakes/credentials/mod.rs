//! Sign-ins the fake Flow Service checks itself, where the real service would only learn at
//! the source that they do not work: a Snowflake key pair (oauth-sources.md §2.4) and a
//! Salesforce JWT credential (§2.3). What the sources know, and a test registers through the
//! control routes or [`FakePlatform`](crate::FakePlatform)'s methods, lives here too: each
//! Snowflake user's RSA public key, as `ALTER USER … SET RSA_PUBLIC_KEY='…'` sets it, and the
//! certificate uploaded to the Salesforce connected app.
//!
//! A create (or a `PATCH` of the auth params) with a private key that cannot be read is
//! refused with Flow Service's `400`. The source's verdict comes at `GET /connections/{id}/test`,
//! which answers `{"result": false, "message": …}` with the source's reason (the message is the
//! fake's addition; the OpenAPI documents only `result`), and at explore, which refuses with it.
//! Neither logs nor echoes a key or a token.

use std::collections::HashMap;

use openssl::pkey::{PKey, Public};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::{Request, Response};
use crate::keys::{public_key_from_pem, public_key_from_snowflake, KeyError};
use crate::platform::State;

mod salesforce;
mod snowflake;
#[cfg(test)]
mod tests;

/// Snowflake's connection spec, as Adobe's tutorial documents it.
pub const SNOWFLAKE_SPEC: &str = "b2e08744-4f1a-40ce-af30-7abac3e23cf3";
pub const SALESFORCE_SPEC: &str = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5";
/// The sign-in methods checked here.
pub const KEY_PAIR: &str = "KeyPair Authentication";
pub const JWT_CREDENTIAL: &str = "OAuth2 JWT Token Credential";

/// What the sources behind the fake know of their users and apps.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    /// Each Snowflake user's `RSA_PUBLIC_KEY`, by account and user name upper-cased, as
    /// Snowflake folds unquoted identifiers.
    snowflake_users: HashMap<(String, String), PKey<Public>>,
    /// The public key of the certificate the Salesforce connected app holds.
    salesforce_certificate: Option<PKey<Public>>,
}

impl Registry {
    /// `ALTER USER {username} SET RSA_PUBLIC_KEY='{rsa_public_key}'` in `account`: the value is
    /// Base64 of the DER SubjectPublicKeyInfo, the PEM file's lines without delimiters. It
    /// replaces the user's previous key.
    pub(crate) fn set_snowflake_key(
        &mut self,
        account: &str,
        username: &str,
        rsa_public_key: &str,
    ) -> Result<(), KeyError> {
        let key = public_key_from_snowflake(rsa_public_key)?;
        self.snowflake_users.insert(snowflake::user_key(account, username), key);
        Ok(())
    }

    /// Uploads the PEM of a certificate (or RSA public key) to the Salesforce connected app.
    pub(crate) fn set_salesforce_certificate(&mut self, pem: &str) -> Result<(), KeyError> {
        self.salesforce_certificate = Some(public_key_from_pem(pem)?);
        Ok(())
    }
}

/// Which checked sign-in a connection uses, if any.
fn method_of(spec_id: &str, spec_name: &str) -> Option<&'static str> {
    match (spec_id, spec_name) {
        (SNOWFLAKE_SPEC, KEY_PAIR) => Some(KEY_PAIR),
        (SALESFORCE_SPEC, JWT_CREDENTIAL) => Some(JWT_CREDENTIAL),
        _ => None,
    }
}

/// Why auth params the spec's schema took still cannot be: a private key that is no usable
/// key. The message is Flow Service's `detailed-message`.
pub(crate) fn check_params(spec_id: &str, spec_name: &str, params: &Value) -> Result<(), String> {
    match method_of(spec_id, spec_name) {
        Some(KEY_PAIR) => snowflake::check_params(params),
        _ => Ok(()),
    }
}

/// Why the source would refuse the connection's credentials now, if it would.
pub(crate) fn refusal(registry: &Registry, connection: &Value) -> Option<String> {
    let text = |pointer: &str| connection.pointer(pointer).and_then(Value::as_str).unwrap_or_default();
    let params = connection.pointer("/auth/params").unwrap_or(&Value::Null);
    match method_of(text("/connectionSpec/id"), text("/auth/specName")) {
        Some(KEY_PAIR) => snowflake::refusal(registry, params),
        Some(JWT_CREDENTIAL) => salesforce::refusal(registry, params),
        _ => None,
    }
}

/// `GET /connections/{id}/test`: whether the source takes the credentials, and why not.
pub(crate) fn test(state: &State, connection: &Value) -> Response {
    let id = connection["id"].as_str().unwrap_or_default();
    match state.lifecycle.refusal(id).or_else(|| refusal(&state.credentials, connection)) {
        None => Response::json(200, &json!({ "result": true })),
        Some(message) => Response::json(200, &json!({ "result": false, "message": message })),
    }
}

/// `POST /__fake/snowflake/users`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SnowflakeUser {
    account: String,
    username: String,
    rsa_public_key: String,
}

/// The control routes of the sources' side: `POST /__fake/snowflake/users` with
/// `{account, username, rsaPublicKey}` and `POST /__fake/salesforce/certificate` with a PEM
/// body. Each answers `204`, or `400 {message}` saying what is wrong with the key.
pub(crate) fn control(state: &mut State, request: &Request, path: &str) -> Option<Response> {
    let refused = |message: String| Response::json(400, &json!({ "message": message }));
    let done = |result: Result<(), KeyError>, what: &str| match result {
        Ok(()) => Response::empty(204),
        Err(error) => refused(format!("{what}: {error}")),
    };
    match (request.method.as_str(), path) {
        ("POST", "/snowflake/users") => Some(match serde_json::from_slice::<SnowflakeUser>(&request.body) {
            Ok(user) => done(
                state.credentials.set_snowflake_key(&user.account, &user.username, &user.rsa_public_key),
                "rsaPublicKey",
            ),
            Err(error) => refused(error.to_string()),
        }),
        ("POST", "/salesforce/certificate") => {
            let pem = String::from_utf8_lossy(&request.body);
            Some(done(state.credentials.set_salesforce_certificate(&pem), "Not a certificate"))
        }
        _ => None,
    }
}
