//! Files that hold a secret, read from disk for a form: a service account's JSON key, a Google
//! OAuth client JSON. The window names the file (the OS dialog's pick or a dropped path) and
//! the content is read here, so the private key or the client secret never passes through the
//! page's JavaScript; the caller keeps it in the keychain at once.

use std::io::Read;
use std::path::Path;

use crate::catalog::ParamKind;
use crate::oauth::google::{import_client_json, ClientJsonError, ImportedClient};
use crate::secret::Secret;

/// The most read of a key file: Google's service account keys are about 2.3 KiB, client JSON
/// files under 1 KiB. A larger file is the wrong one.
pub const MAX_KEY_FILE: u64 = 64 * 1024;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    #[error("Flow Connect cannot read “{name}” ({reason}). Check that the file is there and readable, then choose it again.")]
    Unreadable { name: String, reason: String },
    #[error("“{name}” is not a file. Choose the key file itself.")]
    NotAFile { name: String },
    #[error("“{name}” is larger than {} KiB, so it is not a key file. Choose the key file the Google Cloud console downloaded.", MAX_KEY_FILE / 1024)]
    TooLarge { name: String },
    #[error("“{name}” is not text. Choose the key file the Google Cloud console downloaded.")]
    NotText { name: String },
    #[error("“{name}” is not a service account's JSON key. Choose the key file, as downloaded from the Google Cloud console (IAM → Service accounts → Keys).")]
    NotAKey { name: String },
    #[error("{0}")]
    Client(#[from] ClientJsonError),
}

/// The file's name as the user knows it, for messages: never its content.
pub fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Reads a file picked for a `FileBase64` param: text, at most [`MAX_KEY_FILE`] bytes, and
/// for a JSON key (`accept` naming JSON) a JSON object with a private key. The value is what
/// the form would hold; the request body Base64-encodes it.
pub fn read_key_file(path: &Path, kind: &ParamKind) -> Result<Secret, KeyFileError> {
    let name = display_name(path);
    let text = read_text(path)?;
    if let ParamKind::FileBase64 { accept } = kind {
        if accept.contains("json") && !is_json_key(text.expose()) {
            return Err(KeyFileError::NotAKey { name });
        }
    }
    Ok(text)
}

/// Reads a Google OAuth client JSON: the client ID, the secret and the redirect setting.
pub fn read_client_json(path: &Path) -> Result<ImportedClient, KeyFileError> {
    let text = read_text(path)?;
    Ok(import_client_json(text.expose())?)
}

/// A service account key is a JSON object with its private key in it.
fn is_json_key(text: &str) -> bool {
    matches!(
        serde_json::from_str::<serde_json::Value>(text),
        Ok(serde_json::Value::Object(map)) if map.get("private_key").is_some_and(serde_json::Value::is_string)
    )
}

/// A regular file's text: a FIFO or a device would block or never end.
fn read_text(path: &Path) -> Result<Secret, KeyFileError> {
    let name = display_name(path);
    let unreadable =
        |e: std::io::Error| KeyFileError::Unreadable { name: name.clone(), reason: e.kind().to_string() };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(KeyFileError::NotAFile { name });
    }
    if meta.len() > MAX_KEY_FILE {
        return Err(KeyFileError::TooLarge { name });
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_KEY_FILE + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    // Grown since the check: still the wrong file.
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(KeyFileError::TooLarge { name });
    }
    String::from_utf8(bytes).map(Secret::new).map_err(|_| KeyFileError::NotText { name })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder of this test's own, emptied first.
    fn folder(test: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("flow-connect-key-files-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn json_kind() -> ParamKind {
        ParamKind::FileBase64 { accept: ".json,application/json".into() }
    }

    #[test]
    fn reads_a_service_account_key_and_refuses_other_files_without_quoting_them() {
        let dir = folder("keys");
        let key = dir.join("sa.json");
        std::fs::write(&key, r#"{"type":"service_account","private_key":"-----BEGIN k-----"}"#).unwrap();
        assert!(read_key_file(&key, &json_kind()).unwrap().expose().contains("BEGIN k"));

        let client = dir.join("client.json");
        std::fs::write(&client, r#"{"installed":{"client_secret":"GOCSPX-not-a-key"}}"#).unwrap();
        let err = read_key_file(&client, &json_kind()).unwrap_err();
        assert!(matches!(err, KeyFileError::NotAKey { .. }));
        assert!(!err.to_string().contains("GOCSPX"), "{err}");

        let big = dir.join("big.json");
        std::fs::write(&big, vec![b' '; MAX_KEY_FILE as usize + 1]).unwrap();
        assert!(matches!(read_key_file(&big, &json_kind()), Err(KeyFileError::TooLarge { .. })));

        assert!(matches!(read_key_file(&dir, &json_kind()), Err(KeyFileError::NotAFile { .. })));
        let gone = read_key_file(&dir.join("gone.json"), &json_kind()).unwrap_err();
        assert!(gone.to_string().contains("gone.json"), "{gone}");

        let binary = dir.join("key.p12");
        std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
        let any = ParamKind::FileBase64 { accept: String::new() };
        assert!(matches!(read_key_file(&binary, &any), Err(KeyFileError::NotText { .. })));
    }

    #[test]
    fn reads_a_client_json_file() {
        let dir = folder("client");
        let file = dir.join("client_secret.json");
        std::fs::write(
            &file,
            r#"{"installed":{"client_id":"1.apps.googleusercontent.com","client_secret":"GOCSPX-x","redirect_uris":["http://localhost"]}}"#,
        )
        .unwrap();
        let client = read_client_json(&file).unwrap();
        assert_eq!(client.client_id, "1.apps.googleusercontent.com");
        assert_eq!(client.client_secret.expose(), "GOCSPX-x");
    }
}
