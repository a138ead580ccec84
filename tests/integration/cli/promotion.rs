//! Promotion as code with the built CLI against the fakes: a manifest applied to a development
//! sandbox, exported from it, planned against staging (all creates), applied, planned again
//! (nothing, exit 0); a schedule and a mapping changed in the file come out as two in-place
//! updates; a flow changed by hand is reported as drift; an apply cut short resumes and ends
//! with exactly one of each; a manifest holding a secret value is refused; two environments
//! in one run, one failing, each reported.

use fakes::{FakeConfig, FakePlatform};
use serde_json::Value;

use super::{machine, PASSWORD, SERVICENOW};

const MANIFEST: &str = r#"
version: 1
environments:
  dev: { sandbox: dev-marketing, vars: { HOST: acme-dev.service-now.com } }
  stage: { sandbox: stage, vars: { HOST: acme.service-now.com } }
connections:
  - name: ServiceNow tickets
    source: eb13cb25-47ab-407f-ba89-c0125281c563
    method: Basic Authentication
    values: { endpoint: "https://${env.HOST}", username: svc }
    secrets: { password: env:SN_PASSWORD }
    dataflows:
      - name: Orders into loyalty
        source: { kind: table, path: sales.orders, columns: [{ name: id, type: integer }, { name: region, type: string }, { name: signed_up, type: string, xdmType: date-time }] }
        target: { kind: existing, datasetId: Loyalty members }
        mappings:
          - { source: id, destination: _acmecorp.loyalty.memberId }
          - { source: region, destination: _acmecorp.loyalty.tier }
        schedule: { frequency: hour, interval: 1 }
        deltaColumn: signed_up
"#;

fn staged_fake() -> FakeConfig {
    let mut config = FakeConfig::default();
    let mut stage = config.sandboxes[1].clone();
    stage.0 = "stage".into();
    stage.1 = "Staging".into();
    config.sandboxes.push(stage);
    config
}

fn actions(plan: &Value, environment: &str) -> Vec<(String, String)> {
    let plans = plan["plans"].as_array().expect("plans");
    let plan = plans.iter().find(|p| p["environment"] == environment).expect("the environment's plan");
    plan["plan"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| (i["kind"].as_str().unwrap().to_owned(), i["action"].as_str().unwrap().to_owned()))
        .collect()
}

