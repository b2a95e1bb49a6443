//! [`CliError`] and the exit codes: what went wrong, what to do, and one code per kind so that
//! scripts can tell "the cache is out of date" from "the tool could not run".

use std::fmt;
use std::process::ExitCode;

use snakebridge_codegen::cache::CacheError;

/// Exit codes (also in `--help`).
pub mod code {
    /// Everything is fine.
    pub const OK: u8 = 0;
    /// `check`: the cache is out of date; `census`: a module is below `--min-typed`.
    pub const FINDINGS: u8 = 1;
    /// The command line is wrong (clap's own code).
    pub const USAGE: u8 = 2;
    /// The crate: no `Cargo.toml`, a source that does not parse, a malformed attribute, a
    /// module the crate does not bind.
    pub const PROJECT: u8 = 3;
    /// Python or the cache: no interpreter, an import or introspection failure, an unreadable
    /// or corrupt cache file.
    pub const PYTHON: u8 = 4;
}

/// A failure that stops a command.
#[derive(Debug)]
pub enum CliError {
    /// Something about the crate (exit code 3).
    Project(String),
    /// Python, introspection or the cache (exit code 4).
    Python(String),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Project(_) => code::PROJECT,
            CliError::Python(_) => code::PYTHON,
        })
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Project(m) | CliError::Python(m) => f.write_str(m),
        }
    }
}

impl From<CacheError> for CliError {
    fn from(e: CacheError) -> Self {
        CliError::Python(e.to_string())
    }
}
