//! Keys as the fakes read them from what tests and the app send: PEM files (a certificate, a
//! public key, a PKCS#8 private key) and Snowflake's two forms, the `privateKey` a key-pair
//! connection holds (Base64 of the PKCS#8 PEM file) and the value `ALTER USER … SET
//! RSA_PUBLIC_KEY='…'` takes (Base64 of the DER SubjectPublicKeyInfo, the PEM file's lines
//! without their delimiters). Tests make the same forms from a key with the functions at the end.
//!
//! PEM is unwrapped here and only DER reaches OpenSSL: its PEM reader asks for an encrypted
//! block's passphrase on the terminal, which would stall a test run. Errors say what is wrong
//! with a value and never echo it.

use std::fmt;

use base64::Engine as _;
use openssl::asn1::Asn1Time;
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::pkey::{HasPublic, Id, PKey, PKeyRef, Private, Public};
use openssl::rsa::Rsa;
use openssl::symm::Cipher;
use openssl::x509::{X509Builder, X509NameBuilder, X509};

/// The smallest RSA key Snowflake's key-pair authentication takes.
pub const MIN_RSA_BITS: u32 = 2048;

/// What is wrong with a key a fake was given.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The value is not Base64.
    NotBase64,
    /// A PEM file where its Base64 (or, for a public key, its lines without delimiters) belongs.
    PemGiven,
    /// No `-----BEGIN …-----` … `-----END …-----` block.
    NotPem,
    /// A PEM block of another kind than the ones taken here.
    UnexpectedPem {
        label: String,
        wanted: &'static str,
    },
    /// A PKCS#1 `RSA PRIVATE KEY` where PKCS#8 is needed.
    Pkcs1PrivateKey,
    /// The block's content is not the structure its label names.
    Unreadable {
        label: String,
    },
    /// An encrypted PKCS#8 key came without a passphrase.
    PassphraseMissing,
    /// The passphrase does not decrypt the key.
    PassphraseWrong,
    NotRsa {
        algorithm: &'static str,
    },
    TooShort {
        bits: u32,
    },
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotBase64 => f.write_str("the value is not Base64"),
            Self::PemGiven => f.write_str(
                "the value is a PEM file itself; give its Base64 (a public key: its lines without \
                     the BEGIN and END delimiters)",
            ),
            Self::NotPem => {
                f.write_str("the value does not hold a PEM block (-----BEGIN …----- … -----END …-----)")
            }
            Self::UnexpectedPem { label, wanted } => write!(f, "the PEM block is a {label}, not {wanted}"),
            Self::Pkcs1PrivateKey => f.write_str(
                "the key is PKCS#1 (BEGIN RSA PRIVATE KEY); convert it to PKCS#8 (BEGIN PRIVATE KEY \
                 or BEGIN ENCRYPTED PRIVATE KEY)",
            ),
            Self::Unreadable { label } => write!(f, "the {label} block's content cannot be read as one"),
            Self::PassphraseMissing => {
                f.write_str("the key is encrypted (BEGIN ENCRYPTED PRIVATE KEY) and no passphrase was given")
            }
            Self::PassphraseWrong => f.write_str("the passphrase does not decrypt the key"),
            Self::NotRsa { algorithm } => write!(f, "the key is {algorithm}, not RSA"),
            Self::TooShort { bits } => {
                write!(f, "the key is a {bits}-bit RSA key; at least {MIN_RSA_BITS} bits are needed")
            }
        }
    }
}

impl std::error::Error for KeyError {}

/// Base64 with or without padding, line breaks and spaces ignored (`base64` wraps at 76).
fn base64_lenient(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let engines =
        [base64::engine::general_purpose::STANDARD, base64::engine::general_purpose::STANDARD_NO_PAD];
    engines.iter().find_map(|engine| engine.decode(&compact).ok()).filter(|bytes| !bytes.is_empty())
}

/// The label and body of the first PEM block in `text`.
fn pem_block(text: &str) -> Result<(&str, &str), KeyError> {
    let (_, rest) = text.split_once("-----BEGIN ").ok_or(KeyError::NotPem)?;
    let (label, rest) = rest.split_once("-----").ok_or(KeyError::NotPem)?;
    let (body, _) = rest.split_once(&format!("-----END {label}-----")).ok_or(KeyError::NotPem)?;
    Ok((label, body))
}

