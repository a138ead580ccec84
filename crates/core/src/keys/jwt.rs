//! The JWT of Salesforce's "OAuth2 JWT Token Credential" (Experience Platform on AWS): Adobe
//! documents a token signed RS256 with the claims `iss` (the connected app's consumer key),
//! `sub` (the Salesforce user), `aud` (the login URL) and `exp`, and the connection stops
//! when `exp` passes. Adobe's table speaks of milliseconds while its sample and RFC 7519 use
//! seconds; the token is signed with seconds (what Salesforce's JWT bearer flow reads), and
//! a token the user brings is read either way.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use openssl::hash::MessageDigest;
use openssl::sign::Signer;
use serde_json::json;

use super::pair::read_private;
use super::KeyError;
use crate::Secret;

/// The longest lifetime offered: Adobe's sample signs for about four months; a year keeps a
/// renewal reminder meaningful.
pub const MAX_LIFETIME_DAYS: u32 = 366;
/// `exp` values above this are milliseconds (a seconds value this large is after year 5000).
const MILLISECOND_EXP: i64 = 100_000_000_000;

/// What the JWT says, none of it secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct JwtClaims {
    /// The connected app's consumer key.
    pub issuer: String,
    /// The Salesforce user name.
    pub subject: String,
    /// The login URL (`https://login.salesforce.com`, `https://test.salesforce.com`).
    pub audience: String,
    /// How long each signed token lasts.
    pub lifetime_days: u32,
}

/// A token just signed.
#[derive(Debug)]
pub struct SignedJwt {
    pub token: Secret,
    /// Milliseconds since the epoch.
    pub expires_at: i64,
}

/// Signs `claims` with the PEM private key, valid from `now_ms` for the claims' lifetime.
pub fn sign_jwt(
    key_pem: &Secret,
    passphrase: Option<&Secret>,
    claims: &JwtClaims,
    now_ms: i64,
) -> Result<SignedJwt, KeyError> {
    for (value, field) in [
        (&claims.issuer, "The client ID"),
        (&claims.subject, "The user name"),
        (&claims.audience, "The login URL"),
    ] {
        if value.trim().is_empty() {
            return Err(KeyError::MissingClaim { field });
        }
    }
    if !(1..=MAX_LIFETIME_DAYS).contains(&claims.lifetime_days) {
        return Err(KeyError::Lifetime { days: claims.lifetime_days, max: MAX_LIFETIME_DAYS });
    }
    let key = read_private(key_pem, passphrase)?;
    let exp_seconds = now_ms.div_euclid(1000) + i64::from(claims.lifetime_days) * 86_400;
    let header = URL_SAFE_NO_PAD.encode(json!({ "alg": "RS256", "typ": "JWT" }).to_string());
    let payload = URL_SAFE_NO_PAD.encode(
        json!({
            "iss": claims.issuer.trim(),
            "sub": claims.subject.trim(),
            "aud": claims.audience.trim().trim_end_matches('/'),
            "exp": exp_seconds,
        })
        .to_string(),
    );
    let signing_input = format!("{header}.{payload}");
    let mut signer = Signer::new(MessageDigest::sha256(), &key)?;
    signer.update(signing_input.as_bytes())?;
    let signature = URL_SAFE_NO_PAD.encode(signer.sign_to_vec()?);
    Ok(SignedJwt {
        token: Secret::new(format!("{signing_input}.{signature}")),
        expires_at: exp_seconds * 1000,
    })
}

/// When a JWT expires, in milliseconds, read from its payload without checking the signature
/// (only the date is wanted, to remind before it).
pub fn read_expiry(token: &Secret) -> Result<i64, KeyError> {
    let mut parts = token.expose().trim().split('.');
    let (Some(_), Some(payload), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(KeyError::NotAJwt);
    };
    if payload.len() > 8_192 {
        return Err(KeyError::NotAJwt);
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).map_err(|_| KeyError::NotAJwt)?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| KeyError::NotAJwt)?;
    let exp = claims.get("exp").and_then(serde_json::Value::as_i64).ok_or(KeyError::NotAJwt)?;
    Ok(if exp > MILLISECOND_EXP { exp } else { exp.saturating_mul(1000) })
}

#[cfg(test)]
mod tests {
    use super::super::generate_pair;
    use super::*;
    use openssl::pkey::PKey;
    use openssl::sign::Verifier;

    fn claims() -> JwtClaims {
        JwtClaims {
            issuer: "3MVG9-consumer-key".into(),
            subject: "integration@acme.example".into(),
            audience: "https://login.salesforce.com/".into(),
            lifetime_days: 120,
        }
    }

    #[test]
    fn the_token_is_rs256_over_the_documented_claims() {
        let pair = generate_pair(None).expect("pair");
        let now = 1_796_342_400_000;
        let signed = sign_jwt(&pair.private_pem, None, &claims(), now).expect("signed");
        assert_eq!(signed.expires_at, now + 120 * 86_400_000);
        assert_eq!(read_expiry(&signed.token), Ok(signed.expires_at));
        let parts: Vec<&str> = signed.token.expose().split('.').collect();
        let payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
        assert_eq!(
            payload,
            json!({ "iss": "3MVG9-consumer-key", "sub": "integration@acme.example",
                    "aud": "https://login.salesforce.com", "exp": now / 1000 + 120 * 86_400 })
        );
        let public = PKey::public_key_from_pem(pair.public.pem.as_bytes()).expect("public");
        let mut verifier = Verifier::new(MessageDigest::sha256(), &public).expect("verifier");
        verifier.update(format!("{}.{}", parts[0], parts[1]).as_bytes()).expect("update");
        assert!(verifier.verify(&URL_SAFE_NO_PAD.decode(parts[2]).expect("sig")).expect("verify"));
        assert!(!format!("{signed:?}").contains(parts[2]), "Debug redacts the token");
    }

    #[test]
    fn missing_claims_and_odd_lifetimes_are_refused() {
        let pair = generate_pair(None).expect("pair");
        let blank = JwtClaims { subject: " ".into(), ..claims() };
        assert_eq!(
            sign_jwt(&pair.private_pem, None, &blank, 0).err(),
            Some(KeyError::MissingClaim { field: "The user name" })
        );
        let long = JwtClaims { lifetime_days: 400, ..claims() };
        assert!(matches!(sign_jwt(&pair.private_pem, None, &long, 0), Err(KeyError::Lifetime { .. })));
    }

    #[test]
    fn an_exp_in_milliseconds_is_read_as_such() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"exp":3660624000000}"#);
        assert_eq!(read_expiry(&Secret::new(format!("e30.{payload}.sig"))), Ok(3_660_624_000_000));
        assert_eq!(read_expiry(&Secret::new("not-a-jwt")), Err(KeyError::NotAJwt));
    }
}
