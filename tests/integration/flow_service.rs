//! The Flow Service client and IMS token provider against the fake Adobe services, over real
//! HTTP on loopback.

use std::sync::Arc;
use std::time::Duration;

use fakes::clients::{client_for, client_with, target_for};
use fakes::specs::{BIGQUERY, GENERIC_REST, ORACLE, SERVICENOW};
use fakes::{FakeConfig, FakePlatform, Fault, FaultAction};
use flow_connect_core::adobe::flow::{
    http_client, FlowClient, FlowError, ListQuery, PatchOp, SameName, TestOutcome,
};
use flow_connect_core::adobe::ims::{ImsCredentials, ImsError, ImsTokenProvider, DEFAULT_SCOPES};
use flow_connect_core::catalog::{builtin_source, new_connection, FormValues, LiveCatalog};
use flow_connect_core::Secret;
use serde_json::{json, Value};
use url::Url;

const CONNECTIONS: &str = "/data/foundation/flowservice/connections";

struct Harness {
    fake: FakePlatform,
    client: FlowClient,
}

async fn harness(config: FakeConfig) -> Harness {
    let fake = FakePlatform::start(config).await.expect("the fake starts");
    let client = client_for(&fake, "prod", Duration::from_secs(10));
    Harness { fake, client }
}

fn values(pairs: &[(&str, &str)]) -> FormValues {
    pairs.iter().map(|(k, v)| (k.to_string(), Secret::new(*v))).collect()
}

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

fn servicenow_request(name: &str) -> flow_connect_core::adobe::flow::NewConnection {
    let form = values(&[
        ("endpoint", "https://acme.service-now.com"),
        ("username", "u"),
        ("password", "secret-pass"),
    ]);
    new_connection(builtin_source(SERVICENOW).expect("built in"), "Basic Authentication", name, "", &form)
        .expect("valid")
}

fn fault(action: FaultAction) -> Fault {
    Fault { method: "POST".into(), path: CONNECTIONS.into(), action, times: 1 }
}

fn posts(fake: &FakePlatform) -> usize {
    fake.requests().iter().filter(|r| r.method == "POST" && r.path == CONNECTIONS).count()
}

/// After a create whose answer was lost: exactly one connection more than `before`, and the
/// reported one is it.
fn assert_one_new(fake: &FakePlatform, before: &[Value], created: &flow_connect_core::adobe::flow::Created) {
    let stored = fake.connections();
    assert_eq!(stored.len(), before.len() + 1, "exactly one new connection: {stored:#?}");
    let new: Vec<&Value> = stored.iter().filter(|c| !before.contains(c)).collect();
    assert_eq!(new[0]["id"], json!(created.id), "the new connection is the one reported");
    assert_eq!(new[0]["etag"], json!(created.etag));
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_not_made_twice() {
    let h = harness(FakeConfig::default()).await;
    h.fake.inject(fault(FaultAction::DropAfterHandling));
    let created = h
        .client
        .create_connection(&servicenow_request("Lost answer"), SameName::Refuse)
        .await
        .expect("recovered");
    assert_one_new(&h.fake, &[], &created);
    assert_eq!(posts(&h.fake), 1, "the create was not sent again");
    assert!(created.note.as_deref().is_some_and(|n| n.contains("not sent again")), "{:?}", created.note);
}

#[tokio::test]
async fn a_name_already_in_the_sandbox_is_refused_unless_confirmed_and_never_mistaken_for_the_new_one() {
    let h = harness(FakeConfig::default()).await;
    h.client.create_connection(&servicenow_request("Twin"), SameName::Refuse).await.expect("first");
    let before = h.fake.connections();

    let err =
        h.client.create_connection(&servicenow_request("Twin"), SameName::Refuse).await.expect_err("warned");
    assert!(matches!(err, FlowError::DuplicateName { count: 1, .. }), "{err:?}");
    assert_eq!(posts(&h.fake), 1, "nothing was sent for the refused one");

    // Confirmed, and its answer lost: the old "Twin" must not be reported as the new one.
    h.fake.inject(fault(FaultAction::DropAfterHandling));
    let created =
        h.client.create_connection(&servicenow_request("Twin"), SameName::Allow).await.expect("second");
    assert_ne!(json!(created.id), before[0]["id"]);
    assert_one_new(&h.fake, &before, &created);
    assert_eq!(posts(&h.fake), 2);
}

#[tokio::test]
async fn a_500_after_the_create_was_stored_finds_it_instead_of_sending_again() {
    let h = harness(FakeConfig::default()).await;
    let body = json!({"type": "FLOW-1500-500", "title": "Internal Server Error", "status": 500}).to_string();
    h.fake.inject(fault(FaultAction::AnswerAfterHandling { status: 500, body }));
    let created =
        h.client.create_connection(&servicenow_request("After 500"), SameName::Refuse).await.expect("found");
    assert_one_new(&h.fake, &[], &created);
    assert_eq!(posts(&h.fake), 1);
}

#[tokio::test]
async fn a_2xx_with_a_broken_body_finds_the_connection_it_made() {
    let h = harness(FakeConfig::default()).await;
    h.fake.inject(fault(FaultAction::AnswerAfterHandling { status: 201, body: "{\"id\": \"4f2c".into() }));
    let created = h
        .client
        .create_connection(&servicenow_request("Broken body"), SameName::Refuse)
        .await
        .expect("found");
    assert_one_new(&h.fake, &[], &created);
    assert_eq!(posts(&h.fake), 1);
}

#[tokio::test]
async fn a_timed_out_create_stored_3_s_later_is_waited_for_not_sent_again() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let client = client_for(&fake, "prod", Duration::from_millis(800));
    fake.inject(fault(FaultAction::StoreLater { ms: 3000 }));
    let started = std::time::Instant::now();
    let created =
        client.create_connection(&servicenow_request("Slow store"), SameName::Refuse).await.expect("found");
    assert!(started.elapsed() >= Duration::from_secs(3), "it was found only once stored");
    assert_one_new(&fake, &[], &created);
    assert_eq!(posts(&fake), 1, "not sent again while the service was still storing it");
}

