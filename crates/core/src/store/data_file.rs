//! The app's own data files (accounts, profiles, origins): written atomically, readable by the
//! user alone, and set aside (never overwritten) when they cannot be read at start-up. A crash,
//! a full disk or a power cut leaves either the old file or the new one, never half of one.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The most a data file may hold: far above 10,000 profiles, far below what would stall the
/// start-up read. A larger file is treated as unreadable rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Data files hold account and profile details (never a secret, but still the user's own):
/// readable by the user alone, in a folder only the user can list.
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;
#[cfg(unix)]
const FOLDER_MODE: u32 = 0o700;

/// Writes `bytes` to `path` atomically: a temporary file of its own (created with
/// `create_new` and mode 0600, so two writers never share one and a rewrite never widens
/// the file's mode), flushed to disk, renamed over `path`, and the folder flushed so the rename
/// itself survives a power cut. On failure `path` is untouched and the temporary file is
/// removed. A folder flush that fails after the rename is only logged: the new file is in
/// place, and a caller told "failed" would undo keychain changes that now belong to it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    create_private_folder(folder)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temporary = folder.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let written = (|| {
        let mut file = private_options().write(true).create_new(true).open(&temporary)?;
        // The mode given at creation is narrowed by the umask; this sets it exactly.
        #[cfg(unix)]
        file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(FILE_MODE))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(e);
    }
    if let Err(e) = sync_folder(folder) {
        // Some FUSE and shared-folder mounts refuse to flush a folder; the rename is done.
        tracing::warn!(file = %path.display(), error = %e, "data file written; its folder could not be flushed");
    }
    Ok(())
}

/// Creates `folder` (and its parents) when missing, the folder itself readable by the user
/// alone. An existing folder is left as it is.
pub fn create_private_folder(folder: &Path) -> std::io::Result<()> {
    if folder.is_dir() {
        return Ok(());
    }
    if let Some(parent) = folder.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, FOLDER_MODE);
    match builder.create(folder) {
        // Another process made it a moment ago.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && folder.is_dir() => Ok(()),
        other => other,
    }
}

fn private_options() -> OpenOptions {
    #[allow(unused_mut)]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

#[cfg(unix)]
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    #[cfg(test)]
    if failing_sync::fails(folder) {
        return Err(std::io::Error::other("flushing this folder fails (test)"));
    }
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
    /// A newer Flow Connect wrote the file: it stays in place, untouched, and this one holds
    /// none of it and changes nothing in it (an older CLI must not set aside the newer app's
    /// file, nor the other way round).
    Newer { file: PathBuf, version: u32 },
}

/// Why a data file cannot be read as it is on disk now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    #[error("a newer Flow Connect wrote it (schema version {version})")]
    Newer { version: u32 },
    /// Not a file this Flow Connect knows: damaged, truncated, or not JSON.
    #[error("{0}")]
    Invalid(String),
    /// The file could not be read at all (permissions, a failing disk).
    #[error("it could not be read ({reason})")]
    Io { kind: std::io::ErrorKind, reason: String },
}

impl From<std::io::Error> for Unreadable {
    fn from(e: std::io::Error) -> Self {
        match e.kind() {
            std::io::ErrorKind::InvalidData => Self::Invalid(e.to_string()),
            kind => Self::Io { kind, reason: e.to_string() },
        }
    }
}

/// Reads a versioned data file and changes nothing on disk: `None` when it does not exist,
/// else the file `parse` made of it (at the current version) and the version it read.
pub fn read_versioned<T>(
    path: &Path,
    parse: impl FnOnce(&[u8]) -> Result<(T, u32), Unreadable>,
) -> Result<Option<(T, u32)>, Unreadable> {
    match read_bounded(path)? {
        None => Ok(None),
        Some(bytes) => parse(&bytes).map(Some),
    }
}

/// Reads a data file that has only ever had one schema version, `current`: the version first
/// (a newer file may not parse as this one at all), then the whole.
pub fn parse_one_version<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    current: u32,
) -> Result<(T, u32), Unreadable> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Version {
        schema_version: u32,
    }
    let invalid = |e: serde_json::Error| Unreadable::Invalid(format!("it cannot be read ({e})"));
    match serde_json::from_slice::<Version>(bytes).map_err(invalid)?.schema_version {
        version if version == current => Ok((serde_json::from_slice(bytes).map_err(invalid)?, current)),
        newer if newer > current => Err(Unreadable::Newer { version: newer }),
        other => {
            Err(Unreadable::Invalid(format!("it has schema version {other}, which Flow Connect never wrote")))
        }
    }
}

