//! An old accounts file migrates once, to the same ids in every process.

use std::path::Path;

use fakes::cli::CliHome;
use flow_connect_core::config::Endpoints;
use flow_connect_core::operations::Operations;

use super::Folder;

/// `flow-connect-cli accounts list --json` over the data folder under `xdg`: the ids it shows.
async fn cli_account_ids(xdg: &Path) -> Vec<(String, String)> {
    let cli = CliHome::over(xdg).with_env("FLOW_CONNECT_LOG", "info");
    let ran = cli.run(&["accounts", "list", "--json"]).await;
    assert!(ran.code == 0, "{}{}", ran.stdout, ran.stderr);
    let listed = ran.json();
    listed
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| {
            (a["displayName"].as_str().expect("name").to_owned(), a["id"].as_str().expect("id").to_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_cli_runs_and_the_app_give_an_old_accounts_file_the_same_ids() {
    let folder = Folder::new("two-migrate");
    let xdg = folder.dir().to_path_buf();
    let data = xdg.join("io.flowconnect.desktop");
    std::fs::create_dir_all(&data).expect("data folder");
    let old = br#"{"accounts":[
        {"id":"acct-18b0c2","displayName":"Old","orgId":"FAKE0RG000000000@AdobeOrg","clientId":"c","scopes":"openid"},
        {"id":"acct-77ff01","displayName":"Older","orgId":"FAKE0RG000000000@AdobeOrg","clientId":"d","scopes":"openid"}]}"#;
    std::fs::write(data.join("accounts.json"), old).expect("a store-plugin file");
    std::fs::write(
        data.join("profiles.json"),
        br#"{"schemaVersion":2,"profiles":[{"id":"p1","name":"P","specId":"s","specName":"m","sourceName":"S","connectionName":"c","values":{},"secretFields":[],"accountId":"acct-18b0c2","sandbox":null,"updatedAt":0,"lastUsedAt":0}]}"#,
    )
    .expect("a profile naming the old id");

    let first = cli_account_ids(&xdg).await;
    let second = cli_account_ids(&xdg).await;
    assert_eq!(first.len(), 2, "{first:?}");
    for (_, id) in &first {
        assert!(uuid::Uuid::try_parse(id).is_ok(), "{id}");
    }
    assert_eq!(first, second, "two CLI runs give the same ids");

    // The app opens the same folder: the same ids, before and after it writes the migration.
    let (app, _) = Operations::open(Endpoints::default(), &folder.service, &data).expect("app");
    let app_ids = |app: &Operations| -> Vec<(String, String)> {
        app.accounts().list().into_iter().map(|a| (a.display_name, a.id)).collect()
    };
    assert_eq!(app_ids(&app), first, "the app agrees with the CLI");
    app.finish_migrations().await;
    let written = std::fs::read_to_string(data.join("accounts.json")).expect("written back");
    assert!(written.contains("\"schemaVersion\": 1"), "{written}");
    assert_eq!(app_ids(&app), first);
    let profiles = std::fs::read_to_string(data.join("profiles.json")).expect("profiles");
    let old_id = &first.iter().find(|(name, _)| name == "Old").expect("Old").1;
    assert!(profiles.contains(old_id.as_str()) && !profiles.contains("acct-18b0c2"), "{profiles}");
    assert_eq!(cli_account_ids(&xdg).await, first, "and the CLI after it");
}
