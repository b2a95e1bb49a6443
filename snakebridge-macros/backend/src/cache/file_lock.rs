//! The exclusive lock on the lockfile, held while a cache entry is (re)written; it also
//! serialises introspection, so parallel rustc processes introspect a module once.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::lockfile::{LOCKFILE_NAME, Lockfile, parse_lockfile};
use super::{CacheError, io_err};

/// The exclusive lock on `snakebridge.lock`, held while a cache entry is (re)written.
///
/// The lockfile itself is the lock target and is rewritten in place (not renamed): a rename
/// would swap the inode under the lock and let a second writer in.
pub(super) struct LockGuard {
    file: File,
    path: PathBuf,
}

impl LockGuard {
    pub(super) fn exclusive(cache_dir: &Path) -> Result<Self, CacheError> {
        let path = cache_dir.join(LOCKFILE_NAME);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_err("open", &path))?;
        file.lock().map_err(io_err("lock", &path))?;
        Ok(LockGuard { file, path })
    }

    pub(super) fn read(&mut self) -> Result<Lockfile, CacheError> {
        let mut text = String::new();
        self.file
            .seek(SeekFrom::Start(0))
            .and_then(|_| self.file.read_to_string(&mut text))
            .map_err(io_err("read", &self.path))?;
        parse_lockfile(&self.path, &text)
    }

    pub(super) fn write(&mut self, lock: &Lockfile) -> Result<(), CacheError> {
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
        let _ = self.file.unlock();
    }
}
