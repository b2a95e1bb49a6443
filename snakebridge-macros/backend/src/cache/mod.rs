//! The on-disk introspection cache and its lockfile.
//!
//! Layout of a cache directory (by default `$CARGO_MANIFEST_DIR/cache`):
//!
//! ```text
//! cache/json.json             one file per request: module, then `+submodule` for each submodule
//! cache/numpy+linalg.json
//! cache/snakebridge.lock      pins every cache file (versions, introspector hash, content sha256)
//! ```
//!
//! A cache hit reads one file and spawns no process, so rebuilds and rust-analyzer stay fast.
//! Several rustc processes (lib, tests, examples) expand the same module in parallel: cache files
//! are written atomically (temp file + rename) and the lockfile is read-modify-written under an
//! exclusive file lock, which also serialises introspection so that a module is introspected once.
//!
//! One concern per file: [`key`] (the request and its file name), [`policy`] (cache directory,
//! refresh, offline, interpreter), [`lockfile`] (the pins), `file_lock` (the exclusive lock
//! writers hold), `atomic` (temp file + rename), `json_format` (the files' JSON layout); this
//! module holds the entry points ([`load_or_introspect`]) and the hit check.

mod atomic;
mod file_lock;
mod json_format;
pub mod key;
pub mod lockfile;
pub mod policy;

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

pub use crate::error::CacheError;
use crate::model::ModuleInfo;
use crate::python::{self, content_sha256, introspector_sha256};
pub use atomic::write_atomic;
use file_lock::LockGuard;
use json_format::ShallowPretty;
pub use key::IntrospectRequest;
pub use lockfile::{LOCKFILE_FORMAT, LOCKFILE_NAME, LockEntry, Lockfile, read_lockfile_shared};
pub use policy::{CacheOptions, Refresh, resolve_cache_dir, resolve_cache_dir_with};

/// Version of the cache file layout ([`CacheFile`]); files with another format are stale.
pub const CACHE_FORMAT: u32 = 1;

/// The content of one cache file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheFile {
    /// [`CACHE_FORMAT`].
    pub format: u32,
    /// The requested module.
    pub module: String,
    /// The requested submodules (relative, sorted).
    pub submodules: Vec<String>,
    /// The interpreter version that produced `result`, e.g. `"3.11.7"`.
    pub python_version: String,
    /// The package's version (`None` for the standard library).
    pub library_version: Option<String>,
    /// The versions of the other distributions whose stub files typed the result (`scipy-stubs`,
    /// `optype`; `mypy`, whose typeshed types the standard library), by distribution name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stub_packages: BTreeMap<String, String>,
    /// SHA-256 of the introspector that produced `result` ([`introspector_sha256`]).
    pub introspector_sha256: String,
    /// The introspection result.
    pub result: ModuleInfo,
}

/// The result of [`load_or_introspect`].
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The module description.
    pub module: ModuleInfo,
    /// Absolute path of the cache file; the macro `include_bytes!`es it so that cargo rebuilds
    /// the crate when it changes.
    pub path: PathBuf,
    /// True when the cache answered and no process was spawned.
    pub hit: bool,
    /// The Python version recorded for the result.
    pub python_version: String,
    /// The library version recorded for the result.
    pub library_version: Option<String>,
    /// The introspector's warnings (members it skipped); empty on a hit.
    pub warnings: Vec<String>,
    /// Why the cache did not answer (no file, stale, not pinned, a refresh); `None` on a hit.
    pub miss_reason: Option<String>,
}

/// `map_err` helper: an [`CacheError::Io`] saying what was being done to which file.
pub(crate) fn io_err<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(io::Error) -> CacheError + 'a {
    move |source| CacheError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// Loads `req` from `cache_dir`, introspecting (and filling the cache) on a miss. Behaviour is
/// configured by the environment, see [`CacheOptions::from_env`].
pub fn load_or_introspect(req: &IntrospectRequest, cache_dir: &Path) -> Result<Loaded, CacheError> {
    load_or_introspect_with(req, cache_dir, &CacheOptions::from_env())
}

