//! The catalog door, driven directly: the org's catalog refreshed from the fake Flow Service
//! and searched by the one rule, a source found by name, the form's check, the connection
//! string composed and split (its password into the keychain) and a key file read into it;
//! and what it refuses.

use fakes::{specs, FakeConfig, FakePlatform};
use flow_connect_core::accounts::{Account, SignIn};
use flow_connect_core::adobe::ims::DEFAULT_SCOPES;
use flow_connect_core::catalog::{builtin_sources, CatalogCache, FormValues};
use flow_connect_core::operations::failure::ErrorCode;
use flow_connect_core::operations::{
    ComposeConnectionStringRequest, FormCheckRequest, ImportKeyFileRequest, RefreshCatalogRequest,
    SaveAccountRequest, SearchCatalogRequest, SplitConnectionStringRequest, MAX_CONNECTION_STRING,
};
use flow_connect_core::secrets::vault::SecretStore;
use flow_connect_core::Secret;

use super::support::{open, Opened};

const BIGQUERY: &str = flow_connect_core::catalog::BIGQUERY_SPEC_ID;
const ORACLE: &str = "d6b52d86-f0f8-475f-89d4-ce54c8527328";

async fn add_account(opened: &Opened, fake: &FakePlatform) -> Account {
    let config = fake.config();
    let account = Account {
        id: String::new(),
        display_name: "Acme".into(),
        org_id: config.org_id,
        client_id: config.client_id,
        scopes: DEFAULT_SCOPES.into(),
        default_sandbox: None,
        sign_in: SignIn::ClientCredentials,
        legacy_id: None,
    };
    let request = SaveAccountRequest { account, client_secret: Some(Secret::new(config.client_secret)) };
    opened.ops.accounts().save(request).await.expect("saved")
}

fn spec_ids(list: &flow_connect_core::catalog::CatalogList) -> Vec<&str> {
    list.sources.iter().map(|s| s.spec_id.as_str()).collect()
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn the_org_s_catalog_is_refreshed_then_searched_and_found_by_the_one_rule() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("the fake starts");
    let opened = open(&fake, "seam-catalog");
    let catalog = opened.ops.catalog();
    let account = add_account(&opened, &fake).await;
    let s3 = specs::source_id("amazon-s3");

    let before = catalog.sources(Some(&account.id)).await.expect("listed");
    assert_eq!(before.refreshed_at, None, "never fetched: the built-in sources");
    assert!(!spec_ids(&before).contains(&s3));

    let request = RefreshCatalogRequest { account_id: account.id.clone(), sandbox: "prod".into() };
    let refreshed = catalog.refresh(&request).await.expect("refreshed");
    assert!(refreshed.refreshed_at.is_some() && spec_ids(&refreshed).contains(&s3));
    let pages =
        fake.requests().into_iter().filter(|r| r.path.ends_with("/connectionSpecs")).collect::<Vec<_>>();
    assert!(!pages.is_empty() && pages.iter().all(|r| r.header("x-sandbox-name") == Some("prod")));
    let cache = CatalogCache::new(opened.scratch.dir.clone()).path(&account.org_id);
    assert!(cache.exists(), "the cache file is written: {}", cache.display());
    assert_eq!(catalog.sources(Some(&account.id)).await.expect("listed"), refreshed);

    let search = |account_id: Option<&str>, query: &str| SearchCatalogRequest {
        account_id: account_id.map(str::to_owned),
        query: query.into(),
    };
    let found = catalog.search(&search(Some(&account.id), "big query")).await.expect("searched");
    assert_eq!(spec_ids(&found), [BIGQUERY], "every word, in any order of the name and key");
    let found = catalog.search(&search(Some(&account.id), "AMAZON s3")).await.expect("searched");
    assert_eq!(spec_ids(&found), [s3], "the org's live sources are searched");
    let everything = catalog.search(&search(Some(&account.id), "  ")).await.expect("searched");
    assert_eq!(everything, refreshed, "an empty query finds every source");
    let builtin = catalog.search(&search(None, "amazon s3")).await.expect("searched");
    assert!(builtin.sources.is_empty(), "without an account, only the built-in sources");
    assert_eq!(catalog.search(&search(None, "")).await.expect("searched").sources, builtin_sources());

    assert_eq!(catalog.find(Some(&account.id), "amazon s3").await.expect("by name").spec_id, s3);
    assert_eq!(catalog.find(None, BIGQUERY).await.expect("by id").display_name, "Google BigQuery");
    let missing = catalog.find(Some(&account.id), "Nowhere DB").await.expect_err("no such source");
    assert_eq!(missing.code, ErrorCode::NotFound);
    assert!(
        missing.message.contains("Nowhere DB") && missing.message.contains("--search"),
        "{}",
        missing.message
    );
}

fn oracle_values(pairs: &[(&str, &str)]) -> FormValues {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), Secret::new(*v))).collect()
}

