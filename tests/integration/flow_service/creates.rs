//! A create of each built-in source: the exact body and headers Flow Service receives.

use fakes::specs::{BIGQUERY, GENERIC_REST, ORACLE, SERVICENOW};
use fakes::FakeConfig;
use flow_connect_core::adobe::flow::SameName;
use flow_connect_core::catalog::{builtin_source, new_connection, LiveCatalog};
use serde_json::{json, Value};

use super::{harness, values, CONNECTIONS};

/// Creates a connection from the built-in catalog through the client, and checks the exact
/// body and headers the fake received.
async fn assert_creates(spec_id: &str, spec_name: &str, form: &[(&str, &str)], auth: Value) {
    let h = harness(FakeConfig::default()).await;
    let source = builtin_source(spec_id).expect("a built-in source");
    let request = new_connection(source, spec_name, "My connection", "Made by a test", &values(form))
        .expect("valid form");
    let created =
        h.client.create_connection(&request, SameName::Refuse).await.expect("the fake accepts the create");
    assert!(created.etag.starts_with('"') && created.etag.ends_with('"'), "etags keep their quotes");
    let posts: Vec<_> =
        h.fake.requests().into_iter().filter(|r| r.method == "POST" && r.path == CONNECTIONS).collect();
    assert_eq!(posts.len(), 1);
    let post = &posts[0];
    assert!(post.header("authorization").is_some_and(|a| a.starts_with("Bearer fake-access-token-")));
    assert_eq!(post.header("x-api-key"), Some("fake-client-id"));
    assert_eq!(post.header("x-gw-ims-org-id"), Some("FAKE0RG000000000@AdobeOrg"));
    assert_eq!(post.header("x-sandbox-name"), Some("prod"));
    assert_eq!(post.header("content-type"), Some("application/json"));
    let stored = h.fake.connections();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["id"], json!(created.id));
    // The create carries a one-time marker after the description (so a lost answer can be
    // told from someone else's create), and a PATCH takes it off again.
    let mut sent = post.json();
    let description = sent["description"].take();
    assert!(
        description.as_str().is_some_and(|d| d.starts_with("Made by a test [flow-connect create ")),
        "{description}"
    );
    assert_eq!(stored[0]["description"], "Made by a test", "the marker came off");
    assert_eq!(stored[0]["etag"], json!(created.etag), "the etag after the marker's removal");
    let expected = json!({
        "name": "My connection",
        "description": null,
        "auth": auth,
        "connectionSpec": { "id": spec_id, "version": "1.0" },
    });
    assert_eq!(sent, expected);
}

#[tokio::test]
async fn creates_bigquery_with_an_oauth_refresh_token() {
    assert_creates(
        BIGQUERY,
        "Basic Authentication",
        &[
            ("project", "acme-analytics"),
            ("clientId", "123.apps.googleusercontent.com"),
            ("clientSecret", "GOCSPX-secret"),
            ("refreshToken", "1//refresh"),
            ("largeResultsDataSetId", ""),
        ],
        json!({
            "specName": "Basic Authentication",
            "type": "OAuth2.0",
            "params": {
                "project": "acme-analytics",
                "clientId": "123.apps.googleusercontent.com",
                "clientSecret": "GOCSPX-secret",
                "refreshToken": "1//refresh",
            },
        }),
    )
    .await;
}

#[tokio::test]
async fn creates_bigquery_with_a_base64_service_account_key() {
    let key = r#"{"type":"service_account","project_id":"acme"}"#;
    assert_creates(
        BIGQUERY,
        "Service Authentication",
        &[("projectId", "acme"), ("keyFileContent", key), ("largeResultsDataSetId", "big_results")],
        json!({
            "specName": "Service Authentication",
            "params": {
                "projectId": "acme",
                "keyFileContent": "eyJ0eXBlIjoic2VydmljZV9hY2NvdW50IiwicHJvamVjdF9pZCI6ImFjbWUifQ==",
                "largeResultsDataSetId": "big_results",
            },
        }),
    )
    .await;
}

