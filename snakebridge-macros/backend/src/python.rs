//! Choosing the Python interpreter and running the introspector (the Python package
//! `snakebridge_introspector`, in `src/snakebridge_introspector/`) in it.
//!
//! Python is never loaded into the compiler: proc macros are loaded `RTLD_LOCAL`, so C extensions
//! would fail to link, and a Python crash would take rustc down. The introspector runs as a
//! subprocess (its sources passed in an environment variable, never through stdin, and imported
//! from memory) and answers with one JSON document on stdout.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde::Deserialize;
use sha2::{Digest, Sha256};
use snakebridge_contract::python_package::PythonPackage;

use crate::error::CacheError;
use crate::model::ModuleInfo;

/// The introspector package's modules, embedded so that the macro needs no file at run time.
/// Every `.py` file of `src/snakebridge_introspector/` is listed (a test checks it), the
/// package's `__init__` first.
macro_rules! introspector_modules {
    ($($module:literal => $file:literal),* $(,)?) => {
        &[$(($module, include_str!(concat!("snakebridge_introspector/", $file)))),*]
    };
}

/// The introspector: a Python package run isolated in the chosen interpreter (see
/// [`run_introspector`]).
pub const INTROSPECTOR: PythonPackage = PythonPackage {
    name: "snakebridge_introspector",
    modules: introspector_modules![
        "snakebridge_introspector" => "__init__.py",
        "snakebridge_introspector.text" => "text.py",
        "snakebridge_introspector.typeexpr" => "typeexpr.py",
        "snakebridge_introspector.output" => "output.py",
        "snakebridge_introspector.runtime_types" => "runtime_types.py",
        "snakebridge_introspector.stub_files" => "stub_files.py",
        "snakebridge_introspector.stubs" => "stubs.py",
        "snakebridge_introspector.signatures" => "signatures.py",
        "snakebridge_introspector.runtime" => "runtime.py",
        "snakebridge_introspector.exports" => "exports.py",
        "snakebridge_introspector.numpydoc" => "numpydoc.py",
        "snakebridge_introspector.sources" => "sources.py",
        "snakebridge_introspector.overloads" => "overloads.py",
        "snakebridge_introspector.introspector" => "introspector.py",
        "snakebridge_introspector.main" => "main.py",
    ],
};

/// Default for `SNAKEBRIDGE_INTROSPECT_TIMEOUT` (seconds). Generous: a cold import of a large
/// library on a slow CI disk can take a minute, and a timeout kills the build.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// How much of the interpreter's stderr is kept for error messages (the tail is what matters).
const STDERR_TAIL_BYTES: usize = 16 * 1024;

/// Hex SHA-256 of every module of [`INTROSPECTOR`] ([`modules_sha256`]). Part of the cache
/// key: a change to any module may describe modules differently, so its old results are stale.
pub fn introspector_sha256() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| modules_sha256(INTROSPECTOR.modules.iter().copied()))
}

/// Hex SHA-256 of a package's modules, sorted by name: each module's name, a NUL, its source
/// with CRLF line endings read as LF (see [`content_sha256`]), a NUL (neither names nor Python
/// sources hold NUL, so the framing is unambiguous).
pub fn modules_sha256<'a>(modules: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut modules: Vec<_> = modules.into_iter().collect();
    modules.sort_unstable();
    let mut framed = Vec::new();
    for (name, source) in modules {
        framed.extend_from_slice(name.as_bytes());
        framed.push(0);
        framed.extend_from_slice(&lf_line_endings(source.as_bytes()));
        framed.push(0);
    }
    sha256_hex(&framed)
}

/// Hex SHA-256 of a text file's content with CRLF line endings read as LF, so that a checkout
/// with `core.autocrlf` neither invalidates nor "corrupts" committed cache files.
pub fn content_sha256(bytes: &[u8]) -> String {
    sha256_hex(&lf_line_endings(bytes))
}

/// `bytes` with each CRLF read as LF (a lone CR is content).
fn lf_line_endings(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !bytes.contains(&b'\r') {
        return bytes.into();
    }
    let mut normalised = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        normalised.push(bytes[i]);
        i += 1;
    }
    normalised.into()
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Why a particular interpreter was chosen (reported in every error message): the contract's
/// [`Source`](snakebridge_contract::interpreter::Source), under the backend's historical name.
pub use snakebridge_contract::interpreter::Source as InterpreterSource;

/// The Python interpreter used for introspection, and why it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpreter {
    /// The program to run (an absolute path, or a bare name looked up on `PATH`).
    pub program: PathBuf,
    /// Which setting selected it.
    pub source: InterpreterSource,
    /// `"3.11.7"` once the interpreter has answered, `None` before.
    pub version: Option<String>,
}

