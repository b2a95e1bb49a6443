//! What the environment asks of the cache: where it is (`SNAKEBRIDGE_CACHE_DIR`), whether to
//! refresh (`SNAKEBRIDGE_REFRESH`), whether Python may run at all (`SNAKEBRIDGE_OFFLINE`), which
//! interpreter and how long it may take.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::IntrospectRequest;
use crate::python::{self, Interpreter};

/// Which requests `SNAKEBRIDGE_REFRESH` forces to be introspected again.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Refresh {
    /// Use the cache (the default).
    #[default]
    No,
    /// Refresh everything (`SNAKEBRIDGE_REFRESH=1`, `true`, `yes`, `all`).
    All,
    /// Refresh only these modules or keys (`SNAKEBRIDGE_REFRESH=numpy,json`).
    Only(Vec<String>),
}

impl Refresh {
    /// Parses the value of `SNAKEBRIDGE_REFRESH`.
    pub fn parse(value: &str) -> Self {
        let v = value.trim();
        match v.to_ascii_lowercase().as_str() {
            "" | "0" | "false" | "no" | "off" => Refresh::No,
            "1" | "true" | "yes" | "on" | "all" => Refresh::All,
            _ => Refresh::Only(
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            ),
        }
    }

    /// Whether `req` is to be refreshed.
    pub fn applies_to(&self, req: &IntrospectRequest) -> bool {
        match self {
            Refresh::No => false,
            Refresh::All => true,
            Refresh::Only(list) => list.iter().any(|s| *s == req.module || *s == req.key()),
        }
    }
}

/// How [`load_or_introspect_with`](super::load_or_introspect_with) behaves; [`CacheOptions::from_env`] reads the environment.
#[derive(Debug, Clone)]
pub struct CacheOptions {
    /// Force re-introspection (`SNAKEBRIDGE_REFRESH`).
    pub refresh: Refresh,
    /// Never run Python; a miss is an error (`SNAKEBRIDGE_OFFLINE=1`).
    pub offline: bool,
    /// The interpreter to use on a miss.
    pub interpreter: Interpreter,
    /// Introspection timeout (`SNAKEBRIDGE_INTROSPECT_TIMEOUT`).
    pub timeout: Duration,
}

impl CacheOptions {
    /// Options from `SNAKEBRIDGE_REFRESH`, `SNAKEBRIDGE_OFFLINE`, the interpreter variables
    /// (see [`Interpreter::from_env`]) and `SNAKEBRIDGE_INTROSPECT_TIMEOUT`.
    pub fn from_env() -> Self {
        CacheOptions {
            refresh: std::env::var("SNAKEBRIDGE_REFRESH")
                .map(|v| Refresh::parse(&v))
                .unwrap_or_default(),
            offline: std::env::var("SNAKEBRIDGE_OFFLINE")
                .map(|v| env_flag(&v))
                .unwrap_or(false),
            interpreter: Interpreter::from_env(),
            timeout: python::introspect_timeout(),
        }
    }
}

fn env_flag(v: &str) -> bool {
    !matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off"
    )
}

/// The cache directory: `SNAKEBRIDGE_CACHE_DIR` if set, else `explicit` (the macro's
/// `cache = "..."`), else `<manifest_dir>/cache`. Relative paths are relative to `manifest_dir`,
/// because rustc's working directory varies (workspace root or package directory).
pub fn resolve_cache_dir(manifest_dir: &Path, explicit: Option<&Path>) -> PathBuf {
    let env = std::env::var_os("SNAKEBRIDGE_CACHE_DIR").filter(|v| !v.is_empty());
    resolve_cache_dir_with(manifest_dir, explicit, env.as_deref().map(Path::new))
}

/// [`resolve_cache_dir`] with the environment override passed explicitly.
pub fn resolve_cache_dir_with(
    manifest_dir: &Path,
    explicit: Option<&Path>,
    env_override: Option<&Path>,
) -> PathBuf {
    match env_override.or(explicit) {
        Some(p) if p.is_absolute() => p.to_path_buf(),
        Some(p) => manifest_dir.join(p),
        None => manifest_dir.join("cache"),
    }
}
