//! Whether the committed cache still answers for each binding of the crate, and if not, why:
//! the difference between what the lockfile pins and what the crate, the cache files, the
//! introspector and the environment are now. `check` prints it; `lock` re-introspects what it
//! finds stale.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use snakebridge_codegen::cache::{
    CACHE_FORMAT, CacheFile, LOCKFILE_NAME, LockEntry, Lockfile, read_lockfile_shared,
};
use snakebridge_codegen::codegen::{self, Name, Options};
use snakebridge_codegen::python::{content_sha256, introspector_sha256};

use crate::environment::{Environment, normalise, top_level};
use crate::error::CliError;
use crate::project::{Binding, Project};

/// One difference: what is pinned, and what there is now.
#[derive(Debug, Clone)]
pub struct Difference {
    /// What differs: `library version`, `cache file`, ...
    pub what: &'static str,
    /// The pinned side (`-` in the diff).
    pub locked: String,
    /// The current side (`+` in the diff).
    pub current: String,
    /// Whether introspecting again fixes it (an `include` naming nothing does not).
    pub relock_fixes: bool,
}

/// One binding and its differences (none: the cache answers for it).
#[derive(Debug)]
pub struct Assessment<'p> {
    /// The binding.
    pub binding: &'p Binding,
    /// Its cache file.
    pub file: PathBuf,
    /// What differs.
    pub differences: Vec<Difference>,
}

impl Assessment<'_> {
    /// Whether `lock` has to introspect this binding again.
    pub fn needs_introspection(&self) -> bool {
        self.differences.iter().any(|d| d.relock_fixes)
    }
}

/// Compares every binding with its cache directory's lockfile and cache file, with the current
/// introspector, and (when `env` is given) with the environment's versions. Reads files only.
pub fn assess<'p>(
    project: &'p Project,
    env: Option<&Environment>,
) -> Result<Vec<Assessment<'p>>, CliError> {
    let mut out = Vec::new();
    for binding in &project.bindings {
        let lock = read_lockfile_shared(&binding.cache_dir)?;
        let file_name = binding.request.file_name();
        let file = binding.cache_dir.join(&file_name);
        let pin = lock.as_ref().and_then(|l| l.entries.get(&file_name));
        let mut differences = match pin {
            None => vec![not_locked(binding, lock.as_ref())],
            Some(pin) => compare_with_pin(&file, pin, env, binding),
        };
        if differences.is_empty() {
            differences.extend(attribute_problems(&file, binding));
        }
        out.push(Assessment {
            binding,
            file,
            differences,
        });
    }
    Ok(out)
}

fn not_locked(binding: &Binding, lock: Option<&Lockfile>) -> Difference {
    let locked = match lock {
        None => format!(
            "no {LOCKFILE_NAME} in {}",
            shown(&binding.cache_dir).display()
        ),
        Some(lock) => {
            // The pins for the same module with other submodules: what the attribute was.
            let same_module: Vec<String> = lock
                .entries
                .values()
                .filter(|e| e.module == binding.request.module)
                .map(|e| {
                    let mut key = e.module.clone();
                    for s in &e.submodules {
                        key.push('+');
                        key.push_str(s);
                    }
                    key
                })
                .collect();
            if same_module.is_empty() {
                format!("no entry for `{}`", binding.request.key())
            } else {
                format!("entries for {}", same_module.join(", "))
            }
        }
    };
    Difference {
        what: "attribute",
        locked,
        current: format!("{} asks for `{}`", binding.location, binding.request.key()),
        relock_fixes: true,
    }
}