fn pair(kind: &str, action: &str) -> (String, String) {
    (kind.to_owned(), action.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_manifest_is_exported_planned_applied_and_kept_in_step() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(staged_fake()).await.expect("fake");
    let machine = machine(&fake, None);
    machine.add_account(&fake, "Acme").await;
    let file = machine.write("ingestion.yaml", MANIFEST).display().to_string();

    // Made in development from the file, then exported from there.
    let dev = machine.run(&["apply", &file, "--sandbox", "dev", "--json"]).await;
    assert_eq!(dev.code, 0, "{}{}", dev.stderr, dev.stdout);
    let exported = machine.run(&["export", "--sandbox", "dev-marketing", "--json"]).await;
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let exported = exported.json();
    let text = exported["manifest"].as_str().expect("yaml");
    assert!(text.contains("ServiceNow tickets") && text.contains("Orders into loyalty"), "{text}");
    assert!(text.contains("_acmecorp.loyalty.tier") && !text.contains(PASSWORD), "{text}");
    assert_eq!(
        exported["placeholders"].as_array().map(Vec::len),
        Some(1),
        "the password: no profile holds it"
    );

    // Staging: everything is new.
    let plan = machine.run(&["plan", &file, "--sandbox", "stage", "--json"]).await;
    assert_eq!(plan.code, 11, "a plan with changes exits 11: {}", plan.stderr);
    assert_eq!(actions(&plan.json(), "stage"), [pair("connection", "create"), pair("dataflow", "create")]);
    let applied = machine.run(&["apply", &file, "--sandbox", "stage", "--json"]).await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let stage_connections = || {
        fake.connections()
            .into_iter()
            .filter(|c| c["sandboxName"] == "stage" && c["connectionSpec"]["id"] == SERVICENOW)
            .count()
    };
    assert_eq!(stage_connections(), 1);
    assert_eq!(fake.flows().iter().filter(|f| f["sandboxName"] == "stage").count(), 1);

    // Again: nothing to do, exit 0, and an apply sends no write.
    let again = machine.run(&["plan", &file, "--sandbox", "stage", "--json"]).await;
    assert_eq!(again.code, 0, "{}", again.stdout);
    assert_eq!(
        actions(&again.json(), "stage"),
        [pair("connection", "unchanged"), pair("dataflow", "unchanged")]
    );
    let writes = || fake.requests().iter().filter(|r| r.method != "GET" && !r.path.contains("/ims/")).count();
    let before = writes();
    assert_eq!(machine.run(&["apply", &file, "--sandbox", "stage", "--json"]).await.code, 0);
    assert_eq!(writes(), before, "an unchanged apply writes nothing");

    // A schedule and a mapping changed in the file: two in-place updates of the dataflow.
    let changed =
        MANIFEST.replace("{ frequency: hour, interval: 1 }", "{ frequency: hour, interval: 2 }").replace(
            "{ source: region, destination: _acmecorp.loyalty.tier }",
            "{ source: id, destination: _acmecorp.loyalty.points }",
        );
    let changed_file = machine.write("ingestion-v2.yaml", &changed).display().to_string();
    let plan = machine.run(&["plan", &changed_file, "--sandbox", "stage", "--json"]).await;
    assert_eq!(plan.code, 11);
    let plan = plan.json();
    assert_eq!(actions(&plan, "stage"), [pair("connection", "unchanged"), pair("dataflow", "update")]);
    let changes = &plan["plans"][0]["plan"]["items"][1]["changes"];
    assert_eq!(changes.as_array().map(Vec::len), Some(2), "{changes}");
    // Saved, then applied as saved.
    let saved = machine.root().join("stage-plan.json").display().to_string();
    let planned = machine.run(&["plan", &changed_file, "--sandbox", "stage", "--out", &saved]).await;
    assert_eq!(planned.code, 11, "{}", planned.stderr);
    let updated =
        machine.run(&["apply", &changed_file, "--sandbox", "stage", "--plan", &saved, "--json"]).await;
    assert_eq!(updated.code, 0, "{}", updated.stderr);
    let after = machine.run(&["plan", &changed_file, "--sandbox", "stage", "--json"]).await;
    assert_eq!(after.code, 0, "{}", after.stdout);

    // Someone disables the flow in Adobe's UI: the plan says so and puts it back.
    let flow_id = fake.flows().into_iter().find(|f| f["sandboxName"] == "stage").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A plan saved before that change is refused: the sandbox is not what it compared.
    let planned = machine.run(&["plan", &changed_file, "--sandbox", "stage", "--out", &saved]).await;
    assert_eq!(planned.code, 0);
    let disabled = machine.run(&["dataflow", "disable", &flow_id, "--sandbox", "stage", "--json"]).await;
    assert_eq!(disabled.code, 0, "{}", disabled.stderr);
    let stale = machine.run(&["apply", &changed_file, "--sandbox", "stage", "--plan", &saved]).await;
    assert_eq!(stale.code, 2, "{}", stale.stderr);
    assert!(stale.stderr.contains("changed since the plan was made"), "{}", stale.stderr);
    let drift = machine.run(&["plan", &changed_file, "--sandbox", "stage", "--json"]).await;
    assert_eq!(drift.code, 11);
    let drift = drift.json();
    assert_eq!(drift["plans"][0]["plan"]["items"][1]["drift"][0], "disabled outside the manifest");
    // As a person reads it: one line per object, what changes and what drifted.
    let shown = machine.run(&["plan", &file, "--sandbox", "stage"]).await;
    assert_eq!(shown.code, 11);
    assert!(shown.stdout.contains("= unchanged  connection  ServiceNow tickets"), "{}", shown.stdout);
    assert!(shown.stdout.contains("disabled outside the manifest"), "{}", shown.stdout);

    // A manifest with a secret value is refused, naming the field, and sends nothing.
    let leaked = MANIFEST.replace("env:SN_PASSWORD", "hunter2-leaked");
    let leaked_file = machine.write("leaked.yaml", &leaked).display().to_string();
    let refused = machine.run(&["plan", &leaked_file, "--sandbox", "stage"]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("secrets.password"), "{}", refused.stderr);
    assert!(!refused.stderr.contains("hunter2"));

    // Two environments in one run, one of them unknown: each reported, the other still done.
    let both = machine.run(&["plan", &file, "--sandbox", "dev", "--sandbox", "qa", "--json"]).await;
    assert_eq!(both.code, 2, "{}", both.stderr);
    let both = both.json();
    assert_eq!(both["plans"][0]["status"], "planned");
    assert_eq!(both["plans"][1]["status"], "failed");
    super::assert_nothing_holds(&machine, &[PASSWORD]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn an_apply_cut_short_resumes_with_one_of_each_and_another_org_fails_alone() {
    use fakes::{Fault, FaultAction};
    fakes::require_private_keyring();
    let fake = FakePlatform::start(staged_fake()).await.expect("fake");
    let machine = machine(&fake, None);
    machine.add_account(&fake, "Acme").await;
    // prod, and a partner org no account here signs in to.
    let manifest = MANIFEST.replace(
        "  stage: { sandbox: stage, vars: { HOST: acme.service-now.com } }",
        "  stage: { sandbox: stage, vars: { HOST: acme.service-now.com } }\n  prod: { sandbox: prod, vars: { HOST: acme.service-now.com } }\n  partner: { sandbox: prod, org: 0000000000000000PARTNER@AdobeOrg, vars: { HOST: partner.service-now.com } }",
    );
    let file = machine.write("ingestion.yaml", &manifest).display().to_string();

    // The connection, its source and target connections and the mapping set are made; the
    // flow is refused, and the run stops there.
    fake.inject(Fault {
        method: "POST".into(),
        path: "/data/foundation/flowservice/flows".into(),
        action: FaultAction::Status {
            status: 400,
            retry_after: None,
            body: Some(serde_json::json!({ "code": "FLOW-1400", "message": "Refused for the test." })),
        },
        times: 1,
    });
    let cut = machine.run(&["apply", &file, "--sandbox", "prod", "--json"]).await;
    assert_ne!(cut.code, 0, "{}", cut.stdout);
    let resumed = machine.run(&["apply", &file, "--sandbox", "prod", "--json"]).await;
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    let in_prod = |items: Vec<Value>| items.into_iter().filter(|i| i["sandboxName"] == "prod").count();
    let connections = fake
        .connections()
        .into_iter()
        .filter(|c| c["sandboxName"] == "prod" && c["connectionSpec"]["id"] == SERVICENOW)
        .count();
    assert_eq!(connections, 1, "one connection");
    assert_eq!(in_prod(fake.source_connections()), 1, "one source connection");
    assert_eq!(in_prod(fake.target_connections()), 1, "one target connection");
    assert_eq!(in_prod(fake.flows()), 1, "one dataflow");

    // prod and the partner org in one run: the partner fails alone, prod is told unchanged.
    let both = machine.run(&["apply", &file, "--sandbox", "prod", "--sandbox", "partner", "--json"]).await;
    assert_eq!(both.code, 3, "no account for the partner org: not found");
    let both = both.json();
    assert_eq!(both["applies"][0]["status"], "applied");
    assert_eq!(both["applies"][1]["status"], "failed");
    assert!(both["applies"][1]["message"].as_str().unwrap().contains("PARTNER@AdobeOrg"));
    // --org names the org for every environment of the run.
    let other =
        machine.run(&["plan", &file, "--sandbox", "prod", "--org", "0000000000000000OTHER@AdobeOrg"]).await;
    assert_eq!(other.code, 3, "{}", other.stderr);
    assert!(other.stderr.contains("OTHER@AdobeOrg"), "{}", other.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_dataflow_whose_first_run_started_is_replaced_only_when_allowed() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(staged_fake()).await.expect("fake");
    let machine = machine(&fake, None);
    machine.add_account(&fake, "Acme").await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let started = MANIFEST.replace(
        "{ frequency: hour, interval: 1 }",
        &format!("{{ frequency: hour, interval: 1, startTime: {} }}", now - 3_600),
    );
    let file = machine.write("started.yaml", &started).display().to_string();
    let made = machine.run(&["apply", &file, "--sandbox", "stage", "--json"]).await;
    assert_eq!(made.code, 0, "{}", made.stderr);
    let first = fake.flows().into_iter().find(|f| f["sandboxName"] == "stage").expect("made")["id"].clone();

    // A start time moved after the first run began cannot change in place.
    let later = MANIFEST.replace(
        "{ frequency: hour, interval: 1 }",
        &format!("{{ frequency: hour, interval: 1, startTime: {} }}", now + 3_600),
    );
    let later_file = machine.write("later.yaml", &later).display().to_string();
    let plan = machine.run(&["plan", &later_file, "--sandbox", "stage", "--json"]).await;
    assert_eq!(plan.code, 11);
    assert_eq!(
        actions(&plan.json(), "stage"),
        [pair("connection", "unchanged"), pair("dataflow", "replace")]
    );
    let refused = machine.run(&["apply", &later_file, "--sandbox", "stage", "--json"]).await;
    assert_eq!(refused.code, 0, "a skipped replacement is not a failure: {}", refused.stderr);
    let skipped = &refused.json()["applies"][0]["report"]["items"][1]["outcome"];
    assert_eq!(skipped["outcome"], "skipped", "{skipped}");
    assert!(skipped["reason"].as_str().unwrap().contains("--allow-replace"));
    assert_eq!(fake.flows().iter().filter(|f| f["sandboxName"] == "stage").count(), 1);

    let replaced =
        machine.run(&["apply", &later_file, "--sandbox", "stage", "--allow-replace", "--json"]).await;
    assert_eq!(replaced.code, 0, "{}", replaced.stderr);
    let flows: Vec<Value> = fake.flows().into_iter().filter(|f| f["sandboxName"] == "stage").collect();
    assert_eq!(flows.len(), 1, "the old one deleted, one made");
    assert_ne!(flows[0]["id"], first, "a new dataflow");
    let again = machine.run(&["plan", &later_file, "--sandbox", "stage", "--json"]).await;
    assert_eq!(again.code, 0, "{}", again.stdout);
}
