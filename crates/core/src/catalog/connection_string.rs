//! ADO.NET-style connection strings (`Key=Value;Key=Value`), quoted by the rules of .NET's
//! `DbConnectionStringBuilder`, so that whatever a user types survives the trip: a password
//! with `;`, quotes or leading spaces parses back to exactly what was typed.
//!
//! Quoting follows `DbConnectionStringBuilder` exactly: a value is written as is only when it
//! holds no quote, `=`, `;`, whitespace or control character. Otherwise it is enclosed in single
//! quotes when it contains a double quote but no single quote, and in double quotes in every
//! other case, with any double quote inside doubled. So a value that contains `;`, or begins or
//! ends with a space or a quote, is always quoted, and parsing gives back exactly what was typed.

use std::collections::BTreeMap;

use crate::catalog::ConnectionStringPart;

/// What is wrong with a connection string. A message names a part by its position, never by
/// its text: what follows a secret key may be the rest of a password that holds an unquoted
/// `;` (`Password=aGVs;bG8=`), so even a "key" read there can be a fragment of the secret.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionStringError {
    #[error("Part {position} of the connection string has no “=”: write each part as Key=Value, separated by “;”. {hint}", hint = QUOTE_HINT)]
    MissingEquals { position: usize },
    #[error("Part {position} of the connection string starts with “=” and has no key: write each part as Key=Value. {hint}", hint = QUOTE_HINT)]
    EmptyKey { position: usize },
    #[error("The value of part {position} of the connection string opens a quote that is never closed: close it, or remove the quote.")]
    UnclosedQuote { position: usize },
    #[error("The quoted value of part {position} of the connection string is followed by other text: put a “;” after the closing quote.")]
    TextAfterQuote { position: usize },
    #[error("Part {position} of the connection string repeats an earlier key: keep one of them. {hint}", hint = QUOTE_HINT)]
    DuplicateKey { position: usize },
    #[error("Part {position} of the connection string is not a key Flow Connect knows here; use {known}. {hint}", hint = QUOTE_HINT)]
    UnknownKey { position: usize, known: String },
    #[error("The connection string has no {key}= part: add it.")]
    MissingKey { key: String },
}

/// How to write a secret that holds `;`, `=` or quotes, the usual cause of the errors above.
const QUOTE_HINT: &str =
    "If a password holds “;”, “=” or quotes, put it in double quotes: Password=\"pa;ss\" (double any \" inside).";

/// Writes `pairs` as `Key=Value;Key=Value`. Keys are written as given.
pub fn compose<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push(';');
        }
        out.push_str(&key.replace('=', "=="));
        out.push('=');
        push_value(&mut out, value);
    }
    out
}

fn push_value(out: &mut String, value: &str) {
    let plain = |c: char| !matches!(c, '"' | '\'' | '=' | ';') && !c.is_whitespace() && !c.is_control();
    if value.chars().all(plain) {
        out.push_str(value);
        return;
    }
    let quote = if value.contains('"') && !value.contains('\'') { '\'' } else { '"' };
    out.push(quote);
    for c in value.chars() {
        if c == quote {
            out.push(quote);
        }
        out.push(c);
    }
    out.push(quote);
}

/// Reads a connection string into its `(key, value)` pairs in order. Keys keep their spelling;
/// compare them with [`same_key`]. Empty parts (`;;`) and a trailing `;` are allowed.
pub fn parse(input: &str) -> Result<Vec<(String, String)>, ConnectionStringError> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut rest = input;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ';');
        if rest.is_empty() {
            return Ok(pairs);
        }
        let position = pairs.len() + 1;
        let (key, after_key) = read_key(rest, position)?;
        if pairs.iter().any(|(k, _)| same_key(k, &key)) {
            return Err(ConnectionStringError::DuplicateKey { position });
        }
        let (value, after_value) = read_value(position, after_key)?;
        pairs.push((key, value));
        rest = after_value;
    }
}

/// Reads up to the first single `=`; `==` stands for a literal `=` in a key.
fn read_key(input: &str, position: usize) -> Result<(String, &str), ConnectionStringError> {
    let mut key = String::new();
    let mut chars = input.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '=' if chars.peek().map(|&(_, n)| n) == Some('=') => {
                chars.next();
                key.push('=');
            }
            '=' => {
                let key = key.trim().to_owned();
                if key.is_empty() {
                    return Err(ConnectionStringError::EmptyKey { position });
                }
                return Ok((key, &input[i + 1..]));
            }
            ';' => break,
            _ => key.push(c),
        }
    }
    Err(ConnectionStringError::MissingEquals { position })
}

