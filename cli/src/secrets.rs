//! Where the CLI takes a secret from: `env:VAR` or `file:PATH` (named on the command line, the
//! value itself never is), the keychain, or a prompt that does not echo. A plain value given
//! as an argument is refused before anything runs: it would show in `ps` and shell history.

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::str::FromStr;

use flow_connect_core::catalog::{ParamKind, Source};
use flow_connect_core::operations::failure::{ErrorCode, Failure};
use flow_connect_core::Secret;

/// The most read from a secret file: a service-account key is a few KiB.
const MAX_SECRET_FILE: u64 = 1024 * 1024;

/// Where one secret comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    Env(String),
    File(std::path::PathBuf),
}

/// `--secret FIELD=env:VAR` or `--secret FIELD=file:PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretArg {
    pub field: String,
    pub source: SecretSource,
}

impl FromStr for SecretSource {
    type Err = String;

    /// The message never repeats what was given: it may be the secret itself.
    fn from_str(text: &str) -> Result<Self, String> {
        if let Some(var) = text.strip_prefix("env:").filter(|v| !v.is_empty()) {
            return Ok(Self::Env(var.to_owned()));
        }
        if let Some(path) = text.strip_prefix("file:").filter(|p| !p.is_empty()) {
            return Ok(Self::File(path.into()));
        }
        Err("a secret is never taken as a plain value (it would show in `ps` and your shell's history): \
             give env:VARIABLE or file:PATH, or leave it out to be asked"
            .into())
    }
}

impl FromStr for SecretArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (field, source) =
            text.split_once('=').ok_or("write it as FIELD=env:VARIABLE or FIELD=file:PATH")?;
        let field = field.trim();
        if field.is_empty() {
            return Err("name the field before the =, as in password=env:DB_PASSWORD".into());
        }
        Ok(Self { field: field.to_owned(), source: source.parse()? })
    }
}

/// How a value read from a file or a variable ends. A file written by an editor or `echo`
/// ends with a newline that is not part of a password; a key file or a JSON document keeps
/// its text exactly as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// One line: a final newline (`\n` or `\r\n`) is dropped.
    Line,
    /// Kept exactly: multi-line and file fields.
    Verbatim,
}

impl Ending {
    /// The ending of `field` in a form of `source`, from its kind: one line for a text, a URL,
    /// a number or a connection string (and a field the source does not describe), exactly as
    /// written for a multi-line field, a file's content, a list or raw JSON.
    pub fn of(source: &Source, field: &str) -> Self {
        let params = source.auth_methods.iter().flat_map(|m| m.all_params());
        let mut kinds = params.filter_map(|p| match &p.kind {
            ParamKind::ConnectionString { parts } if parts.iter().any(|part| part.field == field) => {
                Some(Self::Line)
            }
            _ if p.field == field => Some(Self::for_kind(&p.kind)),
            _ => None,
        });
        // A field one method takes verbatim is read verbatim: a key file stays whole.
        let first = kinds.next().unwrap_or(Self::Line);
        kinds.fold(first, |a, b| if a == Self::Verbatim || b == Self::Verbatim { Self::Verbatim } else { a })
    }

    fn for_kind(kind: &ParamKind) -> Self {
        match kind {
            ParamKind::MultiLine
            | ParamKind::FileBase64 { .. }
            | ParamKind::List
            | ParamKind::Json { .. }
            | ParamKind::Group { .. }
            | ParamKind::Variants { .. } => Self::Verbatim,
            ParamKind::Text
            | ParamKind::Url
            | ParamKind::Host
            | ParamKind::Port
            | ParamKind::Date
            | ParamKind::ConnectionString { .. }
            | ParamKind::Email
            | ParamKind::Integer
            | ParamKind::Number
            | ParamKind::Boolean
            | ParamKind::Choice { .. } => Self::Line,
        }
    }
}

impl SecretSource {
    /// Reads a one-line secret (a password, a client secret); the error names the variable or
    /// file, never a value.
    pub fn read(&self, what: &str) -> Result<Secret, Failure> {
        self.read_as(what, Ending::Line)
    }

    /// Reads the secret, ending as `ending` says; the error names the variable or file, never
    /// a value.
    pub fn read_as(&self, what: &str, ending: Ending) -> Result<Secret, Failure> {
        let value = match self {
            Self::Env(var) => std::env::var(var).map_err(|e| {
                let why = match e {
                    std::env::VarError::NotPresent => "is not set".to_owned(),
                    std::env::VarError::NotUnicode(_) => {
                        "is not valid UTF-8 text: set it to the secret as UTF-8, or give it with file:PATH"
                            .to_owned()
                    }
                };
                Failure::new(
                    ErrorCode::Validation,
                    format!("The environment variable {var} for {what} {why}."),
                )
            })?,
            Self::File(path) => read_file(path, what)?,
        };
        let value = match ending {
            Ending::Line => {
                value.strip_suffix('\n').map(|v| v.strip_suffix('\r').unwrap_or(v)).unwrap_or(&value)
            }
            Ending::Verbatim => &value,
        };
        if value.is_empty() {
            return Err(Failure::new(ErrorCode::Validation, format!("The value given for {what} is empty.")));
        }
        Ok(Secret::new(value.to_owned()))
    }
}

