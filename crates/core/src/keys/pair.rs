//! RSA key pairs: made here, written as PKCS#8 PEM (encrypted with a passphrase when one is
//! given, PBES2 with PBKDF2-SHA256 and AES-256-CBC, which Snowflake's drivers read), and their
//! public half as Snowflake's `ALTER USER … SET RSA_PUBLIC_KEY` wants it (the base64 of the DER
//! SubjectPublicKeyInfo, without the PEM lines) with the `SHA256:` fingerprint Snowflake shows
//! in `DESC USER`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::hash::{hash, MessageDigest};
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::symm::Cipher;
use openssl::x509::{X509Builder, X509NameBuilder};

use super::KeyError;
use crate::Secret;

/// Snowflake and Salesforce both ask for at least 2048-bit RSA.
pub const MIN_RSA_BITS: u32 = 2048;

/// A pair just made: the private key (for the keychain and the spec's field only) and the
/// public half (to show).
#[derive(Debug)]
pub struct KeyPair {
    /// PKCS#8 PEM, encrypted when a passphrase was given.
    pub private_pem: Secret,
    pub public: PublicKey,
}

/// The public half of a key, in the forms people paste.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PublicKey {
    /// Base64 of the DER SubjectPublicKeyInfo, on one line.
    pub der_base64: String,
    /// `SHA256:` and the base64 of the SHA-256 of that DER, as Snowflake prints it.
    pub fingerprint: String,
    /// The PEM (`-----BEGIN PUBLIC KEY-----`).
    pub pem: String,
}

/// A new RSA key pair of [`MIN_RSA_BITS`] bits.
pub fn generate_pair(passphrase: Option<&Secret>) -> Result<KeyPair, KeyError> {
    let key = PKey::from_rsa(Rsa::generate(MIN_RSA_BITS)?)?;
    let public = public_of(&key)?;
    let pem = match passphrase.filter(|p| !p.is_empty()) {
        Some(pass) => {
            key.private_key_to_pem_pkcs8_passphrase(Cipher::aes_256_cbc(), pass.expose().as_bytes())?
        }
        None => key.private_key_to_pem_pkcs8()?,
    };
    let private_pem = Secret::new(String::from_utf8(pem).map_err(|_| KeyError::NotAKey)?);
    Ok(KeyPair { private_pem, public })
}

/// Reads a PEM private key (PKCS#8, encrypted or not, or PKCS#1), checking it is RSA and
/// long enough.
pub(super) fn read_private(pem: &Secret, passphrase: Option<&Secret>) -> Result<PKey<Private>, KeyError> {
    let text = pem.expose().trim();
    if !text.starts_with("-----BEGIN") || !text.contains("PRIVATE KEY-----") {
        return Err(KeyError::NotAKey);
    }
    let encrypted = text.contains("ENCRYPTED PRIVATE KEY");
    let key = match passphrase.filter(|p| !p.is_empty()) {
        Some(pass) if encrypted => {
            PKey::private_key_from_pem_passphrase(text.as_bytes(), pass.expose().as_bytes())
                .map_err(|_| KeyError::WrongPassphrase)?
        }
        None if encrypted => return Err(KeyError::NeedsPassphrase),
        _ => PKey::private_key_from_pem(text.as_bytes()).map_err(|_| KeyError::NotAKey)?,
    };
    let rsa = key.rsa().map_err(|_| KeyError::WeakKey)?;
    if rsa.size() * 8 < MIN_RSA_BITS {
        return Err(KeyError::WeakKey);
    }
    Ok(key)
}

/// A PEM private key the user has, as unencrypted PKCS#8 (for the keychain, which protects
/// it, so a renewal needs no passphrase).
pub fn unencrypted(pem: &Secret, passphrase: Option<&Secret>) -> Result<Secret, KeyError> {
    let key = read_private(pem, passphrase)?;
    let pem = key.private_key_to_pem_pkcs8()?;
    Ok(Secret::new(String::from_utf8(pem).map_err(|_| KeyError::NotAKey)?))
}

/// The public half of a PEM private key the user has.
pub fn public_half(pem: &Secret, passphrase: Option<&Secret>) -> Result<PublicKey, KeyError> {
    public_of(&read_private(pem, passphrase)?)
}

fn public_of(key: &PKey<Private>) -> Result<PublicKey, KeyError> {
    let der = key.public_key_to_der()?;
    let digest = hash(MessageDigest::sha256(), &der)?;
    let pem = String::from_utf8(key.public_key_to_pem()?).map_err(|_| KeyError::NotAKey)?;
    Ok(PublicKey {
        der_base64: STANDARD.encode(&der),
        fingerprint: format!("SHA256:{}", STANDARD.encode(digest)),
        pem,
    })
}

/// The statement a Snowflake administrator runs to give `username` the public key. A name
/// that is not a plain identifier is double-quoted (Snowflake then matches it exactly).
pub fn snowflake_statement(username: &str, public: &PublicKey) -> String {
    let name = username.trim();
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    let name = if plain { name.to_owned() } else { format!("\"{}\"", name.replace('"', "\"\"")) };
    format!("ALTER USER {name} SET RSA_PUBLIC_KEY='{}';", public.der_base64)
}