/// A PEM body's DER. RFC 1421 headers (`Proc-Type`, `DEK-Info`: a key encrypted the old way)
/// make it unreadable here.
fn pem_der(label: &str, body: &str) -> Result<Vec<u8>, KeyError> {
    let unreadable = || KeyError::Unreadable { label: label.to_owned() };
    if body.contains(':') {
        return Err(unreadable());
    }
    base64_lenient(body).ok_or_else(unreadable)
}

fn algorithm(id: Id) -> &'static str {
    match id {
        Id::RSA => "RSA",
        Id::RSA_PSS => "RSA-PSS",
        Id::EC => "EC",
        Id::DSA => "DSA",
        Id::ED25519 => "Ed25519",
        Id::ED448 => "Ed448",
        _ => "not RSA",
    }
}

fn rsa_only<T: HasPublic>(key: PKey<T>) -> Result<PKey<T>, KeyError> {
    match key.id() {
        Id::RSA => Ok(key),
        other => Err(KeyError::NotRsa { algorithm: algorithm(other) }),
    }
}

/// The RSA public key of a PEM certificate (what a Salesforce connected app's "Use Digital
/// Signatures" takes), SubjectPublicKeyInfo (`PUBLIC KEY`) or PKCS#1 `RSA PUBLIC KEY`.
pub fn public_key_from_pem(text: &str) -> Result<PKey<Public>, KeyError> {
    let (label, body) = pem_block(text)?;
    let der = pem_der(label, body)?;
    let unreadable = |_: ErrorStack| KeyError::Unreadable { label: label.to_owned() };
    let key = match label {
        "CERTIFICATE" => X509::from_der(&der).and_then(|c| c.public_key()).map_err(unreadable)?,
        "PUBLIC KEY" => PKey::public_key_from_der(&der).map_err(unreadable)?,
        "RSA PUBLIC KEY" => {
            Rsa::public_key_from_der_pkcs1(&der).and_then(PKey::from_rsa).map_err(unreadable)?
        }
        other => {
            return Err(KeyError::UnexpectedPem {
                label: other.to_owned(),
                wanted: "a CERTIFICATE or a PUBLIC KEY",
            })
        }
    };
    rsa_only(key)
}

/// The RSA public key of Snowflake's `RSA_PUBLIC_KEY` value: Base64 of the DER
/// SubjectPublicKeyInfo, with or without the PEM file's line breaks.
pub fn public_key_from_snowflake(value: &str) -> Result<PKey<Public>, KeyError> {
    if value.trim_start().starts_with("-----BEGIN") {
        return Err(KeyError::PemGiven);
    }
    let der = base64_lenient(value).ok_or(KeyError::NotBase64)?;
    let key = PKey::public_key_from_der(&der)
        .map_err(|_| KeyError::Unreadable { label: "PUBLIC KEY".to_owned() })?;
    rsa_only(key)
}

/// The RSA key of a Snowflake key-pair connection's `privateKey` (Base64 of a PKCS#8 PEM file,
/// encrypted with `passphrase` when it is `ENCRYPTED PRIVATE KEY`) of at least
/// [`MIN_RSA_BITS`]. A passphrase given for a key that is not encrypted is not needed and is
/// ignored.
pub fn private_key_from_snowflake(value: &str, passphrase: Option<&str>) -> Result<PKey<Private>, KeyError> {
    if value.trim_start().starts_with("-----BEGIN") {
        return Err(KeyError::PemGiven);
    }
    let bytes = base64_lenient(value).ok_or(KeyError::NotBase64)?;
    let text = String::from_utf8(bytes).map_err(|_| KeyError::NotPem)?;
    let (label, body) = pem_block(&text)?;
    let key = match label {
        "PRIVATE KEY" => {
            let der = pem_der(label, body)?;
            PKey::private_key_from_pkcs8(&der)
                .map_err(|_| KeyError::Unreadable { label: label.to_owned() })?
        }
        "ENCRYPTED PRIVATE KEY" => {
            let passphrase = passphrase.filter(|p| !p.is_empty()).ok_or(KeyError::PassphraseMissing)?;
            let der = pem_der(label, body)?;
            decrypt(&der, passphrase.as_bytes())?
        }
        "RSA PRIVATE KEY" => return Err(KeyError::Pkcs1PrivateKey),
        other => {
            return Err(KeyError::UnexpectedPem {
                label: other.to_owned(),
                wanted: "a PKCS#8 PRIVATE KEY or ENCRYPTED PRIVATE KEY",
            })
        }
    };
    let key = rsa_only(key)?;
    match key.bits() {
        bits if bits < MIN_RSA_BITS => Err(KeyError::TooShort { bits }),
        _ => Ok(key),
    }
}

