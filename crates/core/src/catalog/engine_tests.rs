//! The form engine over every construct it knows, the quirks of published specs, and the
//! promise that a form it accepts builds a body the spec's own schema accepts.

use serde_json::{json, Value};

use super::*;
use crate::adobe::flow::AuthSpec;
use crate::Secret;

pub(super) fn method(spec: Value) -> AuthMethod {
    let auth: AuthSpec =
        serde_json::from_value(json!({ "name": "Basic Authentication", "spec": spec })).expect("auth spec");
    let source = source_of(method_from_spec(&auth)).assign_fields();
    source.auth_methods.into_iter().next().expect("one method")
}

/// A live source with the one sign-in method `method`.
fn source_of(method: AuthMethod) -> Source {
    Source {
        spec_id: "00000000-0000-4000-8000-000000000001".into(),
        spec_version: "1.0".into(),
        spec_key: "test".into(),
        display_name: "Test".into(),
        category: String::new(),
        description: String::new(),
        auth_methods: vec![method],
        origin: CatalogOrigin::Live,
        explore: Default::default(),
    }
}

fn param<'a>(method: &'a AuthMethod, field: &str) -> &'a Param {
    method.all_params().into_iter().find(|p| p.field == field).unwrap_or_else(|| panic!("no field {field}"))
}

pub(super) fn form(pairs: &[(&str, &str)]) -> FormValues {
    pairs.iter().map(|(k, v)| (k.to_string(), Secret::new(*v))).collect()
}

pub(super) fn body(method: &AuthMethod, values: &FormValues) -> Result<Value, Vec<FieldError>> {
    let source = source_of(method.clone());
    match new_connection(&source, &method.spec_name, "c", "", values) {
        Ok(new) => Ok(serde_json::to_value(&new.auth.params).expect("serializes")),
        Err(RequestError::Invalid(errors)) => Err(errors),
        Err(other) => panic!("{other}"),
    }
}

fn every_construct() -> Value {
    json!({
        "type": "object",
        "description": "Signs in with a user name.",
        "properties": {
            "host": { "type": "string", "title": "Server host", "description": "The database server." },
            "s3AccessKeyId": { "type": "string" },
            "password": { "type": "string", "format": "password" },
            "apiToken": { "type": "string" },
            "accessTokenUrl": { "type": "string", "format": "uri" },
            "startDate": { "type": "string", "format": "date" },
            "notify": { "type": "string", "format": "email" },
            "region": { "type": "string", "enum": ["us", "eu"], "default": "eu" },
            "level": { "enum": [1, 2, 3] },
            "ssl": { "type": "boolean", "default": true },
            "port": { "type": "integer", "minimum": 1, "maximum": 65535, "default": 5432 },
            "ratio": { "type": "number", "minimum": 0, "maximum": 1 },
            "account": { "type": "string", "pattern": "^[a-z]+-[0-9]+$", "minLength": 3, "maxLength": 20 },
            "scopes": { "type": "array", "items": { "type": "string" } },
            "expiresAt": { "type": "string", "uiAttributes": { "hidden": true } },
            "requestParameterOverride": { "type": "object", "properties": {
                "accessTokenField": { "type": "string" },
                "method": { "type": "string", "enum": ["GET", "POST"] }
            } },
            "auth": { "oneOf": [
                { "type": "object", "title": "Key pair", "properties": {
                    "keyId": { "type": "string" }, "privateKey": { "type": "string" } }, "required": ["keyId", "privateKey"] },
                { "type": "object", "properties": { "user": { "type": "string" }, "secret": { "type": "string" } }, "required": ["user"] }
            ] },
            "mapping": { "allOf": [{ "type": "object" }], "description": "Column mapping." },
            "nullable": { "type": ["string", "null"] }
        },
        "required": ["host", "password", "port", "accessKeyId", "auth"]
    })
}