/// A self-signed X.509 certificate for the key, valid `days`: what a Salesforce connected app
/// with "Use Digital Signatures" takes, since it accepts a certificate, not a bare public key.
pub fn self_signed_certificate(
    pem: &Secret,
    passphrase: Option<&Secret>,
    common_name: &str,
    days: u32,
) -> Result<String, KeyError> {
    let key = read_private(pem, passphrase)?;
    let mut name = X509NameBuilder::new()?;
    let cn: String = common_name.chars().filter(|c| !c.is_control()).take(64).collect();
    name.append_entry_by_text("CN", if cn.trim().is_empty() { "Flow Connect" } else { cn.trim() })?;
    let name = name.build();
    let mut serial = BigNum::new()?;
    serial.rand(127, MsbOption::MAYBE_ZERO, false)?;
    let mut builder = X509Builder::new()?;
    builder.set_version(2)?;
    let serial = serial.to_asn1_integer()?;
    builder.set_serial_number(&serial)?;
    builder.set_subject_name(&name)?;
    builder.set_issuer_name(&name)?;
    builder.set_pubkey(&key)?;
    let (from, until) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(days)?);
    builder.set_not_before(&from)?;
    builder.set_not_after(&until)?;
    builder.sign(&key, MessageDigest::sha256())?;
    String::from_utf8(builder.build().to_pem()?).map_err(|_| KeyError::NotAKey)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a PEM block's first line says it holds.
    fn pem_label(pem: &str) -> &str {
        pem.lines()
            .next()
            .and_then(|l| l.strip_prefix("-----BEGIN "))
            .and_then(|l| l.strip_suffix("-----"))
            .unwrap_or("")
    }

    #[test]
    fn a_pair_is_made_read_back_and_described_for_snowflake() {
        let pair = generate_pair(None).expect("pair");
        assert_eq!(pem_label(pair.private_pem.expose()), "PRIVATE KEY");
        assert_eq!(public_half(&pair.private_pem, None).expect("public"), pair.public);
        assert!(pair.public.fingerprint.starts_with("SHA256:"));
        let der = STANDARD.decode(&pair.public.der_base64).expect("base64");
        assert!(der.len() > 256, "a 2048-bit key's SPKI");
        let statement = snowflake_statement("JSMITH", &pair.public);
        assert_eq!(statement, format!("ALTER USER JSMITH SET RSA_PUBLIC_KEY='{}';", pair.public.der_base64));
        assert!(snowflake_statement("data.loader@acme", &pair.public)
            .starts_with("ALTER USER \"data.loader@acme\" SET"));
        assert!(snowflake_statement("we\"ird", &pair.public).starts_with("ALTER USER \"we\"\"ird\" SET"));
        assert!(!format!("{pair:?}").contains("PRIVATE KEY"), "Debug redacts the key");
    }

    #[test]
    fn an_encrypted_key_needs_its_passphrase() {
        let pass = Secret::new("correct horse");
        let pair = generate_pair(Some(&pass)).expect("pair");
        assert_eq!(pem_label(pair.private_pem.expose()), "ENCRYPTED PRIVATE KEY");
        assert_eq!(public_half(&pair.private_pem, None), Err(KeyError::NeedsPassphrase));
        assert_eq!(
            public_half(&pair.private_pem, Some(&Secret::new("wrong"))),
            Err(KeyError::WrongPassphrase)
        );
        assert_eq!(public_half(&pair.private_pem, Some(&pass)).expect("opens"), pair.public);
    }

    #[test]
    fn what_is_not_a_strong_rsa_key_is_refused() {
        assert_eq!(public_half(&Secret::new("hello"), None), Err(KeyError::NotAKey));
        let short = PKey::from_rsa(Rsa::generate(1024).expect("rsa")).expect("pkey");
        let pem = String::from_utf8(short.private_key_to_pem_pkcs8().expect("pem")).expect("utf8");
        assert_eq!(public_half(&Secret::new(pem), None), Err(KeyError::WeakKey));
        let ec = openssl::ec::EcKey::generate(
            &openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1).expect("group"),
        )
        .expect("ec");
        let pem =
            String::from_utf8(PKey::from_ec_key(ec).expect("pkey").private_key_to_pem_pkcs8().expect("pem"))
                .expect("utf8");
        assert_eq!(public_half(&Secret::new(pem), None), Err(KeyError::WeakKey));
    }

    #[test]
    fn the_certificate_carries_the_key() {
        let pair = generate_pair(None).expect("pair");
        let pem = self_signed_certificate(&pair.private_pem, None, "Flow Connect JWT", 365).expect("cert");
        let cert = openssl::x509::X509::from_pem(pem.as_bytes()).expect("parses");
        let der = cert.public_key().expect("key").public_key_to_der().expect("der");
        assert_eq!(STANDARD.encode(der), pair.public.der_base64);
    }
}