/// An encrypted PKCS#8 key, decrypted. The passphrase goes through a callback, which takes
/// any bytes (the crate's passphrase variant panics on a NUL).
fn decrypt(der: &[u8], passphrase: &[u8]) -> Result<PKey<Private>, KeyError> {
    PKey::private_key_from_pkcs8_callback(der, |buffer| match buffer.get_mut(..passphrase.len()) {
        Some(room) => {
            room.copy_from_slice(passphrase);
            Ok(passphrase.len())
        }
        None => Err(ErrorStack::get()),
    })
    .map_err(|_| KeyError::PassphraseWrong)
}

/// For tests: `key` as a Snowflake connection's `privateKey`, encrypted (AES-256-CBC, as
/// `openssl pkcs8 -v2 aes256` makes it) when a passphrase is given.
pub fn snowflake_private_key(key: &PKeyRef<Private>, passphrase: Option<&str>) -> Result<String, ErrorStack> {
    let pem = match passphrase {
        Some(passphrase) => {
            key.private_key_to_pem_pkcs8_passphrase(Cipher::aes_256_cbc(), passphrase.as_bytes())?
        }
        None => key.private_key_to_pem_pkcs8()?,
    };
    Ok(base64::engine::general_purpose::STANDARD.encode(pem))
}

/// For tests: the public half of `key` as `ALTER USER … SET RSA_PUBLIC_KEY='…'` takes it.
pub fn snowflake_public_key<T: HasPublic>(key: &PKeyRef<T>) -> Result<String, ErrorStack> {
    Ok(base64::engine::general_purpose::STANDARD.encode(key.public_key_to_der()?))
}

