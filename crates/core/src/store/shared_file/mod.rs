//! A data file that more than one process keeps open: the app and flow-connect-cli share the
//! accounts, the profiles and the connection origins. A change takes the file's own lock,
//! reads the file again (always: it is small, and a stamp can miss a rewrite) and is made to
//! that copy, so neither process loses the other's change. Reads notice a rewrite by the
//! file's stamp (inode, size, modification time), one `stat` each, and load it again.
//!
//! A file that cannot be read at runtime (a newer Flow Connect wrote it, or it is damaged) is
//! left where it is and memory keeps what it last read; changes are refused until the file
//! reads again, so a stale copy never overwrites it. Setting a file aside is decided only when
//! it is opened, under its lock.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use crate::store::data_file::{FileLock, LockError, StoreNotice, Unreadable};

/// How long a change waits for another process's change: each takes milliseconds (no
/// keychain call is made under a lock), so this only runs out when the other process hangs.
const LOCK_PATIENCE: Duration = Duration::from_secs(10);

/// A data file's format: how it is read (migrated, or set aside at start-up) and written
/// (atomically).
pub trait Stored: Clone + Send + 'static {
    /// The read when the file is opened, under its lock: may set an unreadable file aside
    /// (never a newer Flow Connect's: `StoreNotice::Newer` keeps it, and changes are refused).
    fn load(path: &Path) -> std::io::Result<(Self, Option<StoreNotice>)>;
    /// A read at runtime, which changes nothing on disk: a missing file is the empty value.
    fn reread(path: &Path) -> Result<(Self, Option<StoreNotice>), Unreadable>;
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
    /// Why the file on disk cannot be read now; changes are refused meanwhile.
    refused: Option<Unreadable>,
    /// Whether `take_notice` has handed out `refused` already.
    told: bool,
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

/// A change refused because the file on disk cannot be read now: what to do, for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe(.file, .why))]
pub struct Refused {
    pub file: PathBuf,
    pub why: Unreadable,
}

fn describe(file: &Path, why: &Unreadable) -> String {
    let file = file.display();
    match why {
        Unreadable::Newer { version } => format!(
            "{file} was written by a newer Flow Connect (schema version {version}): update this one (the app and flow-connect-cli) to change it. Nothing was changed; until then this one shows what it read before."
        ),
        Unreadable::Invalid(reason) => format!(
            "{file} cannot be read any more ({reason}); another program changed it. Nothing was changed. Put the file back as it was, or restart Flow Connect, which then sets it aside and starts a new one."
        ),
        Unreadable::Io { reason, .. } => format!(
            "{file} could not be read ({reason}). Nothing was changed. Check the permissions of the app's data folder, then try again."
        ),
    }
}

/// Why a change could not start.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error("the change could not start ({0})")]
    Stopped(String),
}

impl<T: Stored> SharedFile<T> {
    /// Reads `path`: missing is empty; unreadable is read again under the file's lock, and set
    /// aside there when it still is (as `T::load` decides), so a process writing it right now
    /// finishes first and only one process sets it aside.
    pub fn open(path: PathBuf) -> std::io::Result<(Self, Option<StoreNotice>)> {
        // Taken before the read: a rewrite in between shows as a change at the next read.
        let stamp = Stamp::of(&path);
        let (value, notice, stamp) = match T::reread(&path) {
            Ok((value, notice)) => (value, notice, stamp),
            Err(why) => {
                tracing::info!(file = %path.display(), %why, "data file unreadable on opening; read again under its lock");
                let _lock = FileLock::wait(&path, LOCK_PATIENCE).map_err(std::io::Error::other)?;
                let (value, notice) = T::load(&path)?;
                // Nobody writes under the lock: this is the stamp of what `load` left.
                (value, notice, Stamp::of(&path))
            }
        };
        // A newer Flow Connect's file stays; changes to it are refused as at runtime. The
        // start-up notice tells the user already.
        let refused = match &notice {
            Some(StoreNotice::Newer { version, .. }) => Some(Unreadable::Newer { version: *version }),
            _ => None,
        };
        let told = refused.is_some();
        let held = Mutex::new(Held { value, stamp, refused, told });
        Ok((Self { path, held, writer: tokio::sync::Mutex::new(()) }, notice))
    }

