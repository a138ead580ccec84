//! JSON Web Tokens signed with RS256, as Salesforce reads them (RFC 7519 in RFC 7515's compact
//! form): three base64url parts, a header whose `alg` is `RS256`, the claims, and an
//! RSA-SHA256 (PKCS#1 v1.5) signature over the first two parts. The fakes of Salesforce's JWT
//! bearer grant and of Flow Service's Salesforce JWT connection both read them here.
//!
//! `exp` is a NumericDate, seconds since 1970-01-01T00:00:00Z (RFC 7519 §2). Adobe's
//! Salesforce page gives milliseconds in one place (oauth-sources.md §2.3), so a value no date
//! in seconds reaches is told apart and named as milliseconds rather than read as a date
//! thousands of years on. [`sign`] makes tokens for tests.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::pkey::{HasPublic, PKeyRef, Private};
use openssl::sign::{Signer, Verifier};
use serde_json::{Map, Value};

/// An `exp` at or past this is milliseconds: in seconds it would be after the year 5000.
const MILLISECONDS_FROM: f64 = 100_000_000_000.0;

/// Why a token is not an RS256 JWT.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtError {
    /// Not three parts separated by dots.
    Parts { found: usize },
    /// A part is not base64url, or (header, claims) not a JSON object.
    Part { part: &'static str },
    /// Signed with another algorithm than RS256 (or none).
    Algorithm { alg: String },
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parts { found } => {
                write!(f, "a JWT is three base64url parts separated by dots, and this one has {found}")
            }
            Self::Part { part } => write!(f, "the JWT's {part} is not base64url-encoded JSON"),
            Self::Algorithm { alg } => write!(f, "the JWT is signed with {alg}, not RS256"),
        }
    }
}

impl std::error::Error for JwtError {}

/// When a token's `exp` says it stops being good, read at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expiry {
    /// No `exp`, or one that is not a number.
    Missing,
    /// A value only milliseconds reach.
    Milliseconds(f64),
    /// Seconds at or before the moment of reading.
    Passed(u64),
    /// Seconds after it.
    Until(u64),
}

/// A parsed token. Its `Debug` shows the header and claims, never the signature, without which
/// the claims are no credential.
pub struct Jwt {
    header: Map<String, Value>,
    claims: Map<String, Value>,
    signing_input: String,
    signature: Vec<u8>,
}

impl fmt::Debug for Jwt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwt")
            .field("header", &self.header)
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

fn base64url() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

fn json_object(encoded: &str, part: &'static str) -> Result<Map<String, Value>, JwtError> {
    let bytes = base64url().decode(encoded).map_err(|_| JwtError::Part { part })?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(JwtError::Part { part }),
    }
}

impl Jwt {
    /// The token's parts, checked to be an RS256 JWT; the signature is not checked here.
    pub fn parse(token: &str) -> Result<Self, JwtError> {
        let parts: Vec<&str> = token.trim().split('.').collect();
        let [header, claims, signature] = parts.as_slice() else {
            return Err(JwtError::Parts { found: parts.len() });
        };
        let header_map = json_object(header, "header")?;
        let claims_map = json_object(claims, "claims")?;
        let signature_bytes =
            base64url().decode(signature).map_err(|_| JwtError::Part { part: "signature" })?;
        match header_map.get("alg").and_then(Value::as_str) {
            Some("RS256") => {}
            other => return Err(JwtError::Algorithm { alg: other.unwrap_or("no algorithm").to_owned() }),
        }
        Ok(Self {
            signing_input: format!("{header}.{claims}"),
            header: header_map,
            claims: claims_map,
            signature: signature_bytes,
        })
    }

    /// A string claim (`iss`, `sub`, `aud`).
    pub fn claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// Whether the signature is `key`'s, by RSA-SHA256 with PKCS#1 v1.5 padding.
    pub fn verifies_with<T: HasPublic>(&self, key: &PKeyRef<T>) -> bool {
        Verifier::new(MessageDigest::sha256(), key)
            .and_then(|mut verifier| verifier.verify_oneshot(&self.signature, self.signing_input.as_bytes()))
            .unwrap_or(false)
    }