#[test]
fn every_construct_becomes_a_field() {
    let m = method(every_construct());
    assert_eq!(m.help, "Signs in with a user name.");
    assert_eq!(param(&m, "host").label, "Server host", "title is the label");
    assert_eq!(param(&m, "host").help, "The database server.", "description is the help");
    assert!(param(&m, "host").required);
    assert_eq!(param(&m, "s3AccessKeyId").label, "S3 access key ID");
    assert!(param(&m, "password").secret, "format password");
    assert!(param(&m, "apiToken").secret, "a token by its name");
    assert!(!param(&m, "accessTokenUrl").secret, "a URL that names a token is not one");
    assert_eq!(param(&m, "accessTokenUrl").kind, ParamKind::Url);
    assert_eq!(param(&m, "startDate").kind, ParamKind::Date);
    assert_eq!(param(&m, "notify").kind, ParamKind::Email);
    assert_eq!(
        param(&m, "region").kind,
        ParamKind::Choice { options: vec!["us".into(), "eu".into()], json: false }
    );
    assert_eq!(param(&m, "region").default.as_deref(), Some("eu"));
    assert_eq!(
        param(&m, "level").kind,
        ParamKind::Choice { options: vec!["1".into(), "2".into(), "3".into()], json: true }
    );
    assert_eq!(param(&m, "ssl").kind, ParamKind::Boolean);
    assert_eq!(param(&m, "ssl").default.as_deref(), Some("true"));
    assert_eq!(param(&m, "port").kind, ParamKind::Integer);
    assert_eq!(
        (param(&m, "port").rules.minimum, param(&m, "port").rules.maximum),
        (Some(1.0), Some(65535.0))
    );
    assert_eq!(param(&m, "ratio").kind, ParamKind::Number);
    let account = param(&m, "account");
    assert_eq!(account.rules.pattern.as_deref(), Some("^[a-z]+-[0-9]+$"));
    assert_eq!((account.rules.min_length, account.rules.max_length), (Some(3), Some(20)));
    assert_eq!(param(&m, "scopes").kind, ParamKind::List);
    assert!(param(&m, "expiresAt").hidden);
    assert!(matches!(param(&m, "requestParameterOverride").kind, ParamKind::Group { .. }));
    assert_eq!(param(&m, "requestParameterOverride.method").label, "Method");
    let ParamKind::Variants { variants } = &param(&m, "auth").kind else { panic!("variants") };
    assert_eq!(variants[0].label, "Key pair");
    assert_eq!(variants[1].label, "User and secret", "named after its members without a title");
    assert_eq!(param(&m, "auth.privateKey").kind, ParamKind::MultiLine);
    assert!(param(&m, "auth.secret").secret);
    let raw = param(&m, "mapping");
    assert!(matches!(&raw.kind, ParamKind::Json { reason } if reason.contains("allOf")), "{:?}", raw.kind);
    assert_eq!(raw.help, "Column mapping.", "a raw field keeps the description");
    assert_eq!(param(&m, "nullable").kind, ParamKind::Text, "type given as a list");
    let undescribed = param(&m, "accessKeyId");
    assert!(undescribed.required && undescribed.kind == ParamKind::Text, "a required key with no property");
}

