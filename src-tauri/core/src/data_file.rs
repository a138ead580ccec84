//! The app's own data files (accounts, profiles): written atomically and set aside, never
//! overwritten, when they cannot be read. A crash, a full disk or a power cut leaves either the
//! old file or the new one, never half of one.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The most a data file may hold: far above 10,000 profiles, far below what would stall the
/// start-up read. A larger file is treated as unreadable rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Writes `bytes` to `path` atomically: a temporary file of its own (created with
/// `create_new`, so two writers never share one), flushed to disk, renamed over `path`, and the
/// folder flushed so the rename itself survives a power cut. On failure `path` is untouched
/// and the temporary file is removed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = folder.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let written = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(e);
    }
    sync_folder(folder)
}

#[cfg(unix)]
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    File::open(folder)?.sync_all()
}

// Windows cannot open a folder as a file; NTFS journals the rename itself.
#[cfg(not(unix))]
fn sync_folder(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// What happened to a data file on opening, for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreNotice {
    /// The file was unreadable (or from a newer Flow Connect) and now sits at `moved_to`.
    MovedAside { moved_to: PathBuf, reason: String },
    /// An older file was brought up to the current version.
    Migrated { from: u32 },
}

/// Opens a versioned data file: a missing one is `empty()`; one `parse` turns into the current
/// version (returning the version it read) is kept, with a notice when it was older; one it
/// refuses, or one over [`MAX_FILE_BYTES`], is set aside and `empty()` started, with a notice
/// saying where it went. Only an I/O failure (the folder cannot be read) is an error.
pub fn open_versioned<T>(
    path: &Path,
    current: u32,
    parse: impl FnOnce(&[u8]) -> Result<(T, u32), String>,
    empty: impl FnOnce() -> T,
) -> std::io::Result<(T, Option<StoreNotice>)> {
    let parsed = match read_bounded(path) {
        Ok(None) => return Ok((empty(), None)),
        Ok(Some(bytes)) => parse(&bytes),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Err(e.to_string()),
        Err(e) => return Err(e),
    };
    match parsed {
        Ok((file, from)) => Ok((file, (from < current).then_some(StoreNotice::Migrated { from }))),
        Err(reason) => {
            let moved_to = set_aside(path)?;
            tracing::warn!(file = %path.display(), moved_to = %moved_to.display(), %reason, "data file moved aside");
            Ok((empty(), Some(StoreNotice::MovedAside { moved_to, reason })))
        }
    }
}

/// Reads `path` whole, `None` when it does not exist; a file over [`MAX_FILE_BYTES`] is an
/// `InvalidData` error.
pub fn read_bounded(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read as _;
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("it is larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024)),
        ));
    }
    Ok(Some(bytes))
}

/// Moves an unreadable file aside, to `NAME.unreadable-20261123T101500Z` (UTC), and returns
/// where it went.
pub fn set_aside(path: &Path) -> std::io::Result<PathBuf> {
    let moved_to = aside_path(path);
    std::fs::rename(path, &moved_to)?;
    Ok(moved_to)
}

fn aside_path(path: &Path) -> PathBuf {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let date = crate::dates::civil_date(secs / 86_400).replace('-', "");
    let time = secs % 86_400;
    let stamp = format!("{date}T{:02}{:02}{:02}Z", time / 3600, time / 60 % 60, time % 60);
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".unreadable-{stamp}"));
    let mut candidate = path.with_file_name(&name);
    // Two failures in one second still keep both files.
    let mut n = 1;
    while candidate.exists() {
        n += 1;
        candidate = path.with_file_name(format!("{}-{n}", name.to_string_lossy()));
    }
    candidate
}

/// The data folder's lock: held through one change of a data file, so two processes (the app
/// and flow-connect-cli) never write the same file at once (`shared_file`). The OS drops it
/// when the process ends, however it ends, so a crash leaves no stale lock behind.
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    #[error(
        "Another Flow Connect (the app or flow-connect-cli) kept {folder} busy for too long. Wait for it to finish, then try again."
    )]
    Held { folder: String },
    #[error("Could not lock the data folder {folder} ({reason}). Check that it is writable.")]
    Io { folder: String, reason: String },
}

impl FolderLock {
    /// Takes the lock of `folder` (creating it), or says that another process holds it.
    pub fn acquire(folder: &Path) -> Result<Self, LockError> {
        let io =
            |e: std::io::Error| LockError::Io { folder: folder.display().to_string(), reason: e.to_string() };
        std::fs::create_dir_all(folder).map_err(io)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(folder.join(".flow-connect.lock"))
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(LockError::Held { folder: folder.display().to_string() })
            }
            Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
        }
    }

    /// Takes the lock of `folder`, waiting up to `patience` for another process's change to
    /// finish. Blocking: call it off the async runtime.
    pub fn wait(folder: &Path, patience: std::time::Duration) -> Result<Self, LockError> {
        let deadline = std::time::Instant::now() + patience;
        loop {
            match Self::acquire(folder) {
                Err(LockError::Held { .. }) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("flow-connect-data-file-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn writes_replace_the_file_and_leave_no_temporary_behind() {
        let dir = folder();
        let path = dir.join("a.json");
        write_atomically(&path, b"one").expect("first");
        write_atomically(&path, b"two").expect("second");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let names: Vec<_> =
            std::fs::read_dir(&dir).expect("dir").map(|e| e.expect("entry").file_name()).collect();
        assert_eq!(names, ["a.json"]);
        std::fs::remove_dir_all(dir).expect("cleanup");
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = folder();
        let path = dir.join("a.json");
        write_atomically(&path, b"kept").expect("first");
        // A folder where the file should be makes the rename fail after the temporary was written.
        let blocked = dir.join("b.json");
        std::fs::create_dir(&blocked).expect("dir");
        std::fs::write(blocked.join("x"), b"x").expect("x");
        assert!(write_atomically(&blocked, b"new").is_err());
        assert_eq!(std::fs::read(&path).expect("read"), b"kept");
        assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 2, "no temporary left");
        std::fs::remove_dir_all(dir).expect("cleanup");
    }

    #[test]
    fn the_folder_lock_is_held_once() {
        let dir = folder();
        let first = FolderLock::acquire(&dir).expect("first");
        assert!(matches!(FolderLock::acquire(&dir), Err(LockError::Held { .. })));
        drop(first);
        FolderLock::acquire(&dir).expect("free again");
        std::fs::remove_dir_all(dir).expect("cleanup");
    }
}