    /// What `exp` says at `now` (seconds since the epoch). A number in a string is taken, as
    /// Salesforce takes it.
    pub fn expiry(&self, now: u64) -> Expiry {
        let exp = match self.claims.get("exp") {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        match exp.filter(|e| e.is_finite()) {
            None => Expiry::Missing,
            Some(e) if e >= MILLISECONDS_FROM => Expiry::Milliseconds(e),
            // Seconds past what `u64` holds were counted as milliseconds above.
            Some(e) if e <= now as f64 => Expiry::Passed(e.max(0.0) as u64),
            Some(e) => Expiry::Until(e as u64),
        }
    }
}

/// Seconds since the epoch, now.
pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// For tests: `claims` as an RS256 JWT signed with `key`.
pub fn sign(key: &PKeyRef<Private>, claims: &Value) -> Result<String, ErrorStack> {
    let header = base64url().encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = base64url().encode(claims.to_string());
    let input = format!("{header}.{claims}");
    let signature = Signer::new(MessageDigest::sha256(), key)?.sign_oneshot_to_vec(input.as_bytes())?;
    Ok(format!("{input}.{}", base64url().encode(signature)))
}

#[cfg(test)]
mod tests {
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;
    use serde_json::json;

    use super::*;

    fn key() -> PKey<Private> {
        PKey::from_rsa(Rsa::generate(2048).expect("an RSA key")).expect("a key")
    }

    #[test]
    fn a_signed_token_verifies_with_its_key_only_and_keeps_its_signature_out_of_debug() {
        let (mine, other) = (key(), key());
        let token =
            sign(&mine, &json!({ "iss": "client", "sub": "api@acme.example", "exp": 4_000_000_000u64 }))
                .expect("signed");
        let jwt = Jwt::parse(&token).expect("parsed");
        assert!(jwt.verifies_with(&mine));
        assert!(!jwt.verifies_with(&other));
        assert_eq!((jwt.claim("iss"), jwt.claim("sub")), (Some("client"), Some("api@acme.example")));
        let signature = token.rsplit('.').next().expect("signature");
        assert!(!format!("{jwt:?}").contains(signature));

        // A claim changed after signing no longer verifies.
        let parts: Vec<&str> = token.split('.').collect();
        let forged_claims =
            base64url().encode(json!({ "iss": "client", "sub": "admin@acme.example" }).to_string());
        let forged = Jwt::parse(&format!("{}.{forged_claims}.{}", parts[0], parts[2])).expect("parsed");
        assert!(!forged.verifies_with(&mine));
    }

    #[test]
    fn exp_is_read_as_seconds_and_milliseconds_are_named() {
        let at = |exp: Value| {
            let token = sign(&key(), &json!({ "exp": exp })).expect("signed");
            Jwt::parse(&token).expect("parsed").expiry(1_800_000_000)
        };
        assert_eq!(at(json!(1_800_000_060)), Expiry::Until(1_800_000_060));
        assert_eq!(at(json!("1800000060")), Expiry::Until(1_800_000_060));
        assert_eq!(at(json!(1_800_000_000)), Expiry::Passed(1_800_000_000));
        assert_eq!(at(json!(3_660_624_000_000u64)), Expiry::Milliseconds(3_660_624_000_000.0));
        assert_eq!(at(json!("soon")), Expiry::Missing);
        assert_eq!(at(Value::Null), Expiry::Missing);
    }

    #[test]
    fn a_token_of_another_shape_or_algorithm_is_refused() {
        let encode = |value: Value| base64url().encode(value.to_string());
        let claims = encode(json!({ "iss": "client" }));
        let cases = [
            ("only.two".to_owned(), JwtError::Parts { found: 2 }),
            (
                format!("{}.{claims}.c2ln", encode(json!({ "alg": "HS256" }))),
                JwtError::Algorithm { alg: "HS256".into() },
            ),
            (
                format!("{}.{claims}.", encode(json!({ "alg": "none" }))),
                JwtError::Algorithm { alg: "none".into() },
            ),
            (
                format!("{}.{claims}.c2ln", encode(json!({ "typ": "JWT" }))),
                JwtError::Algorithm { alg: "no algorithm".into() },
            ),
            (format!("{}.{claims}.c2ln", encode(json!(["RS256"]))), JwtError::Part { part: "header" }),
            (
                format!("{}.bm90IGpzb24.c2ln", encode(json!({ "alg": "RS256" }))),
                JwtError::Part { part: "claims" },
            ),
            (
                format!("{}.{claims}.not*b64", encode(json!({ "alg": "RS256" }))),
                JwtError::Part { part: "signature" },
            ),
        ];
        for (token, expected) in cases {
            assert_eq!(Jwt::parse(&token).err(), Some(expected), "{token}");
        }
    }
}
