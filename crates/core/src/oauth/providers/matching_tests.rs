//! The matching rule against real sign-in methods. The Google, Google Ads, HubSpot and SDK
//! entries are copied verbatim from the reference corpus (`connection-specs/*.json`, each
//! named below); the corpus has no spec JSON for Zendesk, Zoho, Square or Mailchimp, so theirs
//! are built from the params the tutorials list (oauth-sources.md §2), and say so.

use serde_json::{json, Value};

use super::fixed_hosts::{GOOGLE_ADS, GOOGLE_BIGQUERY, HUBSPOT, MAILCHIMP, SQUARE};
use super::form_hosts::{GENERIC_REST, ZENDESK, ZOHO};
use super::matching::{matching, matching_params};
use super::provider::Provider;
use crate::adobe::flow::AuthSpec;
use crate::catalog::{builtin_source, BIGQUERY_SPEC_ID};

const ADS: &str = "d771e9c1-4f26-40dc-8617-ce58c4b53702";
const HUBSPOT_ID: &str = "cc6a4487-9e91-433e-a3a3-9cf6626c1806";
const ZENDESK_ID: &str = "0a27232b-2c6e-4396-b8c6-c9fc24e37ba4";
const ZOHO_ID: &str = "929e4450-0237-4ed2-9404-b7e1e0a00309";
const SQUARE_ID: &str = "2acf109f-9b66-4d5e-bc18-ebb2adcff8d5";
const MAILCHIMP_ID: &str = "2e8580db-6489-4726-96de-e33f5f60295f";
const REST_ID: &str = "4e98f16f-87d6-4ef0-bdc6-7a2b0fe76e62";

fn auth(value: Value) -> AuthSpec {
    serde_json::from_value(value).expect("an authSpec entry")
}

/// An entry with string properties of these names, for the specs the corpus lacks.
fn modelled(name: &str, names: &[&str]) -> AuthSpec {
    let properties: serde_json::Map<String, Value> =
        names.iter().map(|n| ((*n).to_owned(), json!({ "type": "string" }))).collect();
    auth(json!({ "name": name, "spec": { "type": "object", "properties": properties } }))
}

fn id(found: Option<&'static Provider>) -> Option<&'static str> {
    found.map(|p| p.id)
}

/// `connection-specs/google-big-query.json`, `authSpec[0]`.
fn bigquery_basic() -> AuthSpec {
    auth(json!({
        "name": "Basic Authentication",
        "spec": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "description": "defines auth params",
            "properties": {
                "project": { "type": "string", "description": "The project ID of the default BigQuery project to query against" },
                "clientId": { "type": "string", "description": "ID of the application used to generate the refresh token." },
                "clientSecret": { "type": "string", "description": "Secret of the application used to generate the refresh token.", "format": "password" },
                "refreshToken": { "type": "string", "description": "The refresh token obtained from Google used to authorize access to BigQuery.", "format": "password" }
            },
            "required": ["project", "clientId", "clientSecret", "refreshToken"]
        }
    }))
}

/// `connection-specs/google-adwords.json`, `authSpec[0]`.
fn adwords_basic() -> AuthSpec {
    auth(json!({
        "name": "Basic Authentication for google-adwords",
        "type": "Basic_Authentication",
        "spec": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "description": "defines auth params",
            "properties": {
                "clientCustomerID": { "type": "string", "description": "The Client customer ID of the AdWords account" },
                "developerToken": { "type": "string", "description": "The developer token associated with the manager account", "format": "password" },
                "refreshToken": { "type": "string", "description": "The refresh token obtained from Google for authorizing access to AdWords", "format": "password" },
                "clientId": { "type": "string", "description": "The client ID of the Google application used to acquire the refresh token" },
                "clientSecret": { "type": "string", "description": "The client secret of the google application used to acquire the refresh token", "format": "password" }
            },
            "required": ["clientCustomerID", "developerToken", "refreshToken", "clientId", "clientSecret"]
        }
    }))
}

