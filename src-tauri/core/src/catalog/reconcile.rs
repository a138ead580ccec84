//! Merges a live connection spec into the built-in catalog entry. The live spec is the
//! authority on `auth.specName`, which params exist, which are required and which are secret;
//! the built-in entry keeps what the spec lacks: labels, help, input kinds, validation.

use serde_json::{Map, Value};

use super::model::{AuthMethod, CatalogOrigin, Param, ParamKind, Source};
use crate::flow::{AuthSpec, ConnectionSpec};

/// The catalog entry to show for `live`, based on `builtin` when the app knows the source.
pub fn reconcile(builtin: Option<&Source>, live: &ConnectionSpec) -> Source {
    let auth_methods = live
        .auth_spec
        .iter()
        .map(|spec| {
            let known =
                builtin.and_then(|b| b.auth_methods.iter().find(|m| same_name(&m.spec_name, &spec.name)));
            merge_method(known, spec)
        })
        .collect();
    Source {
        spec_id: live.id.clone(),
        spec_version: live
            .version
            .clone()
            .or_else(|| builtin.map(|b| b.spec_version.clone()))
            .unwrap_or_else(|| "1.0".into()),
        spec_key: live.name.clone(),
        display_name: builtin.map(|b| b.display_name.clone()).unwrap_or_else(|| humanize(&live.name)),
        category: builtin
            .map(|b| b.category.clone())
            .or_else(|| live.attributes.get("category").and_then(Value::as_str).map(humanize))
            .unwrap_or_default(),
        description: builtin.map(|b| b.description.clone()).unwrap_or_default(),
        auth_methods,
        origin: CatalogOrigin::Live,
    }
}

/// The documents spell one auth spec several ways (`oAuth2RefreshCode`, `OAuth2RefreshCode`,
/// `OAuth2 Refresh Code`): compare letters and digits only, without case.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect::<String>()
    };
    norm(a) == norm(b)
}

fn merge_method(known: Option<&AuthMethod>, spec: &AuthSpec) -> AuthMethod {
    let empty = Map::new();
    let properties = spec.spec.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let required: Vec<&str> = spec
        .spec
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let known_param = |name: &str| known.and_then(|m| m.params.iter().find(|p| p.name == name));

    // Keep the built-in order for params the app knows, then the spec's own order for the rest.
    let mut names: Vec<&str> = known
        .map(|m| m.params.iter().map(|p| p.name.as_str()).filter(|n| properties.contains_key(*n)).collect())
        .unwrap_or_default();
    names.extend(properties.keys().map(String::as_str).filter(|n| known_param(n).is_none()));

    let params = names
        .into_iter()
        .filter_map(|name| {
            let schema = properties.get(name)?;
            merge_param(known_param(name), name, schema, required.contains(&name))
        })
        .collect();
    AuthMethod {
        spec_name: spec.name.clone(),
        label: known.map(|m| m.label.clone()).unwrap_or_else(|| humanize(&spec.name)),
        help: known.map(|m| m.help.clone()).unwrap_or_default(),
        auth_type: known.and_then(|m| m.auth_type.clone()),
        params,
    }
}

fn merge_param(known: Option<&Param>, name: &str, schema: &Value, required: bool) -> Option<Param> {
    let str_of = |key: &str| schema.get(key).and_then(Value::as_str);
    let format = str_of("format");
    let hidden = schema.pointer("/uiAttributes/hidden").and_then(Value::as_bool).unwrap_or(false);
    let kind = match known {
        Some(p) => p.kind.clone(),
        // Nested objects (such as a request override block) have no form yet: leave them out.
        None if str_of("type").is_some_and(|t| t != "string" && t != "integer" && t != "number") => {
            return None
        }
        None => match format {
            Some("uri" | "url") => ParamKind::Url,
            Some("date" | "date-time") => ParamKind::Date,
            _ => ParamKind::Text,
        },
    };
    Some(Param {
        name: name.to_owned(),
        label: known
            .map(|p| p.label.clone())
            .or_else(|| str_of("title").map(str::to_owned))
            .unwrap_or_else(|| humanize(name)),
        help: known
            .map(|p| p.help.clone())
            .or_else(|| str_of("description").map(str::to_owned))
            .unwrap_or_default(),
        placeholder: known.map(|p| p.placeholder.clone()).unwrap_or_default(),
        kind,
        required,
        // A secret stays a secret even when the live spec forgets to mark it.
        secret: format == Some("password") || known.is_some_and(|p| p.secret),
        hidden,
    })
}

/// `largeResultsDataSetId` → `Large results data set id`; `google-big-query` → `Google big query`.
fn humanize(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '-' || c == '_' || c == ' ' {
            out.push(' ');
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower {
            out.push(' ');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(if out.is_empty() {
            c.to_uppercase().collect::<Vec<_>>()
        } else {
            c.to_lowercase().collect()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::builtin_source;
    use serde_json::json;

    const REST: &str = "4e98f16f-87d6-4ef0-bdc6-7a2b0fe76e62";

    fn live_rest() -> ConnectionSpec {
        serde_json::from_value(json!({
            "id": REST, "name": "generic-rest-api", "version": "1.0",
            "authSpec": [
                { "name": "OAuth2 Refresh Code", "type": "OAuth2RefreshCode", "spec": {
                    "type": "object",
                    "properties": {
                        "host": { "type": "string" },
                        "accessToken": { "type": "string", "format": "password" },
                        "refreshToken": { "type": "string", "format": "password" },
                        "expirationDate": { "type": "string", "format": "date", "uiAttributes": { "hidden": true } },
                        "tenant": { "type": "string", "description": "The API tenant." },
                        "requestParameterOverride": { "type": "object" }
                    },
                    "required": ["host", "accessToken", "tenant"] } }
            ]
        }))
        .expect("a connection spec")
    }

    #[test]
    fn the_live_spec_decides_names_required_and_secrets() {
        let merged = reconcile(builtin_source(REST), &live_rest());
        assert_eq!(merged.origin, CatalogOrigin::Live);
        assert_eq!(merged.display_name, "Generic REST API");
        assert_eq!(merged.auth_methods.len(), 1, "basic auth is gone because the live spec lacks it");
        let method = &merged.auth_methods[0];
        assert_eq!(method.spec_name, "OAuth2 Refresh Code");
        assert_eq!(method.label, "OAuth 2 refresh code");
        let names: Vec<&str> = method.params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["host", "accessToken", "refreshToken", "expirationDate", "tenant"]);
        let tenant = method.params.iter().find(|p| p.name == "tenant").expect("tenant");
        assert!(tenant.required);
        assert_eq!(tenant.label, "Tenant");
        assert_eq!(tenant.help, "The API tenant.");
        let host = &method.params[0];
        assert_eq!(host.kind, ParamKind::Url, "the built-in kind is kept");
        assert!(method.params.iter().find(|p| p.name == "expirationDate").is_some_and(|p| p.hidden));
        assert!(method
            .params
            .iter()
            .find(|p| p.name == "refreshToken")
            .is_some_and(|p| p.secret && !p.required));
    }

    #[test]
    fn names_are_matched_across_spellings() {
        assert!(same_name("oAuth2RefreshCode", "OAuth2 Refresh Code"));
        assert!(same_name("Basic Authentication", "basic authentication"));
        assert!(!same_name("Basic Authentication", "Service Authentication"));
    }

    #[test]
    fn humanizes_unknown_names() {
        assert_eq!(humanize("largeResultsDataSetId"), "Large results data set id");
        assert_eq!(humanize("google-big-query"), "Google big query");
    }
}