#[tokio::test]
async fn creates_oracle_with_a_composed_connection_string() {
    assert_creates(
        ORACLE,
        "ConnectionString",
        &[
            ("host", "db.acme.example"),
            ("port", "1521"),
            ("sid", "ORCL"),
            ("userId", "platform"),
            ("password", "p;ss \"word\""),
        ],
        json!({
                "specName": "ConnectionString",
                "params": {
                    "connectionString": "Host=db.acme.example;Port=1521;Sid=ORCL;User Id=platform;Password='p;ss \"word\"'",
                },
            }),
    )
    .await;
}

#[tokio::test]
async fn creates_generic_rest_with_oauth_refresh_code() {
    assert_creates(
        GENERIC_REST,
        "oAuth2RefreshCode",
        &[
            ("host", "https://api.acme.example"),
            ("authorizationTestUrl", "https://api.acme.example/me"),
            ("clientId", "rest-client"),
            ("clientSecret", "rest-secret"),
            ("accessToken", "at-123"),
            ("refreshToken", "rt-456"),
            ("expirationDate", "2026-12-31"),
            ("accessTokenUrl", "https://auth.acme.example/token"),
        ],
        json!({
            "specName": "oAuth2RefreshCode",
            "params": {
                "host": "https://api.acme.example",
                "authorizationTestUrl": "https://api.acme.example/me",
                "clientId": "rest-client",
                "clientSecret": "rest-secret",
                "accessToken": "at-123",
                "refreshToken": "rt-456",
                "expirationDate": "2026-12-31",
                "accessTokenUrl": "https://auth.acme.example/token",
            },
        }),
    )
    .await;
}

#[tokio::test]
async fn creates_generic_rest_with_basic_authentication() {
    assert_creates(
        GENERIC_REST,
        "Basic Authentication",
        &[("host", "https://api.acme.example"), ("username", "svc-platform"), ("password", " leading space")],
        json!({
                "specName": "Basic Authentication",
                "params": { "host": "https://api.acme.example", "username": "svc-platform", "password": " leading space" },
            }),
    )
    .await;
}

#[tokio::test]
async fn creates_servicenow_with_basic_authentication() {
    assert_creates(
        SERVICENOW,
        "Basic Authentication",
        &[("endpoint", "https://acme.service-now.com"), ("username", "platform"), ("password", "now-pass")],
        json!({
                "specName": "Basic Authentication",
                "params": { "endpoint": "https://acme.service-now.com", "username": "platform", "password": "now-pass" },
            }),
    )
    .await;
}

#[tokio::test]
async fn the_live_spec_name_wins_over_the_built_in_one() {
    let h =
        harness(FakeConfig { rest_oauth_spec_name: "OAuth2 Refresh Code".into(), ..FakeConfig::default() })
            .await;
    // The built-in spelling is refused by this service ...
    let builtin = builtin_source(GENERIC_REST).expect("built in");
    let form = values(&[("host", "https://api.acme.example"), ("accessToken", "at")]);
    let request = new_connection(builtin, "oAuth2RefreshCode", "REST", "", &form).expect("valid");
    let err = h.client.create_connection(&request, SameName::Refuse).await.expect_err("unknown auth spec");
    assert_eq!(err.api().and_then(|e| e.code.as_deref()), Some("1415-400"));

    // ... and the reconciled catalog sends what the live spec says.
    let catalog = LiveCatalog::default();
    let (live, error) = catalog.source(&h.client, GENERIC_REST).await;
    assert!(error.is_none());
    let live = live.expect("a source");
    let method =
        live.auth_methods.iter().find(|m| m.label == "OAuth 2 refresh code").expect("matched by spelling");
    assert_eq!(method.spec_name, "OAuth2 Refresh Code");
    let request = new_connection(&live, &method.spec_name, "REST", "", &form).expect("valid");
    h.client.create_connection(&request, SameName::Refuse).await.expect("accepted");
    assert_eq!(h.fake.connections()[0]["auth"]["specName"], "OAuth2 Refresh Code");

    // The spec is fetched once per org.
    catalog.source(&h.client, GENERIC_REST).await;
    let spec_reads = h.fake.requests().iter().filter(|r| r.path.contains("/connectionSpecs/")).count();
    assert_eq!(spec_reads, 1);
}
