//! Lookups by name: exactly that name, every page, ambiguity refused, ids accepted; create
//! recovery claims only its own connection.
//!
//! The CLI tests run the built binary (`cargo build -p flow-connect-cli` first) against the fake
//! Flow Service with a data folder of their own and the private keychain session; the create
//! tests drive the core's client against the fake directly.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use fakes::clients::client_for;
use fakes::keychain::in_private_keyring;
use fakes::specs::SERVICENOW;
use fakes::{FakeConfig, FakePlatform, Fault, FaultAction};
use flow_connect_core::catalog::{builtin_source, new_connection, FormValues};
use flow_connect_core::flow::{NewConnection, SameName};
use flow_connect_core::Secret;
use serde_json::{json, Value};

const CONNECTIONS: &str = "/data/foundation/flowservice/connections";
const NEW_PASSWORD: &str = "names-renewed-Pq38";

fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let cli = dir.join("flow-connect-cli");
    assert!(cli.exists(), "build flow-connect-cli first: cargo build -p flow-connect-cli");
    cli
}

/// A data folder of its own, with the endpoints on the fake.
struct Machine {
    root: PathBuf,
    env: Vec<(String, String)>,
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

impl Machine {
    fn new(fake: &FakePlatform) -> Self {
        let root = std::env::temp_dir().join(format!("flow-connect-names-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(root.join("home")).expect("home");
        let env = vec![
            ("XDG_DATA_HOME".to_owned(), root.join("data").display().to_string()),
            ("HOME".to_owned(), root.join("home").display().to_string()),
            ("FLOW_CONNECT_PLATFORM_URL".to_owned(), fake.url()),
            ("FLOW_CONNECT_IMS_URL".to_owned(), fake.url()),
            ("NO_COLOR".to_owned(), "1".to_owned()),
            ("SN_NEW_PASSWORD".to_owned(), NEW_PASSWORD.to_owned()),
            ("ACME_SECRET".to_owned(), fake.config().client_secret),
        ];
        Self { root, env }
    }

    async fn run(&self, args: &[&str]) -> Ran {
        let mut command = Command::new(binary());
        command
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.root)
            .stdin(Stdio::null());
        let output =
            tokio::task::spawn_blocking(move || command.output()).await.expect("joined").expect("ran");
        Ran {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    async fn ok(&self, args: &[&str]) -> Value {
        let ran = self.run(args).await;
        assert_eq!(ran.code, 0, "{args:?} failed: {}{}", ran.stdout, ran.stderr);
        ran.json()
    }

    async fn add_account(&self, fake: &FakePlatform, name: &str) -> String {
        let config = fake.config();
        let added = self
            .ok(&[
                "accounts",
                "add",
                "--json",
                "--name",
                name,
                "--org-id",
                &config.org_id,
                "--client-id",
                &config.client_id,
                "--client-secret",
                "env:ACME_SECRET",
                "--default-sandbox",
                "prod",
            ])
            .await;
        added["id"].as_str().expect("id").to_owned()
    }

    async fn import(&self, profiles: Value) {
        let path = self.root.join(format!("export-{}.json", uuid::Uuid::new_v4()));
        let export = json!({ "flowConnectProfiles": 1, "profiles": profiles });
        std::fs::write(&path, export.to_string()).expect("written");
        self.ok(&["profiles", "import", &path.display().to_string(), "--json"]).await;
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn skip_without_keychain() -> bool {
    if !in_private_keyring() {
        eprintln!("skipped: run inside scripts/private-session.sh (the CLI uses the real keychain)");
        return true;
    }
    false
}

fn servicenow_profile(name: &str) -> Value {
    json!({
        "name": name, "specId": SERVICENOW, "specName": "Basic Authentication",
        "sourceName": "ServiceNow", "connectionName": name, "description": "",
        "values": { "endpoint": "https://acme.service-now.com", "username": "svc" },
        "secretFields": ["password"]
    })
}

fn stored(fake: &FakePlatform, id: &str) -> Option<Value> {
    fake.connections().into_iter().find(|c| c["id"] == id)
}

#[tokio::test]
async fn the_fake_splits_a_name_filter_at_commas_as_flow_service_does() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let ids = fake.seed_named(SERVICENOW, "prod", &["Sales", "Sales,EU", "EU"]);
    let client = client_for(&fake, "prod", Duration::from_secs(10));
    let query = flow_connect_core::flow::ListQuery {
        name: Some("Sales,EU".into()),
        ..flow_connect_core::flow::ListQuery::default()
    };
    let page = client.list_connections(&query).await.expect("listed");
    let mut found: Vec<&str> = page.items.iter().map(|c| c.id.as_str()).collect();
    found.sort_unstable();
    let mut expected = vec![ids[0].as_str(), ids[2].as_str()];
    expected.sort_unstable();
    assert_eq!(found, expected, "`name==Sales,EU` means “Sales” or “EU”, never “Sales,EU”");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explore_renew_rename_and_delete_act_on_the_connection_named_exactly() {
    if skip_without_keychain() {
        return;
    }
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    // More than a page of others first, so a name the service cannot filter is found on
    // the third page.
    fake.seed_connections(SERVICENOW, "prod", "Filler", 230);
    let ids = fake.seed_named(SERVICENOW, "prod", &["Sales", "Sales,EU"]);
    let (sales, sales_eu) = (ids[0].as_str(), ids[1].as_str());
    let machine = Machine::new(&fake);
    machine.add_account(&fake, "Acme").await;
    machine.import(json!([servicenow_profile("ServiceNow prod")])).await;

    let explored = machine.run(&["connections", "explore", "Sales,EU", "--json"]).await;
    assert_eq!(explored.code, 0, "{}", explored.stderr);
    let explores: Vec<String> =
        fake.requests().into_iter().filter(|r| r.path.ends_with("/explore")).map(|r| r.path).collect();
    assert_eq!(explores, [format!("{CONNECTIONS}/{sales_eu}/explore")], "explored “Sales,EU” only");

    let renewed = machine
        .ok(&[
            "renew",
            "Sales,EU",
            "--profile",
            "ServiceNow prod",
            "--secret",
            "password=env:SN_NEW_PASSWORD",
            "--json",
        ])
        .await;
    assert_eq!(renewed["outcome"], "updated");
    assert_eq!(stored(&fake, sales_eu).expect("there")["auth"]["params"]["password"], NEW_PASSWORD);
    assert_eq!(stored(&fake, sales).expect("there")["auth"]["params"], json!({}), "“Sales” untouched");

    machine.ok(&["connections", "rename", "Sales,EU", "--to", "EU,Sales", "--json"]).await;
    assert_eq!(stored(&fake, sales_eu).expect("there")["name"], "EU,Sales");
    assert_eq!(stored(&fake, sales).expect("there")["name"], "Sales");

    // “EU,Sales” filtered by the service would match “Sales”: the one named is deleted.
    let deleted = machine.ok(&["connections", "delete", "EU,Sales", "--json"]).await;
    assert_eq!(deleted["deleted"], sales_eu);
    assert!(stored(&fake, sales_eu).is_none());
    assert!(stored(&fake, sales).is_some(), "“Sales” is still there");

    // A name that matches none is not found, and an id is accepted wherever a name is.
    assert_eq!(machine.run(&["connections", "delete", "Sales,EU"]).await.code, 3);
    let by_id = machine.ok(&["connections", "test", sales, "--json"]).await;
    assert_eq!(by_id["id"], sales);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ambiguous_name_exits_9_with_the_ids_and_changes_nothing() {
    if skip_without_keychain() {
        return;
    }
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let twins = fake.seed_named(SERVICENOW, "prod", &["Twins", "Twins", "Twins,EU"]);
    let machine = Machine::new(&fake);
    let acme = machine.add_account(&fake, "Acme").await;

    for args in [
        vec!["connections", "delete", "Twins"],
        vec!["connections", "rename", "Twins", "--to", "Other"],
        vec!["connections", "explore", "Twins"],
        vec!["connections", "test", "Twins"],
        vec!["connections", "health", "Twins"],
    ] {
        let ran = machine.run(&args).await;
        assert_eq!(ran.code, 9, "{args:?}: {}", ran.stderr);
        assert!(ran.stderr.contains(&twins[0]) && ran.stderr.contains(&twins[1]), "{}", ran.stderr);
        assert!(!ran.stderr.contains(&twins[2]), "“Twins,EU” is not a candidate: {}", ran.stderr);
    }
    let json = machine.run(&["connections", "delete", "Twins", "--json"]).await;
    assert_eq!(json.json()["error"]["code"], "Ambiguous");
    assert_eq!(fake.connections().len(), 3, "nothing was deleted");
    assert!(fake.connections().iter().all(|c| c["name"] != "Other"), "nothing was renamed");
    machine.ok(&["connections", "delete", &twins[1], "--json"]).await;
    assert_eq!(machine.ok(&["connections", "test", "Twins", "--json"]).await["id"], twins[0].as_str());

    // Two profiles whose names differ only in case: refused with both ids; each id works.
    machine.import(json!([servicenow_profile("Team"), servicenow_profile("team")])).await;
    let profiles = machine.ok(&["profiles", "list", "--json"]).await;
    let profile_ids: Vec<&str> =
        profiles.as_array().expect("list").iter().filter_map(|p| p["id"].as_str()).collect();
    let shown = machine.run(&["profiles", "show", "TEAM"]).await;
    assert_eq!(shown.code, 9, "{}", shown.stderr);
    assert!(profile_ids.iter().all(|id| shown.stderr.contains(id)), "{}", shown.stderr);
    let create = machine.run(&["create", "--profile", "team", "--sandbox", "prod"]).await;
    assert_eq!(create.code, 9, "{}", create.stderr);
    assert_eq!(machine.run(&["profiles", "delete", "Team"]).await.code, 9);
    assert_eq!(machine.ok(&["profiles", "list", "--json"]).await.as_array().map(Vec::len), Some(2));
    machine.ok(&["profiles", "show", profile_ids[0], "--json"]).await;

    // Two accounts named alike: --account by name is refused; by id it works.
    let other = machine.add_account(&fake, "ACME").await;
    let ran = machine.run(&["--account", "acme", "sandboxes", "list"]).await;
    assert_eq!(ran.code, 9, "{}", ran.stderr);
    assert!(ran.stderr.contains(&acme) && ran.stderr.contains(&other), "{}", ran.stderr);
    assert_eq!(machine.run(&["accounts", "remove", "Acme"]).await.code, 9);
    machine.ok(&["--account", &other, "sandboxes", "list", "--json"]).await;
    machine.ok(&["accounts", "remove", &other, "--json"]).await;
    machine.ok(&["accounts", "remove", &acme, "--json"]).await;
}

fn servicenow_request(name: &str, description: &str) -> NewConnection {
    let form: FormValues =
        [("endpoint", "https://acme.service-now.com"), ("username", "u"), ("password", "secret-pass")]
            .iter()
            .map(|(k, v)| (k.to_string(), Secret::new(*v)))
            .collect();
    let source = builtin_source(SERVICENOW).expect("built in");
    new_connection(source, "Basic Authentication", name, description, &form).expect("valid")
}

fn fault(action: FaultAction) -> Fault {
    Fault { method: "POST".into(), path: CONNECTIONS.into(), action, times: 1 }
}

fn posts(fake: &FakePlatform) -> usize {
    fake.requests().iter().filter(|r| r.method == "POST" && r.path == CONNECTIONS).count()
}

/// The connections named `name`, split into the one reported as ours and the rest.
fn ours_and_theirs(fake: &FakePlatform, name: &str, id: &str) -> (Value, Vec<Value>) {
    let (ours, theirs): (Vec<Value>, Vec<Value>) =
        fake.connections().into_iter().filter(|c| c["name"] == name).partition(|c| c["id"] == id);
    assert_eq!(ours.len(), 1, "the reported id is a stored connection");
    (ours.into_iter().next().expect("one"), theirs)
}

#[tokio::test]
async fn a_same_named_create_in_the_ambiguous_window_is_never_reported_as_ours() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let client = client_for(&fake, "prod", Duration::from_secs(10));
    // Ours is stored, but a teammate's of the same name is listed first and the answer is lost.
    fake.inject(fault(FaultAction::SameNameMeanwhile { stored: true }));
    let created = client
        .create_connection(&servicenow_request("Orders", "Nightly orders"), SameName::Refuse)
        .await
        .expect("recovered");
    let (ours, theirs) = ours_and_theirs(&fake, "Orders", &created.id);
    assert_eq!(theirs.len(), 1, "exactly one other: the teammate's");
    assert_eq!(theirs[0]["description"], "Made by a teammate at the same moment");
    assert_eq!(ours["description"], "Nightly orders", "the marker came off again");
    assert_eq!(ours["etag"], json!(created.etag), "the etag after the marker's removal");
    assert_eq!(posts(&fake), 1, "not sent again");
    let note = created.note.expect("what happened is told");
    assert!(note.contains(theirs[0]["id"].as_str().expect("id")), "{note}");
    assert_eq!(theirs[0]["updatedAt"], theirs[0]["createdAt"], "the teammate's was not touched");
}

#[tokio::test]
async fn when_only_someone_elses_create_landed_ours_is_sent_again_and_theirs_left_alone() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let client =
        client_for(&fake, "prod", Duration::from_secs(10)).with_lookup_window(Duration::from_millis(1500));
    // Ours never reached the service; a teammate's of the same name did meanwhile.
    fake.inject(fault(FaultAction::SameNameMeanwhile { stored: false }));
    let created = client
        .create_connection(&servicenow_request("Invoices", ""), SameName::Refuse)
        .await
        .expect("created on the second try");
    let (ours, theirs) = ours_and_theirs(&fake, "Invoices", &created.id);
    assert_eq!(theirs.len(), 1, "ours and the teammate's, no third");
    assert_eq!(ours["description"], "", "the marker came off again");
    assert_eq!(posts(&fake), 2, "sent again, since none of the new ones was ours");
}