#[tokio::test]
async fn a_create_lost_before_it_was_stored_is_sent_again_once() {
    let h = harness(FakeConfig::default()).await;
    h.fake.inject(fault(FaultAction::DropBeforeHandling));
    let created = h
        .client
        .create_connection(&servicenow_request("Second try"), SameName::Refuse)
        .await
        .expect("created on the second try");
    assert_one_new(&h.fake, &[], &created);
    assert_eq!(posts(&h.fake), 2);
}

#[tokio::test]
async fn a_rejected_create_is_not_retried_and_leaks_no_secret() {
    let h = harness(FakeConfig::default()).await;
    let form = values(&[("host", "https://api.acme.example"), ("accessToken", "super-secret-token")]);
    let mut request =
        new_connection(builtin_source(GENERIC_REST).expect("source"), "oAuth2RefreshCode", "x", "", &form)
            .expect("valid");
    request.connection_spec.version = "9.9".into();
    let err = h.client.create_connection(&request, SameName::Refuse).await.expect_err("bad version");
    assert_eq!(err.api().map(|e| e.status), Some(400));
    assert!(!err.to_string().contains("super-secret-token"));
    assert!(!format!("{request:?}").contains("super-secret-token"), "Debug hides secrets");
    assert_eq!(h.fake.requests().iter().filter(|r| r.method == "POST" && r.path == CONNECTIONS).count(), 1);
}

#[tokio::test]
async fn reads_back_off_on_429_and_honour_retry_after() {
    let h = harness(FakeConfig::default()).await;
    h.fake.inject(Fault {
        method: "GET".into(),
        path: CONNECTIONS.into(),
        action: FaultAction::Status { status: 429, retry_after: Some("1".into()), body: None },
        times: 1,
    });
    let page = h.client.list_connections(&ListQuery::default()).await.expect("the second try succeeds");
    assert!(page.items.is_empty());
    let reads: Vec<_> = h.fake.requests().into_iter().filter(|r| r.path == CONNECTIONS).collect();
    assert_eq!(reads.len(), 2);
    let waited = reads[1].at_ms - reads[0].at_ms;
    assert!(waited >= 1000, "waited {waited} ms, Retry-After asked for 1 s");
}

