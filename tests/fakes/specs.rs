//! The connection specs the fake serves, written after the reference's description of the
//! live `authSpec[]`: JSON Schemas with `required` and `format: password` markers. The four
//! built-in sources are here; the rest of the catalog (`specs/catalog.json`) is data.

use std::sync::OnceLock;

use serde_json::{json, Value};

const CATALOG_JSON: &str = include_str!("specs/catalog.json");

fn catalog() -> &'static Value {
    static CATALOG: OnceLock<Value> = OnceLock::new();
    CATALOG.get_or_init(|| serde_json::from_str(CATALOG_JSON).expect("specs/catalog.json is JSON"))
}

/// The sources of the catalog besides the four built-in ones.
pub fn other_sources() -> &'static [Value] {
    catalog()["sources"].as_array().map(Vec::as_slice).unwrap_or_default()
}

/// Destination specs, which `GET /connectionSpecs` lists beside the sources.
pub fn destinations() -> &'static [Value] {
    catalog()["destinations"].as_array().map(Vec::as_slice).unwrap_or_default()
}

/// Every spec the fake lists, in its order: the built-in four, the other sources, then the
/// destinations.
pub fn all_specs(rest_oauth_name: &str) -> Vec<Value> {
    let mut specs = connection_specs(rest_oauth_name);
    specs.extend(other_sources().iter().cloned());
    specs.extend(destinations().iter().cloned());
    specs
}

/// `count` generated source specs of about 10 KB each (three sign-in methods of a dozen
/// described properties, a group and a choice), as a large org's catalog holds: benchmarks
/// list 100 of them, about 1 MB of JSON.
pub fn large_specs(count: usize) -> Vec<Value> {
    const CATEGORIES: [&str; 8] = [
        "database",
        "cloudStorage",
        "CRM",
        "marketingAutomation",
        "analytics",
        "ecommerce",
        "payments",
        "streaming",
    ];
    let about = "Described at length, as Adobe's own specs describe their fields: what the value is, where the administrator of the source finds it, and which permissions the account behind it needs before Experience Platform can read anything.";
    (0..count)
        .map(|i| {
            let method = |m: usize| {
                let mut properties = serde_json::Map::new();
                for p in 0..12 {
                    let schema = match p {
                        0 => json!({ "type": "string", "format": "uri", "description": about }),
                        1 => json!({ "type": "string", "format": "password", "description": about }),
                        2 => json!({ "type": "integer", "minimum": 1, "maximum": 65535, "default": 443, "description": about }),
                        3 => json!({ "type": "string", "enum": ["us", "eu", "apac", "ca"], "description": about }),
                        4 => json!({ "type": "boolean", "default": false, "description": about }),
                        5 => json!({ "type": "object", "description": about, "properties": {
                            "timeoutSeconds": { "type": "integer", "description": about },
                            "userAgent": { "type": "string", "description": about } } }),
                        _ => json!({ "type": "string", "description": about, "pattern": "^[A-Za-z0-9_.-]+$" }),
                    };
                    properties.insert(format!("setting{m}x{p}"), schema);
                }
                json!({ "name": format!("Method {m}"), "type": "BasicAuthentication", "spec": {
                    "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                    "description": about, "properties": properties,
                    "required": [format!("setting{m}x0"), format!("setting{m}x1")] } })
            };
            json!({
                "id": format!("f0000000-0000-4000-8000-{i:012}"), "name": format!("bench-source-{i:03}"),
                "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a", "version": "1.0",
                "attributes": { "category": CATEGORIES[i % CATEGORIES.len()], "isSource": true },
                "authSpec": [method(0), method(1), method(2)],
            })
        })
        .collect()
}

/// The id of the source spec named `name` (`sftp`, `snowflake`, …).
pub fn source_id(name: &str) -> &'static str {
    other_sources()
        .iter()
        .find(|s| s["name"] == name)
        .and_then(|s| s["id"].as_str())
        .unwrap_or_else(|| panic!("no fake source named {name}"))
}

pub const BIGQUERY: &str = flow_connect_core::catalog::BIGQUERY_SPEC_ID;
pub const ORACLE: &str = "d6b52d86-f0f8-475f-89d4-ce54c8527328";
pub const GENERIC_REST: &str = "4e98f16f-87d6-4ef0-bdc6-7a2b0fe76e62";
pub const SERVICENOW: &str = "eb13cb25-47ab-407f-ba89-c0125281c563";

fn string() -> Value {
    json!({ "type": "string" })
}

fn password() -> Value {
    json!({ "type": "string", "format": "password" })
}

