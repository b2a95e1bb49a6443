//! `cargo snakebridge check`: for CI. Exits 1 with a diff when the committed cache no longer
//! answers for the crate: a binding without a pin (an attribute added or changed), a cache file
//! that differs from its pin, another introspector, or another Python or library version than
//! the environment has; 0 otherwise.
//!
//! It starts no Python when files can tell: the lockfile, the cache files and the crate's
//! sources always can; the versions can when the interpreter is a virtual environment's (see
//! [`environment::read_from_files`]). Only otherwise is the interpreter asked, once, and never
//! with `--no-python` (the versions are then not compared, and the output says so).

use snakebridge_codegen::cache::LOCKFILE_NAME;
use snakebridge_codegen::python::Interpreter;

use crate::environment;
use crate::error::CliError;
use crate::project::Project;
use crate::staleness::{self, shown};

/// What `check` found.
pub enum Outcome {
    /// The cache answers for every binding.
    UpToDate,
    /// Something differs (the diff was printed).
    OutOfDate,
}

/// Runs the check and prints its report.
pub fn run(project: &Project, no_python: bool) -> Result<Outcome, CliError> {
    if project.bindings.is_empty() {
        println!(
            "no #[python_module] in {}: nothing to check",
            shown(&project.dir).display()
        );
        return Ok(Outcome::UpToDate);
    }
    // First what files alone tell: if they already show a difference, no Python is needed.
    let static_view = staleness::assess(project, None)?;
    let interpreter = Interpreter::from_env();
    let modules: Vec<String> = project
        .bindings
        .iter()
        .map(|b| b.request.module.clone())
        .collect();
    let files_differ = static_view.iter().any(|a| !a.differences.is_empty());
    let env = if files_differ || no_python {
        environment::read_from_files(&interpreter, &modules).ok()
    } else {
        environment::current(&interpreter, &modules, true)?
    };
    let assessments = staleness::assess(project, env.as_ref())?;
    let stale = assessments
        .iter()
        .filter(|a| !a.differences.is_empty())
        .count();
    let versions = match &env {
        Some(env) => format!("Python {}, {}", env.python_version, env.how),
        None => format!(
            "versions not compared: {} is not a virtual environment's and --no-python was given",
            interpreter.program.display()
        ),
    };
    if stale == 0 {
        println!(
            "the cache is up to date: {} binding(s) checked against {} ({versions})",
            assessments.len(),
            lockfiles(project)
        );
        return Ok(Outcome::UpToDate);
    }
    eprintln!(
        "error: the committed cache does not match the crate for {stale} of {} binding(s) \
         (- pinned in {LOCKFILE_NAME}, + now):\n",
        assessments.len()
    );
    eprint!("{}", staleness::render(&assessments));
    let relock = assessments
        .iter()
        .any(|a| a.differences.iter().any(|d| d.relock_fixes));
    eprintln!();
    if relock {
        eprintln!(
            "fix: run `cargo snakebridge lock` (it uses the {interpreter}) and commit {}",
            lockfiles(project)
        );
    } else {
        eprintln!("fix: correct the attribute(s) above");
    }
    Ok(Outcome::OutOfDate)
}

fn lockfiles(project: &Project) -> String {
    project
        .cache_dirs()
        .iter()
        .map(|d| shown(&d.join(LOCKFILE_NAME)).display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