    /// A file not read, holding `value` until a read finds the file.
    pub fn empty(path: PathBuf, value: T) -> Self {
        let held = Held { value, stamp: None, refused: None, told: false };
        Self { path, held: Mutex::new(held), writer: tokio::sync::Mutex::new(()) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the file as it is on disk now (or, when it cannot be read now, as it was
    /// last read).
    pub fn read<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        let mut held = self.lock();
        self.refresh(&mut held);
        f(&held.value)
    }

    /// Why the file cannot be read now, once per time it stops being readable: for the
    /// window's banner and the CLI's standard error.
    pub fn take_notice(&self) -> Option<Refused> {
        let mut held = self.lock();
        self.refresh(&mut held);
        if held.told {
            return None;
        }
        let why = held.refused.clone()?;
        held.told = true;
        Some(Refused { file: self.path.clone(), why })
    }

    /// Starts a change: waits for this process's other changes and for the file's lock, and
    /// reads the file again. Refused while the file cannot be read. `Edit::commit` writes the
    /// change; dropping the `Edit` releases the lock.
    pub async fn edit(&self) -> Result<Edit<'_, T>, EditError> {
        let writing = self.writer.lock().await;
        let path = self.path.clone();
        let (lock, stamp, read) = tokio::task::spawn_blocking(move || {
            let lock = FileLock::wait(&path, LOCK_PATIENCE)?;
            // Always read: a rewrite within one tick of the clock keeps size and time, and
            // on Windows the inode is always 0.
            let stamp = Stamp::of(&path);
            Ok::<_, LockError>((lock, stamp, T::reread(&path)))
        })
        .await
        .map_err(|e| EditError::Stopped(e.to_string()))??;
        let current = {
            let mut held = self.lock();
            self.absorb(&mut held, read, stamp);
            if let Some(why) = held.refused.clone() {
                tracing::warn!(file = %self.path.display(), %why, "change refused: the file cannot be read");
                return Err(Refused { file: self.path.clone(), why }.into());
            }
            held.value.clone()
        };
        Ok(Edit { file: self, current, _writing: writing, _lock: lock })
    }

    fn lock(&self) -> MutexGuard<'_, Held<T>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Loads the file again when its stamp changed. Small and rare (another process wrote),
    /// so it is read in place.
    fn refresh(&self, held: &mut Held<T>) {
        let now = Stamp::of(&self.path);
        if now == held.stamp {
            return;
        }
        self.absorb(held, T::reread(&self.path), now);
    }

    /// Takes in a read: a readable file replaces memory; one that cannot be read leaves memory
    /// as it was and refuses changes until it reads again.
    fn absorb(
        &self,
        held: &mut Held<T>,
        read: Result<(T, Option<StoreNotice>), Unreadable>,
        stamp: Option<Stamp>,
    ) {
        match read {
            Ok((value, notice)) => {
                if let Some(notice) = notice {
                    tracing::info!(file = %self.path.display(), ?notice, "data file changed by another process");
                }
                if held.refused.take().is_some() {
                    tracing::info!(file = %self.path.display(), "data file readable again");
                }
                *held = Held { value, stamp, refused: None, told: false };
            }
            Err(why) => {
                if held.refused.as_ref() != Some(&why) {
                    tracing::warn!(file = %self.path.display(), %why, "data file cannot be read now; memory kept, changes refused");
                    held.refused = Some(why.clone());
                    held.told = false;
                }
                // An I/O failure may pass: the next read tries again. What was read stays
                // unreadable until the file changes.
                if !matches!(why, Unreadable::Io { .. }) {
                    held.stamp = stamp;
                }
            }
        }
    }
}

/// A change in progress: holds the file's lock until dropped. Make no keychain call while
/// holding one: a keychain that waits for the user would make every other change of the file
/// wait too.
#[derive(Debug)]
pub struct Edit<'a, T> {
    file: &'a SharedFile<T>,
    current: T,
    _writing: tokio::sync::MutexGuard<'a, ()>,
    _lock: FileLock,
}

impl<T: Stored> Edit<'_, T> {
    /// The file as it is now, to change a copy of.
    pub fn current(&self) -> T {
        self.current.clone()
    }

    /// Writes `next` and only then makes it what this process holds.
    pub async fn commit(&self, next: T) -> std::io::Result<()> {
        let (path, snapshot) = (self.file.path.clone(), next.clone());
        tokio::task::spawn_blocking(move || snapshot.store(&path)).await.map_err(std::io::Error::other)??;
        let stamp = Stamp::of(&self.file.path);
        *self.file.lock() = Held { value: next, stamp, refused: None, told: false };
        Ok(())
    }
}

#[cfg(test)]
mod tests;
