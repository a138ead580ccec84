//! Adobe's three error shapes, read into one error: Flow Service's
//! `type`/`title`/`status`/`report`, the API gateway's `error_code`/`message`, and IMS's
//! `error`/`error_description`.

use std::fmt;

use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// An error answer from an Adobe service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ApiError {
    pub status: u16,
    /// Adobe's own code: `1418-400` for Flow Service (from `FLOW-1418-400`), `403003` for the
    /// gateway, `invalid_client` for IMS.
    #[ts(optional)]
    pub code: Option<String>,
    pub message: String,
    #[ts(optional)]
    pub request_id: Option<String>,
}

impl ApiError {
    /// Reads an error body of any of the three shapes. `request_id` comes from the response
    /// headers when the body has none.
    pub fn from_body(status: u16, body: &[u8], header_request_id: Option<String>) -> Self {
        let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let text = |pointer: &str| {
            json.pointer(pointer)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let code = text("/type")
            .and_then(|t| t.rsplit('/').next().map(str::to_owned))
            .filter(|last| last.starts_with("FLOW-"))
            .map(|last| last.trim_start_matches("FLOW-").to_owned())
            .or_else(|| text("/error_code"))
            .or_else(|| json.get("error_code").and_then(Value::as_i64).map(|c| c.to_string()))
            .or_else(|| text("/error"));
        let message = text("/report/detailed-message")
            .or_else(|| text("/errorMessage"))
            .or_else(|| text("/detail"))
            .or_else(|| text("/message"))
            .or_else(|| text("/error_description"))
            .or_else(|| text("/title"))
            .unwrap_or_else(|| format!("Adobe answered HTTP {status} without details."));
        let request_id = text("/report/request-id").or(header_request_id);
        ApiError { status, code, message, request_id }
    }

    /// Replaces every occurrence of a secret in the message, in case a service echoes one.
    pub fn scrub<'a>(mut self, secrets: impl IntoIterator<Item = &'a str>) -> Self {
        for secret in secrets.into_iter().filter(|s| s.len() >= 4) {
            self.message = self.message.replace(secret, "[redacted]");
        }
        self
    }

    /// What the user can do about it.
    pub fn next_step(&self) -> &'static str {
        match (self.code.as_deref(), self.status) {
            (Some("1418-400"), _) => {
                "Delete the dataflows that use this connection in Experience Platform first, then delete it again."
            }
            (Some("1404-412"), _) | (_, 412) => "The connection changed meanwhile: reload it and try again.",
            (Some("1415-400"), _) => "The source no longer offers this auth method: reload the source and pick another.",
            (Some("1413-400"), _) => "Experience Platform does not know this source here: check the account's region and org.",
            (Some("2105-400" | "2100-404" | "2101-404" | "2103-404"), _) => {
                "Pick a sandbox from the list; it may have been deleted or renamed."
            }
            (Some("403003" | "403000"), _) => "Check the client ID (API key) of the account.",
            (Some("403027" | "403025" | "2000-401"), _) => {
                "Check the org ID, and that the credential has an Experience Platform product profile."
            }
            (_, 401) => "Sign in to the account again.",
            (_, 403) => "Ask an Experience Platform admin for the Sources manage permission in this sandbox.",
            (_, 404) => "It may have been deleted: refresh the list.",
            (_, 429) => "Adobe is limiting requests: wait a minute and try again.",
            (_, 500..=599) => "Adobe's service had a problem: wait a minute and try again.",
            _ => "Check the values you entered and try again.",
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message.trim_end_matches('.'))?;
        match &self.code {
            Some(code) => write!(f, " ({code}, HTTP {}). ", self.status)?,
            None => write!(f, " (HTTP {}). ", self.status)?,
        }
        f.write_str(self.next_step())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_flow_service_errors() {
        let body = br#"{"type":"https://ns.adobe.com/aep/errors/FLOW-1418-400","title":"Bad Request","status":400,
            "report":{"detailed-message":"Connection cannot be deleted because the base connection is being used in one or more flows","request-id":"req-1"}}"#;
        let err = ApiError::from_body(400, body, Some("header-id".into()));
        assert_eq!(err.code.as_deref(), Some("1418-400"));
        assert_eq!(err.request_id.as_deref(), Some("req-1"));
        assert!(err.message.starts_with("Connection cannot be deleted"));
        assert!(err.to_string().contains("Delete the dataflows"));
    }

    #[test]
    fn reads_gateway_errors() {
        let err = ApiError::from_body(
            403,
            br#"{"error_code":"403003","message":"Api Key is invalid"}"#,
            Some("x".into()),
        );
        assert_eq!(
            (err.code.as_deref(), err.message.as_str(), err.request_id.as_deref()),
            (Some("403003"), "Api Key is invalid", Some("x"))
        );
    }

    #[test]
    fn reads_ims_errors() {
        let err = ApiError::from_body(
            400,
            br#"{"error":"invalid_scope","error_description":"scope foo is not allowed"}"#,
            None,
        );
        assert_eq!(
            (err.code.as_deref(), err.message.as_str()),
            (Some("invalid_scope"), "scope foo is not allowed")
        );
    }

    #[test]
    fn reads_the_etag_and_content_type_shapes_and_garbage() {
        let etag =
            ApiError::from_body(412, br#"{"errorMessage":"Supplied version=[a] does not match"}"#, None);
        assert_eq!(etag.message, "Supplied version=[a] does not match");
        let ct = ApiError::from_body(400, br#"{"type":"/placeholder/type/uri","status":400,"title":"BadRequestError","detail":"A valid content-type must be specified"}"#, None);
        assert_eq!((ct.code, ct.message.as_str()), (None, "A valid content-type must be specified"));
        let html = ApiError::from_body(502, b"<html>Bad gateway</html>", None);
        assert_eq!(html.message, "Adobe answered HTTP 502 without details.");
    }

    #[test]
    fn scrubs_echoed_secrets() {
        let err = ApiError::from_body(400, br#"{"errorMessage":"password hunter22 is weak"}"#, None)
            .scrub(["hunter22"]);
        assert_eq!(err.message, "password [redacted] is weak");
    }
}
