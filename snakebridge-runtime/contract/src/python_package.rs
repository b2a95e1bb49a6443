//! Python packages shipped inside a Rust crate and imported from memory.
//!
//! The pool's worker and the code generator's introspector are Python packages of several
//! modules, compiled into the Rust crates with `include_str!`. A child interpreter receives them
//! in one environment variable ([`PythonPackage::payload`]) and runs [`PythonPackage::bootstrap`]
//! as its `-c` program: it puts a finder first on `sys.meta_path` that serves the package's
//! modules from that variable, so nothing on disk (the working directory, a planted
//! `snakebridge_worker/` folder, a user's `PYTHONPATH`) can shadow them, no file is written, and
//! a killed process leaves nothing behind. Tracebacks name the files as `<package>/<module>.py`.
//!
//! ```
//! use snakebridge_contract::python_package::PythonPackage;
//!
//! const PKG: PythonPackage = PythonPackage {
//!     name: "demo",
//!     modules: &[("demo", "X = 1"), ("demo.util", "from demo import X\nY = X + 1")],
//! };
//! let payload = PKG.payload();
//! assert!(payload.starts_with("{\"demo\":"));
//! let program = PKG.bootstrap("DEMO_SOURCES", "demo.util");
//! assert!(program.contains("DEMO_SOURCES") && program.contains("demo.util"));
//! ```

use std::fmt::Write as _;

/// A package: its top-level name and each module's source, the package itself (`name`, its
/// `__init__`) included.
#[derive(Debug, Clone, Copy)]
pub struct PythonPackage {
    /// The package's import name (`snakebridge_worker`).
    pub name: &'static str,
    /// `(dotted module name, source)` for every module, the package's own `__init__` under
    /// `name`.
    pub modules: &'static [(&'static str, &'static str)],
}

/// The finder the bootstrap installs; `{var}` and `{entry}` are filled in. It uses only
/// `importlib.machinery` (already loaded at start-up) and pops the variable, so the sources do
/// not leak into the environment of processes the package starts.
const BOOTSTRAP: &str = r#"
def _snakebridge_install(var, package):
    import json, os, sys, importlib.machinery
    sources = json.loads(os.environ.pop(var))

    class _Finder:
        # Serves the package's modules from memory, ahead of every path on sys.path.
        @staticmethod
        def find_spec(fullname, path=None, target=None):
            if fullname not in sources:
                return None
            spec = importlib.machinery.ModuleSpec(fullname, _Finder, is_package=fullname == package)
            spec.has_location = False
            return spec

        @staticmethod
        def create_module(spec):
            return None

        @staticmethod
        def exec_module(module):
            name = module.__name__
            filename = name.replace(".", "/") + ("/__init__.py" if name == package else ".py")
            module.__file__ = filename
            exec(compile(sources[name], filename, "exec"), module.__dict__)

    sys.meta_path.insert(0, _Finder)
"#;

impl PythonPackage {
    /// The value of the environment variable the bootstrap reads: a JSON object from module
    /// name to source.
    pub fn payload(&self) -> String {
        let mut out = String::with_capacity(self.modules.iter().map(|(_, s)| s.len() + 64).sum());
        out.push('{');
        for (i, (name, source)) in self.modules.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_string(&mut out, name);
            out.push(':');
            json_string(&mut out, source);
        }
        out.push('}');
        out
    }

    /// A `-c` program that installs the package from the environment variable `var` (holding
    /// [`payload`](Self::payload)) and imports `entry` (a module of the package, which does the
    /// work at import or is run with `runpy`-like `__name__ == "__main__"` checks by the
    /// caller's own code appended after this one).
    ///
    /// Start it with [`crate::interpreter::isolated`] so the working directory is off
    /// `sys.path` too.
    pub fn bootstrap(&self, var: &str, entry: &str) -> String {
        let mut out = String::from(BOOTSTRAP);
        let _ = write!(
            out,
            "_snakebridge_install({var:?}, {name:?})\ndel _snakebridge_install\nimport {entry}\n",
            name = self.name
        );
        out
    }
}

/// Appends `s` as a JSON string literal.
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_escapes_what_json_requires() {
        const P: PythonPackage = PythonPackage {
            name: "p",
            modules: &[("p", "a = \"q\\\\\"\n\tb = '\u{1}'")],
        };
        assert_eq!(P.payload(), r#"{"p":"a = \"q\\\\\"\n\tb = '\u0001'"}"#);
    }
}