#[tokio::test]
async fn reads_retry_gateway_errors_with_backoff_and_give_up_in_the_end() {
    let h = harness(FakeConfig::default()).await;
    h.fake.inject(Fault {
        method: "GET".into(),
        path: CONNECTIONS.into(),
        action: FaultAction::Status { status: 503, retry_after: None, body: None },
        times: 10,
    });
    let err = h.client.list_connections(&ListQuery::default()).await.expect_err("always 503");
    assert_eq!(err.api().map(|e| e.status), Some(503));
    let reads: Vec<_> = h.fake.requests().into_iter().filter(|r| r.path == CONNECTIONS).collect();
    assert_eq!(reads.len(), 4, "max_attempts");
    let gaps: Vec<u64> = reads.windows(2).map(|w| w[1].at_ms - w[0].at_ms).collect();
    assert!(gaps[2] >= gaps[0], "the backoff grows: {gaps:?}");
}

#[tokio::test]
async fn lists_follow_continuation_tokens() {
    let h = harness(FakeConfig::default()).await;
    h.fake.seed_connections(SERVICENOW, "prod", "Instance", 250);
    h.fake.seed_connections(ORACLE, "prod", "Database", 3);
    h.fake.seed_connections(SERVICENOW, "dev-marketing", "Elsewhere", 2);
    let mut query = ListQuery { spec_ids: vec![SERVICENOW.into()], limit: Some(100), ..ListQuery::default() };
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let page = h.client.list_connections(&query).await.expect("a page");
        pages += 1;
        names.extend(page.items.into_iter().map(|c| c.name));
        match page.continuation_token {
            Some(token) => query.continuation_token = Some(token),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 250);
    assert_eq!(names.first().map(String::as_str), Some("Instance 0001"));
    assert_eq!(names.last().map(String::as_str), Some("Instance 0250"));
    let first = &h.fake.requests()[1];
    assert!(first.query.contains(&("property".into(), format!("connectionSpec.id=={SERVICENOW}"))));
}

#[tokio::test]
async fn get_patch_test_and_delete_a_connection() {
    let h = harness(FakeConfig::default()).await;
    let created =
        h.client.create_connection(&servicenow_request("Before"), SameName::Refuse).await.expect("created");

    let fetched = h.client.get_connection(&created.id).await.expect("read through the items wrapper");
    assert_eq!(
        (fetched.name.as_str(), fetched.auth_spec_name.as_deref()),
        ("Before", Some("Basic Authentication"))
    );

    let rename = [PatchOp::Replace { path: "/name".into(), value: "After".into() }];
    let updated = h.client.update_connection(&created.id, &created.etag, &rename).await.expect("renamed");
    // The last PATCH: the first took the create's marker off the description.
    let patch = h.fake.requests().into_iter().rev().find(|r| r.method == "PATCH").expect("a PATCH");
    assert_eq!(
        patch.header("if-match"),
        Some(created.etag.as_str()),
        "the etag goes back exactly, quotes and all"
    );
    assert_eq!(patch.json(), json!([{ "op": "replace", "path": "/name", "value": "After" }]));
    assert_ne!(updated.etag, created.etag);

    let stale =
        h.client.update_connection(&created.id, &created.etag, &rename).await.expect_err("stale etag");
    assert_eq!(stale.api().and_then(|e| e.code.as_deref()), Some("1404-412"));

    assert_eq!(h.client.test_connection(&created.id).await.expect("tested"), TestOutcome::Passed);

    h.fake.mark_in_use(&created.id);
    let in_use = h.client.delete_connection(&created.id).await.expect_err("used by a dataflow");
    assert_eq!(in_use.api().and_then(|e| e.code.as_deref()), Some("1418-400"));
    assert!(in_use.to_string().contains("Delete the dataflows"), "{in_use}");
}

#[tokio::test]
async fn deletes_and_then_the_connection_is_gone() {
    let h = harness(FakeConfig::default()).await;
    let created = h
        .client
        .create_connection(&servicenow_request("Short-lived"), SameName::Refuse)
        .await
        .expect("created");
    h.client.delete_connection(&created.id).await.expect("deleted");
    assert!(h.fake.connections().is_empty());
    let err = h.client.get_connection(&created.id).await.expect_err("gone");
    assert_eq!(err.api().map(|e| e.status), Some(404));
}

