//! `cargo snakebridge census`: the binding statistics of a list of modules (functions, classes,
//! the typed share of parameters and returns, the typed parameters' shares by source: stubs,
//! docstring, runtime), with `--min-typed` as a CI threshold.
//! `tests/census/census.py` also builds each module's bindings (the "compiles" column); this is
//! its introspect-and-count loop, without the builds.

use std::path::{Path, PathBuf};
use std::time::Instant;

use snakebridge_codegen::Options;
use snakebridge_codegen::cache::{CacheOptions, load_or_introspect_with};

use crate::error::CliError;
use crate::lock::{options, request_for};
use crate::project::Project;
use crate::stats::{Stats, table};

/// What the census found.
pub enum Outcome {
    /// Every module was bound and met the threshold.
    Passed,
    /// A module failed or fell below `--min-typed` (the table says which).
    Failed,
}

/// The census's arguments.
pub struct Args<'a> {
    /// Modules (cache keys) named on the command line.
    pub modules: &'a [String],
    /// A file with one module per line (`#` comments).
    pub modules_file: Option<&'a Path>,
    /// Where to cache introspection results (default `target/census/cache` in the crate).
    pub cache_dir: Option<&'a Path>,
    /// The least typed share, in percent, each module must reach.
    pub min_typed: Option<f64>,
}

/// Runs the census and prints its table.
pub fn run(project: &Project, args: &Args<'_>) -> Result<Outcome, CliError> {
    let mut named: Vec<String> = args.modules.to_vec();
    if let Some(file) = args.modules_file {
        let text = std::fs::read_to_string(file).map_err(|e| {
            CliError::Project(format!(
                "cannot read --modules-file {}: {e}",
                file.display()
            ))
        })?;
        named.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from),
        );
    }
    let census_dir = args
        .cache_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| project.dir.join("target").join("census").join("cache"));
    // (label, request, cache directory, options): named modules, else the crate's bindings.
    let work: Vec<(String, _, PathBuf, Options)> = if named.is_empty() {
        project
            .bindings
            .iter()
            .map(|b| {
                (
                    b.request.key(),
                    b.request.clone(),
                    b.cache_dir.clone(),
                    options(b),
                )
            })
            .collect()
    } else {
        named
            .iter()
            .map(|m| {
                (
                    m.clone(),
                    request_for(m),
                    census_dir.clone(),
                    Options::default(),
                )
            })
            .collect()
    };
    if work.is_empty() {
        return Err(CliError::Project(
            "name modules (`cargo snakebridge census json numpy`), a --modules-file, or run it in \
             a crate that binds some"
                .to_string(),
        ));
    }
    let opts = CacheOptions::from_env();
    let mut rows = Vec::new();
    let mut failed = false;
    for (label, request, dir, options) in &work {
        eprintln!("census: {label}");
        let started = Instant::now();
        match load_or_introspect_with(request, dir, &opts) {
            Ok(loaded) => {
                let stats = Stats::of(&loaded.module, options);
                let typed = stats.typed_percent();
                let verdict = match args.min_typed {
                    Some(min) if typed < min => {
                        failed = true;
                        format!("BELOW {min}%")
                    }
                    _ => "ok".to_string(),
                };
                rows.push(vec![
                    label.clone(),
                    stats.functions.to_string(),
                    stats.classes.to_string(),
                    format!("{typed:.1}%"),
                    format!("{} of {}", stats.typed, stats.slots),
                    stats.by_source(),
                    format!("{:.1} s", started.elapsed().as_secs_f64()),
                    verdict,
                ]);
            }
            Err(e) => {
                failed = true;
                let first = e.to_string().lines().next().unwrap_or_default().to_string();
                rows.push(vec![
                    label.clone(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    format!("{:.1} s", started.elapsed().as_secs_f64()),
                    format!("error: {first}"),
                ]);
            }
        }
    }
    print!(
        "{}",
        table(
            &[
                "module",
                "functions",
                "classes",
                "typed",
                "typed slots",
                "stub/doc/runtime",
                "time",
                "result"
            ],
            &rows
        )
    );
    Ok(if failed {
        Outcome::Failed
    } else {
        Outcome::Passed
    })
}