impl Interpreter {
    /// Chooses from the process environment by the contract's rule
    /// ([`snakebridge_contract::interpreter::choose`]): `SNAKEBRIDGE_PYTHON`, else `PYO3_PYTHON`,
    /// else `$VIRTUAL_ENV/bin/python`, else `python3`. Empty values count as unset.
    pub fn from_env() -> Self {
        Self::from_lookup(|key| std::env::var_os(key))
    }

    /// Like [`Interpreter::from_env`] with an explicit variable lookup (for tests and tools).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Self {
        let choice = snakebridge_contract::interpreter::choose(lookup);
        Self::new(choice.program, choice.source)
    }

    /// An interpreter chosen by the caller.
    pub fn new(program: PathBuf, source: InterpreterSource) -> Self {
        Interpreter {
            program,
            source,
            version: None,
        }
    }
}

impl fmt::Display for Interpreter {
    /// `interpreter /x/bin/python (from SNAKEBRIDGE_PYTHON), Python 3.11.7`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "interpreter {} ({})",
            self.program.display(),
            self.source.describe()
        )?;
        if let Some(v) = &self.version {
            write!(f, ", Python {v}")?;
        }
        Ok(())
    }
}

/// The timeout for one introspection: `SNAKEBRIDGE_INTROSPECT_TIMEOUT` (seconds, may be
/// fractional) or [`DEFAULT_TIMEOUT`].
pub fn introspect_timeout() -> Duration {
    std::env::var("SNAKEBRIDGE_INTROSPECT_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_TIMEOUT)
}

/// What one successful introspector run produced.
#[derive(Debug, Clone)]
pub struct IntrospectOutput {
    /// The interpreter, with its version filled in.
    pub interpreter: Interpreter,
    /// `"3.11.7"`.
    pub python_version: String,
    /// The distribution version of the introspected package (`None` for the standard library).
    pub library_version: Option<String>,
    /// The other distributions whose stub files typed it (name → version: `scipy-stubs`,
    /// `optype`, `mypy` for typeshed).
    pub stub_packages: BTreeMap<String, String>,
    /// The description of the module and its requested submodules.
    pub module: ModuleInfo,
    /// Members the introspector had to skip or could only partly describe.
    pub warnings: Vec<String>,
    /// Wall time of the subprocess.
    pub elapsed: Duration,
}

/// The JSON envelope the introspector prints (`snakebridge_introspector/output.py`).
#[derive(Debug, Deserialize)]
struct Envelope {
    #[serde(default)]
    python_version: Option<String>,
    #[serde(default)]
    library_version: Option<String>,
    #[serde(default)]
    stub_packages: BTreeMap<String, String>,
    #[serde(default)]
    error: Option<PyError>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    result: Option<ModuleInfo>,
}

#[derive(Debug, Deserialize)]
struct PyError {
    #[serde(rename = "type")]
    kind: String,
    message: String,
    #[serde(default)]
    traceback: String,
    #[serde(default)]
    module: String,
}

/// The environment variable that carries the introspector's sources
/// ([`PythonPackage::payload`]) to the interpreter.
const SOURCES_VAR: &str = "SNAKEBRIDGE_INTROSPECTOR";

/// The `-c` program: the contract's isolation, then the package imported from [`SOURCES_VAR`]
/// and its `main()` run (`sys.argv` is `['-c', module, ...]`).
fn program() -> String {
    let bootstrap = INTROSPECTOR.bootstrap(SOURCES_VAR, "snakebridge_introspector.main");
    snakebridge_contract::interpreter::isolated(&format!(
        "{bootstrap}snakebridge_introspector.main.main()\n"
    ))
}

/// Runs the introspector for `module` (plus `module.<sub>` for each of `submodules`) in
/// `interpreter`, killing it after `timeout`.
pub fn run_introspector(
    interpreter: &Interpreter,
    module: &str,
    submodules: &[String],
    timeout: Duration,
) -> Result<IntrospectOutput, CacheError> {
    let started = Instant::now();
    // The sources go in an environment variable, not stdin: a broken interpreter that exits
    // at once (`/bin/false`, a bad PYTHONHOME) would otherwise make our write fail with EPIPE,
    // which kills rustc (it does not ignore SIGPIPE). The package is imported from memory ahead
    // of `sys.path`, after the contract's ISOLATE_SYS_PATH, so nothing in the crate's directory
    // is imported in its place.
    let mut command = Command::new(&interpreter.program);
    command
        .arg("-c")
        .arg(program())
        .arg(module)
        .args(submodules)
        // Set iteration order shows up in reprs of defaults; keep the output reproducible.
        .env("PYTHONHASHSEED", "0")
        .env("PYTHONIOENCODING", "utf-8")
        .envs(INTROSPECTOR.environment(SOURCES_VAR))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = spawn_retrying_busy(&mut command).map_err(|e| CacheError::PythonNotFound {
        interpreter: interpreter.to_string(),
        module: module.to_string(),
        reason: e.to_string(),
    })?;

    // Drain both pipes on threads: a full pipe would otherwise block the child and we would
    // wrongly report a timeout.
    let (out_tx, out_rx) = mpsc::channel();
    let mut stdout = child.stdout.take().expect("stdout is piped");
    thread::spawn(move || {
        let mut buf = Vec::new();
        let res = stdout.read_to_end(&mut buf).map(|_| buf);
        let _ = out_tx.send(res);
    });
    let (err_tx, err_rx) = mpsc::channel();
    let mut stderr = child.stderr.take().expect("stderr is piped");
    thread::spawn(move || {
        let _ = err_tx.send(read_tail(&mut stderr, STDERR_TAIL_BYTES));
    });

    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                let _ = child.kill();
                return Err(CacheError::IntrospectorCrashed {
                    interpreter: interpreter.to_string(),
                    module: module.to_string(),
                    status: format!("could not wait for the process: {e}"),
                    stderr_tail: String::new(),
                });
            }
        }
        if started.elapsed() >= timeout {
            let _ = child.kill();
            let _ = child.wait();
            let stderr_tail = err_rx
                .recv_timeout(Duration::from_secs(2))
                .unwrap_or_default();
            return Err(CacheError::Timeout {
                interpreter: interpreter.to_string(),
                module: module.to_string(),
                seconds: timeout.as_secs_f64(),
                stderr_tail,
            });
        }
        thread::sleep(Duration::from_millis(10));
    };
    // A grandchild that inherited the pipes could keep them open forever; don't wait for it.
    let grace = Duration::from_secs(10);
    let stdout = out_rx.recv_timeout(grace).ok().and_then(Result::ok);
    let stderr_tail = err_rx.recv_timeout(grace).unwrap_or_default();
    let elapsed = started.elapsed();
    parse_output(
        interpreter,
        module,
        status,
        stdout.unwrap_or_default(),
        stderr_tail,
        elapsed,
    )
}

