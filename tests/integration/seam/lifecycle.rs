//! The lifecycle door, driven directly: a renewal read against the org's live spec by a process
//! that fetched nothing before, with the token dates kept; a profile of another source and a
//! malformed id refused before anything is sent; the summaries' cap; the tokens' standing.

use std::path::{Path, PathBuf};

use fakes::specs::{BIGQUERY, SERVICENOW};
use fakes::{require_private_keyring, FakeConfig, FakePlatform};
use flow_connect_core::accounts::Account;
use flow_connect_core::adobe::flow::{Listing, Place, TestOutcome};
use flow_connect_core::catalog::FormValues;
use flow_connect_core::config::Endpoints;
use flow_connect_core::operations::failure::ErrorCode;
use flow_connect_core::operations::renew::Renewal;
use flow_connect_core::operations::{
    ConnectionRequest, ConnectionTarget, ExploreRequest, ListRequest, ListSize, OpenRenewRequest, Operations,
    ProfileTokenRequest, RecordProfileTokenRequest, RenewRequest, SandboxRequest, SaveAccountRequest,
    SummariesRequest, TestingClientRequest, TokenStatusRequest,
};
use flow_connect_core::profiles::Profile;
use flow_connect_core::store::origins::{TokenIssue, TESTING_LIFETIME_MS};
use flow_connect_core::Secret;
use serde_json::json;

const FIRST: &str = "seam-lifecycle-first-Hq20";
const RENEWED: &str = "seam-lifecycle-renewed-Vt73";

/// Core's operations over a data folder and a keychain service of their own, Adobe on the
/// fake; [`Seam::again`] opens them once more, as a new process would.
struct Seam {
    ops: Operations,
    dir: PathBuf,
    service: String,
    url: String,
    account_id: String,
}

fn operations(url: &str, service: &str, dir: &Path) -> Operations {
    let endpoints = Endpoints::from_lookup(|var| {
        matches!(var, "FLOW_CONNECT_PLATFORM_URL" | "FLOW_CONNECT_IMS_URL").then(|| url.to_owned())
    })
    .expect("endpoints");
    Operations::open(endpoints, service, dir).expect("opened").0
}

impl Seam {
    /// Without an account: nothing here touches the keychain.
    fn bare(fake: &FakePlatform) -> Self {
        let id = uuid::Uuid::new_v4();
        let dir = std::env::temp_dir().join(format!("flow-connect-seam-lifecycle-{id}"));
        let service = format!("io.flowconnect.test.{id}");
        let url = fake.url();
        let ops = operations(&url, &service, &dir);
        Self { ops, dir, service, url, account_id: String::new() }
    }

    /// With an account signed in by the fake's client secret, kept in the keychain.
    async fn open(fake: &FakePlatform) -> Self {
        let mut seam = Self::bare(fake);
        let config = fake.config();
        let account: Account = serde_json::from_value(json!({
            "id": "", "displayName": "Acme", "orgId": config.org_id, "clientId": config.client_id,
            "defaultSandbox": "prod",
        }))
        .expect("account");
        let request = SaveAccountRequest { account, client_secret: Some(Secret::new(config.client_secret)) };
        seam.account_id = seam.ops.accounts().save(request).await.expect("account saved").id;
        seam
    }

    /// The same data folder and keychain, opened by a new process: nothing in memory.
    fn again(&self) -> Operations {
        operations(&self.url, &self.service, &self.dir)
    }

    fn target(&self, connection_id: &str) -> ConnectionTarget {
        ConnectionTarget {
            account_id: self.account_id.clone(),
            sandbox: "prod".into(),
            connection_id: connection_id.into(),
        }
    }

    async fn servicenow(&self, name: &str) -> String {
        let request = ConnectionRequest {
            account_id: self.account_id.clone(),
            sandbox: "prod".into(),
            spec_id: SERVICENOW.into(),
            spec_name: "Basic Authentication".into(),
            name: name.into(),
            description: String::new(),
            values: servicenow_values(FIRST),
            stored: None,
            allow_duplicate: None,
            profile_id: None,
            token: None,
            signed: None,
            secret_expires_at: None,
            minted: None,
        };
        self.ops.connections().create(&request).await.expect("created").id
    }

