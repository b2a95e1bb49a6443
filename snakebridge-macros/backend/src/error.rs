//! [`CacheError`]: everything that can go wrong while loading or filling the introspection cache,
//! introspection itself included.
//!
//! It is its own module so that both the cache (which runs the introspector on a miss) and the
//! introspector's runner (`python`) can name it without depending on each other both ways.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while loading or filling the cache. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// Python could not import the module (or a requested submodule).
    #[error(
        "Python could not import `{module}`: {python_type}: {python_message}\n  \
         using {interpreter}\n  \
         fix: install the package that provides `{module}` into that interpreter \
         (e.g. `<python> -m pip install {top}`), or set SNAKEBRIDGE_PYTHON to an interpreter \
         that has it",
        top = top_level(.module)
    )]
    ImportFailed {
        /// The module that failed to import (`numpy.linalg` for a failing submodule).
        module: String,
        /// The Python exception class, e.g. `ModuleNotFoundError`.
        python_type: String,
        /// The exception's message, e.g. `No module named 'numpy'`.
        python_message: String,
        /// Python's traceback text.
        traceback: String,
        /// The interpreter, as [`Interpreter`](crate::python::Interpreter)'s `Display`.
        interpreter: String,
    },
    /// The interpreter could not be started.
    #[error(
        "cannot run Python to introspect `{module}`: {reason}\n  \
         tried {interpreter}\n  \
         fix: install Python 3 or set SNAKEBRIDGE_PYTHON to its path; or fill the cache once on \
         a machine with Python and commit it (a cache hit needs no Python)"
    )]
    PythonNotFound {
        /// The interpreter that was tried.
        interpreter: String,
        /// The module being introspected.
        module: String,
        /// The OS error.
        reason: String,
    },
    /// The introspector died or printed something that is not its JSON answer.
    #[error(
        "the snakebridge introspector failed while introspecting `{module}` ({status})\n  \
         using {interpreter}\n  \
         last lines of its stderr:\n{stderr_tail}"
    )]
    IntrospectorCrashed {
        /// The interpreter used.
        interpreter: String,
        /// The module being introspected.
        module: String,
        /// Exit status or other description of what went wrong.
        status: String,
        /// The end of the process's stderr (or Python's traceback).
        stderr_tail: String,
    },
    /// The introspector did not finish in time.
    #[error(
        "introspecting `{module}` took longer than {seconds} s and was stopped\n  \
         using {interpreter}\n  \
         fix: raise SNAKEBRIDGE_INTROSPECT_TIMEOUT (seconds) if the import is just slow\n\
         {stderr_tail}"
    )]
    Timeout {
        /// The interpreter used.
        interpreter: String,
        /// The module being introspected.
        module: String,
        /// The timeout that was exceeded.
        seconds: f64,
        /// The end of the process's stderr.
        stderr_tail: String,
    },
    /// Offline mode and no usable cache entry.
    #[error(
        "no usable introspection cache for `{module}` ({reason}) and SNAKEBRIDGE_OFFLINE is set\n  \
         expected: {}\n  \
         fix: run `cargo build` once with Python and `{module}` installed (and SNAKEBRIDGE_OFFLINE \
         unset) to fill the cache, then commit the cache directory",
        .path.display()
    )]
    OfflineMiss {
        /// The request's key (`numpy+linalg`).
        module: String,
        /// The cache file that would have answered.
        path: PathBuf,
        /// Why it did not (missing, stale, ...).
        reason: String,
    },
    /// A cache file or the lockfile is damaged or was edited by hand.
    #[error(
        "corrupt snakebridge cache file {}: {reason}\n  \
         fix: delete it, or rebuild with SNAKEBRIDGE_REFRESH=1 to introspect again",
        .path.display()
    )]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A file-system operation failed.
    #[error("snakebridge cache: cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done ("read", "write", "lock", ...).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

fn top_level(module: &str) -> &str {
    module.split('.').next().unwrap_or(module)
}
