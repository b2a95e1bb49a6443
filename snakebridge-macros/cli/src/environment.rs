//! The Python environment the macro would introspect with: the interpreter the contract's rule
//! picks, its version and the versions of the bound packages.
//!
//! `check` must not start Python when it can tell without: for a virtual environment (the usual
//! set-up, and what CI creates) everything is on disk: `pyvenv.cfg` holds the Python version
//! and each installed distribution has a `*.dist-info` directory with its name, version and
//! files ([`read_from_files`]). Otherwise the interpreter is asked once, by a short script that
//! imports no package ([`ask`]). Both answer the way the introspector records a library's
//! version: the distribution named like the top-level module, else the one that installs it;
//! `None` for the standard library.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;
use snakebridge_codegen::python::Interpreter;

use crate::error::CliError;

/// What is known about the environment.
#[derive(Debug, Clone)]
pub struct Environment {
    /// `"3.11.7"`.
    pub python_version: String,
    /// Top-level module → its distribution's version (`None`: standard library or not
    /// installed).
    pub packages: BTreeMap<String, Option<String>>,
    /// Every installed distribution's version, by its normalised name (`scipy-stubs`): what
    /// the stub packages a cache file pins are compared with.
    pub distributions: BTreeMap<String, String>,
    /// How it was learnt: `read from <venv>/pyvenv.cfg and site-packages` or `asked <python>`.
    pub how: String,
    /// What the interpreter said about each package beyond its version ([`ask`] only).
    pub details: BTreeMap<String, PackageDetails>,
}

/// What [`ask`] learns about one top-level module.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PackageDetails {
    /// The distribution's version.
    pub version: Option<String>,
    /// Part of the standard library.
    #[serde(default)]
    pub stdlib: bool,
    /// Importable (found on `sys.path`, not imported).
    #[serde(default)]
    pub found: bool,
    /// Where a `<module>-stubs` package is, if one is installed.
    #[serde(default)]
    pub stubs: Option<String>,
    /// The package ships its own types (`py.typed` or `__init__.pyi`, PEP 561).
    #[serde(default)]
    pub typed: bool,
}

/// Reads the environment from a virtual environment's files, starting no process. `Err` says
/// why it cannot (not a virtual environment, one that also sees the system's packages, an
/// unusual layout); the caller then [`ask`]s.
pub fn read_from_files(
    interpreter: &Interpreter,
    modules: &[String],
) -> Result<Environment, String> {
    let program = &interpreter.program;
    if program.components().count() < 2 {
        return Err(format!("`{}` is looked up on PATH", program.display()));
    }
    // `<venv>/bin/python`: the link itself, not what it points at (the base interpreter).
    let venv = program
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("{} is not inside a virtual environment", program.display()))?;
    let cfg_path = venv.join("pyvenv.cfg");
    let cfg = fs::read_to_string(&cfg_path).map_err(|_| {
        format!(
            "{} is not inside a virtual environment (no {})",
            program.display(),
            cfg_path.display()
        )
    })?;
    let value = |key: &str| {
        cfg.lines().find_map(|line| {
            let (k, v) = line.split_once('=')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
    };
    if value("include-system-site-packages").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Err(format!(
            "{} also sees the system's packages (include-system-site-packages)",
            venv.display()
        ));
    }
    let version = value("version_info")
        .or_else(|| value("version"))
        .ok_or_else(|| format!("{} names no Python version", cfg_path.display()))?;
    let python_version: String = version.split('.').take(3).collect::<Vec<_>>().join(".");
    let mut parts = python_version.split('.');
    let (major, minor) = (parts.next().unwrap_or("3"), parts.next().unwrap_or(""));
    let site = venv
        .join("lib")
        .join(format!("python{major}.{minor}"))
        .join("site-packages");
    if !site.is_dir() {
        return Err(format!("no {}", site.display()));
    }
    let dists = distributions(&site);
    let packages = modules
        .iter()
        .map(|m| (m.clone(), version_of(top_level(m), &dists)))
        .collect();
    let distributions = dists
        .iter()
        .map(|d| (normalise(&d.name), d.version.clone()))
        .collect();
    Ok(Environment {
        python_version,
        packages,
        distributions,
        how: format!("read from {} and {}", cfg_path.display(), site.display()),
        details: BTreeMap::new(),
    })
}

/// `numpy` of `numpy.linalg`.
pub fn top_level(module: &str) -> &str {
    module.split('.').next().unwrap_or(module)
}

/// One installed distribution: its `*.dist-info` (or `*.egg-info`) directory, name and version.
struct Distribution {
    dir: PathBuf,
    name: String,
    version: String,
}

fn distributions(site: &Path) -> Vec<Distribution> {
    let Ok(entries) = fs::read_dir(site) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let dir = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let metadata = if name.ends_with(".dist-info") {
            dir.join("METADATA")
        } else if name.ends_with(".egg-info") {
            dir.join("PKG-INFO")
        } else {
            continue;
        };
        let Ok(text) = fs::read_to_string(&metadata) else {
            continue;
        };
        // The headers end at the first blank line.
        let header = |key: &str| {
            text.lines()
                .take_while(|l| !l.is_empty())
                .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_string()))
        };
        if let (Some(name), Some(version)) = (header("Name:"), header("Version:")) {
            out.push(Distribution { dir, name, version });
        }
    }
    out
}

