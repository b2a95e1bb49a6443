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
         fix: {fix}",
        fix = import_fix(.module, .python_type, .python_message)
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
         last lines of its stderr:\n{stderr_tail}\n  \
         fix: check that this interpreter is a working Python 3 (`<it> -c \"import sys; \
         print(sys.version)\"`), or point SNAKEBRIDGE_PYTHON at one"
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
    /// A cache file the lockfile does not pin, which could not be introspected again (offline,
    /// or Python could not introspect the module). Such a file is never used as it stands: the
    /// lockfile is what vouches for a committed cache file.
    #[error(
        "the introspection cache file {} for `{module}` is not pinned: {lockfile_state}; \
         nothing vouches for what it says (it may have been copied in or edited by hand), so it \
         is not used, and it cannot be introspected again: {why_not}\n  \
         fix: if the file is the one snakebridge wrote, restore the lockfile beside it from \
         version control; else build once with Python and `{module}` installed (SNAKEBRIDGE_OFFLINE \
         unset) to introspect it again and pin it, then commit the cache directory",
        .path.display()
    )]
    Unpinned {
        /// The request's key (`numpy+linalg`).
        module: String,
        /// The cache file that is not pinned.
        path: PathBuf,
        /// What the lockfile says: absent, empty, or pinning only other files.
        lockfile_state: String,
        /// Why it was not introspected again (offline mode, or the introspector's error).
        why_not: String,
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

/// What to do about a failed import: install the package only when it is missing; an import
/// that raised something else found the package and failed inside it.
fn import_fix(module: &str, python_type: &str, python_message: &str) -> String {
    let missing = python_type == "ModuleNotFoundError"
        && module
            .split('.')
            .scan(String::new(), |prefix, part| {
                if !prefix.is_empty() {
                    prefix.push('.');
                }
                prefix.push_str(part);
                Some(prefix.clone())
            })
            .any(|m| python_message.contains(&format!("'{m}'")));
    if missing {
        format!(
            "install the package that provides `{module}` into that interpreter (e.g. \
             `<python> -m pip install {}`), or set SNAKEBRIDGE_PYTHON to an interpreter that has it",
            top_level(module)
        )
    } else {
        format!(
            "`{module}` was found but raised {python_type} while importing (see the traceback): \
             fix what it needs (a dependency, its configuration or environment variables) so that \
             `python -c \"import {module}\"` works with that interpreter"
        )
    }
}

fn top_level(module: &str) -> &str {
    module.split('.').next().unwrap_or(module)
}

#[cfg(test)]
mod tests {
    use super::import_fix;

    #[test]
    fn install_is_suggested_only_for_a_missing_module() {
        let missing = import_fix(
            "numpy.linalg",
            "ModuleNotFoundError",
            "No module named 'numpy'",
        );
        assert!(missing.contains("pip install numpy"), "{missing}");
        // A missing *dependency* of an installed package is not "install numpy".
        let dependency = import_fix("pandas", "ModuleNotFoundError", "No module named 'pytz'");
        assert!(!dependency.contains("pip install pandas"), "{dependency}");
        let raised = import_fix("mypkg", "RuntimeError", "config file not found");
        assert!(raised.contains("raised RuntimeError"), "{raised}");
        assert!(!raised.contains("pip install"), "{raised}");
    }
}
