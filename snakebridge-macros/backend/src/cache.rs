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

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::model::ModuleInfo;
use crate::python::{self, Interpreter, content_sha256, introspector_sha256, sha256_hex};

/// Version of the cache file layout ([`CacheFile`]); files with another format are stale.
pub const CACHE_FORMAT: u32 = 1;
/// Version of the lockfile layout ([`Lockfile`]).
pub const LOCKFILE_FORMAT: u32 = 1;
/// The lockfile's name inside the cache directory.
pub const LOCKFILE_NAME: &str = "snakebridge.lock";

/// What to introspect: a module and some of its submodules.
///
/// Submodules are relative (`"linalg"` for `numpy.linalg`), sorted and deduplicated, so that
/// `["linalg", "fft"]` and `["fft", "linalg"]` share one cache entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IntrospectRequest {
    /// The top module, e.g. `"numpy"`.
    pub module: String,
    /// Requested submodules, relative to `module`, sorted and deduplicated.
    pub submodules: Vec<String>,
}

impl IntrospectRequest {
    /// A request with its submodules normalised (sorted, deduplicated, empty names dropped).
    pub fn new<S: Into<String>>(
        module: impl Into<String>,
        submodules: impl IntoIterator<Item = S>,
    ) -> Self {
        let mut submodules: Vec<String> = submodules
            .into_iter()
            .map(Into::into)
            .filter(|s| !s.is_empty())
            .collect();
        submodules.sort();
        submodules.dedup();
        IntrospectRequest {
            module: module.into(),
            submodules,
        }
    }

    /// Parses the command-line form `numpy+linalg+fft` (the same spelling as the file name).
    pub fn parse(spec: &str) -> Self {
        let mut parts = spec.split('+');
        let module = parts.next().unwrap_or_default().to_string();
        Self::new(module, parts)
    }

    /// The human-readable key: `"numpy+linalg"`.
    pub fn key(&self) -> String {
        let mut key = self.module.clone();
        for s in &self.submodules {
            key.push('+');
            key.push_str(s);
        }
        key
    }

    /// The cache file name: `"numpy+linalg.json"`.
    ///
    /// Module names are dotted identifiers and cannot contain `+`, so the key is unique; any
    /// other character (or a very long key) is replaced and a short hash of the exact key is
    /// appended, so that distinct requests never share a file.
    pub fn file_name(&self) -> String {
        let key = self.key();
        // A leading dot would make a hidden file (and `..` a path component).
        let safe: String = key
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-') || (c == '.' && i > 0)
                {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let needs_hash = safe != key || safe.len() > 100;
        if needs_hash {
            let short: String = safe.chars().take(80).collect();
            let hash = &sha256_hex(key.as_bytes())[..10];
            format!("{short}-{hash}.json")
        } else {
            format!("{safe}.json")
        }
    }

    /// The fully qualified submodule names: `["numpy.linalg"]`.
    pub fn qualified_submodules(&self) -> Vec<String> {
        self.submodules
            .iter()
            .map(|s| format!("{}.{s}", self.module))
            .collect()
    }
}

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
    /// SHA-256 of the introspector that produced `result` ([`introspector_sha256`]).
    pub introspector_sha256: String,
    /// The introspection result.
    pub result: ModuleInfo,
}

/// One lockfile entry, pinning one cache file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockEntry {
    /// The requested module.
    pub module: String,
    /// The requested submodules.
    pub submodules: Vec<String>,
    /// Python version that produced the file.
    pub python_version: String,
    /// Package version that was introspected.
    pub library_version: Option<String>,
    /// Introspector hash that produced the file.
    pub introspector_sha256: String,
    /// SHA-256 of the cache file's bytes.
    pub sha256: String,
}

/// `cache/snakebridge.lock`: JSON, keys in sorted order, one entry per cache file name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockfile {
    /// [`LOCKFILE_FORMAT`].
    pub format: u32,
    /// A note for people reading the file.
    #[serde(default)]
    pub comment: String,
    /// Cache file name (e.g. `"numpy+linalg.json"`) to its pin.
    #[serde(default)]
    pub entries: BTreeMap<String, LockEntry>,
}

impl Default for Lockfile {
    fn default() -> Self {
        Lockfile {
            format: LOCKFILE_FORMAT,
            comment: "Generated by snakebridge. Pins each introspection cache file in this \
                      directory; commit it together with them."
                .to_string(),
            entries: BTreeMap::new(),
        }
    }
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
}

