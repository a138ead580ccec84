//! The checked sign-ins over HTTP: Snowflake key pairs refused at create when unreadable and
//! tested against the registered user's key, Salesforce JWTs tested for `exp`, `iss` and the
//! uploaded certificate's signature, and a renewal by `PATCH` of one auth param.

use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use reqwest::Method;
use serde_json::{json, Value};

use super::snowflake::INVALID_JWT;
use super::{JWT_CREDENTIAL, KEY_PAIR, SALESFORCE_SPEC, SNOWFLAKE_SPEC};
use crate::dataflow::smoke_api::Api;
use crate::jwt::{now_secs, sign};
use crate::keys::{self_signed_certificate, snowflake_private_key, snowflake_public_key};
use crate::FakeConfig;

const CONNECTIONS: &str = "/data/foundation/flowservice/connections";

fn rsa(bits: u32) -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(bits).expect("an RSA key")).expect("a key")
}

fn create_body(spec: &str, method: &str, params: Value) -> Value {
    json!({ "name": format!("{method} connection"), "connectionSpec": { "id": spec, "version": "1.0" },
            "auth": { "specName": method, "params": params } })
}

fn key_pair(private_key: &str, passphrase: Option<&str>) -> Value {
    let mut params = json!({ "account": "acme-analytics", "username": "FLOW_CONNECT", "database": "SALES",
                             "warehouse": "COMPUTE_WH", "privateKey": private_key });
    if let Some(passphrase) = passphrase {
        params["privateKeyPassphrase"] = json!(passphrase);
    }
    params
}

/// Creates the connection and returns its id, or the refusal's status and message.
async fn create(api: &Api, spec: &str, method: &str, params: Value) -> Result<String, (u16, String)> {
    let (status, body) = api.post(CONNECTIONS, create_body(spec, method, params)).await;
    match status {
        201 => Ok(body["id"].as_str().expect("an id").to_owned()),
        _ => Err((status, body["report"]["detailed-message"].as_str().unwrap_or_default().to_owned())),
    }
}

/// `/test`'s verdict and its reason.
async fn test(api: &Api, id: &str) -> (bool, String) {
    let (status, body) = api.get(&format!("{CONNECTIONS}/{id}/test")).await;
    assert_eq!(status, 200, "{body}");
    (body["result"].as_bool().expect("a result"), body["message"].as_str().unwrap_or_default().to_owned())
}

async fn register_user(api: &Api, account: &str, username: &str, key: &str) -> (u16, Value) {
    let user = json!({ "account": account, "username": username, "rsaPublicKey": key });
    let response = reqwest::Client::new()
        .post(format!("{}/__fake/snowflake/users", api.fake.url()))
        .json(&user)
        .send()
        .await
        .expect("registered");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_snowflake_key_that_cannot_sign_is_refused_at_create_without_being_echoed() {
    let api = Api::start(FakeConfig::default()).await;
    let key = rsa(2048);
    let encrypted = snowflake_private_key(&key, Some("s3cret pass")).expect("encrypted");
    let pkcs1 = key.rsa().expect("rsa").private_key_to_pem().expect("pkcs1");
    let pkcs1 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, pkcs1);
    let cases = [
        (key_pair("garbage!", None), "not Base64"),
        (key_pair(&snowflake_private_key(&rsa(1024), None).expect("short"), None), "1024-bit"),
        (key_pair(&encrypted, None), "no passphrase"),
        (key_pair(&encrypted, Some("wrong pass")), "passphrase does not decrypt"),
        (key_pair(&pkcs1, None), "PKCS#1"),
    ];
    for (params, reason) in cases {
        let private_key = params["privateKey"].as_str().expect("a key").to_owned();
        let (status, message) = create(&api, SNOWFLAKE_SPEC, KEY_PAIR, params).await.expect_err("refused");
        assert_eq!(status, 400);
        assert!(message.starts_with("auth.params.privateKey is not a usable private key: "), "{message}");
        assert!(message.contains(reason), "{message}");
        assert!(!message.contains(&private_key) && !message.contains("s3cret"), "{message}");
    }
    assert!(api.fake.connections().is_empty());
    let plain = snowflake_private_key(&key, None).expect("plain");
    assert!(create(&api, SNOWFLAKE_SPEC, KEY_PAIR, key_pair(&plain, None)).await.is_ok());
    assert!(create(&api, SNOWFLAKE_SPEC, KEY_PAIR, key_pair(&encrypted, Some("s3cret pass"))).await.is_ok());
    let basic = json!({ "account": "acme-analytics", "warehouse": "COMPUTE_WH", "database": "SALES",
                        "username": "FLOW_CONNECT", "password": "pw" });
    assert!(create(&api, SNOWFLAKE_SPEC, "Basic Authentication", basic).await.is_ok(), "no key to check");
}

