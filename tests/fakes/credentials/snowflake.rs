//! Snowflake key-pair authentication (oauth-sources.md §2.4, [O33]): the connection holds
//! `privateKey`, Base64 of a PKCS#8 PEM file (`BEGIN PRIVATE KEY`, or `BEGIN ENCRYPTED PRIVATE
//! KEY` with `privateKeyPassphrase`), of an RSA key of at least 2048 bits. Signing in, the
//! client sends Snowflake a JWT signed with it, and Snowflake checks it against the public key
//! set on the user; when none matches (or none is set) Snowflake answers "JWT token is invalid."

use serde_json::Value;

use super::Registry;
use crate::keys::private_key_from_snowflake;

/// Snowflake's answer to a key pair whose public half is not the user's.
pub const INVALID_JWT: &str = "JWT token is invalid.";

/// The registry's key for a user: Snowflake folds unquoted identifiers to upper case.
pub(super) fn user_key(account: &str, username: &str) -> (String, String) {
    (account.trim().to_ascii_uppercase(), username.trim().to_ascii_uppercase())
}

fn text<'a>(params: &'a Value, name: &str) -> Option<&'a str> {
    params.get(name).and_then(Value::as_str)
}

/// At create: the private key must be one Snowflake could sign with.
pub(super) fn check_params(params: &Value) -> Result<(), String> {
    let value = text(params, "privateKey").unwrap_or_default();
    private_key_from_snowflake(value, text(params, "privateKeyPassphrase"))
        .map(|_| ())
        .map_err(|error| format!("auth.params.privateKey is not a usable private key: {error}"))
}

/// At test: the private key's public half must be the one set on the user.
pub(super) fn refusal(registry: &Registry, params: &Value) -> Option<String> {
    let key = private_key_from_snowflake(
        text(params, "privateKey").unwrap_or_default(),
        text(params, "privateKeyPassphrase"),
    );
    let user =
        user_key(text(params, "account").unwrap_or_default(), text(params, "username").unwrap_or_default());
    let registered = registry.snowflake_users.get(&user);
    match (key, registered) {
        (Ok(key), Some(registered)) if key.public_eq(registered) => None,
        _ => Some(INVALID_JWT.to_owned()),
    }
}
