//! A connection's life after "created", against the fake Flow Service over loopback:
//! exploring it (folders, 10,000 tables, columns, a preview), the health of its dataflows in
//! a bounded number of requests, and new credentials patched with `If-Match`, never over a
//! change the user has not seen.

use std::time::Duration;

use fakes::clients::client_for;
use fakes::{FakeConfig, FakePlatform};
use flow_connect_core::adobe::flow::{
    ExploreKind, ExploreSupport, FlowClient, Listing, Place, SameName, TestOutcome,
};
use flow_connect_core::catalog::{builtin_source, new_connection, FormValues};
use flow_connect_core::operations::renew::{self, Renewal};
use flow_connect_core::Secret;

const BIGQUERY: &str = flow_connect_core::catalog::BIGQUERY_SPEC_ID;
const SERVICENOW: &str = "eb13cb25-47ab-407f-ba89-c0125281c563";
const TABULAR: ExploreSupport = ExploreSupport { kind: ExploreKind::Tabular, paged: false };

fn values(pairs: &[(&str, &str)]) -> FormValues {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), Secret::new(*v))).collect()
}

async fn bigquery(fake: &FakePlatform, client: &FlowClient) -> String {
    let id = bigquery_in(fake, client).await;
    assert_eq!(fake.connections().len(), 1);
    id
}

async fn bigquery_in(_fake: &FakePlatform, client: &FlowClient) -> String {
    let source = builtin_source(BIGQUERY).unwrap();
    let form = values(&[
        ("project", "acme-analytics"),
        ("clientId", "123.apps.googleusercontent.com"),
        ("clientSecret", "GOCSPX-first-secret"),
        ("refreshToken", "1//first-refresh-token"),
    ]);
    let new = new_connection(source, "Basic Authentication", "BigQuery marketing", "", &form).unwrap();
    client.create_connection(&new, SameName::Refuse).await.expect("created").id
}

#[tokio::test]
async fn a_connection_is_explored_down_to_a_table_its_columns_and_a_preview() {
    let fake = FakePlatform::start(FakeConfig::default()).await.unwrap();
    let client = client_for(&fake, "prod", Duration::from_secs(10));
    let id = bigquery(&fake, &client).await;
    fake.set_tables(10_000);

    let Listing::Objects { items, next_start, truncated } =
        client.explore(&id, TABULAR, &Place::Root, 0).await.unwrap()
    else {
        panic!("the root lists objects")
    };
    assert_eq!(
        items.iter().map(|i| (i.kind.as_str(), i.name.as_str())).collect::<Vec<_>>(),
        [("folder", "analytics"), ("folder", "sales")]
    );
    assert_eq!((next_start, truncated), (None, false));

    let folder = Place::Folder("analytics".into());
    let Listing::Objects { items, .. } = client.explore(&id, TABULAR, &folder, 0).await.unwrap() else {
        panic!("the folder lists its tables")
    };
    assert_eq!(items.len(), 10_000);
    assert!(items.iter().all(|i| i.kind == "table" && i.can_preview));

    let columns = client.table_details(&id, "sales.customers", false).await.unwrap();
    assert!(columns.rows.is_empty(), "no rows unless a preview is asked for");
    let xdm: Vec<Option<&str>> = columns.columns.iter().map(|c| c.xdm_type.as_deref()).collect();
    assert!(
        xdm.contains(&Some("date-time")) && xdm.contains(&Some("boolean")) && xdm.contains(&Some("number"))
    );

    let preview = client.table_details(&id, "sales.customers", true).await.unwrap();
    assert_eq!(preview.rows.len(), 25);
    assert!(preview.rows.iter().all(|row| row.len() == preview.columns.len()));
    let region = preview.columns.iter().position(|c| c.name == "region").unwrap();
    assert!(preview.rows.iter().any(|row| row[region].is_none()), "nulls stay null");
    let notes = preview.columns.iter().position(|c| c.name == "notes").unwrap();
    assert!(preview.rows[1][notes].as_ref().is_some_and(|n| n.len() > 500), "long values arrive whole");

    let wide = client.table_details(&id, "analytics.events_09999", true).await.unwrap();
    assert_eq!((wide.rows.len(), wide.columns.len()), (100, 50));
}