/// `connection-specs/hubspot.json`, `authSpec[0]`.
fn hubspot_basic() -> AuthSpec {
    auth(json!({
        "name": "Basic Authentication",
        "spec": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "description": "defines auth params required for connecting to HubSpot",
            "properties": {
                "clientId": { "type": "string", "description": "The client ID associated with your HubSpot application." },
                "clientSecret": { "type": "string", "description": "The client secret associated with your HubSpot application.", "format": "password" },
                "accessToken": { "type": "string", "description": "The access token obtained when initially authenticating your OAuth integration.", "format": "password" },
                "refreshToken": { "type": "string", "description": "The refresh token obtained when initially authenticating your OAuth integration.", "format": "password" }
            },
            "required": ["clientId", "clientSecret", "accessToken", "refreshToken"]
        }
    }))
}

/// `connection-specs/generic-rest-extension-template.json`, `authSpec[0]` (the Sources SDK's
/// OAuth2 Refresh Code, whose params are those oauth-sources.md §2.1 lists for the Generic REST
/// API `4e98f16f-…`, whose own JSON is not published). Descriptions trimmed.
fn rest_refresh_code() -> AuthSpec {
    auth(json!({
        "name": "OAuth2 Refresh Code",
        "type": "OAuth2RefreshCode",
        "spec": {
            "type": "object",
            "properties": {
                "host": { "type": "string" },
                "authorizationTestUrl": { "type": "string" },
                "clientId": { "type": "string" },
                "clientSecret": { "type": "string", "format": "password" },
                "accessToken": { "type": "string", "format": "password" },
                "refreshToken": { "type": "string", "format": "password" },
                "expirationDate": { "type": "string", "format": "date", "uiAttributes": { "hidden": true } },
                "accessTokenUrl": { "type": "string" },
                "requestParameterOverride": {
                    "type": "object",
                    "properties": { "accessTokenField": { "type": "string" }, "authenticationMethod": { "type": "string", "enum": ["GET", "POST"] } }
                }
            },
            "required": ["host", "accessToken"]
        }
    }))
}

/// `connection-specs/generic-rest-extension.json`, `authSpec[0]`: the SDK's MailChimp-flavoured
/// method, the shape oauth-sources.md §2.2 lists for Mailchimp Members. Descriptions trimmed.
fn mailchimp_refresh_code() -> AuthSpec {
    auth(json!({
        "name": "OAuth2 Refresh Code",
        "type": "OAuth2RefreshCode",
        "spec": {
            "type": "object",
            "properties": {
                "host": { "type": "string", "description": "Enter resource url host path" },
                "authorizationTestUrl": { "type": "string" },
                "accessToken": { "type": "string", "format": "password" }
            },
            "required": ["host", "accessToken"]
        }
    }))
}

/// `connection-specs/generic-rest-extension.json`, `authSpec[1]`: host, username, password.
fn basic_password() -> AuthSpec {
    auth(json!({
        "name": "Basic Authentication",
        "type": "BasicAuthentication",
        "spec": {
            "type": "object",
            "properties": {
                "host": { "type": "string" },
                "username": { "type": "string" },
                "password": { "type": "string", "format": "password" }
            },
            "required": ["host", "username", "password"]
        }
    }))
}

/// `connection-specs/sources-sdk-authspec-examples.json`, `authSpec[2]`: API keys only.
fn api_keys() -> AuthSpec {
    auth(json!({
        "name": "API Key Authentication",
        "type": "KeyBased",
        "spec": {
            "type": "object",
            "properties": {
                "host": { "type": "string" },
                "authKey1": { "type": "string", "format": "password", "restAttributes": { "headerParamName": "X-Auth-Key1" } },
                "authKey2": { "type": "string", "format": "password", "restAttributes": { "headerParamName": "X-Auth-Key2" } }
            },
            "required": ["authKey1"]
        }
    }))
}

#[test]
fn every_shipped_provider_matches_its_real_sign_in_method() {
    let cases: [(&str, AuthSpec, &Provider); 8] = [
        (BIGQUERY_SPEC_ID, bigquery_basic(), &GOOGLE_BIGQUERY),
        (ADS, adwords_basic(), &GOOGLE_ADS),
        (HUBSPOT_ID, hubspot_basic(), &HUBSPOT),
        // Zendesk: `subdomain`, `accessToken` [O6]; no spec JSON in the corpus.
        (ZENDESK_ID, modelled("OAuth2 Refresh Code", &["subdomain", "accessToken"]), &ZENDESK),
        // Zoho CRM [O4]; no spec JSON in the corpus.
        (
            ZOHO_ID,
            modelled(
                "Basic Authentication",
                &["endpoint", "accountsUrl", "clientId", "clientSecret", "accessToken", "refreshToken"],
            ),
            &ZOHO,
        ),
        // Square [O5]; no spec JSON in the corpus.
        (
            SQUARE_ID,
            modelled(
                "OAuth2 Refresh Code",
                &["host", "clientId", "clientSecret", "accessToken", "refreshToken"],
            ),
            &SQUARE,
        ),
        (MAILCHIMP_ID, mailchimp_refresh_code(), &MAILCHIMP),
        (REST_ID, rest_refresh_code(), &GENERIC_REST),
    ];
    for (spec_id, method, provider) in cases {
        assert_eq!(id(matching(spec_id, &method)), Some(provider.id), "{spec_id}");
    }
}