#[tokio::test]
async fn a_snowflake_test_passes_only_when_the_user_s_public_key_is_the_pair_s() {
    let api = Api::start(FakeConfig::default()).await;
    let (key, other) = (rsa(2048), rsa(2048));
    let private_key = snowflake_private_key(&key, Some("pass")).expect("encrypted");
    let id =
        create(&api, SNOWFLAKE_SPEC, KEY_PAIR, key_pair(&private_key, Some("pass"))).await.expect("created");
    assert_eq!(test(&api, &id).await, (false, INVALID_JWT.to_owned()), "no user registered");
    let explore = format!("{CONNECTIONS}/{id}/explore?objectType=root");
    let (status, body) = api.get(&explore).await;
    assert_eq!((status, body["report"]["detailed-message"].as_str()), (400, Some(INVALID_JWT)));

    let other_public = snowflake_public_key(&other).expect("public");
    assert_eq!(register_user(&api, "acme-analytics", "FLOW_CONNECT", &other_public).await.0, 204);
    assert_eq!(test(&api, &id).await, (false, INVALID_JWT.to_owned()), "another key");
    // Another user holding the right key does not help.
    let public = snowflake_public_key(&key).expect("public");
    assert_eq!(register_user(&api, "acme-analytics", "SOMEONE_ELSE", &public).await.0, 204);
    assert!(!test(&api, &id).await.0);

    // Snowflake folds unquoted identifiers to upper case.
    assert_eq!(register_user(&api, "ACME-ANALYTICS", "flow_connect", &public).await.0, 204);
    assert_eq!(test(&api, &id).await, (true, String::new()));
    assert_eq!(api.get(&explore).await.0, 200);
    api.fake.register_snowflake_user("acme-analytics", "flow_connect", &other_public).expect("registered");
    assert!(!test(&api, &id).await.0, "the key was rotated away from the pair");

    let (status, body) = register_user(&api, "acme-analytics", "FLOW_CONNECT", "not-a-key").await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().is_some_and(|m| m.starts_with("rsaPublicKey: ")), "{body}");
    let pem = String::from_utf8(key.public_key_to_pem().expect("pem")).expect("text");
    assert_eq!(
        register_user(&api, "acme-analytics", "FLOW_CONNECT", &pem).await.0,
        400,
        "delimiters left in"
    );
}

#[tokio::test]
async fn a_patch_of_the_private_key_is_checked_as_a_create_is() {
    let api = Api::start(FakeConfig::default()).await;
    let key = rsa(2048);
    let id = create(
        &api,
        SNOWFLAKE_SPEC,
        KEY_PAIR,
        key_pair(&snowflake_private_key(&key, None).expect("key"), None),
    )
    .await
    .expect("created");
    let etag = api.fake.connections()[0]["etag"].as_str().expect("etag").to_owned();
    let patch = |value: &str| json!([{ "op": "replace", "path": "/auth/params/privateKey", "value": value }]);
    let short = snowflake_private_key(&rsa(1024), None).expect("short");
    let (status, body) = api
        .call(Method::PATCH, &format!("{CONNECTIONS}/{id}"), Some(patch(&short)), &[("if-match", &etag)])
        .await;
    assert_eq!(status, 400, "{body}");
    let renewed = rsa(2048);
    let fresh = snowflake_private_key(&renewed, None).expect("key");
    let (status, body) = api
        .call(Method::PATCH, &format!("{CONNECTIONS}/{id}"), Some(patch(&fresh)), &[("if-match", &etag)])
        .await;
    assert_eq!(status, 200, "{body}");
    api.fake
        .register_snowflake_user(
            "acme-analytics",
            "FLOW_CONNECT",
            &snowflake_public_key(&renewed).expect("public"),
        )
        .expect("registered");
    assert!(test(&api, &id).await.0, "the renewed key is the one tested");
}

fn jwt_params(token: &str) -> Value {
    json!({ "jwtToken": token, "clientId": "salesforce-client", "clientSecret": "salesforce-secret",
            "instanceUrl": "https://acme.my.salesforce.com" })
}

fn claims(exp: u64) -> Value {
    json!({ "iss": "salesforce-client", "sub": "integration@acme.example",
            "aud": "https://login.salesforce.com", "exp": exp })
}

