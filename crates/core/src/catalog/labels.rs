//! Readable labels for names that come without a title: `s3AccessKeyId` → "S3 access key
//! ID", `google-big-query` → "Google big query".

/// Words that read as initials; everything else is lower case after the first word.
const INITIALS: &[&str] = &[
    "id", "url", "uri", "api", "sas", "ssh", "sql", "sftp", "ftp", "http", "https", "jdbc", "odbc", "crm",
    "aws", "gcs", "s3", "iam", "arn", "sso", "saml", "jwt", "ip", "db", "adls", "sdk", "oauth",
];

/// The categories of Experience Platform's sources catalog as its UI names them, by the keys
/// specs use (`database`, `cloudStorage`, `CRM`): the built-in sources use the same names, so
/// the category filter lists each once.
const CATEGORIES: &[(&str, &str)] = &[
    ("database", "Databases"),
    ("databases", "Databases"),
    ("cloudstorage", "Cloud storage"),
    ("crm", "CRM"),
    ("customersuccess", "Customer success"),
    ("marketingautomation", "Marketing automation"),
    ("ecommerce", "eCommerce"),
    ("protocols", "Protocols"),
    ("protocol", "Protocols"),
    ("streaming", "Streaming"),
    ("advertising", "Advertising"),
    ("analytics", "Analytics"),
    ("payments", "Payments"),
];

/// Sources whose spec name does not read as their product's name.
const SOURCE_NAMES: &[(&str, &str)] = &[
    ("postgre-sql", "PostgreSQL"),
    ("mysql", "MySQL"),
    ("maria-db", "MariaDB"),
    ("sql-server", "Microsoft SQL Server"),
    ("mongodb", "MongoDB"),
    ("dynamics-online", "Microsoft Dynamics"),
    ("adls-gen2", "Azure Data Lake Storage Gen2"),
    ("azure-blob", "Azure Blob Storage"),
    ("google-cloud", "Google Cloud Storage"),
    ("google-adwords", "Google Ads"),
    ("google-pubsub", "Google PubSub"),
    ("hubspot", "HubSpot"),
    ("salesforce-service-cloud", "Salesforce Service Cloud"),
    ("generic-streaming", "HTTP API streaming"),
];

/// The display name of a source known only by its spec name: the product's own name where
/// the spec name mangles it, else each word capitalised (`amazon-kinesis` → "Amazon Kinesis").
pub fn source_label(spec_name: &str) -> String {
    if let Some((_, name)) = SOURCE_NAMES.iter().find(|(key, _)| key.eq_ignore_ascii_case(spec_name)) {
        return (*name).to_owned();
    }
    humanize(spec_name).split(' ').map(capitalised).collect::<Vec<_>>().join(" ")
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The label of a spec's `attributes.category`.
pub fn category_label(key: &str) -> String {
    let plain: String = key.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
    CATEGORIES
        .iter()
        .find(|(k, _)| *k == plain)
        .map_or_else(|| humanize(key), |(_, label)| (*label).to_owned())
}

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
    use super::{category_label, humanize};

    #[test]
    fn sources_read_as_their_product_names() {
        assert_eq!(super::source_label("postgre-sql"), "PostgreSQL");
        assert_eq!(super::source_label("amazon-kinesis"), "Amazon Kinesis");
        assert_eq!(super::source_label("amazon-s3"), "Amazon S3");
        assert_eq!(super::source_label("sftp"), "SFTP");
    }

    #[test]
    fn categories_read_as_the_platform_names_them() {
        assert_eq!(category_label("database"), "Databases");
        assert_eq!(category_label("cloudStorage"), "Cloud storage");
        assert_eq!(category_label("CRM"), "CRM");
        assert_eq!(category_label("Streaming"), "Streaming");
        assert_eq!(category_label("dataPartners"), "Data partners");
    }

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
