//! Runs Python over the pool worker's package loaded exactly as a worker loads it (the crate's
//! own module list, `python/package.rs`, and the contract's bootstrap), without starting a
//! worker: for tests of the package itself.

#![allow(dead_code)]

use std::process::{Command, ExitStatus};

#[path = "../../python/package.rs"]
mod package;

use package::{WORKER_PACKAGE, WORKER_SOURCES_VAR};

/// What a run printed (stdout then stderr) and how it ended.
pub struct Run {
    pub status: ExitStatus,
    pub text: String,
}

/// The names of the package's modules.
pub fn worker_module_names() -> Vec<&'static str> {
    WORKER_PACKAGE
        .modules
        .iter()
        .map(|(name, _)| *name)
        .collect()
}

/// Runs `program` with the package installed (its `__init__` imported), in the interpreter the
/// contract's rule chooses, from a directory with nothing importable in it, with `env` set.
pub fn run_worker_package(program: &str, env: &[(&str, String)]) -> Run {
    let python = snakebridge_contract::interpreter::from_env().program;
    let code = snakebridge_contract::interpreter::isolated(&format!(
        "{}\n{program}",
        WORKER_PACKAGE.bootstrap(WORKER_SOURCES_VAR, WORKER_PACKAGE.name)
    ));
    let mut cmd = Command::new(&python);
    cmd.arg("-c")
        .arg(code)
        .envs(WORKER_PACKAGE.environment(WORKER_SOURCES_VAR))
        .current_dir(std::env::temp_dir());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    Run {
        status: out.status,
        text: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}
