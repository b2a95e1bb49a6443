//! The exclusive lock on the lockfile, held while a cache entry is (re)written; it also
//! serialises introspection, so parallel rustc processes introspect a module once.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::lockfile::{LOCKFILE_NAME, Lockfile, parse_lockfile};
use super::{CacheError, io_err};

/// The exclusive lock on `snakebridge.lock`, held while a cache entry is (re)written.
///
/// The lockfile itself is the lock target and is rewritten in place (not renamed): a rename
/// would swap the inode under the lock and let a second writer in. Taking the lock creates the
/// file; a holder that writes no pin (the introspection failed, or another process filled the
/// entry meanwhile) removes the still-empty file when it lets go, so that no empty lockfile is
/// left behind, and whoever waited on the removed file takes the lock again on the new one.
pub(super) struct LockGuard {
    file: File,
    path: PathBuf,
}

impl LockGuard {
    pub(super) fn exclusive(cache_dir: &Path) -> Result<Self, CacheError> {
        let path = cache_dir.join(LOCKFILE_NAME);
        loop {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io_err("open", &path))?;
            file.lock().map_err(io_err("lock", &path))?;
            if still_at(&file, &path) {
                return Ok(LockGuard { file, path });
            }
            // The previous holder removed the empty file while we waited on it: start over.
        }
    }

    pub(super) fn read(&mut self) -> Result<Lockfile, CacheError> {
        let mut text = String::new();
        self.file
            .seek(SeekFrom::Start(0))
            .and_then(|_| self.file.read_to_string(&mut text))
            .map_err(io_err("read", &self.path))?;
        parse_lockfile(&self.path, &text)
    }

    /// Rewrites the lockfile with `lock`, which must pin at least one file (a lockfile is never
    /// written empty).
    pub(super) fn write(&mut self, lock: &Lockfile) -> Result<(), CacheError> {
        debug_assert!(
            !lock.entries.is_empty(),
            "a lockfile is never written empty"
        );
        let mut text = serde_json::to_string_pretty(lock).expect("lockfile serialises");
        text.push('\n');
        let path = self.path.clone();
        self.file
            .seek(SeekFrom::Start(0))
            .and_then(|_| self.file.set_len(0))
            .and_then(|_| self.file.write_all(text.as_bytes()))
            .and_then(|_| self.file.flush())
            .map_err(io_err("write", &path))
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        // Removed while still locked, so no one reads or writes the file in between; waiters
        // see by `still_at` that it is gone.
        if cfg!(unix) && self.file.metadata().is_ok_and(|m| m.len() == 0) {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

/// Whether `file` is still the file at `path` (not removed by a previous lock holder).
#[cfg(unix)]
fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(held), Ok(now)) => held.dev() == now.dev() && held.ino() == now.ino(),
        (_, Err(e)) if e.kind() == std::io::ErrorKind::NotFound => false,
        // Cannot tell: keep the file we hold rather than loop.
        _ => true,
    }
}

/// Elsewhere an open file cannot be told from its path's current file with `std` alone, so an
/// empty lockfile is never removed (see `Drop`) and the held file is always the current one.
#[cfg(not(unix))]
fn still_at(_file: &File, _path: &Path) -> bool {
    true
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// `still_at` tells the held file from a removed one and from a new file at the same path.
    #[test]
    fn a_held_lockfile_is_told_from_its_replacement() {
        let dir = std::env::temp_dir().join(format!("snakebridge-still-at-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join(LOCKFILE_NAME);
        fs::write(&path, "").unwrap();
        let held = File::open(&path).unwrap();
        assert!(still_at(&held, &path));
        fs::remove_file(&path).unwrap();
        assert!(!still_at(&held, &path), "removed");
        fs::write(&path, "").unwrap();
        assert!(!still_at(&held, &path), "replaced by a new file");
        fs::remove_dir_all(&dir).unwrap();
    }

    /// A holder that writes nothing removes the empty lockfile it created; a writer that was
    /// waiting on it takes the lock again on a new file, so its pin lands on disk, not in the
    /// removed file.
    #[test]
    fn a_waiter_on_a_removed_lockfile_writes_the_new_one() {
        let dir = std::env::temp_dir().join(format!("snakebridge-waiter-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join(LOCKFILE_NAME);
        let first = LockGuard::exclusive(&dir).unwrap();
        assert!(path.exists());
        let (waiting_tx, waiting_rx) = std::sync::mpsc::channel();
        let writer = std::thread::spawn({
            let dir = dir.clone();
            move || {
                waiting_tx.send(()).unwrap();
                let mut guard = LockGuard::exclusive(&dir).unwrap();
                let mut lock = guard.read().unwrap();
                let entry = crate::cache::LockEntry {
                    module: "m".into(),
                    submodules: vec![],
                    python_version: "3.99".into(),
                    library_version: None,
                    stub_packages: Default::default(),
                    introspector_sha256: "i".into(),
                    sha256: "s".into(),
                };
                lock.entries.insert("m.json".into(), entry);
                guard.write(&lock).unwrap();
            }
        });
        waiting_rx.recv().unwrap();
        // Give the writer time to block on the lock (if it has not, the test passes trivially).
        std::thread::sleep(std::time::Duration::from_millis(200));
        drop(first);
        writer.join().unwrap();
        let text = fs::read_to_string(&path).expect("the lockfile on disk");
        assert!(text.contains("\"m.json\""), "{text}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
