//! Where the CLI takes a secret from: `env:VAR` or `file:PATH` (named on the command line, the
//! value itself never is), the keychain, or a prompt that does not echo. A plain value given
//! as an argument is refused before anything runs: it would show in `ps` and shell history.

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::str::FromStr;

use flow_connect_core::failure::{ErrorCode, Failure};
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

impl SecretSource {
    /// Reads the secret; the error names the variable or file, never a value.
    pub fn read(&self, what: &str) -> Result<Secret, Failure> {
        let value = match self {
            Self::Env(var) => std::env::var(var).map_err(|_| {
                Failure::new(
                    ErrorCode::Validation,
                    format!("The environment variable {var} for {what} is not set."),
                )
            })?,
            Self::File(path) => read_file(path, what)?,
        };
        // A file's final newline is not part of the secret.
        let value = value.strip_suffix('\n').map(|v| v.strip_suffix('\r').unwrap_or(v)).unwrap_or(&value);
        if value.is_empty() {
            return Err(Failure::new(ErrorCode::Validation, format!("The value given for {what} is empty.")));
        }
        Ok(Secret::new(value.to_owned()))
    }
}

fn read_file(path: &std::path::Path, what: &str) -> Result<String, Failure> {
    use std::io::Read as _;
    let unreadable = |e: std::io::Error| {
        Failure::new(ErrorCode::Validation, format!("Could not read {} for {what} ({e}).", path.display()))
    };
    let mut text = String::new();
    std::fs::File::open(path)
        .map_err(unreadable)?
        .take(MAX_SECRET_FILE + 1)
        .read_to_string(&mut text)
        .map_err(unreadable)?;
    if text.len() as u64 > MAX_SECRET_FILE {
        return Err(Failure::new(
            ErrorCode::Validation,
            format!("{} is larger than 1 MiB; it is not a secret for {what}.", path.display()),
        ));
    }
    Ok(text)
}

/// The secrets named with `--secret`, checked and read now. An argument that is not
/// `FIELD=env:VAR` or `FIELD=file:PATH` is refused without being repeated.
pub fn read_all(args: &[String]) -> Result<BTreeMap<String, Secret>, Failure> {
    args.iter()
        .map(|text| {
            let arg: SecretArg =
                text.parse().map_err(|e| Failure::new(ErrorCode::Validation, format!("--secret: {e}.")))?;
            Ok((arg.field.clone(), arg.source.read(&arg.field)?))
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
        let _ = std::fs::remove_file(path);
    }
}
