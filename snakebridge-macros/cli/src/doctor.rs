//! `cargo snakebridge doctor`: which interpreter the rule picks and why, what each bound
//! package is at and whether it is typed (and if not, which stub package would type it), and
//! the health of the crate's cache directories.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use snakebridge_codegen::cache::{CacheFile, LOCKFILE_NAME, read_lockfile_shared};
use snakebridge_codegen::model::{FunctionInfo, ModuleInfo, SignatureSource};
use snakebridge_codegen::python::Interpreter;
use snakebridge_contract::interpreter::{self, PYO3_PYTHON, SNAKEBRIDGE_PYTHON, VIRTUAL_ENV};

use crate::environment::{self, Environment, top_level};
use crate::error::CliError;
use crate::project::Project;
use crate::staleness::{self, shown};
use crate::stats::table;
use crate::stub_packages;

/// Prints the report. Fails (exit 4) only when the interpreter cannot be run.
pub fn run(project: &Project) -> Result<(), CliError> {
    let chosen = Interpreter::from_env();
    println!("interpreter (the rule: the first that is set wins; the introspector, the embedded");
    println!("runtime and the pool's workers all follow it)");
    let rows: Vec<Vec<String>> = [SNAKEBRIDGE_PYTHON, PYO3_PYTHON, VIRTUAL_ENV]
        .iter()
        .map(|var| {
            let value = std::env::var_os(var).filter(|v| !v.is_empty());
            let mark = if chosen.source.variable() == Some(*var) {
                "<- chosen"
            } else {
                ""
            };
            vec![
                format!("  {var}"),
                value.map_or("(unset)".to_string(), |v| v.to_string_lossy().into_owned()),
                mark.to_string(),
            ]
        })
        .chain(std::iter::once({
            let default = interpreter::choose(|_: &str| None::<OsString>).program;
            vec![
                format!("  {} on PATH", default.display()),
                on_path(&default).map_or("(not found)".to_string(), |p| p.display().to_string()),
                if chosen.source.variable().is_none() {
                    "<- chosen".to_string()
                } else {
                    String::new()
                },
            ]
        }))
        .collect();
    print!("{}", table(&["  rule", "value", ""], &rows));

    let modules: Vec<String> = project
        .bindings
        .iter()
        .map(|b| b.request.module.clone())
        .collect();
    let env = environment::ask(&chosen, &modules);
    match &env {
        Ok(env) => println!(
            "  uses {} (Python {})\n",
            chosen.program.display(),
            env.python_version
        ),
        Err(e) => println!("  error: {e}\n"),
    }

    modules_report(project, env.as_ref().ok())?;
    cache_report(project)?;
    env.map(|_| ())
}

fn modules_report(project: &Project, env: Option<&Environment>) -> Result<(), CliError> {
    if project.bindings.is_empty() {
        println!(
            "modules: none (no #[python_module] in {})\n",
            shown(&project.dir).display()
        );
        return Ok(());
    }
    let assessments = staleness::assess(project, env)?;
    let mut rows = Vec::new();
    let mut seen = BTreeSet::new();
    // One row per cache file, however many attributes bind it.
    for a in assessments.iter().filter(|a| seen.insert(a.file.clone())) {
        let key = a.binding.request.key();
        let top = top_level(&a.binding.request.module);
        let details = env.and_then(|e| e.details.get(top));
        let version = match details {
            Some(d) if d.stdlib => "standard library".to_string(),
            Some(d) if !d.found => "NOT INSTALLED".to_string(),
            Some(d) => d.version.clone().unwrap_or_else(|| "?".into()),
            None => "?".to_string(),
        };
        let stubs = match details {
            Some(d) if d.stdlib => "typeshed".to_string(),
            Some(d) if !d.found => "-".to_string(),
            Some(d) if d.typed => "ships its own".to_string(),
            Some(d) if d.stubs.is_some() => format!("{top}-stubs"),
            Some(_) => match stub_packages::for_module(top) {
                Some(package) => format!("none: pip install {package}"),
                None => "none (no stub package known)".to_string(),
            },
            None => "?".to_string(),
        };
        let cached = cached_signatures(&a.file);
        let cache = if a.differences.is_empty() {
            "ok".to_string()
        } else if !a.file.exists() {
            "not locked yet".to_string()
        } else {
            let what: BTreeSet<&str> = a.differences.iter().map(|d| d.what).collect();
            format!("stale: {}", what.into_iter().collect::<Vec<_>>().join(", "))
        };
        rows.push(vec![key, version, stubs, cached, cache]);
    }
    println!("modules");
    print!(
        "{}",
        table(
            &[
                "  module",
                "version",
                "stubs",
                "signatures from stubs",
                "cache"
            ],
            &rows
                .into_iter()
                .map(|mut r| {
                    r[0] = format!("  {}", r[0]);
                    r
                })
                .collect::<Vec<_>>()
        )
    );
    println!();
    Ok(())
}

