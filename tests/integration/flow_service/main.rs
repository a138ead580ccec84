//! The Flow Service client and IMS token provider against the fake Adobe services, over real
//! HTTP on loopback.
//!
//! One binary, a module per subject: creates, lost answers, connections, IMS, failures.

use std::time::Duration;

use fakes::clients::client_for;
use fakes::specs::SERVICENOW;
use fakes::{FakeConfig, FakePlatform};
use flow_connect_core::adobe::flow::FlowClient;
use flow_connect_core::catalog::{builtin_source, new_connection, FormValues};
use flow_connect_core::Secret;

mod connections;
mod creates;
mod failures;
mod ims;
mod lost_answers;

const CONNECTIONS: &str = "/data/foundation/flowservice/connections";

struct Harness {
    fake: FakePlatform,
    client: FlowClient,
}

async fn harness(config: FakeConfig) -> Harness {
    let fake = FakePlatform::start(config).await.expect("the fake starts");
    let client = client_for(&fake, "prod", Duration::from_secs(10));
    Harness { fake, client }
}

fn values(pairs: &[(&str, &str)]) -> FormValues {
    pairs.iter().map(|(k, v)| (k.to_string(), Secret::new(*v))).collect()
}

fn servicenow_request(name: &str) -> flow_connect_core::adobe::flow::NewConnection {
    let form = values(&[
        ("endpoint", "https://acme.service-now.com"),
        ("username", "u"),
        ("password", "secret-pass"),
    ]);
    new_connection(builtin_source(SERVICENOW).expect("built in"), "Basic Authentication", name, "", &form)
        .expect("valid")
}
