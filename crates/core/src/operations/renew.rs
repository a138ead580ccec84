//! New credentials for an existing connection: the form opens with the non-secret params the
//! service returns (secrets come back masked and are never taken), saving replaces
//! `/auth/params` with `If-Match`, and a stale etag is answered with the connection as it is
//! now so the user can look again: credentials are never written over a change unseen.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use crate::adobe::flow::{Connection, FlowClient, FlowError, TestOutcome, MASK};
use crate::catalog::secrets::{names_a_secret, secret_fields_of};
use crate::catalog::{self, FormValues, ParamKind, RequestError, Source};
use crate::operations::failure::{ErrorCode, Failure};

/// The renew form's starting point.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RenewForm {
    pub connection: Connection,
    /// The connection's sign-in method (`auth.specName`).
    pub spec_name: String,
    /// Non-secret values, by form field.
    #[ts(type = "Record<string, string>")]
    pub values: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "outcome")]
#[ts(export)]
pub enum Renewal {
    /// Replaced; then tested.
    Updated {
        etag: String,
        test: Option<TestOutcome>,
        /// Why the test could not run, when it could not.
        test_error: Option<String>,
        /// What went wrong after the credentials were replaced (keeping them in the profile,
        /// say): the connection has them either way.
        note: Option<String>,
    },
    /// Someone changed the connection since the form opened: nothing was written. The form
    /// shows the connection as it is now, and the user saves again.
    Stale { form: Box<RenewForm> },
}

#[derive(Debug, thiserror::Error)]
pub enum RenewError {
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Flow(#[from] FlowError),
    #[error("The connection uses the sign-in method “{0}”, which its source no longer offers. Create a new connection instead.")]
    UnknownMethod(String),
}

/// Reads the connection and the values the form can show.
pub async fn open(client: &FlowClient, source: &Source, id: &str) -> Result<RenewForm, RenewError> {
    let (connection, params) = client.connection_with_params(id).await?;
    let spec_name = connection.auth_spec_name.clone().unwrap_or_default();
    if source.auth_method(&spec_name).is_none() {
        return Err(RenewError::UnknownMethod(spec_name));
    }
    let values = known_values(source, &spec_name, &params);
    Ok(RenewForm { connection, spec_name, values })
}

/// Replaces the connection's credentials with `values`, sent with `etag`, then tests it.
pub async fn renew(
    client: &FlowClient,
    source: &Source,
    id: &str,
    etag: &str,
    spec_name: &str,
    values: &FormValues,
) -> Result<Renewal, RenewError> {
    let params = catalog::auth_params(source, spec_name, values)?;
    match client.replace_auth_params(id, etag, &params).await {
        Ok(done) => {
            tracing::info!(%id, "connection credentials replaced");
            let (test, test_error) = match client.test_connection(id).await {
                Ok(outcome) => (Some(outcome), None),
                Err(e) => (None, Some(e.to_string())),
            };
            Ok(Renewal::Updated { etag: done.etag, test, test_error, note: None })
        }
        Err(FlowError::Api(e)) if e.status == 412 => {
            tracing::info!(%id, "the connection changed since the renew form opened; nothing written");
            Ok(Renewal::Stale { form: Box::new(open(client, source, id).await?) })
        }
        Err(e) => Err(e.into()),
    }
}

// Here rather than in `failure`, so the classification does not need this module back.
impl From<RenewError> for Failure {
    fn from(e: RenewError) -> Self {
        match e {
            RenewError::Request(e) => e.into(),
            RenewError::Flow(e) => e.into(),
            RenewError::UnknownMethod(_) => Failure::new(ErrorCode::UnknownSource, e.to_string()),
        }
    }
}

/// The non-secret values of `params` for the form of `spec_name`: a secret field (by the
/// spec, the built-in entry, or its name) is never read, and neither is a value that looks
/// masked.
pub fn known_values(source: &Source, spec_name: &str, params: &Value) -> BTreeMap<String, String> {
    let secret = secret_fields_of(source);
    let mut values = BTreeMap::new();
    let Some(method) = source.auth_method(spec_name) else { return values };
    for param in method.all_params() {
        if param.secret || secret.contains(&param.field) || names_a_secret(&param.name) {
            continue;
        }
        if matches!(param.kind, ParamKind::Group { .. } | ParamKind::Variants { .. }) {
            continue;
        }
        let value = param.field.split('.').try_fold(params, |v, key| v.get(key));
        let text = match value {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => continue,
            Some(Value::Object(_) | Value::Array(_)) => value.map(Value::to_string).unwrap_or_default(),
            Some(other) => other.to_string(),
        };
        if !text.is_empty() && !looks_masked(&text) && text.len() <= catalog::MAX_VALUE_BYTES {
            values.insert(param.field.clone(), text);
        }
    }
    values
}

fn looks_masked(text: &str) -> bool {
    text == MASK || text.chars().all(|c| c == '*' || c == '•') || text.eq_ignore_ascii_case("<redacted>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_non_secret_values_are_taken() {
        let bigquery = catalog::builtin_source(crate::catalog::BIGQUERY_SPEC_ID).unwrap();
        let params = json!({
            "project": "acme-analytics", "clientId": "123.apps.googleusercontent.com",
            "clientSecret": "GOCSPX-real", "refreshToken": "1//real", "largeResultsDataSetId": "****",
        });
        let values = known_values(bigquery, "Basic Authentication", &params);
        assert_eq!(values.get("project").map(String::as_str), Some("acme-analytics"));
        assert_eq!(values.get("clientId").map(String::as_str), Some("123.apps.googleusercontent.com"));
        assert!(!values.contains_key("clientSecret") && !values.contains_key("refreshToken"));
        assert!(!values.contains_key("largeResultsDataSetId"), "a masked value is not a value");
    }
}
