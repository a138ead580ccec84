//! Flow Connect's own clients, pointed at a running fake: what the integration suites drive.

use std::sync::Arc;
use std::time::Duration;

use flow_connect_core::adobe::flow::{http_client, FlowClient, PlatformTarget, RetryPolicy};
use flow_connect_core::adobe::ims::{ImsCredentials, ImsTokenProvider, DEFAULT_SCOPES};
use flow_connect_core::Secret;
use url::Url;

use crate::FakePlatform;

/// Who a client of `fake` works for in `sandbox`.
pub fn target_for(fake: &FakePlatform, sandbox: &str) -> PlatformTarget {
    let config = fake.config();
    PlatformTarget { api_key: config.client_id, org_id: config.org_id, sandbox: sandbox.into() }
}

/// A client signed in with the fake's client credentials, retrying quickly.
pub fn client_with(fake: &FakePlatform, target: PlatformTarget, timeout: Duration) -> FlowClient {
    let config = fake.config();
    let base = Url::parse(&fake.url()).expect("the fake's URL");
    let http = http_client(timeout);
    let tokens = Arc::new(ImsTokenProvider::new(
        http.clone(),
        &base,
        ImsCredentials::ClientCredentials {
            client_id: config.client_id,
            client_secret: Secret::new(config.client_secret),
            scopes: DEFAULT_SCOPES.into(),
        },
    ));
    FlowClient::new(http, &base, tokens, target)
        .with_retry(RetryPolicy {
            max_attempts: 4,
            first_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(5),
        })
        .with_lookup_window(Duration::from_secs(6))
}

/// [`client_with`] for `sandbox`.
pub fn client_for(fake: &FakePlatform, sandbox: &str, timeout: Duration) -> FlowClient {
    client_with(fake, target_for(fake, sandbox), timeout)
}