fn parse_output(
    interpreter: &Interpreter,
    module: &str,
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr_tail: String,
    elapsed: Duration,
) -> Result<IntrospectOutput, CacheError> {
    let crashed = |detail: String| CacheError::IntrospectorCrashed {
        interpreter: interpreter.to_string(),
        module: module.to_string(),
        status: detail,
        stderr_tail: stderr_tail.clone(),
    };
    // The answer is the last line: a sitecustomize may have printed before the script ran.
    let text = String::from_utf8_lossy(&stdout);
    let Some(line) = text.lines().rev().find(|l| !l.trim().is_empty()) else {
        return Err(crashed(format!(
            "{status}, and it printed nothing on stdout"
        )));
    };
    let envelope: Envelope = serde_json::from_str(line).map_err(|e| {
        crashed(format!(
            "{status}, and its stdout was not the expected JSON ({e})"
        ))
    })?;
    let mut interpreter = interpreter.clone();
    interpreter.version = envelope.python_version.clone();
    if let Some(err) = envelope.error {
        if let Some(kind) = err.kind.strip_prefix("IntrospectorError:") {
            return Err(CacheError::IntrospectorCrashed {
                interpreter: interpreter.to_string(),
                module: module.to_string(),
                status: format!("the introspector failed with {kind}: {}", err.message),
                stderr_tail: err.traceback,
            });
        }
        return Err(CacheError::ImportFailed {
            module: if err.module.is_empty() {
                module.to_string()
            } else {
                err.module
            },
            python_type: err.kind,
            python_message: err.message,
            traceback: err.traceback,
            interpreter: interpreter.to_string(),
        });
    }
    let Some(result) = envelope.result else {
        return Err(crashed(format!("{status}, and its JSON had no result")));
    };
    Ok(IntrospectOutput {
        python_version: envelope.python_version.unwrap_or_default(),
        interpreter,
        library_version: envelope.library_version,
        stub_packages: envelope.stub_packages,
        module: result,
        warnings: envelope.warnings,
        elapsed,
    })
}

