//! Profiles at scale, against the real keychain: saves 1,000 profiles (one secret each), then
//! measures opening the book (what start-up pays), listing and searching it, and opening one
//! profile, counting the keychain calls each makes. Prints a Markdown table; `make bench` runs
//! it inside a private D-Bus session with its own gnome-keyring.

// The report is the benchmark's output.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use fakes::{CountingStore, TestStore};
use flow_connect_core::catalog::FormValues;
use flow_connect_core::profiles::{ProfileBook, ProfileDraft};
use flow_connect_core::secrets::vault::Vault;
use flow_connect_core::Secret;

/// Profiles saved by `cargo bench` (which passes `--bench`); `cargo test --all-targets` runs
/// the same code on a few, as a test that it still works, without the minutes 1,000 take.
fn profiles() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        1_000
    } else {
        20
    }
}
const ROUNDS: usize = 25;

fn draft(i: usize) -> ProfileDraft {
    let mut values = FormValues::new();
    values.insert("endpoint".into(), format!("https://instance-{i}.service-now.com").into());
    values.insert("username".into(), "platform".into());
    values.insert("password".into(), Secret::new(format!("password-{i}")));
    ProfileDraft {
        id: None,
        name: format!("ServiceNow instance {i:04}"),
        spec_id: "eb13cb25-47ab-407f-ba89-c0125281c563".into(),
        spec_name: "Basic Authentication".into(),
        source_name: "ServiceNow".into(),
        connection_name: format!("Instance {i:04}"),
        description: String::new(),
        values,
        stored: None,
        account_id: None,
        sandbox: None,
    }
}

/// The median of `ROUNDS` runs of `f`.
async fn median<F, Fut>(mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        f().await;
        times.push(start.elapsed());
    }
    times.sort();
    times[ROUNDS / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let count = profiles();
    let id = uuid::Uuid::new_v4();
    let dir = std::env::temp_dir().join(format!("flow-connect-bench-{id}"));
    let path = dir.join("profiles.json");
    let keychain = CountingStore::new(TestStore::new(format!("io.flowconnect.bench.{id}")));
    let vault = || Arc::new(Vault::new(keychain.clone()));
    let secrets = vec!["password".to_owned()];

    let (book, _) = ProfileBook::open(path.clone(), vault()).expect("book");
    let start = Instant::now();
    for i in 0..count {
        book.save(draft(i), &secrets).await.expect("saved");
    }
    let saving = start.elapsed();
    let saving_calls = keychain.calls();
    drop(book);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or_default();

    keychain.reset();
    let opening = median(|| async {
        ProfileBook::open(path.clone(), vault()).expect("opened");
    })
    .await;
    let (book, _) = ProfileBook::open(path.clone(), vault()).expect("opened");
    let listing = median(|| async {
        assert_eq!(book.list("").await.len(), count);
    })
    .await;
    let searching = median(|| async {
        assert_eq!(book.list(&format!("instance {:04}", count - 1)).await.len(), 1);
    })
    .await;
    let start_and_list_calls = keychain.calls();
    let one = book.list(&format!("instance {:04}", count / 2)).await.remove(0);
    keychain.reset();
    let start = Instant::now();
    let opened = book.open_profile(&one.id).await.expect("opened");
    let opening_one = start.elapsed();
    assert!(opened.missing.is_empty());
    let open_calls = keychain.calls();

    // Clean the keychain up again, through the book.
    for profile in book.list("").await {
        book.delete(&profile.id).await.expect("deleted");
    }
    let _ = std::fs::remove_dir_all(&dir);

    println!("### Profiles: {count} saved, real keychain (median of {ROUNDS} runs)\n");
    println!("| Operation | Time | Keychain calls |");
    println!("|---|---|---|");
    println!(
        "| Save {count} profiles, one secret each | {} total ({} each) | {saving_calls} |",
        ms(saving),
        ms(saving / count as u32)
    );
    println!("| Open the book at start-up ({} KiB file) | {} | 0 |", size / 1024, ms(opening));
    println!("| List all {count} | {} | 0 |", ms(listing));
    println!("| Search them | {} | 0 |", ms(searching));
    println!("| Keychain calls of opening, listing and searching together | — | {start_and_list_calls} |");
    println!("| Open one profile (one secret field) | {} | {open_calls} |", ms(opening_one));
    assert_eq!(start_and_list_calls, 0, "listing must make no keychain call");
}