#[test]
fn bigquery_s_basic_authentication_is_google_s_oauth() {
    assert_eq!(id(matching(BIGQUERY_SPEC_ID, &bigquery_basic())), Some("google-bigquery"));
    // The catalog's own reading of the same method gives the same answer.
    let source = builtin_source(BIGQUERY_SPEC_ID).expect("BigQuery is built in");
    let basic = source.auth_method("Basic Authentication").expect("its OAuth method");
    assert_eq!(
        id(matching_params(BIGQUERY_SPEC_ID, basic.params.iter().map(|p| p.name.as_str()))),
        Some("google-bigquery")
    );
    // Its service-account method holds a key file, not a token field.
    let service = source.auth_method("Service Authentication").expect("its key-file method");
    assert_eq!(id(matching_params(BIGQUERY_SPEC_ID, service.params.iter().map(|p| p.name.as_str()))), None);
}

#[test]
fn a_username_and_password_or_api_keys_match_nothing() {
    for spec_id in [BIGQUERY_SPEC_ID, ADS, HUBSPOT_ID, ZENDESK_ID, ZOHO_ID, SQUARE_ID, MAILCHIMP_ID, REST_ID]
    {
        assert_eq!(id(matching(spec_id, &basic_password())), None, "{spec_id}");
        assert_eq!(id(matching(spec_id, &api_keys())), None, "{spec_id}");
    }
}

#[test]
fn the_name_is_never_read() {
    let mut renamed = hubspot_basic();
    renamed.name = "Username and Password".into();
    renamed.auth_type = None;
    assert_eq!(id(matching(HUBSPOT_ID, &renamed)), Some("hubspot"));
    let mut disguised = basic_password();
    disguised.name = "OAuth2 Refresh Code".into();
    disguised.auth_type = Some("OAuth2RefreshCode".into());
    assert_eq!(id(matching(REST_ID, &disguised)), None);
}

#[test]
fn the_spec_decides_between_sources_of_the_same_shape() {
    // HubSpot's shape under a spec no provider serves (Salesforce's) matches nothing.
    assert_eq!(id(matching("cfc0fee1-7dc0-40ef-b73e-d8b134c436f5", &hubspot_basic())), None);
    // Google Ads' shape is Google Ads' only under its own id, and the BigQuery one under BigQuery's.
    assert_eq!(id(matching(BIGQUERY_SPEC_ID, &adwords_basic())), Some("google-bigquery"));
    assert_eq!(id(matching(&ADS.to_uppercase(), &adwords_basic())), Some("google-ads"));
    // The SDK's MailChimp-flavoured spec `c4b4d052-…` is not one the table serves.
    assert_eq!(id(matching("c4b4d052-0aa6-46e0-9970-5088a8b05327", &mailchimp_refresh_code())), None);
}

#[test]
fn a_method_missing_a_needed_param_matches_nothing() {
    // Zendesk without its subdomain: the endpoints could not be built.
    assert_eq!(id(matching_params(ZENDESK_ID, ["accessToken"])), None);
    // The Generic REST API without a refresh token or a token URL: nothing AEP could refresh.
    assert_eq!(id(matching_params(REST_ID, ["host", "accessToken"])), None);
    assert_eq!(
        id(matching_params(REST_ID, ["accessToken", "refreshToken", "clientId", "clientSecret"])),
        None
    );
    // Google without the client secret.
    assert_eq!(id(matching_params(BIGQUERY_SPEC_ID, ["clientId", "refreshToken"])), None);
    // An entry without properties at all.
    assert_eq!(id(matching(HUBSPOT_ID, &auth(json!({ "name": "Basic Authentication" })))), None);
}