/// Reads `r` to the end, keeping only the last `limit` bytes (as lossy UTF-8).
fn read_tail(r: &mut impl Read, limit: usize) -> String {
    let mut kept: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match r.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                kept.extend_from_slice(&chunk[..n]);
                if kept.len() > 2 * limit {
                    kept.drain(..kept.len() - limit);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    if kept.len() > limit {
        kept.drain(..kept.len() - limit);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// Spawns `command`, retrying a few times on `ETXTBSY`: an interpreter (or wrapper script) that
/// was just written can still be open for writing in a child another thread is forking, until
/// that child's `exec` closes it (rustc runs proc macros on several threads; so do tests).
fn spawn_retrying_busy(command: &mut Command) -> std::io::Result<std::process::Child> {
    const TEXT_FILE_BUSY: i32 = 26;
    let mut attempt = 0;
    loop {
        match command.spawn() {
            Err(e) if e.raw_os_error() == Some(TEXT_FILE_BUSY) && attempt < 5 => {
                attempt += 1;
                thread::sleep(Duration::from_millis(20 * attempt));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn interpreter_precedence() {
        let all = [
            ("SNAKEBRIDGE_PYTHON", "/a/python"),
            ("PYO3_PYTHON", "/b/python"),
            ("VIRTUAL_ENV", "/venv"),
        ];
        let i = Interpreter::from_lookup(lookup(&all));
        assert_eq!(i.program, PathBuf::from("/a/python"));
        assert_eq!(i.source, InterpreterSource::SnakebridgePython);

        let i = Interpreter::from_lookup(lookup(&all[1..]));
        assert_eq!(i.source, InterpreterSource::Pyo3Python);
        assert_eq!(i.program, PathBuf::from("/b/python"));

        let i = Interpreter::from_lookup(lookup(&all[2..]));
        assert_eq!(i.source, InterpreterSource::VirtualEnv);
        assert!(i.program.starts_with("/venv"));

        // Empty values are ignored rather than running "".
        let i = Interpreter::from_lookup(lookup(&[("SNAKEBRIDGE_PYTHON", "")]));
        assert_eq!(i.source, InterpreterSource::Default);
    }

    #[test]
    fn interpreter_display_names_source_and_version() {
        let mut i = Interpreter::new("/x/bin/python".into(), InterpreterSource::SnakebridgePython);
        assert_eq!(
            i.to_string(),
            "interpreter /x/bin/python (from SNAKEBRIDGE_PYTHON)"
        );
        i.version = Some("3.11.7".into());
        assert_eq!(
            i.to_string(),
            "interpreter /x/bin/python (from SNAKEBRIDGE_PYTHON), Python 3.11.7"
        );
    }

    /// The package's modules on disk: `(module name, source)`, sorted.
    fn introspector_files_on_disk() -> Vec<(String, String)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/snakebridge_introspector");
        let mut found: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "py"))
            .map(|p| {
                let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
                let name = if stem == "__init__" {
                    "snakebridge_introspector".to_string()
                } else {
                    format!("snakebridge_introspector.{stem}")
                };
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        found.sort();
        found
    }

    #[test]
    fn every_module_on_disk_is_shipped() {
        let mut shipped: Vec<(String, String)> = INTROSPECTOR
            .modules
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        shipped.sort();
        let on_disk = introspector_files_on_disk();
        let names = |v: &[(String, String)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&shipped), names(&on_disk));
        assert_eq!(shipped, on_disk);
    }

    #[test]
    fn introspector_hash_covers_every_module() {
        // An independent computation from the files on disk (the committed files have LF line
        // endings, so no normalisation applies): NUL-framed names and sources, sorted by name.
        let mut framed = Vec::new();
        for (name, source) in introspector_files_on_disk() {
            framed.extend_from_slice(name.as_bytes());
            framed.push(0);
            framed.extend_from_slice(source.as_bytes());
            framed.push(0);
        }
        let expected = format!("{:x}", Sha256::digest(&framed));
        assert_eq!(introspector_sha256(), expected);
        // A change to any one module changes the hash.
        for (i, (name, _)) in INTROSPECTOR.modules.iter().enumerate() {
            let edited = format!("{}\n# edited\n", INTROSPECTOR.modules[i].1);
            let modules = INTROSPECTOR
                .modules
                .iter()
                .enumerate()
                .map(|(j, &(n, s))| (n, if i == j { edited.as_str() } else { s }));
            assert_ne!(modules_sha256(modules), expected, "{name} is not hashed");
        }
        // And the hash is what the committed cache files record (they are hits on this source).
        let lock = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../cache/snakebridge.lock"
        ))
        .unwrap();
        assert!(
            lock.contains(&expected),
            "cache/snakebridge.lock was made by another introspector"
        );
    }

    #[test]
    fn content_hash_ignores_crlf() {
        assert_eq!(content_sha256(b"a\r\nb\r\n"), content_sha256(b"a\nb\n"));
        assert_eq!(content_sha256(b"a\nb"), sha256_hex(b"a\nb"));
        // A lone CR is content, not a line ending.
        assert_ne!(content_sha256(b"a\rb"), content_sha256(b"ab"));
    }

    #[test]
    fn read_tail_keeps_the_end() {
        let data: Vec<u8> = (0..100_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let tail = read_tail(&mut &data[..], 1000);
        assert_eq!(tail.len(), 1000);
        assert_eq!(tail.as_bytes(), &data[data.len() - 1000..]);
    }
}