fn auth(name: &str, kind: &str, properties: Value, required: &[&str]) -> Value {
    json!({ "name": name, "type": kind, "spec": {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": properties,
        "required": required,
    } })
}

/// All four specs; `rest_oauth_name` is the Generic REST OAuth spec name, which the documents
/// spell three ways.
pub fn connection_specs(rest_oauth_name: &str) -> Vec<Value> {
    vec![
        json!({
            "id": BIGQUERY, "name": "google-big-query", "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a", "version": "1.0",
            // BigQuery's dataflows may be saved as drafts; Oracle's (below) may not.
            "attributes": { "category": "database", "isSource": true, "isDraftModeSupported": true },
            "authSpec": [
                auth("Basic Authentication", "OAuth2RefreshCode", json!({
                    "project": string(), "clientId": string(), "clientSecret": password(),
                    "refreshToken": password(), "largeResultsDataSetId": string(),
                }), &["project", "clientId", "clientSecret", "refreshToken"]),
                auth("Service Authentication", "ServiceAccount", json!({
                    "projectId": string(), "keyFileContent": password(), "largeResultsDataSetId": string(),
                }), &["projectId", "keyFileContent"]),
            ],
        }),
        json!({
            "id": ORACLE, "name": "oracle", "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a", "version": "1.0",
            "attributes": { "category": "database", "isSource": true },
            "authSpec": [
                auth("ConnectionString", "ConnectionString", json!({ "connectionString": password() }), &["connectionString"]),
            ],
        }),
        json!({
            "id": GENERIC_REST, "name": "generic-rest-api", "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a", "version": "1.0",
            "attributes": { "category": "protocols", "isSource": true },
            "authSpec": [
                auth(rest_oauth_name, "OAuth2RefreshCode", json!({
                    "host": string(), "authorizationTestUrl": string(), "clientId": string(),
                    "clientSecret": password(), "accessToken": password(), "refreshToken": password(),
                    "expirationDate": { "type": "string", "format": "date", "uiAttributes": { "hidden": true } },
                    "accessTokenUrl": string(),
                    "requestParameterOverride": { "type": "object", "properties": {
                        "accessTokenField": string(), "refreshTokenField": string(), "expireInField": string(),
                        "authenticationMethod": { "type": "string", "enum": ["GET", "POST"] },
                        "clientId": string(), "clientSecret": string(),
                    } },
                }), &["host", "accessToken"]),
                auth("Basic Authentication", "BasicAuthentication", json!({
                    "host": string(), "username": string(), "password": password(),
                }), &["host", "username", "password"]),
            ],
        }),
        json!({
            "id": SERVICENOW, "name": "service-now", "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a", "version": "1.0",
            "attributes": { "category": "customerSuccess", "isSource": true },
            "authSpec": [
                auth("Basic Authentication", "BasicAuthentication", json!({
                    "endpoint": string(), "username": string(), "password": password(),
                }), &["endpoint", "username", "password"]),
            ],
        }),
    ]
}

