//! Which fields are secret: the one place that decides it, for the form engine reading a spec,
//! the catalog cache, a profile's save and import, a renewal and a form's stored secrets. A
//! secret is kept in the keychain and never written into `profiles.json`, a cache, a log or
//! an answer, so every rule that says "this is a secret" lives here and nowhere else.
//!
//! From the narrowest to the widest: a name ([`looks_secret`], [`names_a_secret`]), one sign-in
//! method ([`secret_fields`]), a source ([`source_secret_fields`], [`secret_fields_of`]), and a
//! profile being saved over ([`secret_fields_for`]).

use super::builtin::builtin_source;
use super::model::{AuthMethod, ParamKind, Source};

/// Whether a field's name says it holds a secret, whatever a spec says of it. Used where no
/// spec can be trusted to mark it (an imported file), so that a secret is never taken as a
/// plain value: password, secret, token, private key, connection string, SAS.
pub fn looks_secret(name: &str) -> bool {
    let name: String =
        name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    [
        "password",
        "passwd",
        "passphrase",
        "secret",
        "token",
        "privatekey",
        "sshkey",
        "apikey",
        "connectionstring",
        "keyfile",
    ]
    .iter()
    .any(|word| name.contains(word))
        || name.starts_with("sas")
        || name.ends_with("sas")
}

/// Whether a property's name says it holds a secret although the spec does not mark it:
/// several published specs mark a password or a token only by its name, and sending one to
/// `profiles.json` as a plain value would leak it. Names that describe a secret rather than
/// hold one (`accessTokenUrl`, `refreshTokenField`) are not secrets; a SAS URI is, since its
/// signature is the credential.
pub fn names_a_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let describes = ["url", "uri", "field", "name", "type", "endpoint", "path", "method", "date", "expiry"];
    looks_secret(name) && (lower.starts_with("sas") || !describes.iter().any(|word| lower.ends_with(word)))
}

/// The fields of `method` whose values are secrets: secret params, and the secret parts of a
/// connection string (a pasted whole string counts as secret too).
pub fn secret_fields(method: &AuthMethod) -> Vec<String> {
    let mut fields = Vec::new();
    for param in method.all_params() {
        if let ParamKind::ConnectionString { parts } = &param.kind {
            fields.push(param.field.clone());
            fields.extend(parts.iter().filter(|p| p.secret).map(|p| p.field.clone()));
        } else if param.secret {
            fields.push(param.field.clone());
        }
    }
    fields
}

/// The fields secret in any of `source`'s sign-in methods. A form keeps the values of every
/// method (switching keeps what was typed), so a key file typed for one method must stay a
/// secret when the profile is saved with another.
pub fn source_secret_fields(source: &Source) -> Vec<String> {
    let mut fields: Vec<String> = source.auth_methods.iter().flat_map(secret_fields).collect();
    fields.sort();
    fields.dedup();
    fields
}

/// The secret fields of `source`: those of its live spec and those of the built-in entry,
/// so a live spec that renames or unmarks a field cannot turn a known secret into a plain
/// value (and so into `profiles.json`).
pub fn secret_fields_of(source: &Source) -> Vec<String> {
    let mut fields = source_secret_fields(source);
    if let Some(builtin) = builtin_source(&source.spec_id) {
        fields.extend(source_secret_fields(builtin));
    }
    fields.sort();
    fields.dedup();
    fields
}

/// The fields a save keeps as secrets, the one rule every save path uses: the source's live
/// spec, its built-in entry, and the fields the profile being saved over already keeps as
/// secrets (`profile_secrets`; empty for a new one). A field once kept in the keychain stays
/// there, whatever a spec says of it now, so a save never writes it into `profiles.json`.
pub fn secret_fields_for(source: &Source, profile_secrets: &[String]) -> Vec<String> {
    let mut fields = secret_fields_of(source);
    fields.extend(profile_secrets.iter().cloned());
    fields.sort();
    fields.dedup();
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_recognised() {
        for name in [
            "password",
            "clientSecret",
            "refreshToken",
            "private_key",
            "connectionString",
            "sasToken",
            "keyFileContent",
        ] {
            assert!(looks_secret(name), "{name}");
        }
        for name in ["host", "username", "projectId", "endpoint", "clientId", "database"] {
            assert!(!looks_secret(name), "{name}");
        }
    }

    #[test]
    fn every_method_s_secrets_count() {
        let bigquery = builtin_source("3c9b37f8-13a6-43d8-bad3-b863b941fedd").expect("BigQuery");
        assert_eq!(source_secret_fields(bigquery), ["clientSecret", "keyFileContent", "refreshToken"]);
        let oracle = builtin_source("d6b52d86-f0f8-475f-89d4-ce54c8527328").expect("Oracle");
        assert_eq!(source_secret_fields(oracle), ["connectionString", "password"]);
    }
}