/// Everything that can go wrong while loading or filling the cache. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// Python could not import the module (or a requested submodule).
    #[error(
        "Python could not import `{module}`: {python_type}: {python_message}\n  \
         using {interpreter}\n  \
         fix: install the package that provides `{module}` into that interpreter \
         (e.g. `<python> -m pip install {top}`), or set SNAKEBRIDGE_PYTHON to an interpreter \
         that has it",
        top = top_level(.module)
    )]
    ImportFailed {
        /// The module that failed to import (`numpy.linalg` for a failing submodule).
        module: String,
        /// The Python exception class, e.g. `ModuleNotFoundError`.
        python_type: String,
        /// The exception's message, e.g. `No module named 'numpy'`.
        python_message: String,
        /// Python's traceback text.
        traceback: String,
        /// The interpreter, as [`Interpreter`]'s `Display`.
        interpreter: String,
    },
    /// The interpreter could not be started.
    #[error(
        "cannot run Python to introspect `{module}`: {reason}\n  \
         tried {interpreter}\n  \
         fix: install Python 3 or set SNAKEBRIDGE_PYTHON to its path; or fill the cache once on \
         a machine with Python and commit it (a cache hit needs no Python)"
    )]
    PythonNotFound {
        /// The interpreter that was tried.
        interpreter: String,
        /// The module being introspected.
        module: String,
        /// The OS error.
        reason: String,
    },
    /// The introspector died or printed something that is not its JSON answer.
    #[error(
        "the snakebridge introspector failed while introspecting `{module}` ({status})\n  \
         using {interpreter}\n  \
         last lines of its stderr:\n{stderr_tail}"
    )]
    IntrospectorCrashed {
        /// The interpreter used.
        interpreter: String,
        /// The module being introspected.
        module: String,
        /// Exit status or other description of what went wrong.
        status: String,
        /// The end of the process's stderr (or Python's traceback).
        stderr_tail: String,
    },
    /// The introspector did not finish in time.
    #[error(
        "introspecting `{module}` took longer than {seconds} s and was stopped\n  \
         using {interpreter}\n  \
         fix: raise SNAKEBRIDGE_INTROSPECT_TIMEOUT (seconds) if the import is just slow\n\
         {stderr_tail}"
    )]
    Timeout {
        /// The interpreter used.
        interpreter: String,
        /// The module being introspected.
        module: String,
        /// The timeout that was exceeded.
        seconds: f64,
        /// The end of the process's stderr.
        stderr_tail: String,
    },
    /// Offline mode and no usable cache entry.
    #[error(
        "no usable introspection cache for `{module}` ({reason}) and SNAKEBRIDGE_OFFLINE is set\n  \
         expected: {}\n  \
         fix: run `cargo build` once with Python and `{module}` installed (and SNAKEBRIDGE_OFFLINE \
         unset) to fill the cache, then commit the cache directory",
        .path.display()
    )]
    OfflineMiss {
        /// The request's key (`numpy+linalg`).
        module: String,
        /// The cache file that would have answered.
        path: PathBuf,
        /// Why it did not (missing, stale, ...).
        reason: String,
    },
    /// A cache file or the lockfile is damaged or was edited by hand.
    #[error(
        "corrupt snakebridge cache file {}: {reason}\n  \
         fix: delete it, or rebuild with SNAKEBRIDGE_REFRESH=1 to introspect again",
        .path.display()
    )]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A file-system operation failed.
    #[error("snakebridge cache: cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done ("read", "write", "lock", ...).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

fn top_level(module: &str) -> &str {
    module.split('.').next().unwrap_or(module)
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> CacheError + 'a {
    move |source| CacheError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// Which requests `SNAKEBRIDGE_REFRESH` forces to be introspected again.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Refresh {
    /// Use the cache (the default).
    #[default]
    No,
    /// Refresh everything (`SNAKEBRIDGE_REFRESH=1`, `true`, `yes`, `all`).
    All,
    /// Refresh only these modules or keys (`SNAKEBRIDGE_REFRESH=numpy,json`).
    Only(Vec<String>),
}

impl Refresh {
    /// Parses the value of `SNAKEBRIDGE_REFRESH`.
    pub fn parse(value: &str) -> Self {
        let v = value.trim();
        match v.to_ascii_lowercase().as_str() {
            "" | "0" | "false" | "no" | "off" => Refresh::No,
            "1" | "true" | "yes" | "on" | "all" => Refresh::All,
            _ => Refresh::Only(
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            ),
        }
    }

    /// Whether `req` is to be refreshed.
    pub fn applies_to(&self, req: &IntrospectRequest) -> bool {
        match self {
            Refresh::No => false,
            Refresh::All => true,
            Refresh::Only(list) => list.iter().any(|s| *s == req.module || *s == req.key()),
        }
    }
}