/// [`load_or_introspect`] with explicit options.
///
/// A hit needs: the file exists and parses, has [`CACHE_FORMAT`], belongs to `req`, was made
/// by the current introspector, is pinned in the lockfile and its bytes match the pin's sha256.
/// A file that belongs to another request or fails the lockfile check is an error
/// ([`CacheError::Corrupt`]) unless a refresh is forced; a stale file is a miss.
///
/// A file the lockfile does not pin (no lockfile, an empty one, or one that pins only other
/// files) is never used as it stands: it is introspected again and pinned, or, when that
/// cannot be done (offline, or Python cannot introspect the module), it is
/// [`CacheError::Unpinned`]. The lockfile is written only with the new pin in it, never empty.
pub fn load_or_introspect_with(
    req: &IntrospectRequest,
    cache_dir: &Path,
    opts: &CacheOptions,
) -> Result<Loaded, CacheError> {
    let cache_dir = absolute(cache_dir);
    let file_name = req.file_name();
    let path = cache_dir.join(&file_name);
    let refresh = opts.refresh.applies_to(req);

    // `unpinned`: what the lockfile said about a cache file it does not pin, for the error.
    let (miss_reason, unpinned) = if refresh {
        (
            "a refresh was requested (SNAKEBRIDGE_REFRESH)".to_string(),
            None,
        )
    } else {
        let lock = read_lockfile_shared(&cache_dir)?;
        match check_hit(
            &path,
            req,
            lock.as_ref().and_then(|l| l.entries.get(&file_name)),
        )? {
            Probe::Hit(file) => return Ok(loaded(*file, path, true, Vec::new(), None)),
            Probe::Unpinned => {
                let state = lockfile_state(lock.as_ref());
                (
                    format!("{file_name} is not pinned: {state}, so it is not trusted"),
                    Some(state),
                )
            }
            Probe::Miss(reason) => (reason, None),
        }
    };
    let unpinned_error = |why_not: String| {
        unpinned.clone().map(|lockfile_state| CacheError::Unpinned {
            module: req.key(),
            path: path.clone(),
            lockfile_state,
            why_not,
        })
    };

    if opts.offline {
        return Err(
            unpinned_error("SNAKEBRIDGE_OFFLINE is set".to_string()).unwrap_or_else(|| {
                CacheError::OfflineMiss {
                    module: req.key(),
                    path: path.clone(),
                    reason: miss_reason,
                }
            }),
        );
    }

    fs::create_dir_all(&cache_dir).map_err(io_err("create", &cache_dir))?;
    let waiting_since = SystemTime::now();
    let mut guard = LockGuard::exclusive(&cache_dir)?;

    // Another rustc may have filled the cache while we waited for the lock.
    let mut lock = guard.read()?;
    let written_meanwhile = fs::metadata(&path)
        .and_then(|m| m.modified())
        .map(|t| t >= waiting_since)
        .unwrap_or(false);
    if !refresh || written_meanwhile {
        match check_hit(&path, req, lock.entries.get(&file_name)) {
            Ok(Probe::Hit(file)) => return Ok(loaded(*file, path, true, Vec::new(), None)),
            Ok(Probe::Miss(_) | Probe::Unpinned) => {}
            // A forced refresh overwrites whatever is there.
            Err(_) if refresh => {}
            Err(e) => return Err(e),
        }
    }

    // Dropping the guard on an error removes a lockfile this call created and never wrote.
    let out = python::run_introspector(
        &opts.interpreter,
        &req.module,
        &req.submodules,
        opts.timeout,
    )
    .map_err(|e| match e {
        // An unpinned file that cannot be replaced: say so, not only that Python failed.
        CacheError::PythonNotFound { .. } | CacheError::ImportFailed { .. } => {
            let first_line = e.to_string().lines().next().unwrap_or_default().to_string();
            unpinned_error(format!("introspecting it failed: {first_line}")).unwrap_or(e)
        }
        e => e,
    })?;
    let file = CacheFile {
        format: CACHE_FORMAT,
        module: req.module.clone(),
        submodules: req.submodules.clone(),
        python_version: out.python_version.clone(),
        library_version: out.library_version.clone(),
        stub_packages: out.stub_packages.clone(),
        introspector_sha256: introspector_sha256().to_string(),
        result: out.module,
    };
    let bytes = serialize_cache_file(&file);
    write_atomic(&cache_dir, &file_name, &bytes)?;
    lock.entries
        .insert(file_name, lock_entry(&file, content_sha256(&bytes)));
    guard.write(&lock)?;
    drop(guard);
    Ok(loaded(file, path, false, out.warnings, Some(miss_reason)))
}

fn loaded(
    file: CacheFile,
    path: PathBuf,
    hit: bool,
    warnings: Vec<String>,
    miss_reason: Option<String>,
) -> Loaded {
    Loaded {
        module: file.result,
        path,
        hit,
        python_version: file.python_version,
        library_version: file.library_version,
        warnings,
        miss_reason,
    }
}

/// What the lockfile says about a file it does not pin, for messages.
fn lockfile_state(lock: Option<&Lockfile>) -> String {
    let Some(lock) = lock else {
        return format!("there is no {LOCKFILE_NAME} beside it");
    };
    let pinned: Vec<&str> = lock.entries.keys().map(String::as_str).collect();
    match pinned.len() {
        0 => format!("{LOCKFILE_NAME} pins no file"),
        n if n <= 3 => format!("{LOCKFILE_NAME} pins only {}", pinned.join(", ")),
        n => format!(
            "{LOCKFILE_NAME} pins only {} and {} other files",
            pinned[..3].join(", "),
            n - 3
        ),
    }
}