/// Reads a secret file: a regular file only (a FIFO would hang the command and a device never
/// ends), no larger than 1 MiB, with a warning when other users may read it.
fn read_file(path: &std::path::Path, what: &str) -> Result<String, Failure> {
    use std::io::Read as _;
    let unreadable = |e: std::io::Error| {
        Failure::new(ErrorCode::Validation, format!("Could not read {} for {what} ({e}).", path.display()))
    };
    let not_regular = || {
        Failure::new(
            ErrorCode::Validation,
            format!(
                "{} for {what} is not a regular file (a FIFO, a device or a folder): give a file that holds the secret, or env:VARIABLE.",
                path.display()
            ),
        )
    };
    // Checked before opening, since opening a FIFO waits for a writer; and again on the open
    // file, in case the path changed in between.
    if !std::fs::metadata(path).map_err(unreadable)?.is_file() {
        return Err(not_regular());
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(not_regular());
    }
    warn_if_shared(path, &metadata);
    let mut text = String::new();
    file.take(MAX_SECRET_FILE + 1).read_to_string(&mut text).map_err(unreadable)?;
    if text.len() as u64 > MAX_SECRET_FILE {
        return Err(Failure::new(
            ErrorCode::Validation,
            format!("{} is larger than 1 MiB; it is not a secret for {what}.", path.display()),
        ));
    }
    Ok(text)
}

/// Warns (the secret is still read: the user chose the file) when the group or everyone may
/// read the file, as `ssh` does for a key.
#[cfg(unix)]
fn warn_if_shared(path: &std::path::Path, metadata: &std::fs::Metadata) {
    use std::os::unix::fs::PermissionsExt as _;
    if metadata.permissions().mode() & 0o044 != 0 {
        crate::output::write_err(&format!(
            "warning: {} is readable by other users of this machine; `chmod 600` it to keep the secret yours.",
            crate::output::clean(&path.display().to_string())
        ));
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_: &std::path::Path, _: &std::fs::Metadata) {}

/// The secrets named with `--secret`, checked and read now, each ending as its field's kind in
/// `source` says ([`Ending::of`]; one line when there is no source). An argument that is not
/// `FIELD=env:VAR` or `FIELD=file:PATH` is refused without being repeated.
pub fn read_all(args: &[String], source: Option<&Source>) -> Result<BTreeMap<String, Secret>, Failure> {
    args.iter()
        .map(|text| {
            let arg: SecretArg =
                text.parse().map_err(|e| Failure::new(ErrorCode::Validation, format!("--secret: {e}.")))?;
            let ending = source.map_or(Ending::Line, |s| Ending::of(s, &arg.field));
            Ok((arg.field.clone(), arg.source.read_as(&arg.field, ending)?))
        })
        .collect()
}

/// Asks for a secret on the terminal without echoing it; without a terminal, says how to
/// give it instead.
pub fn prompt(field: &str, label: &str) -> Result<Secret, Failure> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(Failure::new(
            ErrorCode::Validation,
            format!("{label} is not in the keychain. Give it with --secret {field}=env:VARIABLE or --secret {field}=file:PATH."),
        ));
    }
    let value = rpassword::prompt_password(format!("{label}: "))
        .map_err(|e| Failure::new(ErrorCode::Validation, format!("Could not read {label} ({e}).")))?;
    if value.is_empty() {
        return Err(Failure::new(ErrorCode::Validation, format!("{label} was left empty.")));
    }
    Ok(Secret::new(value))
}

/// What to add to a keychain failure on the command line.
pub const NO_KEYCHAIN_HINT: &str = "Without a keychain (a CI runner has no Secret Service), give each secret with --secret FIELD=env:VARIABLE or --secret FIELD=file:PATH, and the account's client secret with --account-secret env:VARIABLE.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_and_file_sources_are_read_and_a_plain_value_is_refused_without_repeating_it() {
        assert_eq!("env:DB_PASSWORD".parse(), Ok(SecretSource::Env("DB_PASSWORD".into())));
        assert_eq!("file:/run/key.json".parse(), Ok(SecretSource::File("/run/key.json".into())));
        let refused = "password=hunter2-secret".parse::<SecretArg>().expect_err("plain");
        assert!(refused.contains("never taken as a plain value"));
        assert!(!refused.contains("hunter2"));
        assert!("=env:X".parse::<SecretArg>().is_err());
    }

    #[test]
    fn a_file_s_last_newline_is_not_part_of_the_secret() {
        let path = std::env::temp_dir().join(format!("flow-connect-cli-secret-{}", std::process::id()));
        std::fs::write(&path, "s3cret\n").expect("write");
        let read = SecretSource::File(path.clone()).read("password").expect("read");
        assert_eq!(read.expose(), "s3cret");
        // Split so the fixture is not mistaken for a committed key.
        let key = concat!("{\n  \"private_key\": \"-----BEGIN PRIVATE", " KEY-----\\n\"\n}\n");
        std::fs::write(&path, key).expect("write");
        let read =
            SecretSource::File(path.clone()).read_as("keyFileContent", Ending::Verbatim).expect("read");
        assert_eq!(read.expose(), key, "a key file is kept exactly as written");
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_field_s_kind_decides_whether_the_final_newline_goes() {
        let bigquery =
            flow_connect_core::catalog::builtin_source(flow_connect_core::catalog::BIGQUERY_SPEC_ID)
                .expect("BigQuery");
        assert_eq!(Ending::of(bigquery, "clientSecret"), Ending::Line);
        assert_eq!(Ending::of(bigquery, "keyFileContent"), Ending::Verbatim);
        assert_eq!(Ending::of(bigquery, "notAField"), Ending::Line);
        let oracle = flow_connect_core::catalog::builtin_source("d6b52d86-f0f8-475f-89d4-ce54c8527328")
            .expect("Oracle");
        assert_eq!(Ending::of(oracle, "password"), Ending::Line, "a connection string's part is one line");
    }
}
