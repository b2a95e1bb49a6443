//! `cargo snakebridge`: manage what `#[snakebridge::python_module]` does outside a build.
//!
//! Installed with `cargo install --path snakebridge-macros/cli`, it runs as `cargo snakebridge
//! <command>` (cargo passes `snakebridge` as the first argument, which is dropped) or as
//! `cargo-snakebridge <command>`. Every command works on the crate around the working directory
//! (or `--manifest-path`) and uses the code generator's own library: the attribute parser, the
//! cache and lockfile, the introspector runner and the resolved model, so it sees exactly what
//! the macro sees.
//!
//! One file per command: [`lock`], [`check`], [`expand`], [`doctor`], [`census`]; [`project`]
//! finds the crate's attributes, [`staleness`] compares them with the cache, [`environment`]
//! reads the Python environment, [`stats`] counts bindings, [`error`] holds the exit codes.

mod census;
mod check;
mod doctor;
mod environment;
mod error;
mod expand;
mod lock;
mod project;
mod staleness;
mod stats;
mod stub_packages;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::code;
use crate::project::Project;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (check: the cache is up to date)
  1  check: the cache is out of date (the diff is printed); census: a module failed or is
     below --min-typed
  2  the command line is wrong
  3  the crate: no Cargo.toml, a source that does not parse, a malformed #[python_module]
  4  Python or the cache: no interpreter, an import or introspection failure, a damaged
     cache file

The interpreter is chosen as the macro chooses it: SNAKEBRIDGE_PYTHON, else PYO3_PYTHON, else
$VIRTUAL_ENV/bin/python, else python3 on PATH. SNAKEBRIDGE_CACHE_DIR overrides every cache
directory; SNAKEBRIDGE_OFFLINE=1 forbids running Python.";

/// Lock, check and inspect the Python bindings of a crate that uses snakebridge.
#[derive(Debug, Parser)]
#[command(
    name = "cargo-snakebridge",
    bin_name = "cargo snakebridge",
    version,
    after_help = EXIT_CODES,
    disable_help_subcommand = true
)]
struct Cli {
    /// Path to Cargo.toml [default: the nearest one above the working directory]
    #[arg(long, value_name = "PATH", global = true)]
    manifest_path: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Introspect what is missing or stale; write the cache and snakebridge.lock
    Lock {
        /// Introspect these modules again even if their cache is valid (all of them when none
        /// is named)
        #[arg(long, value_name = "MODULE", num_args = 0..)]
        refresh: Option<Vec<String>>,
    },
    /// Fail with a diff when the committed cache is out of date (for CI)
    ///
    /// Compares the cache with the crate's attributes, the introspector and the Python
    /// environment; exits 1 with a diff when they differ, 0 otherwise.
    Check {
        /// Never start Python: compare versions only when the interpreter's virtual environment
        /// can be read from disk
        #[arg(long)]
        no_python: bool,
    },
    /// Print a module's Rust API: signatures, optional arguments, docs
    Expand {
        /// The Python module (`numpy`, `numpy+linalg`) or the Rust module's name
        module: String,
        /// Print the generated code itself, pretty-printed
        #[arg(long)]
        full: bool,
    },
    /// Show the interpreter and why, package versions, stubs, cache health
    Doctor,
    /// Count modules' bindings and their typed share, with a CI threshold
    Census {
        /// Modules to count (default: the crate's bindings)
        modules: Vec<String>,
        /// Also count the modules listed in this file, one per line
        #[arg(long, value_name = "FILE")]
        modules_file: Option<PathBuf>,
        /// Cache directory for named modules [default: target/census/cache in the crate]
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
        /// Exit 1 when a module's share of typed parameters and returns is below PERCENT
        #[arg(long, value_name = "PERCENT")]
        min_typed: Option<f64>,
    },
}

/// The arguments without the `snakebridge` cargo inserts when run as `cargo snakebridge`.
fn arguments() -> Vec<OsString> {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "snakebridge") {
        args.remove(1);
    }
    args
}

/// Writes long output to stdout; a closed pipe (`| head`) ends the output quietly instead of
/// panicking as `print!` would.
pub fn write_stdout(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse_from(arguments()) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                code::USAGE
            } else {
                code::OK
            });
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

fn run(cli: Cli) -> Result<u8, error::CliError> {
    let project = Project::load(cli.manifest_path.as_deref())?;
    match cli.command {
        Command::Lock { refresh } => lock::run(&project, refresh.as_deref()).map(|()| code::OK),
        Command::Check { no_python } => Ok(match check::run(&project, no_python)? {
            check::Outcome::UpToDate => code::OK,
            check::Outcome::OutOfDate => code::FINDINGS,
        }),
        Command::Expand { module, full } => expand::run(&project, &module, full).map(|()| code::OK),
        Command::Doctor => doctor::run(&project).map(|()| code::OK),
        Command::Census {
            modules,
            modules_file,
            cache_dir,
            min_typed,
        } => {
            let args = census::Args {
                modules: &modules,
                modules_file: modules_file.as_deref(),
                cache_dir: cache_dir.as_deref(),
                min_typed,
            };
            Ok(match census::run(&project, &args)? {
                census::Outcome::Passed => code::OK,
                census::Outcome::Failed => code::FINDINGS,
            })
        }
    }
}
