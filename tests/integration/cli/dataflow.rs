//! `dataflow plan` then `dataflow create --from FILE` (YAML) in a second sandbox, a re-run that
//! finds it and makes nothing, the dataflow read back (`list`, `show`, `runs`), disabled and
//! deleted; each `--json` and exit code checked.

use fakes::specs::BIGQUERY;
use fakes::{FakeConfig, FakePlatform};

use super::machine;

/// The plan as a data engineer writes it: the connection and the columns by name.
const PLAN: &str = r#"
name: Customers hourly
connectionId: BigQuery sales
source:
  kind: table
  path: sales.customers
  columns:
    - { name: id, type: integer }
    - { name: email, type: string }
    - { name: signed_up, type: string, xdmType: date-time }
    - { name: region, type: string }
target:
  kind: new
  datasetName: Customers
  schemaTitle: Customers from BigQuery
  classId: https://ns.adobe.com/xdm/context/profile
schedule: { frequency: hour, interval: 1 }
deltaColumn: signed_up
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_plan_file_makes_its_dataflow_in_a_second_sandbox_once() {
    fakes::require_private_keyring();
    let fake =
        FakePlatform::start(FakeConfig { run_ms: 1_000, ..FakeConfig::default() }).await.expect("fake");
    let machine = machine(&fake, None);
    machine.add_account(&fake, "Acme").await;
    fake.seed_named(BIGQUERY, "prod", &["BigQuery sales"]);
    let dev = fake.seed_named(BIGQUERY, "dev-marketing", &["BigQuery sales"]).remove(0);
    let file = machine.write("customers.yaml", PLAN).display().to_string();

    let writes = || fake.requests().iter().filter(|r| r.method != "GET" && !r.path.contains("/ims/")).count();
    let before = writes();
    let plan =
        machine.ok(&["dataflow", "plan", "--from", &file, "--sandbox", "dev-marketing", "--json"]).await;
    assert_eq!(plan["prepared"]["flowSpec"]["name"], "CRMToAEP");
    assert_eq!(plan["prepared"]["mappings"].as_array().map(Vec::len), Some(4));
    assert_eq!(writes(), before, "plan makes nothing");
    let text = machine.run(&["dataflow", "plan", "--from", &file, "--sandbox", "dev-marketing"]).await;
    assert_eq!(text.code, 0);
    assert!(
        text.stdout.contains("nothing made") && text.stdout.contains("_acmecorp.signed_up"),
        "{}",
        text.stdout
    );

    let created =
        machine.run(&["dataflow", "create", "--from", &file, "--sandbox", "dev-marketing", "--json"]).await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    let created = created.json();
    assert_eq!(created["existed"], false);
    assert_eq!(created["creation"]["state"]["state"], "done");
    let flow_id =
        created["creation"]["made"].as_array().and_then(|m| m.last()).map(|m| m["id"].clone()).unwrap();
    let flow_id = flow_id.as_str().unwrap().to_owned();
    let flows = fake.flows();
    assert_eq!(flows.len(), 1);
    assert_eq!(flows[0]["sandboxName"], "dev-marketing");
    assert!(fake.source_connections().iter().any(|s| s["baseConnectionId"] == dev.as_str()));

    // The same file again: found, nothing sent, and said on standard error.
    let before = writes();
    let again =
        machine.run(&["dataflow", "create", "--from", &file, "--sandbox", "dev-marketing", "--json"]).await;
    assert_eq!(again.code, 0);
    assert_eq!(again.json()["existed"], true);
    assert!(again.stderr.contains("nothing was created"), "{}", again.stderr);
    assert_eq!(writes(), before);

    let listed =
        machine.ok(&["dataflow", "list", "BigQuery sales", "--sandbox", "dev-marketing", "--json"]).await;
    assert_eq!(listed["flows"][0]["id"], flow_id.as_str());
    let shown = machine.ok(&["dataflow", "show", &flow_id, "--sandbox", "dev-marketing", "--json"]).await;
    assert_eq!(shown["schedule"], "every hour");
    let disabled =
        machine.ok(&["dataflow", "disable", &flow_id, "--sandbox", "dev-marketing", "--json"]).await;
    assert_eq!(disabled["state"], "disabled");
    let runs = machine.ok(&["dataflow", "runs", &flow_id, "--sandbox", "dev-marketing", "--json"]).await;
    assert_eq!(runs.as_array().map(Vec::len), Some(1), "the first run");

    // A flow id that does not exist: not found (3); a malformed one: usage (2).
    let missing = "00000000-0000-4000-8000-000000000000";
    assert_eq!(machine.run(&["dataflow", "show", missing, "--sandbox", "dev-marketing"]).await.code, 3);
    assert_eq!(machine.run(&["dataflow", "show", "../flows", "--sandbox", "dev-marketing"]).await.code, 2);
    // A plan file that is not one: usage (2), naming the file.
    let bad = machine.write("bad.yaml", "name: x\nschedule: weekly\n").display().to_string();
    let refused = machine.run(&["dataflow", "plan", "--from", &bad, "--sandbox", "prod"]).await;
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("bad.yaml"), "{}", refused.stderr);

    machine.ok(&["dataflow", "delete", &flow_id, "--sandbox", "dev-marketing", "--json"]).await;
    assert!(fake.flows().is_empty());
    assert!(fake.source_connections().iter().all(|s| s["baseConnectionId"] != dev.as_str()));
}
