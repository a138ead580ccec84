//! A file another process rewrote: a newer Flow Connect's is kept in place and not changed, a
//! damaged one neither set aside nor overwritten, and a rewrite is read even when it kept the
//! inode, size and time.

use std::time::Duration;

use flow_connect_core::config::Endpoints;
use flow_connect_core::operations::failure::{ErrorCode, Failure};
use flow_connect_core::operations::{Operations, RenameProfileRequest};
use flow_connect_core::store::origins::Origins;

use super::{names, origin, plain_draft, Folder};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_a_newer_flow_connect_rewrote_is_kept_in_place_and_edits_say_to_update() {
    let folder = Folder::new("two-newer");
    let (app, notices) = folder.open();
    assert!(notices.is_empty(), "{notices:?}");
    let (cli, _) = folder.open();
    let marketing =
        app.profiles().save(plain_draft("Marketing")).await.map(|saved| saved.profile).expect("saved");
    assert_eq!(names(&cli).await, ["Marketing"], "the other holder sees it");
    assert!(app.take_notices().is_empty());

    // A newer flow-connect-cli writes the profiles in a format this one does not know.
    let newer = br#"{"schemaVersion": 3, "profiles": {"by-id": {}}, "more": true}"#;
    folder.rewrite("profiles.json", newer);

    assert_eq!(names(&app).await, ["Marketing"], "memory is kept");
    for holder in [&app, &cli] {
        let refused = holder
            .profiles()
            .rename(&RenameProfileRequest { id: marketing.id.clone(), name: "Sales".into() })
            .await
            .expect_err("refused");
        // Refused by the door as the book refuses it: the file is kept for the newer version.
        let failure = refused;
        assert_eq!(failure.code, ErrorCode::Storage);
        assert!(
            failure.message.contains("newer Flow Connect") && failure.message.contains("update this one"),
            "{}",
            failure.message
        );
        assert!(failure.message.contains("profiles.json"), "{}", failure.message);
        holder
            .profiles()
            .save(plain_draft("Another"))
            .await
            .map(|saved| saved.profile)
            .expect_err("a new profile too");
    }
    assert_eq!(std::fs::read(folder.path("profiles.json")).expect("in place"), newer, "never overwritten");
    assert!(folder.set_aside().is_empty(), "nothing set aside at runtime: {:?}", folder.set_aside());

    // The window shows it once.
    let told = app.take_notices();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("Your saved profiles") && told[0].contains("newer Flow Connect"), "{told:?}");
    assert!(app.take_notices().is_empty(), "said once");

    // Once the file reads again (the user went back to this version), changes resume.
    let current = br#"{"schemaVersion": 2, "profiles": []}"#;
    folder.rewrite("profiles.json", current);
    app.profiles().save(plain_draft("Again")).await.map(|saved| saved.profile).expect("changes resume");
    assert_eq!(names(&cli).await, ["Again"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_keeps_a_newer_flow_connect_s_file_and_refuses_to_change_it() {
    let folder = Folder::new("two-newer-start");
    let newer = br#"{"schemaVersion": 3, "profiles": {"by-id": {"p1": {"title": "From the newer app"}}}}"#;
    std::fs::write(folder.path("profiles.json"), newer).expect("a newer app's file");

    // An older flow-connect-cli run starts over the newer app's folder.
    let (cli, notices) = folder.open();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(
        notices[0].contains("newer Flow Connect") && notices[0].contains("update this one"),
        "{notices:?}"
    );
    assert!(names(&cli).await.is_empty());
    let refused =
        cli.profiles().save(plain_draft("Mine")).await.map(|saved| saved.profile).expect_err("refused");
    assert!(refused.message.contains("newer Flow Connect"));
    assert!(cli.take_notices().len() == 1, "the start-up notice, once");
    assert!(cli.take_notices().is_empty());
    assert_eq!(std::fs::read(folder.path("profiles.json")).expect("in place"), newer, "untouched");
    assert!(folder.set_aside().is_empty(), "a newer file is never set aside");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_file_at_runtime_is_neither_set_aside_nor_overwritten() {
    let folder = Folder::new("two-garbage");
    // The origins file as the app's process holds it (opened with the folder's other files).
    let (app, _) = folder.open();
    let (origins, _) = Origins::open(folder.path("connection-origins.json"));
    origins.record(origin("c1")).await.expect("recorded");
    let garbage = b"\x00\x9f not JSON at all";
    folder.rewrite("connection-origins.json", garbage);

    assert!(origins.origin("c1").await.is_some(), "memory is kept");
    let refused = origins.record(origin("c2")).await.expect_err("refused");
    let failure = Failure::from(refused);
    assert!(
        failure.message.contains("cannot be read") && failure.message.contains("restart"),
        "{}",
        failure.message
    );
    assert_eq!(std::fs::read(folder.path("connection-origins.json")).expect("in place"), garbage);
    assert!(folder.set_aside().is_empty());
    let told = app.take_notices();
    assert!(told.len() == 1 && told[0].contains("connection-origins.json"), "{told:?}");

    // Setting aside stays a start-up decision: the next start does it, and says so.
    let (_restarted, notices) = folder.open();
    assert_eq!(folder.set_aside().len(), 1, "set aside on opening");
    assert!(notices.iter().any(|n| n.contains("set the file aside")), "{notices:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_reads_a_rewrite_that_kept_inode_size_and_time() {
    let folder = Folder::new("two-stamp");
    let (app, _) = folder.open();
    app.profiles().save(plain_draft("Alpha")).await.map(|saved| saved.profile).expect("saved");
    let path = folder.path("profiles.json");
    // Another process rewrote the file in place within one tick of the clock: same inode, same
    // size, same modification time (on Windows the inode is always 0, which makes this common).
    let modified = std::fs::metadata(&path).expect("stat").modified().expect("mtime");
    let text = std::fs::read_to_string(&path).expect("read").replace("\"Alpha\"", "\"Bravo\"");
    std::fs::write(&path, &text).expect("rewritten in place");
    std::fs::File::options().write(true).open(&path).expect("open").set_modified(modified).expect("mtime");

    app.profiles().save(plain_draft("Charlie")).await.map(|saved| saved.profile).expect("saved");
    let (restarted, _) = folder.open();
    let mut found = names(&restarted).await;
    found.sort();
    assert_eq!(found, ["Bravo", "Charlie"], "the other process's change is not overwritten");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_sets_a_file_aside_only_under_its_lock() {
    let folder = Folder::new("two-start");
    let (cli, _) = folder.open();
    let kept = cli.profiles().save(plain_draft("Kept")).await.map(|saved| saved.profile).expect("saved");
    let good = std::fs::read(folder.path("profiles.json")).expect("written");

    // Another process is in the middle of a change of the file (it holds the file's lock), and
    // what a start reads now does not parse.
    let lock = flow_connect_core::store::data_file::FileLock::acquire(&folder.path("profiles.json"))
        .expect("locked");
    folder.rewrite("profiles.json", b"{\"schemaVersion\": 2, \"profiles\": [");
    let opening = std::thread::spawn({
        let (dir, service) = (folder.dir().to_path_buf(), folder.service.clone());
        move || Operations::open(Endpoints::default(), &service, &dir).expect("opened")
    });
    // The other process's change ends with a good file, then it releases the lock.
    std::thread::sleep(Duration::from_millis(300));
    folder.rewrite("profiles.json", &good);
    drop(lock);

    let (app, notices) = opening.join().expect("joined");
    assert!(notices.is_empty(), "{notices:?}");
    assert!(folder.set_aside().is_empty(), "the file was read again under the lock, not set aside");
    assert_eq!(app.profiles().find(&kept.id).await.ok().map(|p| p.name).as_deref(), Some("Kept"));
}