#[tokio::test]
async fn a_source_that_pages_is_explored_a_page_at_a_time_and_refusals_are_explained() {
    let fake = FakePlatform::start(FakeConfig::default()).await.unwrap();
    let client = client_for(&fake, "prod", Duration::from_secs(10));
    let postgres = fakes::specs::catalog_source("postgre-sql");
    let form = values(&[
        ("server", "db.example.com"),
        ("database", "sales"),
        ("username", "reader"),
        ("password", "pw"),
    ]);
    let new =
        new_connection(&postgres, "Basic Authentication for PostgreSQL", "Warehouse", "", &form).unwrap();
    let paged_id = client.create_connection(&new, SameName::Refuse).await.unwrap().id;
    assert_eq!(
        postgres.explore,
        ExploreSupport { kind: ExploreKind::Tabular, paged: true },
        "read from the spec"
    );
    fake.set_tables(2_500);
    let folder = Place::Folder("analytics".into());
    let mut seen = Vec::new();
    let mut start = 0;
    loop {
        let Listing::Objects { items, next_start, .. } =
            client.explore(&paged_id, postgres.explore, &folder, start).await.unwrap()
        else {
            panic!("objects")
        };
        seen.extend(items);
        match next_start {
            Some(next) => start = next,
            None => break,
        }
    }
    assert_eq!(seen.len(), 2_500);
    let pages: Vec<_> = fake.requests().into_iter().filter(|r| r.path.ends_with("/explore")).collect();
    assert_eq!(pages.len(), 3, "1,000 a page");
    assert_eq!(pages[2].query.iter().find(|(k, _)| k == "start").map(|(_, v)| v.as_str()), Some("2000"));
    let id = bigquery_in(&fake, &client).await;

    let rest = ExploreSupport { kind: ExploreKind::Resource, paged: false };
    let before = fake.requests().len();
    assert!(matches!(
        client.explore(&id, rest, &Place::Root, 0).await.unwrap(),
        Listing::NeedsParameters { .. }
    ));
    assert_eq!(fake.requests().len(), before, "a REST source is not sent a root explore it refuses");

    fake.fail(&id, "CONNECTOR-1001-500", "invalid_grant: Token has been expired or revoked.");
    match client.explore(&id, TABULAR, &Place::Root, 0).await.unwrap() {
        Listing::Unavailable { message, renew } => {
            assert!(renew, "{message}");
            assert!(message.contains("Update its credentials"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn health_of_twenty_dataflows_takes_three_requests_and_names_the_failure() {
    let fake = FakePlatform::start(FakeConfig::default()).await.unwrap();
    let client = client_for(&fake, "prod", Duration::from_secs(10));
    let id = bigquery(&fake, &client).await;
    let flows = fake.add_flows(&id, 20);
    let healthy = client.connection_health(&id).await.unwrap();
    assert_eq!(healthy.flows.len(), 20);
    assert_eq!(healthy.requests, 2, "no failed run, so no runs are read");
    assert!(healthy.flows.iter().all(|f| f.last_run.as_ref().is_some_and(|r| !r.failed)));
    assert_eq!(healthy.flows[0].schedule, "every 15 minutes");

    fake.fail(&id, "CONNECTOR-1001-500", "invalid_grant: Token has been expired or revoked.");
    let start = fake.requests().len();
    let sick = client.connection_health(&id).await.unwrap();
    let sent: Vec<String> = fake.requests()[start..].iter().map(|r| r.path.clone()).collect();
    assert_eq!(sick.requests, 3, "{sent:?}");
    assert_eq!(sent.len(), 3);
    let flow = sick.flows.iter().find(|f| f.id == flows[0]).unwrap();
    assert!(flow.last_run.as_ref().unwrap().failed);
    let run = flow.failed_run.as_ref().expect("the failed run's details");
    assert_eq!(run.status, "failed");
    assert!(run.errors.iter().any(|e| e.message.contains("invalid_grant")));

    let summaries = client.flow_summaries(std::slice::from_ref(&id)).await.unwrap();
    assert_eq!((summaries[0].flows, summaries[0].failing), (20, 20));
}

#[tokio::test]
async fn new_credentials_replace_the_params_with_if_match_and_a_stale_etag_writes_nothing() {
    let fake = FakePlatform::start(FakeConfig::default()).await.unwrap();
    let client = client_for(&fake, "prod", Duration::from_secs(10));
    let id = bigquery(&fake, &client).await;
    let source = builtin_source(BIGQUERY).unwrap();
    fake.fail(&id, "CONNECTOR-1001-500", "invalid_grant: Token has been expired or revoked.");
    assert_eq!(client.test_connection(&id).await.unwrap(), TestOutcome::Failed);

    let form = renew::open(&client, source, &id).await.unwrap();
    assert_eq!(form.spec_name, "Basic Authentication");
    assert_eq!(form.values.get("project").map(String::as_str), Some("acme-analytics"));
    assert!(!form.values.contains_key("clientSecret") && !form.values.contains_key("refreshToken"));

    // Someone renames it meanwhile: the etag the form holds is stale.
    let renamed = client.rename_connection(&id, &form.connection.etag, "BigQuery (renamed)").await.unwrap();
    let mut new = values(&[("project", "acme-analytics"), ("clientId", "123.apps.googleusercontent.com")]);
    new.insert("clientSecret".into(), Secret::new("GOCSPX-first-secret"));
    new.insert("refreshToken".into(), Secret::new("1//second-refresh-token"));
    let stale =
        renew::renew(&client, source, &id, &form.connection.etag, &form.spec_name, &new).await.unwrap();
    let Renewal::Stale { form: again } = stale else { panic!("{stale:?}") };
    assert_eq!(again.connection.etag, renamed.etag);
    assert_eq!(again.connection.name, "BigQuery (renamed)");
    let stored = &fake.connections()[0];
    assert_eq!(stored["auth"]["params"]["refreshToken"], "1//first-refresh-token", "nothing overwritten");

    let done =
        renew::renew(&client, source, &id, &again.connection.etag, &again.spec_name, &new).await.unwrap();
    let Renewal::Updated { test, .. } = done else { panic!("{done:?}") };
    assert_eq!(test, Some(TestOutcome::Passed));
    let patch = fake.requests().into_iter().rev().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(patch.header("if-match"), Some(again.connection.etag.as_str()));
    assert_eq!(patch.json()[0]["op"], "replace");
    assert_eq!(patch.json()[0]["path"], "/auth/params");
    let stored = &fake.connections()[0];
    assert_eq!(stored["auth"]["params"]["refreshToken"], "1//second-refresh-token");
    // A later read shows the new non-secret params and masks the secrets.
    let (_, shown) = client_get(&fake, &id).await;
    assert_eq!(shown["auth"]["params"]["project"], "acme-analytics");
    assert_eq!(shown["auth"]["params"]["refreshToken"], "****");
}

#[tokio::test]
async fn the_fake_refuses_a_patch_its_schema_does_not_accept() {
    let fake = FakePlatform::start(FakeConfig::default()).await.unwrap();
    let client = client_for(&fake, "prod", Duration::from_secs(10));
    let source = builtin_source(SERVICENOW).unwrap();
    let form =
        values(&[("endpoint", "https://acme.service-now.com"), ("username", "svc"), ("password", "pw-1")]);
    let new = new_connection(source, "Basic Authentication", "ServiceNow", "", &form).unwrap();
    let created = client.create_connection(&new, SameName::Refuse).await.unwrap();
    let mut params = flow_connect_core::adobe::flow::AuthParams::default();
    params.insert("endpoint", "https://acme.service-now.com".into(), false);
    let refused = client.replace_auth_params(&created.id, &created.etag, &params).await.expect_err("refused");
    assert_eq!(refused.api().map(|e| e.status), Some(400), "{refused}");
    assert_eq!(fake.connections()[0]["auth"]["params"]["password"], "pw-1");
}

/// The connection as a plain `GET` shows it.
async fn client_get(fake: &FakePlatform, id: &str) -> (u16, serde_json::Value) {
    let config = fake.config();
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("{}/ims/token/v3", fake.url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.as_str()),
            ("scope", "openid,AdobeID"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reply = http
        .get(format!("{}/data/foundation/flowservice/connections/{id}", fake.url()))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .header("x-api-key", &config.client_id)
        .header("x-gw-ims-org-id", &config.org_id)
        .header("x-sandbox-name", "prod")
        .send()
        .await
        .unwrap();
    let status = reply.status().as_u16();
    let body: serde_json::Value = reply.json().await.unwrap();
    (status, body["items"][0].clone())
}
