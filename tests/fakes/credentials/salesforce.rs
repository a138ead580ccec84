//! Salesforce's JWT credential on AWS-hosted Experience Platform (oauth-sources.md §2.3,
//! [O1][O30]): the connection holds `jwtToken`, an assertion the user signed RS256 for the
//! connected app, with `clientId`, `clientSecret` and `instanceUrl`. Experience Platform
//! exchanges the assertion at Salesforce until its `exp` passes, so the test fails once it has:
//! the token must be an RS256 JWT, its `iss` the connection's `clientId`, its `exp` seconds
//! still ahead (milliseconds, which Adobe's page shows once, are named), and, when a test
//! uploaded the connected app's certificate, its signature the certificate key's.

use serde_json::Value;

use super::Registry;
use crate::jwt::{now_secs, Expiry, Jwt};
use crate::providers::iso8601_utc;

pub(super) fn refusal(registry: &Registry, params: &Value) -> Option<String> {
    let text = |name: &str| params.get(name).and_then(Value::as_str).unwrap_or_default();
    let jwt = match Jwt::parse(text("jwtToken")) {
        Ok(jwt) => jwt,
        Err(error) => return Some(format!("The jwtToken is not a usable JWT: {error}")),
    };
    match jwt.expiry(now_secs()) {
        Expiry::Until(_) => {}
        Expiry::Passed(exp) => {
            return Some(format!(
                "The JWT expired at {} (exp {exp}): sign a new one and update the connection",
                iso8601_utc(exp)
            ))
        }
        Expiry::Milliseconds(exp) => {
            return Some(format!(
                "The JWT's exp ({exp}) is in milliseconds; Salesforce reads exp as seconds since 1970-01-01T00:00:00Z"
            ))
        }
        Expiry::Missing => {
            return Some("The JWT has no exp: seconds since 1970-01-01T00:00:00Z after which it ends".to_owned())
        }
    }
    if jwt.claim("iss") != Some(text("clientId")) {
        return Some(
            "The JWT's iss is not the connection's clientId (the connected app's consumer key)".to_owned(),
        );
    }
    match &registry.salesforce_certificate {
        Some(key) if !jwt.verifies_with(key) => {
            Some("The JWT's signature does not verify with the connected app's certificate".to_owned())
        }
        _ => None,
    }
}
