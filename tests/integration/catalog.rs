//! The whole catalog against the fake Flow Service: every page of `GET /connectionSpecs`,
//! sources told from destinations, the per-org cache that lets the next start show it
//! offline, and a create for every sign-in method of every source, each checked by the
//! fake against the spec's JSON Schema.

use base64::Engine as _;
use std::time::Duration;

use fakes::clients::client_for;
use fakes::specs;
use fakes::{FakeConfig, FakePlatform, Scratch};
use flow_connect_core::adobe::flow::SameName;
use flow_connect_core::catalog::{
    builtin_source, builtin_sources, new_connection, AuthMethod, CatalogCache, CatalogOrigin, FormValues,
    LiveCatalog, Param, ParamKind, Source,
};
use flow_connect_core::Secret;
use serde_json::Value;

const CONNECTIONS: &str = "/data/foundation/flowservice/connections";

/// A value for `param` as a careful user would type it: the spec's example where it has a
/// pattern, the default where it has one, else a plain value of the right kind.
fn fill(param: &Param, values: &mut FormValues) {
    let text = match &param.kind {
        ParamKind::Group { params } => return params.iter().for_each(|p| fill(p, values)),
        ParamKind::Variants { variants } => {
            variants[0].params.iter().for_each(|p| fill(p, values));
            "0".to_owned()
        }
        // A secret shows no example; the one secret with a pattern is MySQL's string.
        _ if param.rules.pattern.is_some() && param.secret => {
            "Server=db;Port=3306;Database=sales;UID=reader;PWD=pw".into()
        }
        _ if param.rules.pattern.is_some() => param.placeholder.clone(),
        // Snowflake's key pair: the fake reads the key, as Snowflake would.
        _ if param.name == "privateKey" => {
            let pair = flow_connect_core::keys::generate_pair(None).expect("key pair");
            base64::engine::general_purpose::STANDARD.encode(pair.private_pem.expose())
        }
        _ if param.default.is_some() => param.default.clone().unwrap_or_default(),
        ParamKind::Integer | ParamKind::Number => "7".into(),
        ParamKind::Boolean => "true".into(),
        ParamKind::Choice { options, .. } => options[0].clone(),
        ParamKind::Date => "2026-11-30".into(),
        ParamKind::Email => "ops@example.com".into(),
        ParamKind::Url => "https://data.example.com/api".into(),
        ParamKind::Json { .. } => r#"{"readPreference": "secondary"}"#.into(),
        ParamKind::List => "a\nb".into(),
        ParamKind::FileBase64 { .. } => r#"{"type": "service_account"}"#.into(),
        _ => format!("value-of-{}", param.name),
    };
    values.insert(param.field.clone(), Secret::new(text));
}

fn filled(method: &AuthMethod) -> FormValues {
    let mut values = FormValues::new();
    method.params.iter().filter(|p| !p.hidden).for_each(|p| fill(p, &mut values));
    values
}

async fn refreshed(fake: &FakePlatform, scratch: &Scratch) -> (LiveCatalog, Vec<Source>) {
    let catalog = LiveCatalog::with_cache(CatalogCache::new(scratch.dir.clone()));
    let client = client_for(fake, "prod", Duration::from_secs(10));
    let list = catalog.refresh(&client).await.expect("the catalog lists");
    assert!(list.refreshed_at.is_some());
    (catalog, list.sources)
}

#[tokio::test]
async fn every_page_of_sources_is_listed_without_destinations_built_in_first() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("the fake starts");
    let scratch = Scratch::new("catalog-list");
    let (_, sources) = refreshed(&fake, &scratch).await;
    assert_eq!(sources.len(), 4 + specs::other_sources().len(), "every source, no destination");
    let first: Vec<&str> = sources.iter().take(4).map(|s| s.spec_id.as_str()).collect();
    let builtin: Vec<&str> = builtin_sources().iter().map(|s| s.spec_id.as_str()).collect();
    assert_eq!(first, builtin, "the built-in four lead");
    assert!(sources.iter().all(|s| s.origin == CatalogOrigin::Live));
    for destination in specs::destinations() {
        assert!(!sources.iter().any(|s| s.spec_id == destination["id"].as_str().unwrap_or_default()));
    }
    let pages = fake.requests().iter().filter(|r| r.path.ends_with("/connectionSpecs")).count();
    assert!(pages >= 3, "the fake pages by 8, so the list took {pages} pages");
    let names: Vec<&str> = sources[4..].iter().map(|s| s.display_name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "the others by name");
    let s3 = sources.iter().find(|s| s.spec_key == "amazon-s3").expect("S3");
    assert_eq!((s3.display_name.as_str(), s3.category.as_str()), ("Amazon S3", "Cloud storage"));
    let streaming = sources.iter().find(|s| s.spec_key == "generic-streaming").expect("streaming");
    assert!(streaming.auth_methods.is_empty(), "a spec without authSpec is listed, with no sign-in");
}