/// `412 of 500` callables whose signature came from a stub or typeshed, from the cache file.
fn cached_signatures(file: &Path) -> String {
    let Ok(bytes) = fs::read(file) else {
        return "(not introspected yet)".to_string();
    };
    let Ok(cached) = serde_json::from_slice::<CacheFile>(&bytes) else {
        return "(unreadable cache file)".to_string();
    };
    let (mut typed, mut all) = (0, 0);
    count(&cached.result, &mut typed, &mut all);
    format!("{typed} of {all}")
}

fn count(m: &ModuleInfo, typed: &mut usize, all: &mut usize) {
    let mut one = |f: &FunctionInfo| {
        *all += 1;
        *typed += usize::from(matches!(
            f.signature_source,
            SignatureSource::Stub | SignatureSource::Typeshed
        ));
    };
    for f in &m.functions {
        one(f);
    }
    for c in m.classes.iter().filter(|c| c.exported) {
        for method in &c.methods {
            one(&method.function);
        }
    }
    for s in &m.submodules {
        count(s, typed, all);
    }
}

fn cache_report(project: &Project) -> Result<(), CliError> {
    println!("cache");
    let dirs = if project.bindings.is_empty() {
        vec![project.default_cache_dir()]
    } else {
        project.cache_dirs()
    };
    for dir in dirs {
        let lock = read_lockfile_shared(&dir)?;
        let files: BTreeSet<String> = fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        let Some(lock) = lock else {
            println!(
                "  {}: no {LOCKFILE_NAME} ({} cache file(s)); run `cargo snakebridge lock`",
                shown(&dir).display(),
                files.len()
            );
            continue;
        };
        let used: BTreeSet<String> = project
            .bindings
            .iter()
            .filter(|b| b.cache_dir == dir)
            .map(|b| b.request.file_name())
            .collect();
        let unpinned: Vec<&String> = files
            .iter()
            .filter(|f| !lock.entries.contains_key(*f))
            .collect();
        let missing: Vec<&String> = lock
            .entries
            .keys()
            .filter(|k| !files.contains(*k))
            .collect();
        let unused: Vec<&String> = lock.entries.keys().filter(|k| !used.contains(*k)).collect();
        println!(
            "  {}: {} pinned, {} file(s)",
            shown(&dir).display(),
            lock.entries.len(),
            files.len()
        );
        for (what, list) in [
            (
                "not pinned (not trusted; `cargo snakebridge lock` re-introspects)",
                unpinned,
            ),
            ("pinned but missing", missing),
            ("pinned but bound by no attribute of this crate", unused),
        ] {
            if !list.is_empty() {
                let names: Vec<&str> = list.iter().map(|s| s.as_str()).collect();
                println!("    {what}: {}", names.join(", "));
            }
        }
    }
    Ok(())
}

/// Where `program` is found on `PATH`.
fn on_path(program: &Path) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}
