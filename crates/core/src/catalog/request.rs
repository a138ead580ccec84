//! Turns a filled form into the body of `POST /connections`, checking every value first.

use super::body;
use super::model::{AuthMethod, FieldError, ParamKind, Source};
use super::values::FormValues;
use crate::adobe::flow::{AuthInfo, AuthParams, NewConnection, SpecRef};

/// The connection's own name, a field of its own in every form.
pub const NAME_FIELD: &str = "name";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestError {
    #[error("{source_name} has no auth method named “{spec_name}”. Pick one of the listed methods.")]
    UnknownAuthMethod { source_name: String, spec_name: String },
    #[error("{} field(s) need attention: {}", .0.len(), .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" "))]
    Invalid(Vec<FieldError>),
}

/// Builds the create request for `spec_name` of `source`, or lists every field that needs
/// attention.
pub fn new_connection(
    source: &Source,
    spec_name: &str,
    name: &str,
    description: &str,
    values: &FormValues,
) -> Result<NewConnection, RequestError> {
    let method = method_of(source, spec_name)?;
    let mut errors = Vec::new();
    if name.trim().is_empty() {
        errors.push(FieldError {
            field: NAME_FIELD.into(),
            message: "Give the connection a name, such as “BigQuery marketing”.".into(),
        });
    }
    let params = body::build(method, values, &mut errors);
    if !errors.is_empty() {
        return Err(RequestError::Invalid(errors));
    }
    Ok(NewConnection {
        name: name.trim().to_owned(),
        description: description.trim().to_owned(),
        auth: AuthInfo { spec_name: method.spec_name.clone(), auth_type: method.auth_type.clone(), params },
        connection_spec: SpecRef { id: source.spec_id.clone(), version: source.spec_version.clone() },
    })
}

/// The sign-in method `spec_name` of `source`.
fn method_of<'a>(source: &'a Source, spec_name: &str) -> Result<&'a AuthMethod, RequestError> {
    source.auth_method(spec_name).ok_or_else(|| RequestError::UnknownAuthMethod {
        source_name: source.display_name.clone(),
        spec_name: spec_name.to_owned(),
    })
}

/// The checked `auth.params` of one sign-in method, for replacing a connection's credentials.
pub fn auth_params(
    source: &Source,
    spec_name: &str,
    values: &FormValues,
) -> Result<AuthParams, RequestError> {
    let method = method_of(source, spec_name)?;
    let mut errors = Vec::new();
    let params = body::build(method, values, &mut errors);
    if errors.is_empty() {
        Ok(params)
    } else {
        Err(RequestError::Invalid(errors))
    }
}

/// Checks the values of one auth method without building anything: what the form shows as
/// the user types.
pub fn validate(method: &AuthMethod, values: &FormValues) -> Vec<FieldError> {
    let mut errors = Vec::new();
    body::build(method, values, &mut errors);
    errors
}

