//! The catalog at scale: 100 large source specs (about 1 MB of JSON, as a big org's
//! `GET /connectionSpecs` answers) parsed and rendered by the form engine, written to the
//! per-org cache, and read back as the next start does. Prints a Markdown table; `make bench`
//! runs it.

// The report is the benchmark's output.
#![allow(clippy::print_stdout)]

use std::time::{Duration, Instant};

use fakes::specs::large_specs;
use fakes::Scratch;
use flow_connect_core::adobe::flow::ConnectionSpec;
use flow_connect_core::catalog::{CatalogCache, CatalogList, LiveCatalog};
use serde_json::{json, Value};

/// Specs under `cargo bench`; `cargo test --all-targets` runs the same code on a few.
fn specs() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        100
    } else {
        5
    }
}
const ROUNDS: usize = 25;

fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[ROUNDS / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// What `FlowClient::connection_specs` does with a page: items one by one, so one odd item
/// cannot fail the list.
fn parse(body: &[u8]) -> Vec<ConnectionSpec> {
    let page: Value = serde_json::from_slice(body).expect("JSON");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| serde_json::from_value(item.clone()).ok())
        .collect()
}

#[tokio::main]
async fn main() {
    let count = specs();
    let body = serde_json::to_vec(&json!({ "items": large_specs(count) })).expect("JSON");
    let parsed = parse(&body);
    assert_eq!(parsed.len(), count);

    let parsing = median(|| {
        assert_eq!(parse(&body).len(), count);
    });
    let rendering = median(|| {
        let list = CatalogList::from_specs(&parsed, 0);
        assert_eq!(list.sources.len(), count + 4);
    });
    let scratch = Scratch::new("bench-catalog");
    let cache = CatalogCache::new(scratch.dir.clone());
    let org = "BENCH0RG@AdobeOrg";
    let writing = median(|| cache.write(org, 1, parsed.clone()).expect("written"));
    let file = std::fs::metadata(cache.path(org)).map(|m| m.len()).unwrap_or_default();
    let reading = median(|| {
        let file = cache.read(org).expect("cached");
        assert_eq!(CatalogList::from_specs(&file.specs, file.refreshed_at).sources.len(), count + 4);
    });
    let started = Instant::now();
    let first = LiveCatalog::with_cache(CatalogCache::new(scratch.dir.clone())).list(org).await;
    let start_up = started.elapsed();
    assert_eq!(first.sources.len(), count + 4);

    println!(
        "### Catalog: {count} large source specs, {} KiB of JSON (median of {ROUNDS} runs)\n",
        body.len() / 1024
    );
    println!("| Operation | Time |");
    println!("|---|---|");
    println!("| Parse the list (on a runtime worker, never the main thread) | {} |", ms(parsing));
    println!("| Render every form with the engine, merge the built-in four, sort | {} |", ms(rendering));
    println!("| Write the cache ({} KiB, atomically) | {} |", file / 1024, ms(writing));
    println!("| Read the cache and render it, as a start does | {} |", ms(reading));
    println!("| First `catalog_sources` of a start (blocking pool, once) | {} |", ms(start_up));
}
