//! Merges a live connection spec into the built-in catalog entry. The live spec is the
//! authority on `auth.specName`, which params exist, which are required and which are secret;
//! the built-in entry keeps what the spec lacks: labels, help, input kinds, validation.

use serde_json::Value;

use super::consent::ConsentKind;
use super::labels::{category_label, source_label};
use super::model::{AuthMethod, CatalogOrigin, Param, Source};
use super::schema::method_from_spec;
use crate::adobe::flow::{AuthSpec, ConnectionSpec, ExploreKind, ExploreSupport};

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
        display_name: builtin.map(|b| b.display_name.clone()).unwrap_or_else(|| source_label(&live.name)),
        category: builtin
            .map(|b| b.category.clone())
            .or_else(|| live.attributes.get("category").and_then(Value::as_str).map(category_label))
            .unwrap_or_default(),
        description: builtin.map(|b| b.description.clone()).unwrap_or_default(),
        auth_methods,
        origin: CatalogOrigin::Live,
        explore: match ExploreSupport::from_spec(live.explore_type.as_deref(), &live.attributes) {
            unknown if unknown.kind == ExploreKind::Unknown => builtin.map(|b| b.explore).unwrap_or(unknown),
            known => known,
        },
    }
    .assign_fields()
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
    let generated = method_from_spec(spec);
    let Some(known) = known else { return generated };
    let known_param = |name: &str| known.params.iter().find(|p| p.name == name);
    // Keep the built-in order for params the app knows, then the spec's own order for the rest.
    let mut params: Vec<Param> = known
        .params
        .iter()
        .filter_map(|k| generated.params.iter().find(|g| g.name == k.name).map(|g| merge_param(k, g)))
        .collect();
    params.extend(generated.params.iter().filter(|g| known_param(&g.name).is_none()).cloned());
    AuthMethod {
        spec_name: spec.name.clone(),
        label: known.label.clone(),
        help: known.help.clone(),
        auth_type: known.auth_type.clone(),
        params,
        consent: ConsentKind::None,
        credential_check: None,
        key_material: None,
        client_secret_field: None,
        minted_token: None,
    }
}

/// The built-in param as the live spec has it now: the spec decides whether it is required,
/// hidden and bounded; the app keeps its label, help and input kind.
fn merge_param(known: &Param, live: &Param) -> Param {
    Param {
        required: live.required,
        // A secret stays a secret even when the live spec forgets to mark it.
        secret: live.secret || known.secret,
        hidden: live.hidden,
        default: live.default.clone().or_else(|| known.default.clone()),
        rules: live.rules.clone(),
        ..known.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{builtin_source, ParamKind};
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
                        "requestParameterOverride": { "type": "object", "properties": {
                            "accessTokenField": { "type": "string" },
                            "authenticationMethod": { "type": "string", "enum": ["GET", "POST"] }
                        } }
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
        assert_eq!(
            names,
            ["host", "accessToken", "refreshToken", "expirationDate", "tenant", "requestParameterOverride"]
        );
        let ParamKind::Group { params } = &method.params[5].kind else { panic!("a group") };
        assert_eq!(params[1].field, "requestParameterOverride.authenticationMethod");
        assert_eq!(
            params[1].kind,
            ParamKind::Choice { options: vec!["GET".into(), "POST".into()], json: false }
        );
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
}
