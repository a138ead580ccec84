//! What the providers' unit tests share: a client that does not follow redirects (the test
//! plays the browser), reading the redirect back, and a PKCE pair.

use std::collections::HashMap;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::{FakeProviders, ProvidersConfig};

pub async fn start() -> FakeProviders {
    start_with(ProvidersConfig::default()).await
}

pub async fn start_with(config: ProvidersConfig) -> FakeProviders {
    FakeProviders::start(config).await.expect("the fake providers start")
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// A verifier and its S256 challenge.
pub fn pkce(verifier: &str) -> (String, String) {
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier.to_owned(), challenge)
}

/// GETs `url` with `query` and returns the status and, for a redirect, the query of its
/// `Location`.
pub async fn authorize(url: &str, query: &[(&str, &str)]) -> (u16, HashMap<String, String>) {
    let response = browser().get(url).query(query).send().await.expect("authorize");
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().expect("ascii location").to_owned())
        .unwrap_or_default();
    let pairs =
        url::Url::parse(&location).map(|url| url.query_pairs().into_owned().collect()).unwrap_or_default();
    (status, pairs)
}

pub async fn post_form(url: &str, form: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let response = browser().post(url).form(form).send().await.expect("token request");
    read(response).await
}

pub async fn post_json(url: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let response = browser().post(url).json(body).send().await.expect("token request");
    read(response).await
}

pub async fn read(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("body");
    (status, serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null))
}
