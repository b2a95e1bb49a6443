//! `cargo snakebridge lock`: introspects every binding of the crate whose cache is missing or
//! stale (or named by `--refresh`), writes the cache files and the lockfile through the code
//! generator's cache (exactly what a build would write), and prints a summary table.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use snakebridge_codegen::cache::{
    CacheOptions, IntrospectRequest, LOCKFILE_NAME, Refresh, load_or_introspect_with,
};
use snakebridge_codegen::codegen::{Name, Options};

use crate::environment;
use crate::error::CliError;
use crate::project::{Binding, Project};
use crate::staleness::{self, shown};
use crate::stats::{Stats, table};

/// `--refresh`: `None` (only what is stale), `Some([])` (everything) or some modules.
pub fn run(project: &Project, refresh: Option<&[String]>) -> Result<(), CliError> {
    if project.bindings.is_empty() {
        println!(
            "no #[python_module] in {}: nothing to lock",
            shown(&project.dir).display()
        );
        return Ok(());
    }
    let mut opts = CacheOptions::from_env();
    let modules: Vec<String> = project
        .bindings
        .iter()
        .map(|b| b.request.module.clone())
        .collect();
    // The versions decide what is stale; when even asking fails, introspection will say why.
    let env = environment::current(&opts.interpreter, &modules, !opts.offline)
        .ok()
        .flatten();
    let assessments = staleness::assess(project, env.as_ref())?;
    let mut stale: BTreeSet<String> = assessments
        .iter()
        .filter(|a| a.needs_introspection())
        .map(|a| a.binding.request.key())
        .collect();
    match refresh {
        Some([]) => opts.refresh = Refresh::All,
        Some(named) => {
            for name in named {
                if project.find(name).is_empty() {
                    return Err(CliError::Project(format!(
                        "--refresh {name}: the crate binds no module `{name}`; it binds {}",
                        bound(project)
                    )));
                }
                stale.insert(name.clone());
            }
        }
        None => {}
    }
    if !matches!(opts.refresh, Refresh::All) {
        opts.refresh = Refresh::Only(stale.into_iter().collect());
    }

    // One introspection per cache file, even when several attributes share it.
    let mut seen = BTreeSet::new();
    let todo: Vec<&Binding> = project
        .bindings
        .iter()
        .filter(|b| seen.insert((b.cache_dir.clone(), b.request.key())))
        .collect();
    let bar = ProgressBar::new(todo.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>12} [{bar:25}] {pos}/{len} {msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix("Introspecting");
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for binding in todo {
        bar.set_message(binding.request.key());
        let started = Instant::now();
        let result = load_or_introspect_with(&binding.request, &binding.cache_dir, &opts);
        let elapsed = started.elapsed();
        bar.inc(1);
        match result {
            Ok(loaded) => {
                let stats = Stats::of(&loaded.module, &options(binding));
                rows.push(vec![
                    binding.request.key(),
                    stats.items().to_string(),
                    format!("{:.0}%", stats.typed_percent()),
                    if loaded.hit {
                        "cached".to_string()
                    } else {
                        seconds(elapsed)
                    },
                    loaded
                        .library_version
                        .unwrap_or_else(|| format!("Python {}", loaded.python_version)),
                ]);
                for w in loaded.warnings.iter().take(3) {
                    bar.println(format!("warning: {}: {w}", binding.request.key()));
                }
            }
            Err(e) => {
                rows.push(vec![
                    binding.request.key(),
                    "-".into(),
                    "-".into(),
                    seconds(elapsed),
                    "failed".into(),
                ]);
                failures.push(format!(
                    "{} ({}): {e}",
                    binding.request.key(),
                    binding.location
                ));
            }
        }
    }
    bar.finish_and_clear();
    print!(
        "{}",
        table(&["module", "items", "typed", "time", "version"], &rows)
    );
    let dirs: Vec<PathBuf> = project.cache_dirs();
    for dir in &dirs {
        println!(
            "wrote {} (commit it with the cache files beside it)",
            shown(&dir.join(LOCKFILE_NAME)).display()
        );
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(CliError::Python(failures.join("\n\n")))
    }
}

/// The binding's `include`/`exclude`/`streaming`, as the macro passes them to the generator.
pub fn options(binding: &Binding) -> Options {
    Options {
        include: binding.args.include.iter().map(Name::from).collect(),
        exclude: binding.args.exclude.iter().map(Name::from).collect(),
        streaming: binding.args.streaming.iter().map(Name::from).collect(),
        cache_file: None,
    }
}

/// `numpy, json` for messages.
pub fn bound(project: &Project) -> String {
    let keys: BTreeSet<String> = project.bindings.iter().map(|b| b.request.key()).collect();
    if keys.is_empty() {
        "nothing".to_string()
    } else {
        keys.into_iter().collect::<Vec<_>>().join(", ")
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// The request a command-line module name stands for (`numpy+linalg` spelling allowed).
pub fn request_for(name: &str) -> IntrospectRequest {
    IntrospectRequest::parse(name)
}