fn lock_entry(file: &CacheFile, sha256: String) -> LockEntry {
    LockEntry {
        module: file.module.clone(),
        submodules: file.submodules.clone(),
        python_version: file.python_version.clone(),
        library_version: file.library_version.clone(),
        stub_packages: file.stub_packages.clone(),
        introspector_sha256: file.introspector_sha256.clone(),
        sha256,
    }
}

/// An absolute path with `.` and `..` folded away lexically, so that messages and the
/// `include_bytes!` path read well (`crate/../../cache` becomes `cache`'s real location).
fn absolute(p: &Path) -> PathBuf {
    use std::path::Component;
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

enum Probe {
    /// A valid file of this request, pinned with its content's hash.
    Hit(Box<CacheFile>),
    /// A valid file of this request that the lockfile does not pin: not trusted.
    Unpinned,
    /// No usable file (absent, stale), and why.
    Miss(String),
}

#[derive(Deserialize)]
struct FormatOnly {
    format: u32,
}

/// Reads and validates a cache file against its pin. `Miss` for absent or stale files,
/// `Unpinned` for a valid file without a pin, `Err` for damaged ones (a pin whose hash the
/// content does not match included).
fn check_hit(
    path: &Path,
    req: &IntrospectRequest,
    pin: Option<&LockEntry>,
) -> Result<Probe, CacheError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Probe::Miss("no cache file".to_string()));
        }
        Err(e) => return Err(io_err("read", path)(e)),
    };
    let corrupt = |reason: String| CacheError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    if let Some(pin) = pin {
        let actual = content_sha256(&bytes);
        if actual != pin.sha256 {
            return Err(corrupt(format!(
                "the cache file was modified or is corrupt: its sha256 is {actual}, but \
                 {LOCKFILE_NAME} pins {}",
                pin.sha256
            )));
        }
    }
    let file: CacheFile = match serde_json::from_slice(&bytes) {
        Ok(f) => f,
        Err(e) => {
            // An older or newer layout is stale, not corrupt.
            if let Ok(f) = serde_json::from_slice::<FormatOnly>(&bytes)
                && f.format != CACHE_FORMAT
            {
                return Ok(Probe::Miss(format!(
                    "the cache file has format {}, this snakebridge uses {CACHE_FORMAT}",
                    f.format
                )));
            }
            return Err(corrupt(format!("not a valid cache file: {e}")));
        }
    };
    if file.format != CACHE_FORMAT {
        return Ok(Probe::Miss(format!(
            "the cache file has format {}, this snakebridge uses {CACHE_FORMAT}",
            file.format
        )));
    }
    if file.module != req.module || file.submodules != req.submodules {
        let other = IntrospectRequest::new(file.module.clone(), file.submodules.clone());
        return Err(corrupt(format!(
            "it holds `{}`, not `{}`",
            other.key(),
            req.key()
        )));
    }
    if file.introspector_sha256 != introspector_sha256() {
        return Ok(Probe::Miss(format!(
            "the cache file was written by another version of the introspector ({}), \
             this one is {}",
            short(&file.introspector_sha256),
            short(introspector_sha256())
        )));
    }
    // Checked last, so that a damaged or foreign file is reported as such even without a pin.
    if pin.is_none() {
        return Ok(Probe::Unpinned);
    }
    Ok(Probe::Hit(Box::new(file)))
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

/// Pins an existing, valid cache file in the lockfile (for tests that put a cache file in place
/// themselves).
#[cfg(test)]
pub(crate) fn pin_existing(
    cache_dir: &Path,
    file_name: &str,
    path: &Path,
    file: &CacheFile,
) -> Result<(), CacheError> {
    let mut guard = LockGuard::exclusive(cache_dir)?;
    let mut lock = guard.read()?;
    if lock.entries.contains_key(file_name) {
        return Ok(());
    }
    let bytes = fs::read(path).map_err(io_err("read", path))?;
    lock.entries.insert(
        file_name.to_string(),
        lock_entry(file, content_sha256(&bytes)),
    );
    guard.write(&lock)
}

/// Reads a cache file without any validation (for tools).
pub fn read_cache_file(path: &Path) -> Result<CacheFile, CacheError> {
    let bytes = fs::read(path).map_err(io_err("read", path))?;
    serde_json::from_slice(&bytes).map_err(|e| CacheError::Corrupt {
        path: path.to_path_buf(),
        reason: format!("not a valid cache file: {e}"),
    })
}

/// Serialises a cache file the way the cache stores it: JSON with line breaks down to the level
/// of single functions, methods and signatures (so diffs stay readable) but not below (which
/// would double the size of numpy's file).
pub fn serialize_cache_file(file: &CacheFile) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 20);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, ShallowPretty::new(7));
    file.serialize(&mut ser).expect("cache file serialises");
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests;