/// The pin against the cache file, the introspector and the environment.
fn compare_with_pin(
    file: &Path,
    pin: &LockEntry,
    env: Option<&Environment>,
    binding: &Binding,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let diff = |what, locked: String, current: String| Difference {
        what,
        locked,
        current,
        relock_fixes: true,
    };
    match fs::read(file) {
        Err(e) => out.push(diff(
            "cache file",
            format!("pinned, sha256 {}", short(&pin.sha256)),
            format!("{}: {e}", shown(file).display()),
        )),
        Ok(bytes) => {
            let sha = content_sha256(&bytes);
            if sha != pin.sha256 {
                out.push(diff(
                    "cache file",
                    format!("sha256 {}", short(&pin.sha256)),
                    format!(
                        "sha256 {} ({} was edited or replaced)",
                        short(&sha),
                        shown(file).display()
                    ),
                ));
            }
            match serde_json::from_slice::<CacheFile>(&bytes) {
                Err(e) => out.push(diff(
                    "cache file",
                    "a cache file".into(),
                    format!("not a cache file: {e}"),
                )),
                Ok(cached) => {
                    if cached.format != CACHE_FORMAT {
                        out.push(diff(
                            "cache format",
                            cached.format.to_string(),
                            CACHE_FORMAT.to_string(),
                        ));
                    }
                    // The lockfile and the file it pins must tell the same story.
                    if cached.python_version != pin.python_version {
                        out.push(diff(
                            "Python version",
                            format!("{} (lockfile)", pin.python_version),
                            format!("{} (cache file)", cached.python_version),
                        ));
                    }
                    if cached.library_version != pin.library_version {
                        out.push(diff(
                            "library version",
                            format!("{} (lockfile)", version(&pin.library_version)),
                            format!("{} (cache file)", version(&cached.library_version)),
                        ));
                    }
                    if cached.stub_packages != pin.stub_packages {
                        out.push(diff(
                            "stub packages",
                            format!("{} (lockfile)", listed(&pin.stub_packages)),
                            format!("{} (cache file)", listed(&cached.stub_packages)),
                        ));
                    }
                }
            }
        }
    }
    if pin.introspector_sha256 != introspector_sha256() {
        out.push(diff(
            "introspector",
            short(&pin.introspector_sha256).to_string(),
            format!("{} (this snakebridge)", short(introspector_sha256())),
        ));
    }
    if let Some(env) = env {
        if env.python_version != pin.python_version {
            out.push(diff(
                "Python version",
                pin.python_version.clone(),
                format!("{} ({})", env.python_version, env.how),
            ));
        }
        // A stub package that typed the module, upgraded, downgraded or removed since.
        for (name, pinned) in &pin.stub_packages {
            let now = env.distributions.get(&normalise(name));
            if now != Some(pinned) {
                out.push(diff(
                    "stub package",
                    format!("{name} {pinned}"),
                    format!(
                        "{name} {} ({})",
                        now.map_or("not installed", String::as_str),
                        env.how
                    ),
                ));
            }
        }
        let now = env.packages.get(&binding.request.module).cloned().flatten();
        if now != pin.library_version {
            out.push(diff(
                "library version",
                format!(
                    "{} {}",
                    top_level(&pin.module),
                    version(&pin.library_version)
                ),
                format!(
                    "{} {} ({})",
                    top_level(&pin.module),
                    match &now {
                        Some(v) => v.as_str(),
                        None => "not installed",
                    },
                    env.how
                ),
            ));
        }
    }
    out
}

/// What the build would report about the attribute's other arguments (`include` or
/// `streaming` naming something the module lacks), from the cache file: introspecting again
/// does not fix these, editing the attribute does.
fn attribute_problems(file: &Path, binding: &Binding) -> Vec<Difference> {
    if binding.args.include.is_empty() && binding.args.streaming.is_empty() {
        return Vec::new();
    }
    let Ok(bytes) = fs::read(file) else {
        return Vec::new();
    };
    let Ok(cached) = serde_json::from_slice::<CacheFile>(&bytes) else {
        return Vec::new();
    };
    let options = Options {
        include: binding.args.include.iter().map(Name::from).collect(),
        exclude: binding.args.exclude.iter().map(Name::from).collect(),
        streaming: binding.args.streaming.iter().map(Name::from).collect(),
        cache_file: None,
    };
    let resolved = codegen::resolve(&cached.result, &options);
    let errors = codegen::check(&resolved);
    errors
        .into_iter()
        .map(|e| Difference {
            what: "attribute",
            locked: format!("`{}` as introspected", binding.request.key()),
            current: format!("{}: {e}", binding.location),
            relock_fixes: false,
        })
        .collect()
}

/// `scipy-stubs 1.17.1.5, optype 0.17.1`, or `none`.
fn listed(packages: &BTreeMap<String, String>) -> String {
    if packages.is_empty() {
        return "none".to_string();
    }
    let items: Vec<String> = packages.iter().map(|(n, v)| format!("{n} {v}")).collect();
    items.join(", ")
}

fn version(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("(standard library)")
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

/// `path` relative to the working directory when it is inside it.
pub fn shown(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// The diff `check` prints: per binding with differences, `-` the pinned side and `+` the
/// current one.
pub fn render(assessments: &[Assessment<'_>]) -> String {
    let mut out = String::new();
    for a in assessments.iter().filter(|a| !a.differences.is_empty()) {
        out.push_str(&format!(
            "{} ({}, {})\n",
            a.binding.request.key(),
            a.binding.location,
            shown(&a.file).display()
        ));
        let width = a
            .differences
            .iter()
            .map(|d| d.what.len())
            .max()
            .unwrap_or(0);
        for d in &a.differences {
            out.push_str(&format!("  - {:width$}  {}\n", d.what, d.locked));
            out.push_str(&format!("  + {:width$}  {}\n", d.what, d.current));
        }
    }
    out
}