/// What is accepted but unwise: an address given plain `http://` in a method that also
/// carries credentials (ServiceNow's endpoint, a REST API's host), which would send them
/// over the network unencrypted.
pub fn warnings(method: &AuthMethod, values: &FormValues) -> Vec<FieldError> {
    let params = method.all_params();
    let carries_credentials = params.iter().any(|p| p.secret);
    if !carries_credentials {
        return Vec::new();
    }
    params
        .into_iter()
        .filter(|p| p.kind == ParamKind::Url)
        .filter(|p| {
            values.get(&p.field).and_then(|v| url::Url::parse(v.expose().trim()).ok()).is_some_and(|url| {
                url.scheme() == "http" && !url.host().is_some_and(|h| crate::config::is_loopback(&h))
            })
        })
        .map(|p| FieldError {
            field: p.field.clone(),
            message: format!(
                "{} starts with http://, so the credentials of this connection would cross the network unencrypted. Use https:// unless you trust every network in between.",
                p.label
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::builtin_source;
    use crate::catalog::model::ConnectionStringPart;
    use crate::catalog::values::*;
    use crate::Secret;

    fn oracle_parts() -> Vec<ConnectionStringPart> {
        let source = builtin_source("d6b52d86-f0f8-475f-89d4-ce54c8527328").expect("oracle");
        match &source.auth_methods[0].params[0].kind {
            ParamKind::ConnectionString { parts } => parts.clone(),
            other => panic!("unexpected kind {other:?}"),
        }
    }

    fn form(pairs: &[(&str, &str)]) -> FormValues {
        pairs.iter().map(|(k, v)| (k.to_string(), Secret::new(*v))).collect()
    }

    #[test]
    fn plain_http_for_an_address_that_carries_credentials_is_a_warning_not_an_error() {
        let servicenow = builtin_source("eb13cb25-47ab-407f-ba89-c0125281c563").expect("ServiceNow");
        let method = &servicenow.auth_methods[0];
        let mut values =
            form(&[("endpoint", "http://acme.service-now.com"), ("username", "u"), ("password", "p")]);
        assert!(validate(method, &values).is_empty(), "accepted");
        let warned = warnings(method, &values);
        assert_eq!(warned.len(), 1);
        assert_eq!(warned[0].field, "endpoint");
        assert!(warned[0].message.contains("unencrypted"), "{}", warned[0].message);
        values.insert("endpoint".into(), Secret::new("https://acme.service-now.com"));
        assert!(warnings(method, &values).is_empty());
        values.insert("endpoint".into(), Secret::new("http://127.0.0.1:8080"));
        assert!(warnings(method, &values).is_empty(), "loopback is not the network");
    }

    #[test]
    fn a_value_longer_than_the_cap_is_refused_without_repeating_it() {
        let servicenow = builtin_source("eb13cb25-47ab-407f-ba89-c0125281c563").expect("ServiceNow");
        let long = "x".repeat(MAX_VALUE_BYTES + 1);
        let values =
            form(&[("endpoint", "https://acme.service-now.com"), ("username", "u"), ("password", &long)]);
        let errors = validate(&servicenow.auth_methods[0], &values);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "password");
        assert!(errors[0].message.contains("64 KiB") && !errors[0].message.contains("xxxx"));
    }

    #[test]
    fn the_live_connection_string_masks_the_password() {
        let values = form(&[
            ("host", "db"),
            ("port", "1521"),
            ("sid", "ORCL"),
            ("userId", "scott"),
            ("password", "tiger"),
        ]);
        assert_eq!(
            masked_connection_string(&oracle_parts(), &values),
            "Host=db;Port=1521;Sid=ORCL;User Id=scott;Password=••••••••"
        );
    }

    #[test]
    fn raw_mode_splits_a_pasted_string_into_the_fields() {
        let fields = split_connection_string(
            &oracle_parts(),
            "Host=db;Port=1521;Sid=ORCL;UserId=scott;Password=\"a;b\"",
        )
        .expect("valid");
        assert_eq!(fields.get("userId").map(String::as_str), Some("scott"));
        assert_eq!(fields.get("password").map(String::as_str), Some("a;b"));
        let missing = split_connection_string(&oracle_parts(), "Host=db;Port=1521").expect_err("incomplete");
        assert!(missing.contains("Sid="), "{missing}");
        let unknown =
            split_connection_string(&oracle_parts(), "Host=db;Service Name=x").expect_err("unknown key");
        assert!(unknown.contains("Part 2") && !unknown.contains("Service Name"), "{unknown}");
    }

    #[test]
    fn validation_lists_every_field_and_keeps_secrets_out_of_messages() {
        let source = builtin_source("d6b52d86-f0f8-475f-89d4-ce54c8527328").expect("oracle");
        let values = form(&[
            ("host", "https://db"),
            ("port", "99999"),
            ("sid", ""),
            ("userId", "u"),
            ("password", "pw-secret"),
        ]);
        let errors = validate(&source.auth_methods[0], &values);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["host", "port", "sid"]);
        assert!(errors.iter().all(|e| !e.message.contains("pw-secret")));
    }
}
