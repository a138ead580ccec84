//! Key material made on this machine, so a private key never has to be made elsewhere and
//! pasted around: RSA key pairs for Snowflake's key-pair sign-in (the private key goes to the
//! keychain and the spec's base64 field, the public key into the `ALTER USER` statement the
//! user runs), and RS256-signed JWTs for Salesforce's "OAuth2 JWT Token Credential", whose
//! `exp` is when the connection stops.
//!
//! Built on the system OpenSSL (already linked for TLS and the keychain): constant-time
//! private-key operations, and a 2048-bit key in milliseconds even in a debug build.

mod jwt;
mod material;
mod pair;

pub use jwt::{read_expiry, sign_jwt, JwtClaims, SignedJwt, MAX_LIFETIME_DAYS};
pub use material::{material_for, KeyMaterial, SNOWFLAKE_SPEC_IDS};
pub use pair::{
    generate_pair, public_half, self_signed_certificate, snowflake_statement, unencrypted, KeyPair,
    PublicKey, MIN_RSA_BITS,
};

/// Why key material could not be made or read. No variant carries key bytes.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    #[error("The private key is not a PEM private key: paste the whole key file, from its BEGIN line to its END line, or generate a key here.")]
    NotAKey,
    #[error("The private key is encrypted: enter its passphrase.")]
    NeedsPassphrase,
    #[error("The passphrase does not open this private key. Check it, or generate a new key.")]
    WrongPassphrase,
    #[error("The key is not an RSA key of at least {MIN_RSA_BITS} bits, which the provider requires.")]
    WeakKey,
    #[error("{field} is required to sign the JWT.")]
    MissingClaim { field: &'static str },
    #[error("The JWT must stay valid between 1 and {max} days; {days} is outside that.")]
    Lifetime { days: u32, max: u32 },
    #[error("The token is not a JWT with an expiry (three dot-separated parts whose payload holds exp).")]
    NotAJwt,
    #[error("The system's cryptography library failed ({0}). Try again; if it persists, reinstall OpenSSL.")]
    Crypto(String),
}

impl From<openssl::error::ErrorStack> for KeyError {
    fn from(error: openssl::error::ErrorStack) -> Self {
        // OpenSSL's messages name the failing routine, never key bytes.
        Self::Crypto(error.errors().first().and_then(|e| e.reason()).unwrap_or("unknown").to_owned())
    }
}