/// Opens a versioned data file at start-up: a missing one is `empty()`; one `parse` turns
/// into the current version (returning the version it read) is kept, with a notice when it
/// was older; one from a newer Flow Connect is left in place, `empty()` held and changes to
/// it refused (`shared_file`); one it cannot read otherwise, or one over [`MAX_FILE_BYTES`],
/// is set aside and `empty()` started, with a notice saying where it went. Only an I/O
/// failure (the folder cannot be read) is an error. Call it under the file's lock (`shared_file` does): setting a file
/// aside is decided once, by one process.
pub fn open_versioned<T>(
    path: &Path,
    current: u32,
    parse: impl FnOnce(&[u8]) -> Result<(T, u32), Unreadable>,
    empty: impl FnOnce() -> T,
) -> std::io::Result<(T, Option<StoreNotice>)> {
    match read_versioned(path, parse) {
        Ok(None) => Ok((empty(), None)),
        Ok(Some((file, from))) => Ok((file, (from < current).then_some(StoreNotice::Migrated { from }))),
        Err(Unreadable::Io { kind, reason }) => Err(std::io::Error::new(kind, reason)),
        Err(Unreadable::Newer { version }) => {
            tracing::warn!(file = %path.display(), version, "data file from a newer Flow Connect: kept, not changed");
            Ok((empty(), Some(StoreNotice::Newer { file: path.to_path_buf(), version })))
        }
        Err(why) => {
            let reason = why.to_string();
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
    let secs = crate::dates::now_ms_u64() / 1000;
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

/// The lock of one data file, a `.NAME.lock` file beside it: held through one change of that
/// file, so two processes (the app and flow-connect-cli), or two holders in one process, never
/// write it at once (`shared_file`). One lock per file: a change of the profiles never waits
/// for one of the accounts. The OS drops it when the process ends, however it ends, so a crash
/// leaves no stale lock behind.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    #[error(
        "Another Flow Connect (the app or flow-connect-cli) kept {file} busy for too long. Wait for it to finish, then try again."
    )]
    Held { file: String },
    #[error("Could not lock {file} ({reason}). Check that the app's data folder is writable.")]
    Io { file: String, reason: String },
}

impl FileLock {
    /// Where the lock of the data file `path` lives.
    pub fn path_for(path: &Path) -> PathBuf {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        path.with_file_name(format!(".{name}.lock"))
    }

    /// Takes the lock of the data file `path` (creating its folder), or says that another
    /// holder has it.
    pub fn acquire(path: &Path) -> Result<Self, LockError> {
        let io =
            |e: std::io::Error| LockError::Io { file: path.display().to_string(), reason: e.to_string() };
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        create_private_folder(folder).map_err(io)?;
        let file = private_options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(Self::path_for(path))
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(LockError::Held { file: path.display().to_string() })
            }
            Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
        }
    }

    /// Takes the lock of the data file `path`, waiting up to `patience` for another holder's
    /// change to finish. Blocking: call it off the async runtime.
    pub fn wait(path: &Path, patience: std::time::Duration) -> Result<Self, LockError> {
        let deadline = std::time::Instant::now() + patience;
        loop {
            match Self::acquire(path) {
                Err(LockError::Held { .. }) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => return other,
            }
        }
    }
}

/// Folders whose flush fails in unit tests, as on some FUSE and shared-folder mounts.
#[cfg(test)]
pub(crate) mod failing_sync {
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, PoisonError};

    static FOLDERS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

    pub(crate) fn fails(folder: &Path) -> bool {
        FOLDERS.lock().unwrap_or_else(PoisonError::into_inner).iter().any(|f| f == folder)
    }

    /// Makes every flush of `folder` fail, for this test process.
    pub(crate) fn add(folder: &Path) {
        FOLDERS.lock().unwrap_or_else(PoisonError::into_inner).push(folder.to_path_buf());
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
    fn a_folder_that_cannot_be_flushed_after_the_rename_is_still_a_write() {
        let dir = folder();
        let path = dir.join("a.json");
        write_atomically(&path, b"old").expect("first");
        failing_sync::add(&dir);
        write_atomically(&path, b"new").expect("the file was replaced: a success");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        std::fs::remove_dir_all(dir).expect("cleanup");
    }

    #[cfg(unix)]
    #[test]
    fn files_are_the_user_s_alone_in_a_folder_of_the_user_s_own_and_stay_so() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        let root = folder();
        let dir = root.join("data");
        let path = dir.join("a.json");
        write_atomically(&path, b"one").expect("first");
        assert_eq!(mode(&dir), 0o700, "the folder it made");
        assert_eq!(mode(&path), 0o600);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("widened");
        write_atomically(&path, b"two").expect("rewritten");
        assert_eq!(mode(&path), 0o600, "a rewrite makes it private again");
        std::fs::remove_dir_all(root).expect("cleanup");
    }

    #[test]
    fn each_file_has_a_lock_of_its_own() {
        let dir = folder();
        let first = FileLock::acquire(&dir.join("a.json")).expect("first");
        assert!(matches!(FileLock::acquire(&dir.join("a.json")), Err(LockError::Held { .. })));
        let other = FileLock::acquire(&dir.join("b.json")).expect("another file's lock is free");
        drop((first, other));
        FileLock::acquire(&dir.join("a.json")).expect("free again");
        std::fs::remove_dir_all(dir).expect("cleanup");
    }
}