/// The catalog entry the app makes of the fake's spec named `name`.
pub fn catalog_source(name: &str) -> flow_connect_core::catalog::Source {
    let spec = other_sources().iter().find(|s| s["name"] == name).cloned().expect("a spec the fake lists");
    let spec: flow_connect_core::adobe::flow::ConnectionSpec =
        serde_json::from_value(spec).expect("a readable spec");
    flow_connect_core::catalog::reconcile(None, &spec)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use flow_connect_core::adobe::flow::ConnectionSpec;
    use flow_connect_core::oauth::providers::matching;

    use super::*;
    use crate::spec_service::check_create;

    /// The consent providers' sources: each spec's one sign-in method holds exactly the params
    /// its provider of core's table needs (the token fields and `also_needs`), plus the
    /// documented spec's other params, named here.
    #[test]
    fn each_consent_source_has_one_method_its_provider_matches() {
        let cases: [(&str, &str, &[&str]); 6] = [
            ("hubspot", "hubspot", &[]),
            ("google-adwords", "google-ads", &["clientCustomerID", "developerToken"]),
            ("zendesk", "zendesk", &[]),
            ("square", "square", &["host"]),
            ("mailchimp-members", "mailchimp", &["authorizationTestUrl"]),
            ("zoho-crm", "zoho", &["endpoint"]),
        ];
        for (name, provider_id, others) in cases {
            let spec = other_sources().iter().find(|s| s["name"] == name).expect(name);
            let spec: ConnectionSpec = serde_json::from_value(spec.clone()).expect(name);
            let [method] = spec.auth_spec.as_slice() else { panic!("{name}: one sign-in method") };
            let provider = matching(&spec.id, method).unwrap_or_else(|| panic!("{name}: no provider"));
            assert_eq!(provider.id, provider_id, "{name}");
            let held: BTreeSet<&str> =
                method.spec["properties"].as_object().expect(name).keys().map(String::as_str).collect();
            let needed: BTreeSet<&str> = provider
                .fields
                .required()
                .chain(provider.also_needs.iter().copied())
                .chain(others.iter().copied())
                .collect();
            assert_eq!(held, needed, "{name}");
        }
    }

    /// Salesforce offers the password sign-in, the client credentials the check before create
    /// mints a token with, and the JWT credential of AWS-hosted Experience Platform; the fake's
    /// create takes a body of each.
    #[test]
    fn salesforce_has_its_three_sign_in_methods_and_a_create_of_each_is_taken() {
        let spec = other_sources().iter().find(|s| s["name"] == "salesforce").expect("salesforce");
        assert_eq!(spec["id"], "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5");
        let parsed: ConnectionSpec = serde_json::from_value(spec.clone()).expect("readable");
        let methods: Vec<(&str, BTreeSet<&str>, Vec<&str>)> = parsed
            .auth_spec
            .iter()
            .map(|m| {
                let properties = m.spec["properties"].as_object().expect("properties");
                let required = m.spec["required"].as_array().expect("required");
                (
                    m.name.as_str(),
                    properties.keys().map(String::as_str).collect(),
                    required.iter().filter_map(Value::as_str).collect(),
                )
            })
            .collect();
        let set = |names: &[&'static str]| names.iter().copied().collect::<BTreeSet<_>>();
        assert_eq!(
            methods,
            [
                (
                    "Basic Authentication",
                    set(&["environmentUrl", "username", "password", "securityToken", "apiVersion"]),
                    vec!["username", "password", "securityToken"],
                ),
                (
                    "OAuth2 Client Credential",
                    set(&["environmentUrl", "clientId", "clientSecret", "apiVersion"]),
                    vec!["environmentUrl", "clientId", "clientSecret", "apiVersion"],
                ),
                (
                    "OAuth2 JWT Token Credential",
                    set(&["jwtToken", "clientId", "clientSecret", "instanceUrl"]),
                    vec!["jwtToken", "clientId", "clientSecret", "instanceUrl"],
                ),
            ]
        );
        let config = crate::FakeConfig::default();
        let create = |spec_name: &str, params: Value| {
            json!({ "name": "CRM", "connectionSpec": { "id": spec["id"], "version": "1.0" },
                    "auth": { "specName": spec_name, "params": params } })
        };
        let instance = "https://acme.my.salesforce.com";
        let oauth = json!({ "environmentUrl": instance, "clientId": "salesforce-client",
                            "clientSecret": "salesforce-secret", "apiVersion": "60.0" });
        let taken = |name: &str, params: Value| check_create(&config, &create(name, params)).is_ok();
        assert!(taken("OAuth2 Client Credential", oauth.clone()));
        let basic = json!({ "environmentUrl": instance, "username": "api@acme.example",
                            "password": "pw", "securityToken": "tok" });
        assert!(taken("Basic Authentication", basic));
        // The JWT is the source's to judge, at /test: any string is taken at create.
        let jwt = json!({ "jwtToken": "a.b.c", "clientId": "salesforce-client",
                          "clientSecret": "salesforce-secret", "instanceUrl": instance });
        assert!(taken("OAuth2 JWT Token Credential", jwt));
        let mut without_version = oauth.clone();
        without_version.as_object_mut().expect("object").remove("apiVersion");
        let mut integer_version = oauth;
        integer_version["apiVersion"] = json!("60");
        for params in [without_version, integer_version] {
            let refused = check_create(&config, &create("OAuth2 Client Credential", params));
            assert_eq!(refused.map_err(|r| r.status), Err(400));
        }
    }

    #[test]
    fn no_two_sources_share_a_name_or_an_id() {
        let specs = all_specs("OAuth2 Refresh Code");
        let sources: Vec<&Value> = specs.iter().filter(|s| !destinations().contains(s)).collect();
        let names: BTreeSet<&str> = sources.iter().filter_map(|s| s["name"].as_str()).collect();
        let ids: BTreeSet<&str> = sources.iter().filter_map(|s| s["id"].as_str()).collect();
        assert_eq!((names.len(), ids.len()), (sources.len(), sources.len()));
    }
}
