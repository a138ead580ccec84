//! Checks one typed value against its param, with a reason a person can act on. The messages
//! never repeat the value: it may be a secret.

use std::net::IpAddr;

use url::Url;

use super::model::{ParamKind, PartKind};

/// Why `value` does not fit `kind`, or `None` when it does. Empty values are the caller's
/// concern (they are fine unless the param is required).
pub fn check_kind(kind: &ParamKind, value: &str) -> Option<String> {
    match kind {
        ParamKind::Url => check_url(value),
        ParamKind::Host => check_host(value),
        ParamKind::Port => check_port(value),
        ParamKind::FileBase64 { .. } => check_json_key(value),
        ParamKind::Text | ParamKind::MultiLine | ParamKind::Date | ParamKind::ConnectionString { .. } => None,
    }
}

pub fn check_part(kind: PartKind, value: &str) -> Option<String> {
    match kind {
        PartKind::Host => check_host(value),
        PartKind::Port => check_port(value),
        PartKind::Text => None,
    }
}

fn check_url(value: &str) -> Option<String> {
    let Ok(url) = Url::parse(value.trim()) else {
        return Some(
            "Enter a full address that starts with https://, such as https://api.example.com.".into(),
        );
    };
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none_or(str::is_empty) {
        return Some("Enter an address that starts with https:// and names a host.".into());
    }
    None
}

fn check_host(value: &str) -> Option<String> {
    let value = value.trim();
    if value.contains("://") {
        return Some("Enter only the host name, without http:// or https://.".into());
    }
    if value.parse::<IpAddr>().is_ok() {
        return None;
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    };
    if value.len() > 253 || !value.trim_end_matches('.').split('.').all(label_ok) {
        return Some(
            "Enter a host name such as db.example.com or an IP address, without a port or path.".into(),
        );
    }
    None
}

fn check_port(value: &str) -> Option<String> {
    match value.trim().parse::<u32>() {
        Ok(1..=65535) => None,
        _ => Some("Enter a port number from 1 to 65535.".into()),
    }
}

fn check_json_key(value: &str) -> Option<String> {
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(serde_json::Value::Object(_)) => None,
        _ => Some(
            "Choose the service account's JSON key file, as downloaded from the Google Cloud console.".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(check_kind(&ParamKind::Url, "https://acme.service-now.com"), None);
        assert_eq!(check_kind(&ParamKind::Url, "http://acme.service-now.com"), None);
        assert!(check_kind(&ParamKind::Url, "acme.service-now.com").is_some());
        assert!(check_kind(&ParamKind::Url, "ftp://acme.example").is_some());
    }

    #[test]
    fn hosts() {
        for ok in ["db.example.com", "localhost", "10.0.0.5", "::1", "ORA-01.corp"] {
            assert_eq!(check_kind(&ParamKind::Host, ok), None, "{ok}");
        }
        for bad in ["https://db.example.com", "db.example.com:1521", "db example", "-db.example", ""] {
            assert!(check_kind(&ParamKind::Host, bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn ports() {
        assert_eq!(check_part(PartKind::Port, "1521"), None);
        for bad in ["0", "65536", "-1", "15a", ""] {
            assert!(check_part(PartKind::Port, bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn key_files_must_be_json_objects() {
        let kind = ParamKind::FileBase64 { accept: ".json".into() };
        assert_eq!(check_kind(&kind, r#"{"type":"service_account"}"#), None);
        let message = check_kind(&kind, "PRIVATE key material, not JSON").expect("refused");
        assert!(!message.contains("PRIVATE"));
    }
}
