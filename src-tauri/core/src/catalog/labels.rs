//! Readable labels for names that come without a title: `s3AccessKeyId` → "S3 access key
//! ID", `google-big-query` → "Google big query".

/// Words that read as initials; everything else is lower case after the first word.
const INITIALS: &[&str] = &[
    "id", "url", "uri", "api", "sas", "ssh", "sql", "sftp", "ftp", "http", "https", "jdbc", "odbc", "crm",
    "aws", "gcs", "s3", "iam", "arn", "sso", "saml", "jwt", "ip", "db", "adls", "sdk", "oauth",
];

/// Words with a casing of their own.
const SPELLINGS: &[(&str, &str)] = &[("oauth", "OAuth"), ("oauth2", "OAuth2"), ("mysql", "MySQL")];

/// The words of a camelCase, snake_case, kebab-case or spaced name.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1);
        // A capital starts a word after a small letter or a digit (`s3AccessKey`), and ends a
        // run of two or more capitals when a small letter follows it (`SQLServer` → SQL,
        // Server; but `OAuth` stays one word).
        let starts = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase()
                        && word.chars().count() >= 2
                        && next.is_some_and(|n| n.is_lowercase()))
            });
        if starts && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        word.push(c);
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// A label from a property or spec name.
pub fn humanize(name: &str) -> String {
    let words: Vec<String> = words(name)
        .into_iter()
        .enumerate()
        .map(|(i, word)| {
            let lower = word.to_lowercase();
            if let Some((_, spelled)) = SPELLINGS.iter().find(|(w, _)| *w == lower) {
                (*spelled).to_owned()
            } else if INITIALS.contains(&lower.as_str()) {
                word.to_uppercase()
            } else if i == 0 {
                let mut chars = lower.chars();
                chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
            } else {
                lower
            }
        })
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::humanize;

    #[test]
    fn names_read_as_labels() {
        for (name, label) in [
            ("s3AccessKeyId", "S3 access key ID"),
            ("largeResultsDataSetId", "Large results data set ID"),
            ("google-big-query", "Google big query"),
            ("customerSuccess", "Customer success"),
            ("sasUri", "SAS URI"),
            ("userName", "User name"),
            ("SQLServerHost", "SQL server host"),
            ("private_key_passphrase", "Private key passphrase"),
            ("clientCustomerID", "Client customer ID"),
            ("OAuth2 Refresh Code", "OAuth2 refresh code"),
            ("", ""),
        ] {
            assert_eq!(humanize(name), label, "{name}");
        }
    }
}