/// PEP 503 normalisation (`Scikit_Learn` and `scikit-learn` are one name).
pub fn normalise(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

/// The version the introspector would record for `top`: the distribution called `top`, else
/// the one whose `top_level.txt` or `RECORD` installs it.
fn version_of(top: &str, dists: &[Distribution]) -> Option<String> {
    let wanted = normalise(top);
    if let Some(d) = dists.iter().find(|d| normalise(&d.name) == wanted) {
        return Some(d.version.clone());
    }
    let installs = |d: &Distribution| {
        if let Ok(text) = fs::read_to_string(d.dir.join("top_level.txt")) {
            return text.lines().any(|l| l.trim() == top);
        }
        fs::read_to_string(d.dir.join("RECORD")).is_ok_and(|text| {
            text.lines().any(|l| {
                l.strip_prefix(top)
                    .is_some_and(|rest| rest.starts_with('/') || rest.starts_with(".py,"))
            })
        })
    };
    dists
        .iter()
        .find(|d| installs(d))
        .map(|d| d.version.clone())
}

/// Asks the interpreter (one short process that imports no package): its version, and for
/// each module the distribution's version, whether it is in the standard library, whether it
/// is installed, and whether stubs for it are (for `doctor`).
pub fn ask(interpreter: &Interpreter, modules: &[String]) -> Result<Environment, CliError> {
    let tops: Vec<&str> = modules.iter().map(|m| top_level(m)).collect();
    let output = Command::new(&interpreter.program)
        .arg("-c")
        .arg(snakebridge_contract::interpreter::isolated(PROBE))
        .args(&tops)
        .env("PYTHONIOENCODING", "utf-8")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            CliError::Python(format!(
                "cannot run {interpreter}: {e}\n  fix: install Python 3 or set \
                 SNAKEBRIDGE_PYTHON to its path"
            ))
        })?;
    let text = String::from_utf8_lossy(&output.stdout);
    #[derive(Deserialize)]
    struct Answer {
        python_version: String,
        packages: BTreeMap<String, PackageDetails>,
        #[serde(default)]
        distributions: BTreeMap<String, String>,
    }
    let answer: Answer = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| {
            CliError::Python(format!(
                "{interpreter} did not answer as a Python 3 would ({}): {}\n  fix: point \
                 SNAKEBRIDGE_PYTHON at a working Python 3",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        })?;
    let packages = modules
        .iter()
        .map(|m| {
            let version = answer
                .packages
                .get(top_level(m))
                .and_then(|d| d.version.clone());
            (m.clone(), version)
        })
        .collect();
    Ok(Environment {
        python_version: answer.python_version,
        packages,
        distributions: answer
            .distributions
            .iter()
            .map(|(name, version)| (normalise(name), version.clone()))
            .collect(),
        how: format!("asked {}", interpreter.program.display()),
        details: answer.packages,
    })
}

/// The environment without a process when [`read_from_files`] can, else by [`ask`]ing; with
/// `may_run == false`, `Ok(None)` instead of asking.
pub fn current(
    interpreter: &Interpreter,
    modules: &[String],
    may_run: bool,
) -> Result<Option<Environment>, CliError> {
    match read_from_files(interpreter, modules) {
        Ok(env) => Ok(Some(env)),
        Err(_) if may_run => ask(interpreter, modules).map(Some),
        Err(_) => Ok(None),
    }
}

/// The probe [`ask`] runs: the introspector's version rule, without importing the packages.
const PROBE: &str = r#"
import json, os, sys
import importlib.util
try:
    import importlib.metadata as md
except Exception:
    md = None
stdlib = set(getattr(sys, "stdlib_module_names", ())) | set(sys.builtin_module_names)
def version(top):
    if md is None:
        return None
    try:
        return md.version(top)
    except Exception:
        pass
    try:
        dists = md.packages_distributions().get(top)
        return md.version(dists[0]) if dists else None
    except Exception:
        return None
def stubs(top):
    for entry in sys.path:
        path = os.path.join(entry or ".", top + "-stubs")
        if os.path.isdir(path):
            return path
    return None
def typed(spec):
    for loc in (spec.submodule_search_locations or []) if spec else []:
        if os.path.exists(os.path.join(loc, "py.typed")) or os.path.exists(os.path.join(loc, "__init__.pyi")):
            return True
    return False
packages = {}
for top in sys.argv[1:]:
    try:
        spec = importlib.util.find_spec(top)
    except Exception:
        spec = None
    std = top in stdlib
    packages[top] = {"version": None if std else version(top), "stdlib": std,
                     "found": spec is not None, "stubs": stubs(top), "typed": typed(spec)}
distributions = {}
try:
    for d in (md.distributions() if md is not None else ()):
        if d.metadata["Name"]:
            distributions[d.metadata["Name"]] = d.version
except Exception:
    pass
print(json.dumps({"python_version": "%d.%d.%d" % sys.version_info[:3], "packages": packages,
                  "distributions": distributions}))
"#;
