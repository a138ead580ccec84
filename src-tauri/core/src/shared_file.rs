//! A data file that more than one process keeps open: the app and flow-connect-cli share the
//! accounts, the profiles and the connection origins. A change takes the data folder's lock,
//! reads the file again when another process rewrote it, and is made to that copy, so neither
//! process loses the other's change. Reads notice a rewrite by the file's stamp (inode, size,
//! modification time), one `stat` each, and load it again.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use crate::data_file::{FolderLock, StoreNotice};

/// How long a change waits for another process's change: each takes milliseconds, so this
/// only runs out when the other process hangs.
const LOCK_PATIENCE: Duration = Duration::from_secs(10);

/// A data file's format: how it is read (migrated or set aside) and written (atomically).
pub trait Stored: Clone + Send + 'static {
    fn load(path: &Path) -> std::io::Result<(Self, Option<StoreNotice>)>;
    fn store(&self, path: &Path) -> std::io::Result<()>;
}

#[derive(Debug)]
pub struct SharedFile<T> {
    path: PathBuf,
    held: Mutex<Held<T>>,
    /// Changes in this process wait here, so they never interleave either.
    writer: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Held<T> {
    value: T,
    stamp: Option<Stamp>,
}

/// What tells a rewritten file from the one read: an atomic write makes a new inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    inode: u64,
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(path: &Path) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Self { inode, len: meta.len(), modified: meta.modified().ok() })
    }
}

impl<T: Stored> SharedFile<T> {
    /// Reads `path` (missing is empty, unreadable is set aside, as `T::load` decides).
    pub fn open(path: PathBuf) -> std::io::Result<(Self, Option<StoreNotice>)> {
        // Taken before the read: a rewrite in between shows as a change at the next read.
        let stamp = Stamp::of(&path);
        let (value, notice) = T::load(&path)?;
        let held = Mutex::new(Held { value, stamp });
        Ok((Self { path, held, writer: tokio::sync::Mutex::new(()) }, notice))
    }

    /// A file not read, holding `value` until a read finds the file.
    pub fn empty(path: PathBuf, value: T) -> Self {
        Self { path, held: Mutex::new(Held { value, stamp: None }), writer: tokio::sync::Mutex::new(()) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the file as it is on disk now.
    pub fn read<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        let mut held = self.lock();
        self.refresh(&mut held);
        f(&held.value)
    }

    /// Starts a change: waits for this process's other changes and for the folder's lock, and
    /// reads the file again if another process changed it. `Edit::commit` writes the change.
    pub async fn edit(&self) -> std::io::Result<Edit<'_, T>> {
        let writing = self.writer.lock().await;
        let folder = self.path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let lock = tokio::task::spawn_blocking(move || FolderLock::wait(&folder, LOCK_PATIENCE))
            .await
            .map_err(std::io::Error::other)?
            .map_err(std::io::Error::other)?;
        Ok(Edit { file: self, _writing: writing, _lock: lock })
    }

    fn lock(&self) -> MutexGuard<'_, Held<T>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Loads the file again when its stamp changed. Small and rare (another process wrote),
    /// so it is read in place; a file that cannot be read leaves memory as it was.
    fn refresh(&self, held: &mut Held<T>) {
        let now = Stamp::of(&self.path);
        if now == held.stamp {
            return;
        }
        match T::load(&self.path) {
            Ok((value, notice)) => {
                if let Some(notice) = notice {
                    tracing::warn!(file = %self.path.display(), ?notice, "data file changed by another process");
                }
                *held = Held { value, stamp: now };
            }
            Err(e) => tracing::warn!(file = %self.path.display(), error = %e, "data file not read again"),
        }
    }
}

/// A change in progress: holds the folder's lock until dropped.
#[derive(Debug)]
pub struct Edit<'a, T> {
    file: &'a SharedFile<T>,
    _writing: tokio::sync::MutexGuard<'a, ()>,
    _lock: FolderLock,
}

impl<T: Stored> Edit<'_, T> {
    /// The file as it is now, to change a copy of.
    pub fn current(&self) -> T {
        self.file.read(Clone::clone)
    }

    /// Writes `next` and only then makes it what this process holds.
    pub async fn commit(&self, next: T) -> std::io::Result<()> {
        let (path, snapshot) = (self.file.path.clone(), next.clone());
        tokio::task::spawn_blocking(move || snapshot.store(&path)).await.map_err(std::io::Error::other)??;
        let stamp = Stamp::of(&self.file.path);
        *self.file.lock() = Held { value: next, stamp };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Lines(Vec<String>);

    impl Stored for Lines {
        fn load(path: &Path) -> std::io::Result<(Self, Option<StoreNotice>)> {
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => return Err(e),
            };
            Ok((Self(text.lines().map(str::to_owned).collect()), None))
        }
        fn store(&self, path: &Path) -> std::io::Result<()> {
            crate::data_file::write_atomically(path, self.0.join("\n").as_bytes())
        }
    }

    async fn add(file: &SharedFile<Lines>, line: &str) {
        let edit = file.edit().await.expect("edit");
        let mut next = edit.current();
        next.0.push(line.to_owned());
        edit.commit(next).await.expect("commit");
    }

    #[tokio::test]
    async fn two_holders_of_one_file_keep_each_other_s_changes() {
        let dir = std::env::temp_dir().join(format!("flow-connect-shared-{}", uuid::Uuid::new_v4()));
        let path = dir.join("lines.txt");
        let (app, _) = SharedFile::<Lines>::open(path.clone()).expect("app");
        let (cli, _) = SharedFile::<Lines>::open(path.clone()).expect("cli");
        add(&app, "from the app").await;
        add(&cli, "from the cli").await;
        add(&app, "from the app again").await;
        let expected = vec!["from the app", "from the cli", "from the app again"];
        assert_eq!(app.read(|l| l.0.clone()), expected);
        assert_eq!(cli.read(|l| l.0.clone()), expected);
        assert_eq!(std::fs::read_to_string(&path).expect("file"), expected.join("\n"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_change_waits_for_another_process_s_lock() {
        let dir = std::env::temp_dir().join(format!("flow-connect-shared-{}", uuid::Uuid::new_v4()));
        let (file, _) = SharedFile::<Lines>::open(dir.join("lines.txt")).expect("open");
        let other = FolderLock::acquire(&dir).expect("other process");
        let release = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            drop(other);
        });
        let started = std::time::Instant::now();
        add(&file, "after the other").await;
        assert!(started.elapsed() >= Duration::from_millis(150), "the change waited for the lock");
        release.join().expect("released");
        assert_eq!(file.read(|l| l.0.clone()), vec!["after the other"]);
        let _ = std::fs::remove_dir_all(dir);
    }
}
