//! The connections door, driven directly: a create checked against the org's live spec with
//! nothing warmed before it and its origin recorded, create-or-skip, the two list sizes, a name
//! resolved (and two of it refused), and the refusals made before anything is sent.

use std::path::PathBuf;

use fakes::specs::SERVICENOW;
use fakes::{require_private_keyring, FakeConfig, FakePlatform};
use flow_connect_core::accounts::Account;
use flow_connect_core::catalog::FormValues;
use flow_connect_core::config::Endpoints;
use flow_connect_core::operations::failure::ErrorCode;
use flow_connect_core::operations::{
    ConnectionRequest, ConnectionTarget, CreateOutcome, ListRequest, ListSize, Operations, RenameRequest,
    SandboxRequest, SaveAccountRequest,
};
use flow_connect_core::Secret;
use serde_json::json;

const CONNECTIONS: &str = "/data/foundation/flowservice/connections";
const PASSWORD: &str = "seam-connections-Zk41";

/// Core's operations over a data folder of their own and a keychain service of their own, with
/// Adobe on `fake` and one account signed in with the fake's client secret.
struct Seam {
    ops: Operations,
    dir: PathBuf,
    account_id: String,
}

impl Seam {
    async fn open(fake: &FakePlatform) -> Self {
        let id = uuid::Uuid::new_v4();
        let dir = std::env::temp_dir().join(format!("flow-connect-seam-connections-{id}"));
        let url = fake.url();
        let endpoints = Endpoints::from_lookup(|var| {
            matches!(var, "FLOW_CONNECT_PLATFORM_URL" | "FLOW_CONNECT_IMS_URL").then(|| url.clone())
        })
        .expect("endpoints");
        let (ops, _) =
            Operations::open(endpoints, &format!("io.flowconnect.test.{id}"), &dir).expect("opened");
        let config = fake.config();
        let account: Account = serde_json::from_value(json!({
            "id": "", "displayName": "Acme", "orgId": config.org_id, "clientId": config.client_id,
            "defaultSandbox": "prod",
        }))
        .expect("account");
        let request = SaveAccountRequest { account, client_secret: Some(Secret::new(config.client_secret)) };
        let account_id = ops.accounts().save(request).await.expect("account saved").id;
        Self { ops, dir, account_id }
    }