    async fn close(self) {
        if !self.account_id.is_empty() {
            self.ops.accounts().remove(&self.account_id).await.expect("account removed");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn servicenow_values(password: &str) -> FormValues {
    [("endpoint", "https://acme.service-now.com"), ("username", "svc"), ("password", password)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Secret::new(v)))
        .collect()
}

fn issue(client_id: &str) -> TokenIssue {
    TokenIssue {
        issued_at: 1_767_225_600_000,
        client_id: client_id.into(),
        expires_at: None,
        provider: None,
        access_expires_at: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_new_process_renews_against_the_live_spec_and_keeps_the_token_date() {
    require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let seam = Seam::open(&fake).await;
    let id = seam.servicenow("ServiceNow tickets").await;

    // A new process: no spec in memory, yet the renewal is checked against the org's own.
    let ops = seam.again();
    let open = OpenRenewRequest {
        account_id: seam.account_id.clone(),
        sandbox: "prod".into(),
        connection_id: id.clone(),
        spec_id: SERVICENOW.into(),
    };
    let sent_before = fake.requests().len();
    let form = ops.lifecycle().open_renew(&open).await.expect("the renew form");
    let spec_read = fake.requests()[sent_before..]
        .iter()
        .any(|r| r.method == "GET" && r.path.ends_with(&format!("/connectionSpecs/{SERVICENOW}")));
    assert!(spec_read, "the live spec read by the door itself");
    assert_eq!(form.values.get("username").map(String::as_str), Some("svc"));
    assert!(!form.values.contains_key("password"), "a secret is never read back");

    let request = RenewRequest {
        account_id: seam.account_id.clone(),
        sandbox: "prod".into(),
        connection_id: id.clone(),
        etag: form.connection.etag.clone(),
        spec_id: SERVICENOW.into(),
        spec_name: form.spec_name.clone(),
        values: servicenow_values(RENEWED),
        stored: None,
        update_profile: None,
        token: Some(issue("renewal-client")),
    };
    let renewal = ops.lifecycle().renew(&request).await.expect("renewed");
    assert!(matches!(renewal, Renewal::Updated { test: Some(TestOutcome::Passed), .. }), "{renewal:?}");
    assert_eq!(fake.connections()[0]["auth"]["params"]["password"], RENEWED);
    let sandbox = SandboxRequest { account_id: seam.account_id.clone(), sandbox: "prod".into() };
    let views = seam.again().connections().origins(&sandbox).await;
    let token = views.iter().find(|v| v.origin.connection_id == id).and_then(|v| v.token.clone());
    assert_eq!(token.map(|t| t.issue.client_id), Some("renewal-client".to_owned()), "the token date kept");
    seam.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn another_source_s_connection_and_malformed_ids_are_refused_before_anything_is_sent() {
    require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let ids = fake.seed_named(BIGQUERY, "prod", &["Warehouse"]);
    let seam = Seam::open(&fake).await;
    let lifecycle = seam.ops.lifecycle();
    let profile: Profile = serde_json::from_value(json!({
        "id": "p-1", "name": "ServiceNow prod", "specId": SERVICENOW, "specName": "Basic Authentication",
        "sourceName": "ServiceNow", "connectionName": "", "values": {}, "secretFields": ["password"],
        "updatedAt": 0, "lastUsedAt": 0,
    }))
    .expect("profile");
    let other = lifecycle.renew_target(&seam.account_id, "prod", "Warehouse", &profile).await;
    let refused = other.expect_err("another source's connection");
    assert_eq!(refused.code, ErrorCode::Validation);
    assert!(refused.message.contains("Warehouse") && refused.message.contains("ServiceNow prod"));

    let sent_before = fake.requests().len();
    let explore = ExploreRequest {
        account_id: seam.account_id.clone(),
        sandbox: "prod".into(),
        connection_id: "Warehouse".into(),
        spec_id: BIGQUERY.into(),
        place: Place::Root,
        start: None,
    };
    let summaries = SummariesRequest {
        account_id: seam.account_id.clone(),
        sandbox: "prod".into(),
        connection_ids: vec![ids[0].clone(), "not-an-id".into()],
    };
    for refused in [
        lifecycle.explore(&explore).await.expect_err("explore"),
        lifecycle.health(&seam.target("1; DROP")).await.expect_err("health"),
        lifecycle.flow_summaries(&summaries).await.expect_err("summaries"),
    ] {
        assert_eq!(refused.code, ErrorCode::Validation, "{}", refused.message);
    }
    assert_eq!(fake.requests().len(), sent_before, "nothing sent");
    seam.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn summaries_stop_at_two_hundred_and_a_connection_is_explored_and_its_flows_listed() {
    require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    fake.seed_connections(BIGQUERY, "prod", "Filler", 250);
    let seam = Seam::open(&fake).await;
    let list =
        ListRequest { account_id: seam.account_id.clone(), sandbox: "prod".into(), ..ListRequest::default() };
    let all = seam.ops.connections().list(&list, ListSize::Whole).await.expect("listed").items;
    let connection_ids: Vec<String> = all.iter().map(|c| c.id.clone()).collect();
    assert_eq!(connection_ids.len(), 250);
    let first = connection_ids[0].clone();
    fake.add_flows(&first, 3);

    let lifecycle = seam.ops.lifecycle();
    let request =
        SummariesRequest { account_id: seam.account_id.clone(), sandbox: "prod".into(), connection_ids };
    let summaries = lifecycle.flow_summaries(&request).await.expect("summaries");
    assert_eq!(summaries.len(), 200, "a page of the connections screen, no more");
    assert_eq!(summaries.iter().find(|s| s.connection_id == first).map(|s| s.flows), Some(3));
    let health = lifecycle.health(&seam.target(&first)).await.expect("health");
    assert_eq!(health.flows.len(), 3);
    let explore = ExploreRequest {
        account_id: seam.account_id.clone(),
        sandbox: "prod".into(),
        connection_id: first,
        spec_id: BIGQUERY.into(),
        place: Place::Root,
        start: None,
    };
    let listing = lifecycle.explore(&explore).await.expect("explored");
    assert!(matches!(listing, Listing::Objects { ref items, .. } if !items.is_empty()), "{listing:?}");
    seam.close().await;
}

#[tokio::test]
async fn a_profile_s_token_date_is_kept_and_a_testing_client_s_tokens_last_seven_days() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let seam = Seam::bare(&fake);
    let lifecycle = seam.ops.lifecycle();
    let profile = ProfileTokenRequest { profile_id: "p-1".into() };
    assert_eq!(lifecycle.profile_token(&profile).await, None, "none yet");

    let token = issue("123.apps.googleusercontent.com");
    let record = RecordProfileTokenRequest { profile_id: "p-1".into(), token: token.clone() };
    lifecycle.record_profile_token(&record).await.expect("recorded");
    let file = std::fs::read_to_string(seam.dir.join("connection-origins.json")).expect("origins file");
    assert!(file.contains("p-1") && file.contains("123.apps.googleusercontent.com"), "{file}");
    let kept = seam.again().lifecycle().profile_token(&profile).await.expect("kept across processes");
    assert_eq!((kept.issue, kept.testing, kept.expires_at), (token.clone(), false, None));

    let testing =
        TestingClientRequest { client_id: " 123.apps.googleusercontent.com ".into(), testing: true };
    lifecycle.mark_testing_client(&testing).await.expect("marked");
    let status = lifecycle.token_status(&TokenStatusRequest { token: token.clone() }).await;
    assert!(status.testing);
    assert_eq!(status.expires_at, Some(token.issued_at + TESTING_LIFETIME_MS));
    seam.close().await;
}
