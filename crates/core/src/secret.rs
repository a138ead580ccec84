//! A value that must never leave memory except towards the keychain or the service it is
//! meant for: client secrets, tokens, passwords, connection strings.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// A secret string.
///
/// `Debug` and `Display` print `[redacted]`, and the type deliberately has no `Serialize`, so a
/// secret cannot end up in a log line, an error message, the store file or an IPC reply by
/// accident. The value is reached only through [`Secret::expose`], which makes every place that
/// sends a secret somewhere easy to find.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The plain value. Only for putting it where it belongs: a request to the service that
    /// asked for it, or the keychain.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

// Secrets arrive from the UI; they are never sent back to it.
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert_eq!(secret.to_string(), "[redacted]");
        assert!(!format!("{:?}", Some(&secret)).contains("hunter2"));
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn deserialises_from_a_plain_string() {
        let secret: Secret = serde_json::from_str("\"s3cr3t\"").expect("a JSON string");
        assert_eq!(secret.expose(), "s3cr3t");
    }
}
