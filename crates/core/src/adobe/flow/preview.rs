//! What "Preview request" shows: the exact body of a create and a curl command in the style of
//! Adobe's tutorials, with every secret masked, so both can be copied safely.

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

use super::client::PlatformTarget;
use super::model::NewConnection;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RequestPreview {
    /// The JSON body, pretty-printed, secrets masked.
    pub body: String,
    /// A curl command that sends it; the access token stays a placeholder.
    pub curl: String,
}

/// Builds the preview of `POST {connections_url}` for `new`.
pub fn preview(new: &NewConnection, connections_url: &str, target: &PlatformTarget) -> RequestPreview {
    let mut body = serde_json::to_value(new).unwrap_or(Value::Null);
    if let Some(params) = body.pointer_mut("/auth/params") {
        *params = new.auth.params.masked();
    }
    let body = serde_json::to_string_pretty(&body).unwrap_or_default();
    let curl = [
        "curl -X POST \\".to_owned(),
        format!("    {} \\", shell_quote(connections_url)),
        format!("    -H {} \\", shell_quote("Authorization: Bearer {ACCESS_TOKEN}")),
        format!("    -H {} \\", shell_quote(&format!("x-api-key: {}", target.api_key))),
        format!("    -H {} \\", shell_quote(&format!("x-gw-ims-org-id: {}", target.org_id))),
        format!("    -H {} \\", shell_quote(&format!("x-sandbox-name: {}", target.sandbox))),
        format!("    -H {} \\", shell_quote("Content-Type: application/json")),
        format!("    -d {}", shell_quote(&body)),
    ]
    .join("\n");
    RequestPreview { body, curl }
}

/// Single-quotes `text` for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::super::model::MASK;
    use super::*;
    use crate::catalog::{builtin_source, new_connection, FormValues};
    use crate::Secret;

    fn servicenow(password: &str) -> NewConnection {
        let form: FormValues =
            [("endpoint", "https://acme.service-now.com"), ("username", "o'brien"), ("password", password)]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), Secret::new(v)))
                .collect();
        let source = builtin_source("eb13cb25-47ab-407f-ba89-c0125281c563").expect("built in");
        new_connection(source, "Basic Authentication", "ServiceNow", "", &form).expect("valid")
    }

    fn target() -> PlatformTarget {
        PlatformTarget { api_key: "client-id".into(), org_id: "ORG@AdobeOrg".into(), sandbox: "prod".into() }
    }

    #[test]
    fn secrets_are_masked_and_the_rest_is_exact() {
        let preview =
            preview(&servicenow("hunter2-secret"), "https://platform.adobe.io/x/connections", &target());
        assert!(!preview.body.contains("hunter2-secret") && !preview.curl.contains("hunter2-secret"));
        let body: Value = serde_json::from_str(&preview.body).expect("JSON");
        assert_eq!(body["auth"]["params"]["password"], MASK);
        assert_eq!(body["auth"]["params"]["username"], "o'brien");
        assert_eq!(body["connectionSpec"]["id"], "eb13cb25-47ab-407f-ba89-c0125281c563");
    }

    #[test]
    fn the_curl_command_follows_the_tutorials_and_quotes_safely() {
        let preview = preview(&servicenow("pw"), "https://platform.adobe.io/x/connections", &target());
        let lines: Vec<&str> = preview.curl.lines().collect();
        assert_eq!(lines[0], "curl -X POST \\");
        assert_eq!(lines[1], "    'https://platform.adobe.io/x/connections' \\");
        assert_eq!(lines[2], "    -H 'Authorization: Bearer {ACCESS_TOKEN}' \\");
        assert_eq!(lines[5], "    -H 'x-sandbox-name: prod' \\");
        assert!(preview.curl.contains(r#""username": "o'\''brien""#), "{}", preview.curl);
    }
}