/// How [`load_or_introspect_with`] behaves; [`CacheOptions::from_env`] reads the environment.
#[derive(Debug, Clone)]
pub struct CacheOptions {
    /// Force re-introspection (`SNAKEBRIDGE_REFRESH`).
    pub refresh: Refresh,
    /// Never run Python; a miss is an error (`SNAKEBRIDGE_OFFLINE=1`).
    pub offline: bool,
    /// The interpreter to use on a miss.
    pub interpreter: Interpreter,
    /// Introspection timeout (`SNAKEBRIDGE_INTROSPECT_TIMEOUT`).
    pub timeout: Duration,
}

impl CacheOptions {
    /// Options from `SNAKEBRIDGE_REFRESH`, `SNAKEBRIDGE_OFFLINE`, the interpreter variables
    /// (see [`Interpreter::from_env`]) and `SNAKEBRIDGE_INTROSPECT_TIMEOUT`.
    pub fn from_env() -> Self {
        CacheOptions {
            refresh: std::env::var("SNAKEBRIDGE_REFRESH")
                .map(|v| Refresh::parse(&v))
                .unwrap_or_default(),
            offline: std::env::var("SNAKEBRIDGE_OFFLINE")
                .map(|v| env_flag(&v))
                .unwrap_or(false),
            interpreter: Interpreter::from_env(),
            timeout: python::introspect_timeout(),
        }
    }
}

fn env_flag(v: &str) -> bool {
    !matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off"
    )
}

/// The cache directory: `SNAKEBRIDGE_CACHE_DIR` if set, else `explicit` (the macro's
/// `cache = "..."`), else `<manifest_dir>/cache`. Relative paths are relative to `manifest_dir`,
/// because rustc's working directory varies (workspace root or package directory).
pub fn resolve_cache_dir(manifest_dir: &Path, explicit: Option<&Path>) -> PathBuf {
    let env = std::env::var_os("SNAKEBRIDGE_CACHE_DIR").filter(|v| !v.is_empty());
    resolve_cache_dir_with(manifest_dir, explicit, env.as_deref().map(Path::new))
}

