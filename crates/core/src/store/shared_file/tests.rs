//! Two holders of one file, its lock and its stamp, against real files in a temporary folder.

use super::*;

/// A file of lines; one starting "v9" is from a newer Flow Connect, one that is not UTF-8
/// is damaged.
#[derive(Debug, Clone, PartialEq)]
struct Lines(Vec<String>);

impl Stored for Lines {
    fn load(path: &Path) -> std::io::Result<(Self, Option<StoreNotice>)> {
        match Self::reread(path) {
            Ok(read) => Ok(read),
            Err(Unreadable::Io { kind, reason }) => Err(std::io::Error::new(kind, reason)),
            Err(why) => {
                let moved_to = crate::store::data_file::set_aside(path)?;
                Ok((Self(Vec::new()), Some(StoreNotice::MovedAside { moved_to, reason: why.to_string() })))
            }
        }
    }
    fn reread(path: &Path) -> Result<(Self, Option<StoreNotice>), Unreadable> {
        let bytes = crate::store::data_file::read_bounded(path)?.unwrap_or_default();
        let text = String::from_utf8(bytes).map_err(|e| Unreadable::Invalid(e.to_string()))?;
        if text.starts_with("v9") {
            return Err(Unreadable::Newer { version: 9 });
        }
        Ok((Self(text.lines().map(str::to_owned).collect()), None))
    }
    fn store(&self, path: &Path) -> std::io::Result<()> {
        crate::store::data_file::write_atomically(path, self.0.join("\n").as_bytes())
    }
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("flow-connect-shared-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

async fn add(file: &SharedFile<Lines>, line: &str) -> Result<(), EditError> {
    let edit = file.edit().await?;
    let mut next = edit.current();
    next.0.push(line.to_owned());
    edit.commit(next).await.expect("commit");
    Ok(())
}

#[tokio::test]
async fn two_holders_of_one_file_keep_each_other_s_changes() {
    let dir = scratch();
    let path = dir.join("lines.txt");
    let (app, _) = SharedFile::<Lines>::open(path.clone()).expect("app");
    let (cli, _) = SharedFile::<Lines>::open(path.clone()).expect("cli");
    add(&app, "from the app").await.expect("app");
    add(&cli, "from the cli").await.expect("cli");
    add(&app, "from the app again").await.expect("app");
    let expected = vec!["from the app", "from the cli", "from the app again"];
    assert_eq!(app.read(|l| l.0.clone()), expected);
    assert_eq!(cli.read(|l| l.0.clone()), expected);
    assert_eq!(std::fs::read_to_string(&path).expect("file"), expected.join("\n"));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_change_waits_for_another_process_s_lock() {
    let dir = scratch();
    let path = dir.join("lines.txt");
    let (file, _) = SharedFile::<Lines>::open(path.clone()).expect("open");
    let other = FileLock::acquire(&path).expect("other process");
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        drop(other);
    });
    let started = std::time::Instant::now();
    add(&file, "after the other").await.expect("added");
    assert!(started.elapsed() >= Duration::from_millis(150), "the change waited for the lock");
    release.join().expect("released");
    assert_eq!(file.read(|l| l.0.clone()), vec!["after the other"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_change_reads_a_rewrite_its_stamp_does_not_show() {
    let dir = scratch();
    let path = dir.join("lines.txt");
    let (app, _) = SharedFile::<Lines>::open(path.clone()).expect("app");
    add(&app, "alpha").await.expect("added");
    // Another process rewrites the file in place within one tick of the clock: same inode,
    // same size, same modification time.
    let modified = std::fs::metadata(&path).expect("stat").modified().expect("mtime");
    std::fs::write(&path, "bravo").expect("rewritten");
    std::fs::File::options().write(true).open(&path).expect("open").set_modified(modified).expect("mtime");
    assert_eq!(app.read(|l| l.0.clone()), vec!["alpha"], "a read trusts the stamp");
    add(&app, "charlie").await.expect("added");
    assert_eq!(std::fs::read_to_string(&path).expect("file"), "bravo\ncharlie", "the rewrite is kept");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_file_unreadable_at_runtime_stays_in_place_and_refuses_changes_until_it_reads() {
    let dir = scratch();
    let path = dir.join("lines.txt");
    let (app, _) = SharedFile::<Lines>::open(path.clone()).expect("app");
    add(&app, "kept").await.expect("added");
    for (bytes, expected) in
        [(&b"v9 from a newer one"[..], "newer Flow Connect"), (b"\xff\xfe", "cannot be read")]
    {
        std::fs::write(dir.join("next"), bytes).expect("written");
        std::fs::rename(dir.join("next"), &path).expect("replaced");
        assert_eq!(app.read(|l| l.0.clone()), vec!["kept"], "memory is kept");
        let refused = add(&app, "lost").await.expect_err("refused");
        assert!(matches!(refused, EditError::Refused(_)), "{refused:?}");
        assert!(refused.to_string().contains(expected), "{refused}");
        assert_eq!(std::fs::read(&path).expect("in place"), bytes, "the file is untouched");
        let notice = app.take_notice().expect("told once");
        assert!(notice.to_string().contains(expected), "{notice}");
        assert_eq!(app.take_notice(), None, "and only once");
    }
    // A read that fails with an I/O error (here: a folder in the file's place).
    std::fs::remove_file(&path).expect("removed");
    std::fs::create_dir(&path).expect("a folder");
    let refused = add(&app, "lost").await.expect_err("refused");
    assert!(refused.to_string().contains("could not be read"), "{refused}");
    assert_eq!(app.read(|l| l.0.clone()), vec!["kept"]);
    std::fs::remove_dir(&path).expect("folder gone");
    std::fs::write(&path, "readable\nagain").expect("written");
    add(&app, "then").await.expect("changes resume");
    assert_eq!(app.read(|l| l.0.clone()), vec!["readable", "again", "then"]);
    let aside = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .any(|e| e.file_name().to_string_lossy().contains("unreadable"));
    assert!(!aside, "nothing was set aside at runtime");
    let _ = std::fs::remove_dir_all(dir);
}
