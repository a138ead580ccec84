//! Which process made a secret set, and whether it still runs: each holder of the index takes
//! an exclusive lock on a file of its own (`<id>.lock`, the id a fresh UUID) and keeps it while
//! it lives. The OS drops the lock when the process ends, however it ends (a crash, a kill), and
//! an id is never reused, unlike a pid; so "the lock can be taken" means "its maker is gone".

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// This holder's lock, held until it is dropped.
#[derive(Debug)]
pub(super) struct OwnerLock {
    pub(super) id: String,
    path: PathBuf,
    _file: File,
}

impl OwnerLock {
    /// Makes and locks `folder/<new id>.lock`. The file is locked under a temporary name and
    /// only then renamed, so a sweep never finds it unlocked and takes its maker for gone.
    pub(super) fn take(folder: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(folder)?;
        let id = uuid::Uuid::new_v4().to_string();
        let making = folder.join(format!("{id}.making"));
        let file = OpenOptions::new().create_new(true).write(true).open(&making)?;
        file.lock()?;
        let path = folder.join(format!("{id}.lock"));
        std::fs::rename(&making, &path)?;
        Ok(Self { id, path, _file: file })
    }
}

impl Drop for OwnerLock {
    fn drop(&mut self) {
        // Best effort: a file left behind is unlocked now, which says the same.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether the holder `id` (from the index, so checked) still runs.
pub(super) fn alive(folder: &Path, id: &str) -> bool {
    if uuid::Uuid::try_parse(id).map(|u| u.hyphenated().to_string()) != Ok(id.to_owned()) {
        return false;
    }
    let file = match File::open(folder.join(format!("{id}.lock"))) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return false,
        // Unsure: a set that may be in use is kept, a later sweep decides.
        Err(_) => return true,
    };
    match file.try_lock() {
        Ok(()) => false,
        Err(TryLockError::WouldBlock) => true,
        Err(TryLockError::Error(_)) => true,
    }
}

/// Removes the lock files of holders that are gone and own no set any more.
pub(super) fn remove_gone(folder: &Path, still_named: &[&str]) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".lock")) else { continue };
        if !still_named.contains(&id) && !alive(folder, id) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_is_alive_until_dropped() {
        let folder = std::env::temp_dir().join(format!("flow-connect-owners-{}", uuid::Uuid::new_v4()));
        let lock = OwnerLock::take(&folder).expect("taken");
        let id = lock.id.clone();
        assert!(alive(&folder, &id), "a second open file cannot take the lock");
        remove_gone(&folder, &[]);
        assert!(folder.join(format!("{id}.lock")).exists(), "a live holder's file stays");
        drop(lock);
        assert!(!alive(&folder, &id));
        assert!(!alive(&folder, "../not-an-id"));
        let _ = std::fs::remove_dir_all(folder);
    }
}