#[tokio::test]
async fn the_form_is_checked_and_its_connection_string_composed_masked_without_a_request() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("the fake starts");
    let opened = open(&fake, "seam-catalog-form");
    let catalog = opened.ops.catalog();
    let values = oracle_values(&[("host", "db.example"), ("port", "99999"), ("password", "tiger")]);

    let check = FormCheckRequest {
        account_id: None,
        spec_id: ORACLE.into(),
        spec_name: "ConnectionString".into(),
        values: values.clone(),
    };
    let checked = catalog.check(&check).expect("checked");
    assert!(checked.errors.iter().any(|e| e.field == "port"), "{:?}", checked.errors);
    let unknown = catalog
        .check(&FormCheckRequest { spec_name: "No such method".into(), ..check })
        .expect_err("not a method of Oracle");
    assert_eq!(unknown.code, ErrorCode::UnknownSource);

    let compose = ComposeConnectionStringRequest {
        account_id: None,
        spec_id: ORACLE.into(),
        spec_name: "ConnectionString".into(),
        param: "connectionString".into(),
        values: oracle_values(&[("host", "db.example"), ("port", "1521"), ("password", "tiger")]),
    };
    let shown = catalog.compose_connection_string(&compose).expect("composed");
    assert!(shown.contains("Host=db.example") && shown.contains("Port=1521"), "{shown}");
    assert!(!shown.contains("tiger"), "the password is masked: {shown}");
    let refused = catalog
        .compose_connection_string(&ComposeConnectionStringRequest { param: "host".into(), ..compose })
        .expect_err("not a connection string");
    assert_eq!(refused.code, ErrorCode::UnknownSource);
    assert!(fake.requests().is_empty(), "the form's tools ask nothing of Adobe");
}

fn split_request(raw: String) -> SplitConnectionStringRequest {
    SplitConnectionStringRequest {
        account_id: None,
        spec_id: ORACLE.into(),
        spec_name: "ConnectionString".into(),
        param: "connectionString".into(),
        raw: Secret::new(raw),
        stored: None,
    }
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_pasted_connection_string_is_split_its_password_kept_in_the_keychain() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("the fake starts");
    let opened = open(&fake, "seam-catalog-split");
    let catalog = opened.ops.catalog();

    let raw = "Host=db.example;Port=1521;Sid=ORCL;User Id=scott;Password=tiger-9";
    let split = catalog.split_connection_string(split_request(raw.into())).await.expect("split");
    assert_eq!(split.values.get("host").map(String::as_str), Some("db.example"));
    assert_eq!(split.values.get("userId").map(String::as_str), Some("scott"));
    assert!(!split.values.contains_key("password"), "the password is not handed back");
    let stored = split.stored.expect("kept");
    assert_eq!(stored.fields, ["password"]);
    let kept = opened.keychain.get(&format!("{}/password", stored.set)).expect("answers").expect("kept");
    assert_eq!(kept.expose(), "tiger-9");

    let long = format!("Host={}", "h".repeat(MAX_CONNECTION_STRING));
    let refused = catalog.split_connection_string(split_request(long)).await.expect_err("too long");
    assert_eq!(refused.code, ErrorCode::Validation);
    let broken = catalog
        .split_connection_string(split_request("Host=db;Password=s3cret-part;Nonsense".into()))
        .await
        .expect_err("not a connection string");
    assert_eq!(broken.code, ErrorCode::Validation);
    assert!(!broken.message.contains("s3cret"), "no fragment of the string: {}", broken.message);
}

#[tokio::test]
#[ignore = "needs the private keychain session of scripts/private-session.sh"]
async fn a_key_file_is_read_into_the_keychain_and_a_wrong_file_or_field_refused() {
    fakes::require_private_keyring();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("the fake starts");
    let opened = open(&fake, "seam-catalog-key");
    let catalog = opened.ops.catalog();
    let key_path = opened.scratch.dir.join("sa-key.json");
    // Split so the fixture is not mistaken for a committed key.
    let key = concat!(
        r#"{"type": "service_account", "private_key": "-----BEGIN PRIVATE"#,
        r#" KEY-----\nMIIE-seam\n"}"#
    );
    std::fs::write(&key_path, key).expect("written");
    let request = |field: &str, path: Option<&std::path::Path>| ImportKeyFileRequest {
        spec_id: BIGQUERY.into(),
        field: field.into(),
        stored: None,
        path: path.map(|p| p.display().to_string()),
    };

    let picked = catalog
        .import_key_file(request("keyFileContent", None), |json| async move {
            assert!(json, "the dialog is told the field takes JSON");
            Some(key_path.clone())
        })
        .await
        .expect("read")
        .expect("picked");
    assert_eq!(picked.file_name, "sa-key.json");
    assert_eq!(picked.stored.fields, ["keyFileContent"]);
    let kept = opened.keychain.get(&format!("{}/keyFileContent", picked.stored.set)).expect("answers");
    assert_eq!(kept.expect("kept").expose(), key);

    let cancelled = catalog.import_key_file(request("keyFileContent", None), |_| async { None }).await;
    assert!(cancelled.expect("no failure").is_none(), "a cancelled dialog is no error");

    let other = opened.scratch.dir.join("notes.json");
    std::fs::write(&other, r#"{"hello": "world"}"#).expect("written");
    let refused = catalog
        .import_key_file(request("keyFileContent", Some(&other)), |_| async { None })
        .await
        .expect_err("not a key");
    assert_eq!(refused.code, ErrorCode::Validation);
    assert!(refused.message.contains("notes.json") && !refused.message.contains("hello"));
    let refused = catalog
        .import_key_file(request("projectId", Some(&other)), |_| async { None })
        .await
        .expect_err("not a file field");
    assert_eq!(refused.code, ErrorCode::Validation);
}
