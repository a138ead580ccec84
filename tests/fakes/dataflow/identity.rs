//! The fake Identity Service's namespace list (`GET /data/core/idnamespace/identities`): the
//! standard namespaces an identity descriptor names, and one custom namespace.

use serde_json::{json, Value};

use crate::http::{Request, Response};

/// `(id, code, name, idType, custom)`.
const NAMESPACES: [(u64, &str, &str, &str, bool); 5] = [
    (4, "ECID", "ECID", "COOKIE", false),
    (6, "Email", "Email", "EMAIL", false),
    (7, "Phone", "Phone", "PHONE", false),
    (16, "CRMID", "CRM ID", "CROSS_DEVICE", false),
    (1_000_001, "LoyaltyId", "Loyalty ID", "CROSS_DEVICE", true),
];

pub(crate) fn namespaces() -> Vec<Value> {
    NAMESPACES
        .iter()
        .map(|(id, code, name, kind, custom)| {
            json!({
                "id": id, "code": code, "name": name, "status": "ACTIVE", "idType": kind, "custom": custom,
                "description": format!("{name} identities"), "createTime": 1_500_000_000_000_u64,
                "updateTime": 1_500_000_000_000_u64,
            })
        })
        .collect()
}

pub(super) fn route(request: &Request, segments: &[&str]) -> Response {
    match (request.method.as_str(), segments) {
        ("GET", []) => Response::json(200, &json!(namespaces())),
        _ => Response::json(
            404,
            &json!({ "title": "Not Found", "status": 404, "detail": format!("No such path {}", request.path) }),
        ),
    }
}