/// [`resolve_cache_dir`] with the environment override passed explicitly.
pub fn resolve_cache_dir_with(
    manifest_dir: &Path,
    explicit: Option<&Path>,
    env_override: Option<&Path>,
) -> PathBuf {
    match env_override.or(explicit) {
        Some(p) if p.is_absolute() => p.to_path_buf(),
        Some(p) => manifest_dir.join(p),
        None => manifest_dir.join("cache"),
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
/// by the current introspector, and its bytes match the lockfile's sha256 (when the lockfile
/// has an entry). A file that belongs to another request or fails the lockfile check is an
/// error ([`CacheError::Corrupt`]) unless a refresh is forced; a stale file is a miss.
pub fn load_or_introspect_with(
    req: &IntrospectRequest,
    cache_dir: &Path,
    opts: &CacheOptions,
) -> Result<Loaded, CacheError> {
    let cache_dir = absolute(cache_dir);
    let file_name = req.file_name();
    let path = cache_dir.join(&file_name);
    let refresh = opts.refresh.applies_to(req);

    let miss_reason = if refresh {
        "a refresh was requested (SNAKEBRIDGE_REFRESH)".to_string()
    } else {
        let lock = read_lockfile_shared(&cache_dir)?;
        match check_hit(
            &path,
            req,
            lock.as_ref().and_then(|l| l.entries.get(&file_name)),
        )? {
            Probe::Hit(file) => {
                let file = *file;
                if lock
                    .as_ref()
                    .is_none_or(|l| !l.entries.contains_key(&file_name))
                {
                    // A cache file without a pin (copied in, or lockfile deleted): pin it now.
                    pin_existing(&cache_dir, &file_name, &path, &file)?;
                }
                return Ok(loaded(file, path, true, Vec::new()));
            }
            Probe::Miss(reason) => reason,
        }
    };

    if opts.offline {
        return Err(CacheError::OfflineMiss {
            module: req.key(),
            path,
            reason: miss_reason,
        });
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
            Ok(Probe::Hit(file)) => return Ok(loaded(*file, path, true, Vec::new())),
            Ok(Probe::Miss(_)) => {}
            // A forced refresh overwrites whatever is there.
            Err(_) if refresh => {}
            Err(e) => return Err(e),
        }
    }

    let out = python::run_introspector(
        &opts.interpreter,
        &req.module,
        &req.submodules,
        opts.timeout,
    )?;
    let file = CacheFile {
        format: CACHE_FORMAT,
        module: req.module.clone(),
        submodules: req.submodules.clone(),
        python_version: out.python_version.clone(),
        library_version: out.library_version.clone(),
        introspector_sha256: introspector_sha256().to_string(),
        result: out.module,
    };
    let bytes = serialize_cache_file(&file);
    write_atomic(&cache_dir, &file_name, &bytes)?;
    lock.entries
        .insert(file_name, lock_entry(&file, content_sha256(&bytes)));
    guard.write(&lock)?;
    drop(guard);
    Ok(loaded(file, path, false, out.warnings))
}

fn loaded(file: CacheFile, path: PathBuf, hit: bool, warnings: Vec<String>) -> Loaded {
    Loaded {
        module: file.result,
        path,
        hit,
        python_version: file.python_version,
        library_version: file.library_version,
        warnings,
    }
}

fn lock_entry(file: &CacheFile, sha256: String) -> LockEntry {
    LockEntry {
        module: file.module.clone(),
        submodules: file.submodules.clone(),
        python_version: file.python_version.clone(),
        library_version: file.library_version.clone(),
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
    Hit(Box<CacheFile>),
    Miss(String),
}

#[derive(Deserialize)]
struct FormatOnly {
    format: u32,
}

/// Reads and validates a cache file. `Miss` for absent or stale files, `Err` for damaged ones.
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
    Ok(Probe::Hit(Box::new(file)))
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

fn pin_existing(
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

/// Reads the lockfile under a shared lock; `None` when there is none.
pub fn read_lockfile_shared(cache_dir: &Path) -> Result<Option<Lockfile>, CacheError> {
    let path = cache_dir.join(LOCKFILE_NAME);
    let mut file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err("open", &path)(e)),
    };
    file.lock_shared().map_err(io_err("lock", &path))?;
    let mut text = String::new();
    let res = file.read_to_string(&mut text);
    let _ = file.unlock();
    res.map_err(io_err("read", &path))?;
    parse_lockfile(&path, &text).map(Some)
}

fn parse_lockfile(path: &Path, text: &str) -> Result<Lockfile, CacheError> {
    if text.trim().is_empty() {
        // Just created by a process that has not written it yet.
        return Ok(Lockfile::default());
    }
    serde_json::from_str(text).map_err(|e| CacheError::Corrupt {
        path: path.to_path_buf(),
        reason: format!("the lockfile is not valid JSON: {e}"),
    })
}

/// The exclusive lock on `snakebridge.lock`, held while a cache entry is (re)written.
///
/// The lockfile itself is the lock target and is rewritten in place (not renamed): a rename
/// would swap the inode under the lock and let a second writer in.
struct LockGuard {
    file: File,
    path: PathBuf,
}

impl LockGuard {
    fn exclusive(cache_dir: &Path) -> Result<Self, CacheError> {
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

    fn read(&mut self) -> Result<Lockfile, CacheError> {
        let mut text = String::new();
        self.file
            .seek(SeekFrom::Start(0))
            .and_then(|_| self.file.read_to_string(&mut text))
            .map_err(io_err("read", &self.path))?;
        parse_lockfile(&self.path, &text)
    }

    fn write(&mut self, lock: &Lockfile) -> Result<(), CacheError> {
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

/// Writes `bytes` to `dir/name` atomically: readers see the old or the new file, never a part.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), CacheError> {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let tmp = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let target = dir.join(name);
    let res = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.flush()?;
        drop(f);
        fs::rename(&tmp, &target)
    })();
    if let Err(e) = res {
        let _ = fs::remove_file(&tmp);
        return Err(io_err("write", &target)(e));
    }
    Ok(())
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

/// A JSON formatter that indents only the outer `max_depth` levels of nesting.
struct ShallowPretty {
    depth: usize,
    max_depth: usize,
    has_value: bool,
}

impl ShallowPretty {
    fn new(max_depth: usize) -> Self {
        ShallowPretty {
            depth: 0,
            max_depth,
            has_value: false,
        }
    }

    fn newline<W: ?Sized + io::Write>(w: &mut W, depth: usize) -> io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..depth {
            w.write_all(b" ")?;
        }
        Ok(())
    }
}

impl ShallowPretty {
    /// Opens an array or object: one level deeper.
    fn open<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// Closes an array or object, on its own line when its items were on lines of their own.
    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        let level = self.depth;
        self.depth -= 1;
        if self.has_value && level <= self.max_depth {
            Self::newline(w, self.depth)?;
        }
        w.write_all(bracket)
    }

    /// Starts an array item or an object key: a comma after the first, and a line of its own
    /// down to `max_depth`.
    fn item<W: ?Sized + io::Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        if self.depth <= self.max_depth {
            Self::newline(w, self.depth)?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for ShallowPretty {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.depth <= self.max_depth {
            w.write_all(b": ")
        } else {
            w.write_all(b":")
        }
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConstantInfo, FunctionInfo};
    use crate::python::InterpreterSource;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;

    /// A fresh, empty directory under the system temp dir.
    fn temp_dir(tag: &str) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "snakebridge-cache-test-{tag}-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn fake_module(name: &str) -> ModuleInfo {
        ModuleInfo {
            name: name.to_string(),
            doc: Some("A fake module.".into()),
            functions: vec![FunctionInfo {
                name: "f".into(),
                ..Default::default()
            }],
            constants: vec![ConstantInfo {
                name: "ANSWER".into(),
                type_name: "int".into(),
                value: Some(42.into()),
                doc: None,
            }],
            ..Default::default()
        }
    }

    /// A stand-in for Python: a shell script that swallows the introspector on stdin, records
    /// that it ran, and prints a canned answer (or sleeps / fails, per `mode`).
    #[cfg(unix)]
    struct FakePython {
        dir: PathBuf,
        program: PathBuf,
        counter: PathBuf,
    }

    #[cfg(unix)]
    impl FakePython {
        fn new(dir: &Path, answer: &str, mode: &str) -> Self {
            use std::os::unix::fs::PermissionsExt;
            let dir = dir.join("fake-python");
            fs::create_dir_all(&dir).unwrap();
            let answer_path = dir.join("answer.json");
            fs::write(&answer_path, answer).unwrap();
            let counter = dir.join("runs");
            let program = dir.join("python");
            let script = format!(
                "#!/bin/sh\ncat > /dev/null\necho run >> '{}'\n{mode}\ncat '{}'\n",
                counter.display(),
                answer_path.display()
            );
            fs::write(&program, script).unwrap();
            fs::set_permissions(&program, fs::Permissions::from_mode(0o755)).unwrap();
            FakePython {
                dir,
                program,
                counter,
            }
        }

        fn ok(dir: &Path, module: &str) -> Self {
            let answer = serde_json::json!({
                "python_version": "3.99.1",
                "library_version": "1.2.3",
                "warnings": [],
                "result": fake_module(module),
            });
            Self::new(dir, &answer.to_string(), "")
        }

        fn runs(&self) -> usize {
            fs::read_to_string(&self.counter)
                .map(|s| s.lines().count())
                .unwrap_or(0)
        }

        fn options(&self) -> CacheOptions {
            CacheOptions {
                refresh: Refresh::No,
                offline: false,
                interpreter: Interpreter::new(
                    self.program.clone(),
                    InterpreterSource::SnakebridgePython,
                ),
                timeout: Duration::from_secs(60),
            }
        }
    }

    #[cfg(unix)]
    impl Drop for FakePython {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }

    #[test]
    fn request_is_normalised_and_named_readably() {
        let req = IntrospectRequest::new("numpy", ["linalg", "fft", "linalg", ""]);
        assert_eq!(req.submodules, vec!["fft", "linalg"]);
        assert_eq!(req.key(), "numpy+fft+linalg");
        assert_eq!(req.file_name(), "numpy+fft+linalg.json");
        assert_eq!(IntrospectRequest::parse("numpy+linalg+fft"), req);
        assert_eq!(
            IntrospectRequest::new("json", Vec::<String>::new()).file_name(),
            "json.json"
        );
        assert_eq!(
            IntrospectRequest::new("os.path", Vec::<String>::new()).file_name(),
            "os.path.json"
        );
        assert_eq!(
            req.qualified_submodules(),
            vec!["numpy.fft", "numpy.linalg"]
        );
    }

    #[test]
    fn odd_names_get_a_hash_and_never_collide() {
        let a = IntrospectRequest::new("a/b", Vec::<String>::new()).file_name();
        let b = IntrospectRequest::new("a?b", Vec::<String>::new()).file_name();
        assert!(a.starts_with("a_b-") && a.ends_with(".json"), "{a}");
        assert_ne!(a, b);
        let long = IntrospectRequest::new("m", (0..40).map(|i| format!("sub{i}"))).file_name();
        assert!(long.len() < 100, "{long}");
        assert!(
            !IntrospectRequest::new("..", Vec::<String>::new())
                .file_name()
                .starts_with("..")
        );
    }

    #[test]
    fn cache_paths_are_absolute_and_normalised() {
        assert_eq!(
            absolute(Path::new("/a/b/../../c/./d")),
            PathBuf::from("/c/d")
        );
        assert!(absolute(Path::new("rel/x")).is_absolute());
    }

    #[test]
    fn cache_dir_precedence() {
        let m = Path::new("/crate");
        assert_eq!(resolve_cache_dir_with(m, None, None), m.join("cache"));
        assert_eq!(
            resolve_cache_dir_with(m, Some(Path::new("py/cache")), None),
            m.join("py/cache")
        );
        assert_eq!(
            resolve_cache_dir_with(m, Some(Path::new("x")), Some(Path::new("/abs/c"))),
            PathBuf::from("/abs/c")
        );
        assert_eq!(
            resolve_cache_dir_with(m, None, Some(Path::new("rel"))),
            m.join("rel")
        );
    }

    #[test]
    fn refresh_values() {
        assert_eq!(Refresh::parse("1"), Refresh::All);
        assert_eq!(Refresh::parse("true"), Refresh::All);
        assert_eq!(Refresh::parse("0"), Refresh::No);
        assert_eq!(Refresh::parse(""), Refresh::No);
        let only = Refresh::parse("numpy, json");
        assert!(only.applies_to(&IntrospectRequest::new("numpy", ["linalg"])));
        assert!(only.applies_to(&IntrospectRequest::new("json", Vec::<String>::new())));
        assert!(!only.applies_to(&IntrospectRequest::new("math", Vec::<String>::new())));
        assert!(
            Refresh::parse("numpy+linalg").applies_to(&IntrospectRequest::parse("numpy+linalg"))
        );
    }

    #[test]
    fn shallow_pretty_round_trips_and_breaks_lines() {
        let file = CacheFile {
            format: CACHE_FORMAT,
            module: "fake".into(),
            submodules: vec![],
            python_version: "3.11.7".into(),
            library_version: None,
            introspector_sha256: "ab".repeat(32),
            result: fake_module("fake"),
        };
        let bytes = serialize_cache_file(&file);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("{\n \"format\": 1,\n"), "{text}");
        assert!(text.lines().count() > 5);
        let back: CacheFile = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, file);
        // Deterministic: same input, same bytes.
        assert_eq!(serialize_cache_file(&back), bytes);
    }

    fn write_cache(dir: &Path, req: &IntrospectRequest, sha: &str) -> PathBuf {
        let file = CacheFile {
            format: CACHE_FORMAT,
            module: req.module.clone(),
            submodules: req.submodules.clone(),
            python_version: "3.11.7".into(),
            library_version: Some("9.9".into()),
            introspector_sha256: sha.to_string(),
            result: fake_module(&req.module),
        };
        write_atomic(dir, &req.file_name(), &serialize_cache_file(&file)).unwrap();
        dir.join(req.file_name())
    }

    fn offline() -> CacheOptions {
        CacheOptions {
            refresh: Refresh::No,
            offline: true,
            // Never run: offline must not spawn anything.
            interpreter: Interpreter::new("/nonexistent/python".into(), InterpreterSource::Default),
            timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn offline_hit_without_lockfile_pins_the_file() {
        let dir = temp_dir("offline-hit");
        let req = IntrospectRequest::new("fake", ["sub"]);
        let path = write_cache(&dir, &req, introspector_sha256());
        let loaded = load_or_introspect_with(&req, &dir, &offline()).unwrap();
        assert!(loaded.hit);
        assert_eq!(loaded.path, path);
        assert_eq!(loaded.module, fake_module("fake"));
        assert_eq!(loaded.library_version.as_deref(), Some("9.9"));
        let lock = read_lockfile_shared(&dir)
            .unwrap()
            .expect("lockfile written");
        let entry = &lock.entries["fake+sub.json"];
        assert_eq!(entry.sha256, sha256_hex(&fs::read(&path).unwrap()));
        assert_eq!(entry.submodules, vec!["sub"]);
        // The lockfile is human-readable JSON in a stable order.
        let text = fs::read_to_string(dir.join(LOCKFILE_NAME)).unwrap();
        assert!(text.contains("\"fake+sub.json\": {"), "{text}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn offline_miss_says_how_to_fill_the_cache() {
        let dir = temp_dir("offline-miss");
        let req = IntrospectRequest::new("numpy", ["linalg"]);
        let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
        assert!(matches!(err, CacheError::OfflineMiss { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains("numpy+linalg"), "{msg}");
        assert!(msg.contains("cargo build"), "{msg}");
        assert!(msg.contains("SNAKEBRIDGE_OFFLINE"), "{msg}");
        assert!(msg.contains("numpy+linalg.json"), "{msg}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn stale_introspector_is_a_miss() {
        let dir = temp_dir("stale");
        let req = IntrospectRequest::new("fake", Vec::<String>::new());
        write_cache(&dir, &req, &"0".repeat(64));
        let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, CacheError::OfflineMiss { .. }), "{msg}");
        assert!(msg.contains("another version of the introspector"), "{msg}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn modified_cache_file_is_reported_as_corrupt() {
        let dir = temp_dir("modified");
        let req = IntrospectRequest::new("fake", Vec::<String>::new());
        let path = write_cache(&dir, &req, introspector_sha256());
        load_or_introspect_with(&req, &dir, &offline()).unwrap(); // pins it
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.replace("A fake module.", "An edited module.")).unwrap();
        let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, CacheError::Corrupt { .. }), "{msg}");
        assert!(msg.contains("modified or is corrupt"), "{msg}");
        assert!(msg.contains("SNAKEBRIDGE_REFRESH=1"), "{msg}");
        assert!(msg.contains("fake.json"), "{msg}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn crlf_checkout_is_still_a_hit() {
        let dir = temp_dir("crlf");
        let req = IntrospectRequest::new("fake", Vec::<String>::new());
        let path = write_cache(&dir, &req, introspector_sha256());
        load_or_introspect_with(&req, &dir, &offline()).unwrap(); // pins it
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.replace('\n', "\r\n")).unwrap();
        let loaded = load_or_introspect_with(&req, &dir, &offline()).unwrap();
        assert!(loaded.hit);
        assert_eq!(loaded.module, fake_module("fake"));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unparsable_or_foreign_cache_file_is_corrupt_but_other_format_is_stale() {
        let dir = temp_dir("garbage");
        let req = IntrospectRequest::new("fake", Vec::<String>::new());
        fs::write(dir.join("fake.json"), "{ not json").unwrap();
        let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
        assert!(matches!(err, CacheError::Corrupt { .. }), "{err}");

        // A file holding another request.
        let other = IntrospectRequest::new("other", Vec::<String>::new());
        let other_path = write_cache(&dir, &other, introspector_sha256());
        fs::rename(other_path, dir.join("fake.json")).unwrap();
        let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
        assert!(err.to_string().contains("holds `other`"), "{err}");

        fs::write(
            dir.join("fake.json"),
            r#"{"format": 999, "whatever": true}"#,
        )
        .unwrap();
        let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
        assert!(matches!(err, CacheError::OfflineMiss { .. }), "{err}");
        assert!(err.to_string().contains("format 999"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corrupt_lockfile_is_reported() {
        let dir = temp_dir("badlock");
        let req = IntrospectRequest::new("fake", Vec::<String>::new());
        write_cache(&dir, &req, introspector_sha256());
        fs::write(dir.join(LOCKFILE_NAME), "][").unwrap();
        let err = load_or_introspect_with(&req, &dir, &offline()).unwrap_err();
        assert!(matches!(err, CacheError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("lockfile"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn write_atomic_replaces_and_leaves_no_temp_files() {
        let dir = temp_dir("atomic");
        write_atomic(&dir, "x.json", b"one").unwrap();
        write_atomic(&dir, "x.json", b"two").unwrap();
        assert_eq!(fs::read(dir.join("x.json")).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("x.json")]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn miss_introspects_then_hit_spawns_nothing() {
        let dir = temp_dir("miss-hit");
        let fake = FakePython::ok(&dir, "fake");
        let req = IntrospectRequest::new("fake", ["b", "a"]);
        let cache = dir.join("cache");
        let first = load_or_introspect_with(&req, &cache, &fake.options()).unwrap();
        assert!(!first.hit);
        assert_eq!(fake.runs(), 1);
        assert_eq!(first.path, cache.join("fake+a+b.json"));
        assert_eq!(first.python_version, "3.99.1");

        let file = read_cache_file(&first.path).unwrap();
        assert_eq!(file.submodules, vec!["a", "b"]);
        assert_eq!(file.library_version.as_deref(), Some("1.2.3"));
        assert_eq!(file.introspector_sha256, introspector_sha256());
        let lock = read_lockfile_shared(&cache).unwrap().unwrap();
        let entry = &lock.entries["fake+a+b.json"];
        assert_eq!(entry.sha256, sha256_hex(&fs::read(&first.path).unwrap()));
        assert_eq!(entry.python_version, "3.99.1");
        assert_eq!(entry.library_version.as_deref(), Some("1.2.3"));

        let second = load_or_introspect_with(&req, &cache, &fake.options()).unwrap();
        assert!(second.hit);
        assert_eq!(fake.runs(), 1, "a hit must not spawn Python");
        assert_eq!(second.module, first.module);

        let mut opts = fake.options();
        opts.refresh = Refresh::All;
        let third = load_or_introspect_with(&req, &cache, &opts).unwrap();
        assert!(!third.hit);
        assert_eq!(fake.runs(), 2);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn refresh_repairs_a_corrupt_file() {
        let dir = temp_dir("repair");
        let fake = FakePython::ok(&dir, "fake");
        let req = IntrospectRequest::new("fake", Vec::<String>::new());
        let loaded = load_or_introspect_with(&req, &dir, &fake.options()).unwrap();
        fs::write(&loaded.path, "garbage").unwrap();
        assert!(load_or_introspect_with(&req, &dir, &fake.options()).is_err());
        let mut opts = fake.options();
        opts.refresh = Refresh::parse("fake");
        let fixed = load_or_introspect_with(&req, &dir, &opts).unwrap();
        assert!(!fixed.hit);
        assert!(
            load_or_introspect_with(&req, &dir, &fake.options())
                .unwrap()
                .hit
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn parallel_expansions_introspect_once() {
        let dir = temp_dir("parallel");
        // A slow Python, so that all threads arrive while the first one is still running.
        let answer = serde_json::json!({
            "python_version": "3.99.1", "library_version": null, "warnings": [],
            "result": fake_module("fake"),
        });
        let fake = FakePython::new(&dir, &answer.to_string(), "sleep 0.5");
        let req = IntrospectRequest::new("fake", Vec::<String>::new());
        let cache = dir.join("cache");
        let results: Vec<_> = thread::scope(|s| {
            let handles: Vec<_> = (0..6)
                .map(|_| s.spawn(|| load_or_introspect_with(&req, &cache, &fake.options())))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(fake.runs(), 1);
        assert_eq!(
            results.iter().filter(|r| !r.as_ref().unwrap().hit).count(),
            1
        );
        let lock = read_lockfile_shared(&cache).unwrap().unwrap();
        assert_eq!(lock.entries.len(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn lockfile_keeps_every_entry() {
        let dir = temp_dir("entries");
        let fake = FakePython::ok(&dir, "fake");
        for m in ["zeta", "alpha", "mid"] {
            let req = IntrospectRequest::new(m, Vec::<String>::new());
            load_or_introspect_with(&req, &dir, &fake.options()).unwrap();
        }
        let lock = read_lockfile_shared(&dir).unwrap().unwrap();
        let keys: Vec<_> = lock.entries.keys().cloned().collect();
        assert_eq!(keys, vec!["alpha.json", "mid.json", "zeta.json"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn import_error_carries_python_text_and_interpreter() {
        let dir = temp_dir("importerr");
        let answer = serde_json::json!({
            "python_version": "3.99.1",
            "error": {"type": "ModuleNotFoundError", "message": "No module named 'nope'",
                      "traceback": "Traceback...", "module": "nope"},
        });
        let fake = FakePython::new(&dir, &answer.to_string(), "");
        let req = IntrospectRequest::new("nope", Vec::<String>::new());
        let err = load_or_introspect_with(&req, &dir, &fake.options()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, CacheError::ImportFailed { .. }), "{msg}");
        assert!(msg.contains("No module named 'nope'"), "{msg}");
        assert!(msg.contains("ModuleNotFoundError"), "{msg}");
        assert!(
            msg.contains("from SNAKEBRIDGE_PYTHON), Python 3.99.1"),
            "{msg}"
        );
        assert!(msg.contains("pip install nope"), "{msg}");
        assert!(!dir.join("nope.json").exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn crash_reports_status_and_stderr() {
        let dir = temp_dir("crash");
        let fake = FakePython::new(&dir, "", "echo 'Fatal Python error: boom' >&2; exit 134");
        let req = IntrospectRequest::new("fake", Vec::<String>::new());
        let err = load_or_introspect_with(&req, &dir, &fake.options()).unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(err, CacheError::IntrospectorCrashed { .. }),
            "{msg}"
        );
        assert!(msg.contains("134"), "{msg}");
        assert!(msg.contains("Fatal Python error: boom"), "{msg}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn timeout_kills_the_introspector() {
        let dir = temp_dir("timeout");
        let fake = FakePython::new(&dir, "{}", "exec sleep 30");
        let mut opts = fake.options();
        opts.timeout = Duration::from_millis(300);
        let req = IntrospectRequest::new("slow", Vec::<String>::new());
        let started = std::time::Instant::now();
        let err = load_or_introspect_with(&req, &dir, &opts).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(15));
        assert!(matches!(err, CacheError::Timeout { .. }), "{err}");
        assert!(err.to_string().contains("SNAKEBRIDGE_INTROSPECT_TIMEOUT"));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_interpreter_is_python_not_found() {
        let dir = temp_dir("nopython");
        let opts = CacheOptions {
            offline: false,
            ..offline()
        };
        let req = IntrospectRequest::new("json", Vec::<String>::new());
        let err = load_or_introspect_with(&req, &dir, &opts).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, CacheError::PythonNotFound { .. }), "{msg}");
        assert!(msg.contains("/nonexistent/python"), "{msg}");
        assert!(msg.contains("SNAKEBRIDGE_PYTHON"), "{msg}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