#[tokio::test]
async fn tests_by_exploring_when_the_test_endpoint_is_missing() {
    let h = harness(FakeConfig { offer_test_endpoint: false, ..FakeConfig::default() }).await;
    let created =
        h.client.create_connection(&servicenow_request("Explored"), SameName::Refuse).await.expect("created");
    assert_eq!(h.client.test_connection(&created.id).await.expect("explored"), TestOutcome::Explored);
    let explore = h.fake.requests().into_iter().find(|r| r.path.ends_with("/explore")).expect("explored");
    assert_eq!(explore.query, [("objectType".to_string(), "root".to_string())]);
}

#[tokio::test]
async fn lists_sandboxes_for_the_picker() {
    let h = harness(FakeConfig::default()).await;
    let sandboxes = h.client.sandboxes().await.expect("listed");
    let names: Vec<&str> = sandboxes.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["prod", "dev-marketing", "old-test"]);
    assert!(sandboxes[0].is_default);
    assert_eq!(sandboxes[1].title, "Marketing development");
}

#[tokio::test]
async fn an_unknown_sandbox_is_explained() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let client = client_for(&fake, "old-test", Duration::from_secs(5));
    let err = client.list_connections(&ListQuery::default()).await.expect_err("deleted sandbox");
    assert_eq!(err.api().and_then(|e| e.code.as_deref()), Some("2100-404"));
    assert!(err.to_string().contains("Pick a sandbox"));
}

#[tokio::test]
async fn the_ims_token_is_cached_and_renewed_once_after_a_401() {
    let h = harness(FakeConfig::default()).await;
    h.client.sandboxes().await.expect("first call");
    h.client.list_connections(&ListQuery::default()).await.expect("second call");
    let token_requests = || h.fake.requests().iter().filter(|r| r.path == "/ims/token/v3").count();
    assert_eq!(token_requests(), 1, "the token is reused");

    let token_request =
        h.fake.requests().into_iter().find(|r| r.path == "/ims/token/v3").expect("token request");
    assert!(token_request.query.is_empty(), "credentials travel in the body, not the URL");
    let form: Vec<(String, String)> =
        url::form_urlencoded::parse(token_request.body.as_bytes()).into_owned().collect();
    assert!(form.contains(&("grant_type".into(), "client_credentials".into())));
    assert!(form.contains(&("scope".into(), DEFAULT_SCOPES.into())));

    h.fake.expire_tokens();
    h.client.list_connections(&ListQuery::default()).await.expect("renewed after a 401");
    assert_eq!(token_requests(), 2);
}

#[tokio::test]
async fn a_short_lived_token_is_renewed_before_it_expires() {
    let h = harness(FakeConfig { token_lifetime_secs: 1, ..FakeConfig::default() }).await;
    h.client.sandboxes().await.expect("first call");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    h.client.sandboxes().await.expect("second call");
    let token_requests = h.fake.requests().iter().filter(|r| r.path == "/ims/token/v3").count();
    assert_eq!(token_requests, 2);
    assert!(h
        .fake
        .requests()
        .iter()
        .all(|r| r.path == "/ims/token/v3" || r.path.ends_with("sandbox-management/")));
}

#[tokio::test]
async fn wrong_client_credentials_are_explained_without_the_secret() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let base = Url::parse(&fake.url()).expect("url");
    let provider = ImsTokenProvider::new(
        http_client(Duration::from_secs(5)),
        &base,
        ImsCredentials::ClientCredentials {
            client_id: "fake-client-id".into(),
            client_secret: Secret::new("wrong-secret-value"),
            scopes: DEFAULT_SCOPES.into(),
        },
    );
    let err = provider.access_token().await.expect_err("refused");
    assert!(matches!(err, ImsError::InvalidClient { .. }), "{err:?}");
    assert!(err.to_string().contains("Adobe Developer Console"));
    assert!(!format!("{err} {err:?}").contains("wrong-secret-value"));
}

