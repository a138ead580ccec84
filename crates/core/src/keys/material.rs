//! Which sign-in methods take key material made here, by the params they hold (never by the
//! method's name): Snowflake's key pair (`privateKey`, and `privateKeyPassphrase` when the key
//! is encrypted) and a JWT credential (`jwtToken` beside `clientId`, Salesforce on AWS).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Snowflake's connection spec (oauth-sources.md §2.4 [O33]).
pub const SNOWFLAKE_SPEC_IDS: [&str; 1] = ["b2e08744-4f1a-40ce-af30-7abac3e23cf3"];

/// The key material a method takes, and the form fields it fills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[ts(export)]
pub enum KeyMaterial {
    /// An RSA key pair: the private key's PEM, base64-encoded, goes into `private_key`; its
    /// passphrase, when the user sets one, into `passphrase`.
    #[serde(rename_all = "camelCase")]
    KeyPair {
        private_key: String,
        #[ts(optional)]
        passphrase: Option<String>,
        /// The field naming the user the public key is given to.
        #[ts(optional)]
        username: Option<String>,
    },
    /// A JWT signed here goes into `jwt`, issued for the client in `client_id`; the secret in
    /// `client_secret` is kept for unattended renewals.
    #[serde(rename_all = "camelCase")]
    SignedJwt {
        jwt: String,
        client_id: String,
        #[ts(optional)]
        client_secret: Option<String>,
    },
}

/// The key material of a method of `spec_id` holding params `names`.
pub fn material_for<'a>(spec_id: &str, names: impl IntoIterator<Item = &'a str>) -> Option<KeyMaterial> {
    let names: Vec<&str> = names.into_iter().collect();
    let has = |name: &str| names.contains(&name);
    let own = |name: &str| has(name).then(|| name.to_owned());
    if SNOWFLAKE_SPEC_IDS.iter().any(|id| id.eq_ignore_ascii_case(spec_id.trim())) && has("privateKey") {
        return Some(KeyMaterial::KeyPair {
            private_key: "privateKey".into(),
            passphrase: own("privateKeyPassphrase"),
            username: own("username"),
        });
    }
    if has("jwtToken") && has("clientId") {
        return Some(KeyMaterial::SignedJwt {
            jwt: "jwtToken".into(),
            client_id: "clientId".into(),
            client_secret: own("clientSecret"),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_matched_by_their_params() {
        let snowflake = SNOWFLAKE_SPEC_IDS[0];
        assert_eq!(
            material_for(snowflake, ["account", "username", "privateKey", "privateKeyPassphrase"]),
            Some(KeyMaterial::KeyPair {
                private_key: "privateKey".into(),
                passphrase: Some("privateKeyPassphrase".into()),
                username: Some("username".into()),
            })
        );
        assert_eq!(material_for(snowflake, ["account", "username", "password"]), None);
        // An SFTP key is an OpenSSH key the user has, not one made here.
        assert_eq!(material_for("b7bf2577-4520-42c9-bae9-cad01560f7bc", ["host", "privateKey"]), None);
        assert!(matches!(
            material_for(
                "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5",
                ["jwtToken", "clientId", "clientSecret", "instanceUrl"]
            ),
            Some(KeyMaterial::SignedJwt { client_secret: Some(_), .. })
        ));
    }
}
