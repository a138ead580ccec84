//! A client of the fake for its own tests (the smoke tests, the checked sign-ins): a token,
//! the gateway's headers, a sandbox, and the answer's status and JSON.

use reqwest::Method;
use serde_json::Value;

use crate::{FakeConfig, FakePlatform};

pub(crate) struct Api {
    pub(crate) fake: FakePlatform,
    http: reqwest::Client,
    token: String,
}

impl Api {
    pub(crate) async fn start(config: FakeConfig) -> Self {
        let fake = FakePlatform::start(config).await.expect("the fake starts");
        let http = reqwest::Client::new();
        let config = fake.config();
        let token: Value = http
            .post(format!("{}/ims/token/v3", fake.url()))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", config.client_id.as_str()),
                ("client_secret", config.client_secret.as_str()),
                ("scope", "openid,AdobeID"),
            ])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token JSON");
        let token = token["access_token"].as_str().expect("a token").to_owned();
        Self { fake, http, token }
    }

    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let config = self.fake.config();
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.fake.url()))
            .bearer_auth(&self.token)
            .header("x-api-key", &config.client_id)
            .header("x-gw-ims-org-id", &config.org_id)
            .header("x-sandbox-name", "prod");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let reply = request.send().await.expect("an answer");
        let status = reply.status().as_u16();
        let text = reply.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None, &[]).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(body), &[]).await
    }
}
