//! Python packages shipped inside a Rust crate and imported from memory.
//!
//! The pool's worker and the code generator's introspector are Python packages of several
//! modules, compiled into the Rust crates with `include_str!`. A child interpreter receives them
//! in environment variables ([`PythonPackage::environment`]: the JSON [`PythonPackage::payload`]
//! in chunks, since Linux refuses any one environment string over 128 KiB) and runs
//! [`PythonPackage::bootstrap`]
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
//! let env = PKG.environment("DEMO_SOURCES");
//! assert_eq!(env[0], ("DEMO_SOURCES".to_string(), "1".to_string()));
//! assert_eq!(env[1], ("DEMO_SOURCES_0".to_string(), payload));
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

/// The most bytes of the payload one environment variable carries: Linux refuses to start a
/// process with an environment string over `MAX_ARG_STRLEN` (32 pages, 128 KiB, the name
/// included), so a larger package travels in several.
pub const CHUNK_BYTES: usize = 96 * 1024;

/// A Python function, `_snakebridge_serve(sources, package)`, that serves `package`'s modules
/// from `sources` (module name to source) ahead of every path on `sys.path`: what the
/// [`bootstrap`](PythonPackage::bootstrap) runs, and what a process given the sources another
/// way runs too (`exec` it, then call the function: the pool's Ray actors do). It uses only
/// `importlib.machinery` (already loaded at start-up).
pub const INSTALLER: &str = r#"
def _snakebridge_serve(sources, package):
    import sys, importlib.machinery

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

/// The bootstrap's reading of the sources from the environment; `{var}` and `{entry}` are
/// filled in after it. It pops the variables, so the sources do not leak into the environment
/// of processes the package starts.
const FROM_ENVIRONMENT: &str = r#"
def _snakebridge_install(var, package):
    import json, os
    chunks = int(os.environ.pop(var))
    sources = json.loads("".join(os.environ.pop("%s_%d" % (var, i)) for i in range(chunks)))
    _snakebridge_serve(sources, package)
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

    /// The environment that carries the package to a child: `var` holds the number of chunks,
    /// `var_0`, `var_1`, ... the [`payload`](Self::payload) cut into pieces of at most
    /// [`CHUNK_BYTES`] (at character boundaries), which the bootstrap joins again.
    pub fn environment(&self, var: &str) -> Vec<(String, String)> {
        let payload = self.payload();
        let mut chunks = Vec::new();
        let mut rest = payload.as_str();
        while !rest.is_empty() {
            let mut end = rest.len().min(CHUNK_BYTES);
            while !rest.is_char_boundary(end) {
                end -= 1;
            }
            chunks.push(rest[..end].to_string());
            rest = &rest[end..];
        }
        let mut env = vec![(var.to_string(), chunks.len().to_string())];
        env.extend(
            chunks
                .into_iter()
                .enumerate()
                .map(|(i, chunk)| (format!("{var}_{i}"), chunk)),
        );
        env
    }

    /// A `-c` program that installs the package from the environment variables
    /// [`environment`](Self::environment) gives under `var`, and imports `entry` (a module of the package, which does the
    /// work at import or is run with `runpy`-like `__name__ == "__main__"` checks by the
    /// caller's own code appended after this one).
    ///
    /// Start it with [`crate::interpreter::isolated`] so the working directory is off
    /// `sys.path` too.
    pub fn bootstrap(&self, var: &str, entry: &str) -> String {
        let mut out = String::from(INSTALLER);
        out.push_str(FROM_ENVIRONMENT);
        let _ = write!(
            out,
            "_snakebridge_install({var:?}, {name:?})\ndel _snakebridge_install, _snakebridge_serve\nimport {entry}\n",
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

    #[test]
    fn a_large_package_travels_in_chunks_below_the_limit_that_join_to_its_payload() {
        // Over 128 KiB, with multi-byte characters at every chunk edge a byte split could hit.
        static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let source = SOURCE.get_or_init(|| "x = 'é€'\n".repeat(30_000));
        let package = PythonPackage {
            name: "big",
            modules: Box::leak(Box::new([("big", source.as_str())])),
        };
        let env = package.environment("BIG");
        let count: usize = env[0].1.parse().unwrap();
        assert!(count > 1, "{count} chunk(s)");
        assert_eq!(env.len(), count + 1);
        let mut joined = String::new();
        for (i, (name, chunk)) in env[1..].iter().enumerate() {
            assert_eq!(name, &format!("BIG_{i}"));
            assert!(name.len() + 1 + chunk.len() < 128 * 1024);
            joined.push_str(chunk);
        }
        assert_eq!(joined, package.payload());
    }
}