/// For tests: a self-signed certificate of `key` (SHA-256, a year long) as the PEM file a
/// Salesforce connected app's "Use Digital Signatures" uploads, as `openssl req -x509` makes.
pub fn self_signed_certificate(key: &PKeyRef<Private>, common_name: &str) -> Result<String, ErrorStack> {
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_text("CN", common_name)?;
    let name = name.build();
    let mut builder = X509Builder::new()?;
    builder.set_version(2)?;
    builder.set_subject_name(&name)?;
    builder.set_issuer_name(&name)?;
    builder.set_pubkey(key)?;
    let (not_before, not_after) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(365)?);
    builder.set_not_before(&not_before)?;
    builder.set_not_after(&not_after)?;
    builder.sign(key, MessageDigest::sha256())?;
    let pem = builder.build().to_pem()?;
    Ok(String::from_utf8_lossy(&pem).into_owned())
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::nid::Nid;
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;

    use super::*;

    fn rsa(bits: u32) -> PKey<Private> {
        PKey::from_rsa(Rsa::generate(bits).expect("an RSA key")).expect("a key")
    }

    fn encoded(text: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    #[test]
    fn a_snowflake_private_key_is_read_plain_or_encrypted_and_its_public_half_matches() {
        let key = rsa(2048);
        let public = public_key_from_snowflake(&snowflake_public_key(&key).expect("public")).expect("read");
        let plain = snowflake_private_key(&key, None).expect("plain");
        let read = private_key_from_snowflake(&plain, None).expect("a plain key");
        assert!(read.public_eq(&public));
        assert!(private_key_from_snowflake(&plain, Some("not needed")).is_ok(), "an extra passphrase");
        // `base64` wraps its output at 76 characters; the lines are one value.
        let wrapped: String =
            plain.as_bytes().chunks(76).map(|c| format!("{}\n", String::from_utf8_lossy(c))).collect();
        assert!(private_key_from_snowflake(&wrapped, None).is_ok());

        let encrypted = snowflake_private_key(&key, Some("correct horse")).expect("encrypted");
        let read = private_key_from_snowflake(&encrypted, Some("correct horse")).expect("decrypted");
        assert!(read.public_eq(&public));
        assert_eq!(private_key_from_snowflake(&encrypted, None).err(), Some(KeyError::PassphraseMissing));
        assert_eq!(private_key_from_snowflake(&encrypted, Some("")).err(), Some(KeyError::PassphraseMissing));
        assert_eq!(
            private_key_from_snowflake(&encrypted, Some("wrong horse")).err(),
            Some(KeyError::PassphraseWrong)
        );
        assert_eq!(
            private_key_from_snowflake(&encrypted, Some("nul\0inside")).err(),
            Some(KeyError::PassphraseWrong)
        );
    }

    #[test]
    fn a_snowflake_private_key_of_another_form_says_what_is_wrong_without_echoing_it() {
        let key = rsa(2048);
        let pkcs8 = key.private_key_to_pem_pkcs8().expect("pem");
        let pkcs1 = key.rsa().expect("rsa").private_key_to_pem().expect("pkcs1");
        let short = snowflake_private_key(&rsa(1024), None).expect("short");
        let ec =
            EcKey::generate(&EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("curve")).expect("ec");
        let ec = snowflake_private_key(&PKey::from_ec_key(ec).expect("key"), None).expect("ec");
        let cases = [
            ("not base64 at all!".to_owned(), KeyError::NotBase64),
            (String::from_utf8(pkcs8).expect("text"), KeyError::PemGiven),
            (encoded(b"just some text"), KeyError::NotPem),
            (encoded(&pkcs1), KeyError::Pkcs1PrivateKey),
            (short, KeyError::TooShort { bits: 1024 }),
            (ec, KeyError::NotRsa { algorithm: "EC" }),
            (
                // A block whose body is no key (the label composed, so no scanner takes it for one).
                encoded(format!("-----BEGIN {0}-----\nAAAA\n-----END {0}-----\n", "PRIVATE KEY").as_bytes()),
                KeyError::Unreadable { label: "PRIVATE KEY".into() },
            ),
        ];
        for (value, expected) in cases {
            let error = private_key_from_snowflake(&value, None).expect_err("refused");
            assert_eq!(error, expected);
            assert!(!error.to_string().contains(value.trim()), "{error}");
        }
        let certificate = self_signed_certificate(&key, "flow-connect").expect("cert");
        let refused = private_key_from_snowflake(&encoded(certificate.as_bytes()), None).expect_err("a cert");
        assert!(matches!(refused, KeyError::UnexpectedPem { ref label, .. } if label == "CERTIFICATE"));
    }

    #[test]
    fn a_certificate_or_a_public_key_gives_the_public_key_a_signature_is_checked_with() {
        let key = rsa(2048);
        let certificate = self_signed_certificate(&key, "flow-connect").expect("cert");
        assert!(public_key_from_pem(&certificate).expect("a certificate").public_eq(&key));
        let spki = String::from_utf8(key.public_key_to_pem().expect("pem")).expect("text");
        assert!(public_key_from_pem(&spki).expect("a public key").public_eq(&key));
        let pkcs1 = key.rsa().expect("rsa").public_key_to_pem_pkcs1().expect("pkcs1");
        assert!(public_key_from_pem(std::str::from_utf8(&pkcs1).expect("text"))
            .expect("pkcs1")
            .public_eq(&key));
        assert_eq!(public_key_from_pem("no pem here").err(), Some(KeyError::NotPem));
        let private = String::from_utf8(key.private_key_to_pem_pkcs8().expect("pem")).expect("text");
        assert!(matches!(public_key_from_pem(&private), Err(KeyError::UnexpectedPem { .. })));
        assert_eq!(public_key_from_snowflake(&spki).err(), Some(KeyError::PemGiven));
        let body: String = spki.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>().join("\n");
        assert!(public_key_from_snowflake(&body).expect("the lines without delimiters").public_eq(&key));
    }
}