fn read_value(position: usize, input: &str) -> Result<(String, &str), ConnectionStringError> {
    let trimmed = input.trim_start();
    let quote = trimmed.chars().next().filter(|c| *c == '"' || *c == '\'');
    let Some(quote) = quote else {
        let end = input.find(';').unwrap_or(input.len());
        return Ok((input[..end].trim().to_owned(), &input[end..]));
    };
    let body = &trimmed[1..];
    let mut value = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != quote {
            value.push(c);
            continue;
        }
        if chars.peek().map(|&(_, n)| n) == Some(quote) {
            chars.next();
            value.push(quote);
            continue;
        }
        let after = &body[i + 1..];
        let after_trimmed = after.trim_start();
        if !(after_trimmed.is_empty() || after_trimmed.starts_with(';')) {
            return Err(ConnectionStringError::TextAfterQuote { position });
        }
        return Ok((value, after_trimmed));
    }
    Err(ConnectionStringError::UnclosedQuote { position })
}

/// Keys compare without case and spaces, so `User Id`, `UserId` and `USER ID` are one key
/// (the Oracle documents use both of the first two).
pub fn same_key(a: &str, b: &str) -> bool {
    let norm =
        |s: &str| s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect::<String>();
    norm(a) == norm(b)
}

/// Reads a pasted connection string into the form's part fields (raw mode), so the user can
/// switch back to the fields and see what they pasted. Every key must be one of `parts`, and
/// every part must be there. An error names positions and the keys of `parts` only: see
/// [`ConnectionStringError`].
pub fn split(
    parts: &[ConnectionStringPart],
    raw: &str,
) -> Result<BTreeMap<String, String>, ConnectionStringError> {
    let pairs = parse(raw)?;
    let mut fields = BTreeMap::new();
    for (index, (key, value)) in pairs.into_iter().enumerate() {
        let Some(part) = parts.iter().find(|p| same_key(&p.key, &key)) else {
            let known: Vec<&str> = parts.iter().map(|p| p.key.as_str()).collect();
            return Err(ConnectionStringError::UnknownKey { position: index + 1, known: known.join(", ") });
        };
        fields.insert(part.field.clone(), value);
    }
    if let Some(missing) = parts.iter().find(|p| !fields.contains_key(&p.field)) {
        return Err(ConnectionStringError::MissingKey { key: missing.key.clone() });
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs(input: &[(&str, &str)]) -> Vec<(String, String)> {
        input.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn plain_values_are_written_as_is() {
        let s = compose([
            ("Host", "db.example.com"),
            ("Port", "1521"),
            ("Sid", "ORCL"),
            ("User Id", "scott"),
            ("Password", "tiger"),
        ]);
        assert_eq!(s, "Host=db.example.com;Port=1521;Sid=ORCL;User Id=scott;Password=tiger");
    }

    #[test]
    fn values_are_quoted_like_dotnet_does() {
        assert_eq!(compose([("Password", "a;b")]), "Password=\"a;b\"");
        assert_eq!(compose([("Password", " lead")]), "Password=\" lead\"");
        assert_eq!(compose([("Password", "trail ")]), "Password=\"trail \"");
        assert_eq!(compose([("Password", "say \"hi\"")]), "Password='say \"hi\"'");
        assert_eq!(compose([("Password", "'x")]), "Password=\"'x\"");
        assert_eq!(compose([("Password", "\"it's\"")]), "Password=\"\"\"it's\"\"\"");
        assert_eq!(compose([("Password", "=b")]), "Password=\"=b\"");
        assert_eq!(compose([("Password", "mid\"dle")]), "Password='mid\"dle'");
        assert_eq!(compose([("Password", "pässwörd日")]), "Password=pässwörd日");
    }

    #[test]
    fn parses_the_documented_pattern_in_both_spellings() {
        let parsed = parse("Host=h;Port=1521;Sid=ORCL;UserId=u;Password=p").expect("valid");
        assert_eq!(
            parsed,
            pairs(&[("Host", "h"), ("Port", "1521"), ("Sid", "ORCL"), ("UserId", "u"), ("Password", "p")])
        );
        assert!(same_key("User Id", "UserId"));
        assert!(same_key("user id", "USERID"));
    }

    #[test]
    fn parse_trims_unquoted_values_and_accepts_stray_separators() {
        let parsed = parse(" Host = h ;; Port=1521;").expect("valid");
        assert_eq!(parsed, pairs(&[("Host", "h"), ("Port", "1521")]));
    }

    #[test]
    fn parse_explains_what_is_wrong() {
        assert!(matches!(parse("Host"), Err(ConnectionStringError::MissingEquals { .. })));
        assert!(matches!(parse("Password=\"abc"), Err(ConnectionStringError::UnclosedQuote { .. })));
        assert!(matches!(parse("Password=\"a\"b"), Err(ConnectionStringError::TextAfterQuote { .. })));
        assert!(matches!(parse("Host=a;host=b"), Err(ConnectionStringError::DuplicateKey { .. })));
        assert!(matches!(parse("=x"), Err(ConnectionStringError::EmptyKey { .. })));
    }

    #[test]
    fn errors_never_echo_a_value() {
        let err = parse("Password=\"s3cret").expect_err("unclosed");
        assert!(!err.to_string().contains("s3cret"));
        let err = parse("Password=half;other-half").expect_err("unquoted ;");
        assert!(!err.to_string().contains("half"), "{err}");
    }

    const KEYS: [&str; 5] = ["Host", "Port", "Sid", "User Id", "Password"];

    fn oracle_parts() -> Vec<ConnectionStringPart> {
        KEYS.iter()
            .map(|key| ConnectionStringPart {
                field: key.replace(' ', "").to_lowercase(),
                key: (*key).to_owned(),
                label: (*key).to_owned(),
                help: String::new(),
                kind: crate::catalog::PartKind::Text,
                secret: *key == "Password",
            })
            .collect()
    }

    /// Every window of 4 or more characters of `secret` that `message` holds.
    fn fragments_in(message: &str, secret: &str) -> Vec<String> {
        let chars: Vec<char> = secret.chars().collect();
        let mut found = Vec::new();
        for start in 0..chars.len() {
            for end in start + 4..=chars.len() {
                let window: String = chars[start..end].iter().collect();
                if message.contains(&window) {
                    found.push(window);
                }
            }
        }
        found
    }

    #[test]
    fn a_key_read_after_a_secret_is_never_repeated() {
        let err = split(&oracle_parts(), "Password=aGVsbG8;d29ybGQ=").expect_err("an unquoted ;");
        let message = err.to_string();
        assert!(!message.contains("d29ybGQ") && !message.contains("aGVsbG8"), "{message}");
        assert!(message.contains("Part 2"), "names the position: {message}");
        assert!(message.contains("double quotes"), "suggests quoting: {message}");
        assert!(message.contains("Host, Port, Sid, User Id, Password"), "names the known keys: {message}");
    }

    #[test]
    fn a_missing_part_is_named_by_its_known_key() {
        let err = split(&oracle_parts(), "Host=db;Port=1521").expect_err("incomplete");
        assert_eq!(err, ConnectionStringError::MissingKey { key: "Sid".into() });
        let fields =
            split(&oracle_parts(), "Host=db;Port=1521;Sid=O;UserId=u;Password=\"a;b=c\"").expect("quoted");
        assert_eq!(fields.get("password").map(String::as_str), Some("a;b=c"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn parse_inverts_compose(values in proptest::array::uniform5(any::<String>())) {
            let input: Vec<(&str, &str)> = KEYS.iter().copied().zip(values.iter().map(String::as_str)).collect();
            let parsed = parse(&compose(input.iter().copied())).expect("a composed string parses");
            let expected: Vec<(String, String)> = input.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            prop_assert_eq!(parsed, expected);
        }

        /// Whatever follows a secret key, unquoted, no error holds 4 characters of it in a row.
        #[test]
        fn no_error_holds_a_fragment_of_a_secret(
            before in "(Host=db;Port=1521;)?(Sid=ORCL;)?",
            secret in "[A-F0-9;=\"' +/]{4,32}",
            after in "(;User Id=u)?",
        ) {
            let raw = format!("{before}Password={secret}{after}");
            if let Err(err) = split(&oracle_parts(), &raw) {
                let message = err.to_string();
                // Only windows that carry some of the secret's own letters or digits count:
                // punctuation such as `" ;` is the message's own.
                let leaked: Vec<String> = fragments_in(&message, &secret)
                    .into_iter()
                    .filter(|w| w.chars().filter(char::is_ascii_alphanumeric).count() >= 2)
                    .collect();
                prop_assert!(leaked.is_empty(), "{message} holds {leaked:?}");
            }
        }

        #[test]
        fn parse_inverts_compose_for_tricky_alphabets(
            values in proptest::array::uniform5("[ ;=\"'a-zé日\\t]{0,12}")
        ) {
            let input: Vec<(&str, &str)> = KEYS.iter().copied().zip(values.iter().map(String::as_str)).collect();
            let parsed = parse(&compose(input.iter().copied())).expect("a composed string parses");
            let expected: Vec<(String, String)> = input.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            prop_assert_eq!(parsed, expected);
        }
    }
}
