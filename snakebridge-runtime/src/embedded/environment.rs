//! Which packages the embedded interpreter sees: the interpreter rule of
//! [`snakebridge_contract::interpreter`], applied to the linked `libpython` at start.

use std::ffi::CString;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use snakebridge_contract::interpreter::{self, Source};

/// Where the embedded interpreter's packages come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpreterSource {
    /// Only the linked interpreter's own `sys.path`.
    Linked,
    /// `SNAKEBRIDGE_PYTHON` named this interpreter; its `sys.path` was adopted.
    SnakebridgePython(PathBuf),
    /// `PYO3_PYTHON` (and no `SNAKEBRIDGE_PYTHON`) named this interpreter; its `sys.path` was
    /// adopted, as the introspector and pool workers use the same interpreter.
    Pyo3Python(PathBuf),
    /// `VIRTUAL_ENV` named this virtual environment; its `site-packages` was added.
    VirtualEnv(PathBuf),
}

/// The embedded interpreter's environment, as set up at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// `sys.version` of the embedded interpreter (`"3.11.7"`).
    pub python_version: String,
    /// Where the packages come from.
    pub source: InterpreterSource,
    /// Directories added to `sys.path` (ahead of the interpreter's own package directories).
    pub added_paths: Vec<PathBuf>,
    /// The effective `sys.path` after start-up, in order.
    pub sys_path: Vec<PathBuf>,
}

impl std::fmt::Display for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "embedded CPython {}", self.python_version)?;
        match &self.source {
            InterpreterSource::Linked => write!(f, " (its own site-packages)"),
            InterpreterSource::SnakebridgePython(p) => {
                write!(
                    f,
                    " with the packages of {} (SNAKEBRIDGE_PYTHON)",
                    p.display()
                )
            }
            InterpreterSource::Pyo3Python(p) => {
                write!(f, " with the packages of {} (PYO3_PYTHON)", p.display())
            }
            InterpreterSource::VirtualEnv(p) => {
                write!(
                    f,
                    " with the virtual environment {} (VIRTUAL_ENV)",
                    p.display()
                )
            }
        }
    }
}

const ENV_SETUP: &str = r#"
def _snakebridge_adopt(dirs, executable):
    import site, sys
    before = list(sys.path)
    for d in dirs:
        site.addsitedir(d)
    added = [p for p in sys.path if p not in before]
    rest = [p for p in sys.path if p in before]
    # The chosen environment goes ahead of every package directory of the linked interpreter
    # (site-packages, Debian's dist-packages, the user site), as `python -m venv` would give, so
    # system packages never shadow the user's.
    def is_package_dir(p):
        tail = p.rstrip("/").rsplit("/", 1)[-1]
        return tail in ("site-packages", "dist-packages")
    idx = next((i for i, p in enumerate(rest) if is_package_dir(p)), len(rest))
    sys.path[:] = rest[:idx] + added + rest[idx:]
    if executable:
        sys.executable = executable
    return added, list(sys.path)
"#;

pub(super) fn start_interpreter() -> std::result::Result<Environment, String> {
    Python::initialize();
    let chosen = chosen_environment()?;
    Python::attach(|py| {
        import_datetime_api(py)?;
        // Now, before any user code runs: the rules hold their own builtins from here on.
        super::rules::load(py).map_err(|e| format!("cannot load snakebridge's rules: {e}"))?;
        // Python's logging into tracing, before user code logs anything (when a subscriber
        // wants it already; otherwise on the first call after one does).
        super::logs::install(py)
            .map_err(|e| format!("cannot forward Python's logging to tracing: {e}"))?;
        let version: String = py
            .import("platform")
            .and_then(|p| p.call_method0("python_version"))
            .and_then(|v| v.extract())
            .map_err(|e| format!("cannot read the embedded Python version: {e}"))?;
        if let Some((var, python, want)) = &chosen.named
            && short_version(want) != short_version(&version)
        {
            return Err(format!(
                "{var} is {} (Python {want}) but this program embeds Python {version}; point \
                 {var} at a Python {} interpreter or venv, or rebuild with PYO3_PYTHON set to it",
                python.display(),
                short_version(&version)
            ));
        }
        let globals = PyDict::new(py);
        let code = CString::new(ENV_SETUP).expect("no NUL in setup code");
        py.run(&code, Some(&globals), None)
            .map_err(|e| format!("environment setup failed: {e}"))?;
        let (added, sys_path): (Vec<String>, Vec<String>) = globals
            .get_item("_snakebridge_adopt")
            .ok()
            .flatten()
            .ok_or("environment setup function missing")?
            .call1((chosen.dirs, chosen.executable))
            .and_then(|v| v.extract())
            .map_err(|e| format!("environment setup failed: {e}"))?;
        let env = Environment {
            python_version: version,
            source: chosen.source,
            added_paths: added.into_iter().map(PathBuf::from).collect(),
            sys_path: sys_path.into_iter().map(PathBuf::from).collect(),
        };
        tracing::info!(target: "snakebridge", environment = %env, "started embedded Python");
        Ok(env)
    })
}

