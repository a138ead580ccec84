//! A profile from import to delete: created in several sandboxes, then listed, tested, renamed,
//! renewed and deleted, each subcommand's `--json` and exit code checked.

use fakes::{FakeConfig, FakePlatform};
use serde_json::json;

use super::{assert_nothing_holds, machine, servicenow_export, NEW_PASSWORD, PASSWORD, PLAIN, SERVICENOW};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_profile_is_created_in_several_sandboxes_then_listed_tested_renamed_renewed_and_deleted() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    let machine = machine(&fake, None);
    let account = machine.add_account(&fake, "Acme").await;

    let accounts = machine.ok(&["accounts", "list", "--json"]).await;
    assert_eq!(accounts[0]["id"], account.as_str());
    assert_eq!(accounts[0]["displayName"], "Acme");
    let sandboxes = machine.ok(&["sandboxes", "list", "--json"]).await;
    let names: Vec<&str> =
        sandboxes.as_array().expect("list").iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["prod", "dev-marketing"], "active sandboxes, the default first");
    let signed_in = machine.ok(&["accounts", "sign-in", "--json"]).await;
    assert_eq!(signed_in["preselected"], "prod");

    let sources = machine.ok(&["sources", "list", "--json", "--search", "servicenow"]).await;
    assert_eq!(sources.as_array().expect("list").len(), 1);
    assert_eq!(sources[0]["specId"], SERVICENOW);
    let shown = machine.ok(&["sources", "show", "ServiceNow", "--json"]).await;
    assert_eq!(shown["specId"], SERVICENOW);
    let text = machine.run(&["sources", "show", SERVICENOW]).await;
    assert!(
        text.stdout.lines().any(|l| l.starts_with("password") && l.ends_with("secret")),
        "{}",
        text.stdout
    );
    assert_eq!(machine.run(&["sources", "show", "No such source"]).await.code, 3);

    let export = machine.write("servicenow.json", &servicenow_export()).display().to_string();
    let imported = machine.ok(&["profiles", "import", &export, "--json"]).await;
    assert_eq!(imported[0]["name"], "ServiceNow prod");
    let listed = machine.ok(&["profiles", "list", "--json"]).await;
    assert_eq!(listed.as_array().expect("list").len(), 1);
    let profile = machine.ok(&["profiles", "show", "servicenow PROD", "--json"]).await;
    assert_eq!(profile["profile"]["values"]["username"], "svc");
    assert_eq!(profile["secrets"], json!({ "state": "known", "inKeychain": [], "missing": ["password"] }));
    assert_eq!(machine.run(&["profiles", "show", "nope"]).await.code, 3);

    // A secret as a plain argument is refused before anything runs, without repeating it.
    let refused = machine
        .run(&[
            "create",
            "--profile",
            "ServiceNow prod",
            "--sandbox",
            "prod",
            "--secret",
            &format!("password={PLAIN}"),
        ])
        .await;
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("never taken as a plain value"), "{}", refused.stderr);
    assert!(!refused.stderr.contains(PLAIN), "the refusal does not repeat the value");
    assert!(fake.connections().is_empty());

    // Without the password anywhere and no terminal to ask on, the error says how to give it.
    let missing = machine.run(&["create", "--profile", "ServiceNow prod", "--sandbox", "prod"]).await;
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("--secret password=env:"), "{}", missing.stderr);

    // Three sandboxes, one of them deleted: the other two get the connection.
    let create = [
        "create",
        "--profile",
        "ServiceNow prod",
        "--sandbox",
        "prod",
        "--sandbox",
        "old-test",
        "--sandbox",
        "dev-marketing",
        "--secret",
        "password=env:SN_PASSWORD",
        "--json",
    ];
    let first = machine.run(&create).await;
    assert_ne!(first.code, 0, "one sandbox failed");
    let outcomes = first.json();
    let statuses: Vec<(&str, &str)> = outcomes
        .as_array()
        .expect("outcomes")
        .iter()
        .map(|o| (o["sandbox"].as_str().unwrap_or_default(), o["status"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(statuses, [("prod", "created"), ("old-test", "failed"), ("dev-marketing", "created")]);
    assert!(outcomes[1]["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(fake.connections().len(), 2);
    let made = fake.connections();
    assert!(made.iter().all(|c| c["auth"]["params"]["password"] == PASSWORD), "the env: secret was sent");

    // A re-run skips what is there; a dry run sends nothing and masks the secret.
    let again = machine
        .ok(&[
            "create",
            "--profile",
            "ServiceNow prod",
            "--sandbox",
            "prod",
            "--secret",
            "password=env:SN_PASSWORD",
            "--json",
        ])
        .await;
    assert_eq!(again[0]["status"], "skipped");
    assert_eq!(again[0]["id"], outcomes[0]["id"]);
    let file = machine.write("inputs-password", PASSWORD);
    std::fs::create_dir_all(machine.root().join("inputs")).expect("inputs");
    let file_path = machine.root().join("inputs/password");
    std::fs::rename(file, &file_path).expect("moved");
    let dry = machine
        .ok(&[
            "create",
            "--profile",
            "ServiceNow prod",
            "--sandbox",
            "prod",
            "--name",
            "Dry",
            "--dry-run",
            "--secret",
            &format!("password=file:{}", file_path.display()),
            "--json",
        ])
        .await;
    assert_eq!(dry[0]["status"], "dryRun");
    assert!(dry[0]["curl"].as_str().is_some_and(|c| c.contains("curl") && c.contains("Dry")));
    assert_eq!(fake.connections().len(), 2);
    let forced = machine
        .ok(&[
            "create",
            "--profile",
            "ServiceNow prod",
            "--sandbox",
            "dev-marketing",
            "--force",
            "--secret",
            "password=env:SN_PASSWORD",
            "--json",
        ])
        .await;
    assert_eq!(forced[0]["status"], "created", "--force makes a second one of the same name");
    assert_eq!(fake.connections().len(), 3);

    // The connections: listed with the profile they came from, tested, renamed, renewed.
    let listed = machine.ok(&["connections", "list", "--sandbox", "prod", "--json"]).await;
    assert_eq!(listed.as_array().expect("list").len(), 1);
    assert_eq!(listed[0]["name"], "ServiceNow tickets");
    let table = machine.run(&["connections", "list", "--sandbox", "prod"]).await;
    assert!(table.stdout.contains("ServiceNow prod"), "the profile column: {}", table.stdout);
    let tested = machine.ok(&["connections", "test", "ServiceNow tickets", "--json"]).await;
    assert_eq!(tested["passed"], true);
    let health = machine.ok(&["connections", "health", "ServiceNow tickets", "--json"]).await;
    assert!(health["flows"].as_array().is_some_and(Vec::is_empty));
    let explored = machine.run(&["connections", "explore", "ServiceNow tickets", "--json"]).await;
    assert_eq!(explored.code, 0, "{}", explored.stderr);
    explored.json();
    let renamed =
        machine.ok(&["connections", "rename", "ServiceNow tickets", "--to", "Tickets", "--json"]).await;
    assert!(renamed["etag"].as_str().is_some());
    let id = outcomes[0]["id"].as_str().expect("id");
    assert!(fake.connections().iter().any(|c| c["id"] == id && c["name"] == "Tickets"));
    let renewed = machine
        .ok(&[
            "renew",
            "Tickets",
            "--profile",
            "ServiceNow prod",
            "--secret",
            "password=env:SN_NEW_PASSWORD",
            "--json",
        ])
        .await;
    assert_eq!(renewed["outcome"], "updated");
    assert!(fake
        .connections()
        .iter()
        .any(|c| c["id"] == id && c["auth"]["params"]["password"] == NEW_PASSWORD));
    assert_eq!(machine.run(&["connections", "test", "No such connection"]).await.code, 3);

    let deleted = machine.ok(&["connections", "delete", id, "--json"]).await;
    assert_eq!(deleted["deleted"], id);
    assert_eq!(fake.connections().len(), 2);

    // Export to a file and standard output; delete the profile.
    let out = machine.root().join("export.json");
    let exported =
        machine.ok(&["profiles", "export", "--output", &out.display().to_string(), "--json"]).await;
    assert_eq!(exported["count"], 1);
    let to_stdout = machine.ok(&["profiles", "export"]).await;
    assert_eq!(to_stdout["profiles"][0]["name"], "ServiceNow prod");
    machine.ok(&["profiles", "delete", "ServiceNow prod", "--json"]).await;
    assert!(machine.ok(&["profiles", "list", "--json"]).await.as_array().is_some_and(Vec::is_empty));

    let removed = machine.ok(&["accounts", "remove", "Acme", "--json"]).await;
    assert_eq!(removed["id"], account.as_str());
    assert_eq!(machine.run(&["sandboxes", "list"]).await.code, 3, "no account left");

    assert_nothing_holds(&machine, &[PASSWORD, NEW_PASSWORD, PLAIN, &fake.config().client_secret]);
}
