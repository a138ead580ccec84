//! Promotion at scale: a manifest of 50 connections with 100 dataflows planned against a
//! sandbox of the fake holding 1,000 connections (the first 50 with two dataflows each), and
//! the apply of that plan, every object unchanged. Prints a Markdown table of the medians and
//! the requests each sends; `make bench` runs it inside a private D-Bus session (the account's
//! secret is in the keychain).

// The report is the benchmark's output.
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use fakes::manifests::{seeded, SERVICENOW};
use fakes::{FakeConfig, FakePlatform, Scratch};
use flow_connect_core::config::{Endpoints, IMS_URL_VAR, PLATFORM_URL_VAR};
use flow_connect_core::operations::{Operations, PromotionRequest};

/// The sizes under `cargo bench`; `cargo test --all-targets` runs the same code small.
fn sizes() -> (usize, usize) {
    if std::env::args().any(|a| a == "--bench") {
        (1_000, 50)
    } else {
        (20, 5)
    }
}
const ROUNDS: usize = 7;

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let (held, wanted) = sizes();
    let fake = FakePlatform::start(FakeConfig::default()).await.expect("fake");
    fake.seed_connections(SERVICENOW, "prod", "Seeded", held);
    let first: Vec<String> = fake
        .connections()
        .into_iter()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .take(wanted)
        .collect();
    for id in &first {
        fake.add_flows(id, 2);
    }
    let scratch = Scratch::new("bench-promotion");
    let url = fake.url();
    let endpoints =
        Endpoints::from_lookup(|var| [PLATFORM_URL_VAR, IMS_URL_VAR].contains(&var).then(|| url.clone()))
            .expect("endpoints");
    let service = format!("io.flowconnect.bench.{}", uuid::Uuid::new_v4());
    let (ops, _) = Operations::open(endpoints, &service, &scratch.dir).expect("opened");
    let saved = fake.account_request("Acme");
    let account_id = ops.accounts().save(saved).await.expect("account").id;
    let request = PromotionRequest {
        account_id: account_id.clone(),
        manifest: seeded(wanted),
        environment: "prod".into(),
        sandbox: None,
        allow_replace: false,
        expected: None,
        org: None,
        consented: Vec::new(),
    };
    // The first plan signs in and reads the spec; the rounds after are what a user repeats.
    ops.promotion().plan(&request).await.expect("plan");
    let mut plans = Vec::new();
    let mut sent = 0;
    for _ in 0..ROUNDS {
        let before = fake.requests().len();
        let start = Instant::now();
        let plan = ops.promotion().plan(&request).await.expect("plan");
        plans.push(start.elapsed());
        sent = fake.requests().len() - before;
        assert_eq!(plan.items.len(), wanted * 3);
    }
    plans.sort();
    let writes = || fake.requests().iter().filter(|r| r.method != "GET" && !r.path.contains("/ims/")).count();
    let before = (writes(), fake.requests().len());
    let start = Instant::now();
    let report = ops.promotion().apply(&request).await.expect("apply");
    let applied = start.elapsed();
    assert_eq!(report.items.len(), wanted * 3);
    let written = writes() - before.0;
    let apply_requests = fake.requests().len() - before.1;
    ops.accounts().remove(&account_id).await.expect("account removed");

    println!("### Promotion: {wanted} connections and {} dataflows against {held} connections", wanted * 2);
    println!();
    println!("| Step | Median of {ROUNDS} | Requests | Writes |");
    println!("|---|---|---|---|");
    println!("| Plan (target ≤ 2 s) | {} | {sent} | 0 |", ms(plans[ROUNDS / 2]));
    println!("| Apply, every object unchanged | {} | {apply_requests} | {written} |", ms(applied));
}