    fn request(&self, name: &str) -> ConnectionRequest {
        let values: FormValues =
            [("endpoint", "https://acme.service-now.com"), ("username", "svc"), ("password", PASSWORD)]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), Secret::new(v)))
                .collect();
        ConnectionRequest {
            account_id: self.account_id.clone(),
            sandbox: "prod".into(),
            spec_id: SERVICENOW.into(),
            spec_name: "Basic Authentication".into(),
            name: name.into(),
            description: String::new(),
            values,
            stored: None,
            allow_duplicate: None,
            profile_id: None,
            token: None,
            signed: None,
            secret_expires_at: None,
            minted: None,
        }
    }

    fn target(&self, connection_id: &str) -> ConnectionTarget {
        ConnectionTarget {
            account_id: self.account_id.clone(),
            sandbox: "prod".into(),
            connection_id: connection_id.into(),
        }
    }

    fn sandbox(&self) -> SandboxRequest {
        SandboxRequest { account_id: self.account_id.clone(), sandbox: "prod".into() }
    }

    /// Removes the account, and its client secret from the keychain, then the data folder.
    async fn close(self) {
        self.ops.accounts().remove(&self.account_id).await.expect("account removed");
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn fake() -> FakePlatform {
    FakePlatform::start(FakeConfig::default()).await.expect("fake")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_create_reads_the_live_spec_itself_records_its_origin_and_a_delete_forgets_it() {
    require_private_keyring();
    let fake = fake().await;
    let seam = Seam::open(&fake).await;

    // Nothing fetched the source before: the door reads the org's spec itself, then creates.
    let created = seam.ops.connections().create(&seam.request("ServiceNow tickets")).await.expect("created");
    let paths: Vec<(String, String)> = fake.requests().into_iter().map(|r| (r.method, r.path)).collect();
    let spec =
        paths.iter().position(|(m, p)| m == "GET" && p.ends_with(&format!("/connectionSpecs/{SERVICENOW}")));
    let post = paths.iter().position(|(m, p)| m == "POST" && p == CONNECTIONS);
    assert!(matches!((spec, post), (Some(s), Some(p)) if s < p), "the live spec first: {paths:?}");
    let stored = fake.connections();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0]["id"].as_str(), stored[0]["name"].as_str()),
        (Some(created.id.as_str()), Some("ServiceNow tickets"))
    );
    assert_eq!(stored[0]["auth"]["params"]["password"], PASSWORD);

    let origins_file =
        std::fs::read_to_string(seam.dir.join("connection-origins.json")).expect("origins file");
    assert!(origins_file.contains(&created.id), "{origins_file}");
    assert!(!origins_file.contains(PASSWORD), "no secret in the origins file");
    let views = seam.ops.connections().origins(&seam.sandbox()).await;
    assert_eq!(
        views.iter().map(|v| v.origin.connection_id.as_str()).collect::<Vec<_>>(),
        [created.id.as_str()]
    );

    seam.ops.connections().delete(&seam.target(&created.id)).await.expect("deleted");
    assert!(fake.connections().is_empty(), "deleted at Adobe");
    assert!(seam.ops.connections().origins(&seam.sandbox()).await.is_empty(), "its origin forgotten");
    seam.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_second_create_of_a_name_is_skipped_with_the_id_and_a_dry_run_sends_nothing() {
    require_private_keyring();
    let fake = fake().await;
    let seam = Seam::open(&fake).await;
    let connections = seam.ops.connections();
    let request = seam.request("ServiceNow prod");

    let CreateOutcome::DryRun { curl, .. } = connections.create_or_skip(&request, true).await else {
        panic!("a dry run")
    };
    assert!(curl.contains("ServiceNow prod") && !curl.contains(PASSWORD), "masked: {curl}");
    assert!(fake.connections().is_empty(), "a dry run creates nothing");

    let CreateOutcome::Created { id, .. } = connections.create_or_skip(&request, false).await else {
        panic!("created")
    };
    let again = connections.create_or_skip(&request, false).await;
    assert_eq!(again, CreateOutcome::Skipped { sandbox: "prod".into(), id: Some(id.clone()), ids: vec![id] });
    assert_eq!(fake.connections().len(), 1, "skipped, not created twice");
    seam.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_window_page_is_fifty_and_a_whole_listing_walks_every_page() {
    require_private_keyring();
    let fake = fake().await;
    fake.seed_connections(SERVICENOW, "prod", "Filler", 120);
    let seam = Seam::open(&fake).await;
    let connections = seam.ops.connections();
    // An empty source filter means every source, as the window sends it.
    let mut request = ListRequest {
        account_id: seam.account_id.clone(),
        sandbox: "prod".into(),
        spec_id: Some(String::new()),
        continuation_token: None,
    };

    let page = connections.list(&request, ListSize::Page).await.expect("a page");
    assert_eq!(page.items.len(), 50);
    assert!(page.continuation_token.is_some(), "more to come");
    let whole = connections.list(&request, ListSize::Whole).await.expect("the whole list");
    assert_eq!(whole.items.len(), 120);
    assert_eq!(whole.continuation_token, None, "nothing left out");

    request.continuation_token = page.continuation_token;
    let next = connections.list(&request, ListSize::Page).await.expect("the next page");
    assert!(next.items.iter().all(|c| page.items.iter().all(|p| p.id != c.id)), "the page after, not again");
    seam.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_name_finds_its_connection_and_two_of_a_name_are_refused_with_their_ids() {
    require_private_keyring();
    let fake = fake().await;
    let ids = fake.seed_named(SERVICENOW, "prod", &["Sales", "Twins", "Twins"]);
    let seam = Seam::open(&fake).await;
    let connections = seam.ops.connections();

    let found = connections.find(&seam.account_id, "prod", "Sales").await.expect("found by name");
    assert_eq!(found.id, ids[0]);
    let by_id = connections.find(&seam.account_id, "prod", &ids[1]).await.expect("found by id");
    assert_eq!(by_id.name, "Twins");
    let refused = connections.find(&seam.account_id, "prod", "Twins").await.expect_err("two of the name");
    assert_eq!(refused.code, ErrorCode::Ambiguous);
    assert!(refused.message.contains(&ids[1]) && refused.message.contains(&ids[2]), "{}", refused.message);
    seam.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn an_empty_name_and_a_malformed_id_are_refused_before_anything_is_sent() {
    require_private_keyring();
    let fake = fake().await;
    let ids = fake.seed_named(SERVICENOW, "prod", &["Sales"]);
    let seam = Seam::open(&fake).await;
    let connections = seam.ops.connections();
    let sent_before = fake.requests().len();

    let rename = RenameRequest {
        account_id: seam.account_id.clone(),
        sandbox: "prod".into(),
        connection_id: ids[0].clone(),
        etag: "\"1\"".into(),
        name: "   ".into(),
    };
    let empty = connections.rename(&rename).await.expect_err("an empty name");
    assert_eq!(empty.code, ErrorCode::Validation);
    for refused in [
        connections.test(&seam.target("not-an-id")).await.expect_err("test"),
        connections.delete(&seam.target("../sandboxes")).await.expect_err("delete"),
    ] {
        assert_eq!(refused.code, ErrorCode::Validation, "{}", refused.message);
    }
    assert_eq!(fake.requests().len(), sent_before, "nothing sent");
    assert_eq!(fake.connections()[0]["name"], "Sales", "unchanged");

    // A name with spaces around it is trimmed, not refused.
    let renamed = connections.rename(&RenameRequest { name: "  EU sales ".into(), ..rename }).await;
    renamed.expect("renamed");
    assert_eq!(fake.connections()[0]["name"], "EU sales");
    seam.close().await;
}