#[tokio::test]
async fn the_cached_catalog_is_there_offline_and_holds_no_secret_value() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("the fake starts");
    let org = fake.config().org_id;
    let scratch = Scratch::new("catalog-cache");
    let (_, online) = refreshed(&fake, &scratch).await;
    drop(fake);

    // A new start: nothing in memory, the fake gone.
    let catalog = LiveCatalog::with_cache(CatalogCache::new(scratch.dir.clone()));
    let offline = catalog.list(&org).await;
    assert_eq!(offline.sources, online, "the same catalog, offline");
    assert!(offline.refreshed_at.is_some());
    let sftp = specs::source_id("sftp");
    assert!(catalog.cached(&org, sftp).is_some(), "forms of cached sources work offline");

    let text =
        std::fs::read_to_string(CatalogCache::new(scratch.dir.clone()).path(&org)).expect("the cache file");
    assert!(!text.contains("Example-Pa55"), "a secret's example is not cached");
    assert!(text.contains("acme-analytics"), "a plain example is");
    assert!(!text.contains("\"sourceSpec\""), "only what the catalog uses is kept");

    let other = catalog.list("SomeOtherOrg@AdobeOrg").await;
    assert_eq!(other.refreshed_at, None, "another org has only the built-in sources");
    assert_eq!(other.sources.len(), 4);
}

#[tokio::test]
async fn every_sign_in_method_of_every_source_creates_with_a_body_its_schema_accepts() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("the fake starts");
    let scratch = Scratch::new("catalog-create");
    let (_, sources) = refreshed(&fake, &scratch).await;
    let client = client_for(&fake, "prod", Duration::from_secs(10));
    let mut created = 0;
    // The built-in four have suites of their own (flow_service.rs).
    for source in sources.iter().filter(|s| builtin_source(&s.spec_id).is_none()) {
        for method in &source.auth_methods {
            let values = filled(method);
            let name = format!("{} via {}", source.display_name, method.spec_name);
            let request = new_connection(source, &method.spec_name, &name, "", &values)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            client
                .create_connection(&request, SameName::Refuse)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            created += 1;
        }
    }
    let methods: usize =
        specs::other_sources().iter().map(|s| s["authSpec"].as_array().map_or(0, Vec::len)).sum();
    assert_eq!(created, methods, "one create per sign-in method");
    // The typed values arrived typed.
    let posts: Vec<Value> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == CONNECTIONS)
        .map(|r| serde_json::from_str(&r.body).expect("JSON"))
        .collect();
    let body_of = |spec: &str| {
        posts.iter().find(|b| b["connectionSpec"]["id"] == specs::source_id(spec)).expect("a create").clone()
    };
    let sftp = body_of("sftp");
    assert_eq!(sftp["auth"]["params"]["port"], 22, "an integer as a number");
    let postgres = body_of("postgre-sql");
    assert_eq!(postgres["auth"]["params"]["readOnly"], true, "a boolean as a boolean");
    assert_eq!(postgres["auth"]["params"]["sslMode"], "require");
    let extension = body_of("generic-rest-extension");
    assert_eq!(extension["auth"]["params"]["requestParameterOverride"]["authenticationMethod"], "GET");
    let kinesis = body_of("amazon-kinesis");
    assert!(kinesis["auth"]["params"]["credentials"]["accessKeyId"].is_string(), "{kinesis}");
    let mongo = body_of("mongodb");
    assert_eq!(mongo["auth"]["params"]["driverOptions"]["readPreference"], "secondary", "raw JSON as JSON");
}

#[tokio::test]
async fn the_fake_refuses_a_body_its_schema_does_not_accept() {
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("the fake starts");
    let scratch = Scratch::new("catalog-refuse");
    let (_, sources) = refreshed(&fake, &scratch).await;
    let client = client_for(&fake, "prod", Duration::from_secs(10));
    let sftp = sources.iter().find(|s| s.spec_key == "sftp").expect("sftp");
    let method = &sftp.auth_methods[0];
    let mut request =
        new_connection(sftp, &method.spec_name, "Bad port", "", &filled(method)).expect("valid");
    // The port as text, as a careless client would send it.
    let mut params: serde_json::Map<String, Value> =
        serde_json::from_value(serde_json::to_value(&request.auth.params).expect("JSON")).expect("an object");
    params.insert("port".into(), Value::String("22".into()));
    request.auth.params = Default::default();
    for (key, value) in params {
        request.auth.params.insert_at(&[key], value, false);
    }
    let refused = client.create_connection(&request, SameName::Refuse).await.expect_err("refused");
    let message = refused.to_string();
    assert!(message.contains("port"), "{message}");
    assert!(!message.contains("value-of-password"), "the fake does not echo values: {message}");
}
