//! The one rule that chooses the Python interpreter.
//!
//! The introspector (at compile time), the embedded client (which adopts the chosen
//! interpreter's packages) and the pool (which runs it as its workers) all call [`choose`], so a
//! program never introspects one Python and runs another:
//!
//! 1. `SNAKEBRIDGE_PYTHON`: an interpreter, typically a virtual environment's `bin/python`;
//! 2. else `PYO3_PYTHON` (the variable pyo3's build also reads);
//! 3. else `$VIRTUAL_ENV/bin/python` of an active virtual environment;
//! 4. else `python3` from `PATH`.
//!
//! Empty values count as unset.
//!
//! ```
//! use snakebridge_contract::interpreter::{choose, Source};
//! let env = |var: &str| match var {
//!     "PYO3_PYTHON" => Some("/opt/py/bin/python".into()),
//!     "VIRTUAL_ENV" => Some("/home/me/venv".into()),
//!     _ => None,
//! };
//! let chosen = choose(env);
//! assert_eq!(chosen.program, std::path::PathBuf::from("/opt/py/bin/python"));
//! assert_eq!(chosen.source, Source::Pyo3Python);
//! ```

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

/// Which setting chose the interpreter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// The `SNAKEBRIDGE_PYTHON` environment variable.
    SnakebridgePython,
    /// The `PYO3_PYTHON` environment variable.
    Pyo3Python,
    /// `$VIRTUAL_ENV/bin/python` of the active virtual environment.
    VirtualEnv,
    /// Nothing was configured: `python3` from `PATH`.
    Default,
}

impl Source {
    /// The environment variable behind this choice (`None` for [`Source::Default`]).
    pub fn variable(self) -> Option<&'static str> {
        match self {
            Source::SnakebridgePython => Some(SNAKEBRIDGE_PYTHON),
            Source::Pyo3Python => Some(PYO3_PYTHON),
            Source::VirtualEnv => Some(VIRTUAL_ENV),
            Source::Default => None,
        }
    }

    /// A short phrase for messages: `"from SNAKEBRIDGE_PYTHON"`.
    pub fn describe(self) -> &'static str {
        match self {
            Source::SnakebridgePython => "from SNAKEBRIDGE_PYTHON",
            Source::Pyo3Python => "from PYO3_PYTHON",
            Source::VirtualEnv => "from VIRTUAL_ENV",
            Source::Default => "default; set SNAKEBRIDGE_PYTHON to choose another",
        }
    }
}

/// `SNAKEBRIDGE_PYTHON`: the variable that names the interpreter first.
pub const SNAKEBRIDGE_PYTHON: &str = "SNAKEBRIDGE_PYTHON";
/// `PYO3_PYTHON`: the variable pyo3's build reads, second.
pub const PYO3_PYTHON: &str = "PYO3_PYTHON";
/// `VIRTUAL_ENV`: set by a virtual environment's `activate`, third.
pub const VIRTUAL_ENV: &str = "VIRTUAL_ENV";

/// Python that removes the current directory from `sys.path` when the interpreter put it there
/// for `-c` or `-` (stdin) code: every Python snakebridge starts (pool workers, the embedded
/// client's start-up probes, the introspector) begins with it, before its first import, so a
/// `json.py` planted in the working directory or the crate directory is never imported. Entries
/// the user configured (`PYTHONPATH`, `.pth` files) are kept.
///
/// It is one line, so it can be prefixed to `-c` code with `; `.
pub const ISOLATE_SYS_PATH: &str =
    "import sys; sys.path[:1] = [] if sys.path[:1] == [''] else sys.path[:1]";

/// `code` with [`ISOLATE_SYS_PATH`] run first.
pub fn isolated(code: &str) -> String {
    format!("{ISOLATE_SYS_PATH}\n{code}")
}

/// The chosen interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The program to run: a path, or a bare name looked up on `PATH`.
    pub program: PathBuf,
    /// Which setting chose it.
    pub source: Source,
    /// For [`Source::VirtualEnv`], the environment's directory.
    pub virtual_env: Option<PathBuf>,
}

impl fmt::Display for Choice {
    /// `/x/bin/python (from SNAKEBRIDGE_PYTHON)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.program.display(), self.source.describe())
    }
}

/// Chooses the interpreter from environment variables read through `lookup` (see the module
/// docs for the order).
pub fn choose(lookup: impl Fn(&str) -> Option<OsString>) -> Choice {
    let get = |key: &str| lookup(key).filter(|v| !v.is_empty());
    if let Some(p) = get(SNAKEBRIDGE_PYTHON) {
        return Choice {
            program: p.into(),
            source: Source::SnakebridgePython,
            virtual_env: None,
        };
    }
    if let Some(p) = get(PYO3_PYTHON) {
        return Choice {
            program: p.into(),
            source: Source::Pyo3Python,
            virtual_env: None,
        };
    }
    if let Some(venv) = get(VIRTUAL_ENV) {
        let venv = PathBuf::from(venv);
        let program = if cfg!(windows) {
            venv.join("Scripts").join("python.exe")
        } else {
            venv.join("bin").join("python")
        };
        return Choice {
            program,
            source: Source::VirtualEnv,
            virtual_env: Some(venv),
        };
    }
    Choice {
        program: if cfg!(windows) { "python" } else { "python3" }.into(),
        source: Source::Default,
        virtual_env: None,
    }
}

/// [`choose`] from this process's environment.
pub fn from_env() -> Choice {
    choose(|key| std::env::var_os(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> Choice {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        choose(move |key| {
            vars.iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn precedence_and_empty_values() {
        let all = [
            (SNAKEBRIDGE_PYTHON, "/a/python"),
            (PYO3_PYTHON, "/b/python"),
            (VIRTUAL_ENV, "/venv"),
        ];
        assert_eq!(with(&all).source, Source::SnakebridgePython);
        assert_eq!(with(&all[1..]).program, PathBuf::from("/b/python"));
        let venv = with(&all[2..]);
        assert_eq!(venv.program, PathBuf::from("/venv/bin/python"));
        assert_eq!(venv.virtual_env, Some(PathBuf::from("/venv")));
        assert_eq!(
            with(&[(SNAKEBRIDGE_PYTHON, ""), (PYO3_PYTHON, "/b")]).source,
            Source::Pyo3Python
        );
        assert_eq!(with(&[]).program, PathBuf::from("python3"));
        assert_eq!(with(&[]).source.variable(), None);
    }
}