/// Imports the `datetime` C API now, while the interpreter is pristine: pyo3 imports it on first
/// use and panics if that fails, which user code could cause later (`sys.modules["datetime"] =
/// None`, a patched `builtins.__import__`). Once imported it stays valid for the process.
fn import_datetime_api(py: Python<'_>) -> std::result::Result<(), String> {
    // SAFETY: called with the interpreter attached; PyDateTime_IMPORT only sets the API pointer.
    let imported = unsafe {
        if pyo3::ffi::PyDateTimeAPI().is_null() {
            pyo3::ffi::PyDateTime_IMPORT();
        }
        !pyo3::ffi::PyDateTimeAPI().is_null()
    };
    if imported {
        return Ok(());
    }
    let cause = PyErr::take(py).map_or_else(String::new, |e| format!(": {e}"));
    Err(format!(
        "the embedded Python cannot import its datetime module{cause}; check the interpreter's \
         installation (PYTHONHOME, the standard library)"
    ))
}

fn short_version(v: &str) -> &str {
    match v.match_indices('.').nth(1) {
        Some((i, _)) => &v[..i],
        None => v,
    }
}

/// The environment the interpreter rule chose, as the linked interpreter will adopt it.
struct Chosen {
    source: InterpreterSource,
    /// Directories to add to `sys.path`.
    dirs: Vec<String>,
    /// What `sys.executable` becomes.
    executable: Option<String>,
    /// For a named interpreter: the variable that named it, its path and its Python version.
    named: Option<(&'static str, PathBuf, String)>,
}

/// What a named interpreter reports about itself, in one run.
#[derive(serde::Deserialize)]
struct Probe {
    version: String,
    path: Vec<String>,
}

/// The contract's interpreter rule, applied to the linked interpreter: a named interpreter's
/// `sys.path` is adopted, a virtual environment's `site-packages` added; with nothing
/// configured the linked interpreter keeps its own paths.
fn chosen_environment() -> std::result::Result<Chosen, String> {
    let choice = interpreter::from_env();
    match choice.source {
        Source::SnakebridgePython | Source::Pyo3Python => {
            let python = choice.program;
            let var = choice.source.variable().unwrap_or("SNAKEBRIDGE_PYTHON");
            // One run answers both questions: its version (checked against the embedded one)
            // and its sys.path (adopted).
            let out = std::process::Command::new(&python)
                .arg("-c")
                .arg(interpreter::isolated(
                    "import sys, json, platform; print(json.dumps({'version': \
                     platform.python_version(), 'path': [p for p in sys.path if p]}))",
                ))
                .output()
                .map_err(|e| {
                    format!(
                        "{var}={} cannot be run: {e}; set it to a Python interpreter (e.g. a \
                         venv's bin/python) or unset it",
                        python.display()
                    )
                })?;
            if !out.status.success() {
                return Err(format!(
                    "{var}={} failed to report its sys.path: {}",
                    python.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            let probe: Probe = serde_json::from_slice(&out.stdout)
                .map_err(|e| format!("{var} printed an unexpected sys.path: {e}"))?;
            let executable = python.to_string_lossy().into_owned();
            let source = if choice.source == Source::Pyo3Python {
                InterpreterSource::Pyo3Python(python.clone())
            } else {
                InterpreterSource::SnakebridgePython(python.clone())
            };
            Ok(Chosen {
                source,
                dirs: probe.path,
                executable: Some(executable),
                named: Some((var, python, probe.version)),
            })
        }
        Source::VirtualEnv => {
            let venv = choice.virtual_env.unwrap_or_default();
            let lib = venv.join("lib");
            let dirs: Vec<String> = std::fs::read_dir(&lib)
                .map_err(|e| format!("VIRTUAL_ENV={} has no lib directory: {e}", venv.display()))?
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.path().join("site-packages"))
                .filter(|p| p.is_dir())
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let executable = choice.program.to_string_lossy().into_owned();
            Ok(Chosen {
                source: InterpreterSource::VirtualEnv(venv),
                dirs,
                executable: Some(executable),
                named: None,
            })
        }
        Source::Default => Ok(Chosen {
            source: InterpreterSource::Linked,
            dirs: Vec::new(),
            executable: None,
            named: None,
        }),
    }
}