#[tokio::test]
async fn a_salesforce_jwt_is_tested_for_its_exp_its_iss_and_the_certificate() {
    let api = Api::start(FakeConfig::default()).await;
    let (key, other) = (rsa(2048), rsa(2048));
    let jwt = |key: &PKey<Private>, claims: Value| sign(key, &claims).expect("signed");
    let good =
        create(&api, SALESFORCE_SPEC, JWT_CREDENTIAL, jwt_params(&jwt(&key, claims(now_secs() + 3_600))))
            .await
            .expect("created");
    assert_eq!(test(&api, &good).await, (true, String::new()), "no certificate uploaded: not checked");

    let expired =
        create(&api, SALESFORCE_SPEC, JWT_CREDENTIAL, jwt_params(&jwt(&key, claims(now_secs() - 60))))
            .await
            .expect("an expired JWT is taken at create");
    let (works, message) = test(&api, &expired).await;
    assert!(!works && message.starts_with("The JWT expired at "), "{message}");

    let millis = (now_secs() + 3_600) * 1_000;
    let in_ms = create(&api, SALESFORCE_SPEC, JWT_CREDENTIAL, jwt_params(&jwt(&key, claims(millis))))
        .await
        .expect("created");
    let (works, message) = test(&api, &in_ms).await;
    assert!(!works && message.contains("milliseconds"), "{message}");

    let mut other_app = claims(now_secs() + 3_600);
    other_app["iss"] = json!("another-consumer-key");
    let wrong_iss = create(&api, SALESFORCE_SPEC, JWT_CREDENTIAL, jwt_params(&jwt(&key, other_app)))
        .await
        .expect("created");
    let (works, message) = test(&api, &wrong_iss).await;
    assert!(!works && message.contains("clientId"), "{message}");

    let garbage =
        create(&api, SALESFORCE_SPEC, JWT_CREDENTIAL, jwt_params("not-a-jwt")).await.expect("created");
    let (works, message) = test(&api, &garbage).await;
    assert!(!works && message.contains("three base64url parts"), "{message}");

    // Once the connected app's certificate is known, another key's signature fails.
    let forged =
        create(&api, SALESFORCE_SPEC, JWT_CREDENTIAL, jwt_params(&jwt(&other, claims(now_secs() + 3_600))))
            .await
            .expect("created");
    assert!(test(&api, &forged).await.0, "unchecked until a certificate is uploaded");
    let upload = reqwest::Client::new()
        .post(format!("{}/__fake/salesforce/certificate", api.fake.url()))
        .body(self_signed_certificate(&key, "Flow Connect").expect("cert"))
        .send()
        .await
        .expect("uploaded");
    assert_eq!(upload.status().as_u16(), 204);
    let (works, message) = test(&api, &forged).await;
    assert!(!works && message.contains("certificate"), "{message}");
    assert!(test(&api, &good).await.0);
    let (status, _) = api.get(&format!("{CONNECTIONS}/{forged}/explore?objectType=root")).await;
    assert_eq!(status, 400, "explore is refused for the same reason");
    let tokens: Vec<String> = api.fake.requests().iter().map(|r| format!("{r:?}")).collect();
    assert!(tokens.iter().all(|r| !r.contains("/__fake/")), "control calls are not recorded");
}

#[tokio::test]
async fn a_renewed_jwt_patched_with_if_match_is_the_one_the_next_test_checks() {
    let api = Api::start(FakeConfig::default()).await;
    let key = rsa(2048);
    api.fake
        .register_salesforce_certificate(&self_signed_certificate(&key, "Flow Connect").expect("cert"))
        .expect("cert");
    let old = sign(&key, &claims(now_secs() - 1)).expect("signed");
    let id = create(&api, SALESFORCE_SPEC, JWT_CREDENTIAL, jwt_params(&old)).await.expect("created");
    assert!(!test(&api, &id).await.0);

    let renewed = sign(&key, &claims(now_secs() + 86_400 * 120)).expect("signed");
    let patch = json!([{ "op": "replace", "path": "/auth/params/jwtToken", "value": renewed }]);
    let path = format!("{CONNECTIONS}/{id}");
    let (status, _) = api.call(Method::PATCH, &path, Some(patch.clone()), &[("if-match", "\"stale\"")]).await;
    assert_eq!(status, 412, "a stale version changes nothing");
    assert!(!test(&api, &id).await.0);
    let etag = api.fake.connections()[0]["etag"].as_str().expect("etag").to_owned();
    let (status, body) = api.call(Method::PATCH, &path, Some(patch), &[("if-match", &etag)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(test(&api, &id).await, (true, String::new()));
    let params = &api.fake.connections()[0]["auth"]["params"];
    assert_eq!(
        (params["jwtToken"].as_str(), params["clientId"].as_str()),
        (Some(renewed.as_str()), Some("salesforce-client"))
    );

    // The whole params may be replaced too, and a param the spec does not name is refused.
    let etag = body["etag"].as_str().expect("etag").to_owned();
    let unknown = json!([{ "op": "add", "path": "/auth/params/apiVersion", "value": "60.0" }]);
    let (status, _) = api.call(Method::PATCH, &path, Some(unknown), &[("if-match", &etag)]).await;
    assert_eq!(status, 400);
    let whole = json!([{ "op": "replace", "path": "/auth/params", "value": jwt_params(&old) }]);
    let (status, _) = api.call(Method::PATCH, &path, Some(whole), &[("if-match", &etag)]).await;
    assert_eq!(status, 200);
    assert!(!test(&api, &id).await.0, "back to the expired one");
}