#[test]
fn values_are_checked_against_the_schema_with_the_message_at_the_field() {
    let m = method(every_construct());
    let errors = body(
        &m,
        &form(&[
            ("host", ""),
            ("password", "pw"),
            ("port", "70000"),
            ("ratio", "abc"),
            ("account", "NOPE"),
            ("notify", "not-an-email"),
            ("startDate", "31/12/2026"),
            ("region", "mars"),
            ("mapping", "{oops"),
            ("auth.keyId", "k"),
            ("accessKeyId", "AKIA"),
        ]),
    )
    .expect_err("refused");
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    for field in
        ["host", "port", "ratio", "account", "notify", "startDate", "region", "mapping", "auth.privateKey"]
    {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let message =
        |field: &str| errors.iter().find(|e| e.field == field).map(|e| e.message.clone()).unwrap_or_default();
    assert!(message("port").contains("1 to 65535"), "{}", message("port"));
    assert!(message("account").contains("pattern"), "{}", message("account"));
    assert!(!message("account").contains("NOPE"), "the value is not repeated");
    assert!(message("region").contains("us, eu"));
    let short = body(
        &m,
        &form(&[
            ("host", "h"),
            ("password", "p"),
            ("port", "1"),
            ("account", "a-"),
            ("accessKeyId", "x"),
            ("auth.keyId", "k"),
            ("auth.privateKey", "pk"),
        ]),
    )
    .expect_err("too short");
    assert!(short.iter().any(|e| e.field == "account" && e.message.contains("at least 3")));
}

#[test]
fn the_body_is_typed_as_the_schema_says() {
    let m = method(every_construct());
    let sent = body(
        &m,
        &form(&[
            ("host", " db.example.com "),
            ("password", " pw "),
            ("port", "5432"),
            ("ratio", "0.5"),
            ("ssl", "false"),
            ("level", "2"),
            ("region", "eu"),
            ("scopes", "read\n\nwrite\n"),
            ("requestParameterOverride.method", "POST"),
            ("auth", "1"),
            ("auth.user", "u"),
            ("accessKeyId", "AKIA"),
            ("mapping", r#"{"a": [1]}"#),
        ]),
    )
    .expect("accepted");
    assert_eq!(sent["host"], "db.example.com");
    assert_eq!(sent["password"], " pw ", "secrets are sent as typed");
    assert_eq!(sent["port"], json!(5432));
    assert_eq!(sent["ratio"], json!(0.5));
    assert_eq!(sent["ssl"], json!(false));
    assert_eq!(sent["level"], json!(2));
    assert_eq!(sent["scopes"], json!(["read", "write"]));
    assert_eq!(sent["requestParameterOverride"], json!({ "method": "POST" }));
    assert_eq!(sent["auth"], json!({ "user": "u" }), "only the chosen variant");
    assert_eq!(sent["mapping"], json!({ "a": [1] }));
    assert!(sent.get("expiresAt").is_none(), "an empty hidden field is left out");
    assert!(sent.get("notify").is_none(), "an empty optional field is left out");
}

#[test]
fn secrets_in_nested_objects_are_masked_and_scrubbed() {
    let m = method(every_construct());
    let source = source_of(m.clone());
    let values = form(&[
        ("host", "h"),
        ("password", "pw-1"),
        ("port", "1"),
        ("accessKeyId", "a"),
        ("auth", "1"),
        ("auth.user", "u"),
        ("auth.secret", "nested-secret"),
    ]);
    let new = new_connection(&source, &m.spec_name, "c", "", &values).expect("valid");
    let secrets: Vec<&str> = new.auth.params.secret_values().collect();
    assert!(secrets.contains(&"nested-secret") && secrets.contains(&"pw-1"));
    let debug = format!("{:?}", new.auth.params);
    assert!(!debug.contains("nested-secret") && !debug.contains("pw-1"), "{debug}");
    assert_eq!(new.auth.params.masked()["auth"]["secret"], crate::adobe::flow::MASK);
    let fields = crate::catalog::secrets::source_secret_fields(&source);
    assert!(
        fields.contains(&"auth.secret".to_owned()) && fields.contains(&"password".to_owned()),
        "{fields:?}"
    );
}

#[test]
fn a_whole_spec_choice_puts_its_members_at_the_top() {
    let m = method(json!({ "oneOf": [
        { "type": "object", "title": "Account key", "properties": { "accountKey": { "type": "string", "format": "password" } }, "required": ["accountKey"] },
        { "type": "object", "title": "SAS URI", "properties": { "sasUri": { "type": "string", "format": "uri" } }, "required": ["sasUri"] }
    ] }));
    assert_eq!(
        param(&m, VARIANT_FIELD).kind,
        ParamKind::Variants {
            variants: match &param(&m, VARIANT_FIELD).kind {
                ParamKind::Variants { variants } => variants.clone(),
                _ => unreachable!(),
            }
        }
    );
    assert!(param(&m, "sasUri").secret, "a SAS URI is a secret by its name");
    let sent =
        body(&m, &form(&[(VARIANT_FIELD, "1"), ("sasUri", "https://acct.blob.core.windows.net/?sv=1")]))
            .expect("valid");
    assert_eq!(sent, json!({ "sasUri": "https://acct.blob.core.windows.net/?sv=1" }));
    let missing = body(&m, &form(&[])).expect_err("the first variant's key is required");
    assert_eq!(missing[0].field, "accountKey");
}

#[test]
fn published_quirks_never_break_the_engine() {
    for spec in [
        json!(null),
        json!("text"),
        json!({}),
        json!({ "properties": null }),
        json!({ "properties": { "a": 5 } }),
        json!({ "required": "host" }),
    ] {
        let m = method(spec.clone());
        let _ = body(&m, &form(&[]));
        for p in m.all_params() {
            assert!(!p.field.is_empty(), "{spec}");
        }
    }
    let streaming: crate::adobe::flow::ConnectionSpec =
        serde_json::from_value(json!({ "id": "bdb5b792-451b-42de-acf8-15f3195821de", "name": "generic-streaming", "authSpec": null }))
            .expect("a spec without authSpec reads");
    assert!(streaming.auth_spec.is_empty());
    let odd: crate::adobe::flow::ConnectionSpec = serde_json::from_value(
        json!({ "id": "x", "authSpec": [{ "spec": {} }, { "name": "Key", "spec": {} }], "attributes": [] }),
    )
    .expect("unreadable entries are left out");
    assert_eq!(odd.auth_spec.len(), 1);
}

#[test]
fn a_hidden_required_field_without_a_default_is_shown() {
    let m = method(json!({ "type": "object", "properties": {
        "a": { "type": "string", "uiAttributes": { "hidden": true } },
        "b": { "type": "string", "default": "x", "uiAttributes": { "hidden": true } }
    }, "required": ["a", "b"] }));
    assert!(!param(&m, "a").hidden);
    assert!(param(&m, "b").hidden);
}