#[tokio::test]
async fn a_pasted_token_is_used_as_is_and_a_refusal_says_to_paste_a_new_one() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let base = Url::parse(&fake.url()).expect("url");
    let http = http_client(Duration::from_secs(5));
    let tokens = Arc::new(ImsTokenProvider::new(
        http.clone(),
        &base,
        ImsCredentials::AccessToken(Secret::new("pasted-expired")),
    ));
    let client = FlowClient::new(http, &base, tokens, target_for(&fake, "prod"));
    let err = client.sandboxes().await.expect_err("not a token the fake issued");
    assert!(matches!(err, FlowError::Ims(ImsError::PastedTokenRejected)), "{err:?}");
    assert_eq!(fake.requests().len(), 1, "no IMS call and no second try");
    assert_eq!(fake.requests()[0].header("authorization"), Some("Bearer pasted-expired"));
}

#[tokio::test]
async fn gateway_header_errors_are_read() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let mut target = target_for(&fake, "prod");
    target.org_id = "OTHER@AdobeOrg".into();
    let err = client_with(&fake, target, Duration::from_secs(5)).sandboxes().await.expect_err("wrong org");
    assert_eq!(err.api().and_then(|e| e.code.as_deref()), Some("403027"));
    assert!(err.to_string().contains("org ID"), "{err}");
}

#[tokio::test]
async fn pages_through_2500_connections_one_page_at_a_time() {
    let h = harness(FakeConfig::default()).await;
    h.fake.seed_connections(SERVICENOW, "prod", "Instance", 2_500);
    let mut query = ListQuery { limit: Some(100), ..ListQuery::default() };
    let (mut seen, mut pages) = (std::collections::HashSet::new(), 0);
    loop {
        let page = h.client.list_connections(&query).await.expect("a page");
        assert!(page.items.len() <= 100, "never more than one page at a time");
        pages += 1;
        seen.extend(page.items.into_iter().map(|c| c.id));
        match page.continuation_token {
            Some(token) => query.continuation_token = Some(token),
            None => break,
        }
    }
    assert_eq!((pages, seen.len()), (25, 2_500), "every connection once, in 25 pages");
    let lists = h.fake.requests().into_iter().filter(|r| r.path == CONNECTIONS).count();
    assert_eq!(lists, 25);
}

#[tokio::test]
async fn a_rename_with_a_stale_etag_rereads_and_retries_once() {
    let h = harness(FakeConfig::default()).await;
    let created =
        h.client.create_connection(&servicenow_request("Original"), SameName::Refuse).await.expect("created");
    let marker_removal = h.fake.requests().iter().filter(|r| r.method == "PATCH").count();
    // Someone else changes the connection: the etag the app holds is now stale.
    let meanwhile = [PatchOp::Replace { path: "/description".into(), value: "edited elsewhere".into() }];
    h.client.update_connection(&created.id, &created.etag, &meanwhile).await.expect("edited");

    let renamed = h.client.rename_connection(&created.id, &created.etag, "Renamed").await.expect("renamed");
    let patches: Vec<_> =
        h.fake.requests().into_iter().filter(|r| r.method == "PATCH").skip(marker_removal).collect();
    assert_eq!(patches.len(), 3, "the edit, the stale try and the retry");
    assert_eq!(patches[1].header("if-match"), Some(created.etag.as_str()));
    assert_ne!(patches[2].header("if-match"), Some(created.etag.as_str()));
    let stored = h.client.get_connection(&created.id).await.expect("read");
    assert_eq!((stored.name.as_str(), stored.etag.as_str()), ("Renamed", renamed.etag.as_str()));
}

#[tokio::test]
async fn an_answer_larger_than_the_cap_is_refused_not_buffered() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A server that announces a 20 MiB body: the client must refuse it, not wait for it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("accept");
        let mut head = [0u8; 4096];
        let _ = stream.read(&mut head).await;
        let header = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 20971520\r\n\r\n";
        stream.write_all(header.as_bytes()).await.expect("head");
        stream.write_all(b"{\"items\": [").await.expect("start");
        tokio::time::sleep(Duration::from_secs(5)).await;
    });
    let response =
        http_client(Duration::from_secs(10)).get(format!("http://{addr}/")).send().await.expect("head");
    let started = std::time::Instant::now();
    let read = flow_connect_core::http_body::read_capped(response).await;
    assert_eq!(read, Err(flow_connect_core::http_body::BodyError::TooLarge));
    assert!(started.elapsed() < Duration::from_secs(2), "refused at once");
    server.abort();
}
