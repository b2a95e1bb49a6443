//! The cache key: what is introspected ([`IntrospectRequest`]) and the file name it is stored
//! under.

use crate::python::sha256_hex;

/// What to introspect: a module and some of its submodules.
///
/// Submodules are relative (`"linalg"` for `numpy.linalg`), sorted and deduplicated, so that
/// `["linalg", "fft"]` and `["fft", "linalg"]` share one cache entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IntrospectRequest {
    /// The top module, e.g. `"numpy"`.
    pub module: String,
    /// Requested submodules, relative to `module`, sorted and deduplicated.
    pub submodules: Vec<String>,
}

impl IntrospectRequest {
    /// A request with its submodules normalised (sorted, deduplicated, empty names dropped).
    pub fn new<S: Into<String>>(
        module: impl Into<String>,
        submodules: impl IntoIterator<Item = S>,
    ) -> Self {
        let mut submodules: Vec<String> = submodules
            .into_iter()
            .map(Into::into)
            .filter(|s| !s.is_empty())
            .collect();
        submodules.sort();
        submodules.dedup();
        IntrospectRequest {
            module: module.into(),
            submodules,
        }
    }

    /// Parses the command-line form `numpy+linalg+fft` (the same spelling as the file name).
    pub fn parse(spec: &str) -> Self {
        let mut parts = spec.split('+');
        let module = parts.next().unwrap_or_default().to_string();
        Self::new(module, parts)
    }

    /// The human-readable key: `"numpy+linalg"`.
    pub fn key(&self) -> String {
        let mut key = self.module.clone();
        for s in &self.submodules {
            key.push('+');
            key.push_str(s);
        }
        key
    }

    /// The cache file name: `"numpy+linalg.json"`.
    ///
    /// Module names are dotted identifiers and cannot contain `+`, so the key is unique; any
    /// other character (or a very long key) is replaced and a short hash of the exact key is
    /// appended, so that distinct requests never share a file.
    pub fn file_name(&self) -> String {
        let key = self.key();
        // A leading dot would make a hidden file (and `..` a path component).
        let safe: String = key
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-') || (c == '.' && i > 0)
                {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let needs_hash = safe != key || safe.len() > 100;
        if needs_hash {
            let short: String = safe.chars().take(80).collect();
            let hash = &sha256_hex(key.as_bytes())[..10];
            format!("{short}-{hash}.json")
        } else {
            format!("{safe}.json")
        }
    }

    /// The fully qualified submodule names: `["numpy.linalg"]`.
    pub fn qualified_submodules(&self) -> Vec<String> {
        self.submodules
            .iter()
            .map(|s| format!("{}.{s}", self.module))
            .collect()
    }
}
