//! Checks one typed value against its param, with a reason a person can act on. The messages
//! never repeat the value: it may be a secret.

use std::net::IpAddr;

use url::Url;

use super::model::{Param, ParamKind, PartKind};

/// Why `value` does not fit `kind`, or `None` when it does. Empty values are the caller's
/// concern (they are fine unless the param is required).
pub fn check_kind(kind: &ParamKind, value: &str) -> Option<String> {
    match kind {
        ParamKind::Url => check_url(value),
        ParamKind::Host => check_host(value),
        ParamKind::Port => check_port(value),
        ParamKind::FileBase64 { accept } if accept.contains("json") => check_json_key(value),
        ParamKind::Date => check_date(value),
        ParamKind::Email => check_email(value),
        ParamKind::Integer => {
            value.trim().parse::<i64>().err().map(|_| "Enter a whole number, such as 30.".into())
        }
        ParamKind::Number => match value.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => None,
            _ => Some("Enter a number, such as 2.5.".into()),
        },
        ParamKind::Boolean => {
            (!matches!(value, "true" | "false")).then(|| "Tick the box or leave it clear.".into())
        }
        ParamKind::Choice { options, .. } => {
            (!options.iter().any(|o| o == value)).then(|| format!("Pick one of: {}.", options.join(", ")))
        }
        ParamKind::Json { .. } => serde_json::from_str::<serde_json::Value>(value).err().map(|e| {
            format!("This is not valid JSON ({}, line {} column {}).", category(&e), e.line(), e.column())
        }),
        ParamKind::Text
        | ParamKind::MultiLine
        | ParamKind::FileBase64 { .. }
        | ParamKind::ConnectionString { .. }
        | ParamKind::List
        | ParamKind::Group { .. }
        | ParamKind::Variants { .. } => None,
    }
}

/// The schema's own limits: `pattern` and lengths on text (each item of a list), `minimum`
/// and `maximum` on numbers.
pub fn check_rules(param: &Param, value: &str) -> Option<String> {
    let rules = &param.rules;
    if matches!(param.kind, ParamKind::Integer | ParamKind::Number) {
        let number = value.trim().parse::<f64>().ok()?;
        return match (rules.minimum, rules.maximum) {
            (Some(min), Some(max)) if number < min || number > max => {
                Some(format!("Enter a number from {min} to {max}."))
            }
            (Some(min), _) if number < min => Some(format!("Enter {min} or more.")),
            (_, Some(max)) if number > max => Some(format!("Enter {max} or less.")),
            _ => None,
        };
    }
    let items: Vec<&str> = if param.kind == ParamKind::List {
        value.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
    } else {
        vec![value]
    };
    items.into_iter().find_map(|item| check_text_rules(param, item))
}

fn check_text_rules(param: &Param, value: &str) -> Option<String> {
    let rules = &param.rules;
    let length = value.chars().count();
    if let Some(min) = rules.min_length.filter(|min| length < *min as usize) {
        return Some(format!("Enter at least {min} characters."));
    }
    if let Some(max) = rules.max_length.filter(|max| length > *max as usize) {
        return Some(format!("Enter at most {max} characters."));
    }
    let pattern = rules.pattern.as_deref()?;
    // Schemas write ECMA-262 patterns; the few regex-lite cannot read (look-around,
    // back-references, Unicode classes) are left to the service to check rather than refusing
    // every value.
    let regex = regex_lite::Regex::new(pattern).ok()?;
    if regex.is_match(value) {
        return None;
    }
    // The pattern is shown, never the value: it may be a secret.
    Some(match param.placeholder.as_str() {
        "" => format!("This does not have the expected form (the pattern {pattern})."),
        example => format!("This does not have the expected form, such as {example}."),
    })
}

fn category(error: &serde_json::Error) -> &'static str {
    match error.classify() {
        serde_json::error::Category::Eof => "it ends too early",
        _ => "a syntax error",
    }
}

/// `YYYY-MM-DD`, as a date input gives it and the schema's `date` format means.
fn check_date(value: &str) -> Option<String> {
    let parts: Vec<&str> = value.trim().split('-').collect();
    let ok = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
            let num = |s: &str| s.parse::<u32>().ok();
            matches!((num(y), num(m), num(d)), (Some(_), Some(1..=12), Some(1..=31)))
        }
        _ => false,
    };
    (!ok).then(|| "Enter a date as YYYY-MM-DD, such as 2026-12-31.".into())
}

/// An address a schema's `format: email` accepts too (Adobe checks it so): a dot-atom before the
/// `@`, and a host name of at least two labels after it.
fn check_email(value: &str) -> Option<String> {
    let value = value.trim();
    let label = |l: &str| {
        !l.is_empty()
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let ok = value.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty()
            && !user.starts_with('.')
            && !user.ends_with('.')
            && !user.contains("..")
            && domain.contains('.')
            && domain.split('.').all(label)
    }) && !value.contains(char::is_whitespace);
    (!ok).then(|| "Enter an email address such as ops@example.com.".into())
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
