//! Fills an introspection cache without going through the macro.
//!
//! ```text
//! SNAKEBRIDGE_PYTHON=target/py-venv/bin/python \
//!   cargo run -p snakebridge-codegen --example fill-cache -- \
//!   json math os.path pathlib collections statistics numpy+linalg sympy
//! ```
//!
//! Each argument is a cache key: a module, then `+submodule` for each submodule. Options:
//!
//! - `--cache-dir DIR`: where to write (default: `SNAKEBRIDGE_CACHE_DIR`, else the workspace's
//!   `cache/`);
//! - `--refresh`: introspect even when the cache is valid (like `SNAKEBRIDGE_REFRESH=1`);
//! - `--module-json DIR`: also write each result's `ModuleInfo` alone, pretty-printed, to
//!   `DIR/<key>.json` (the codegen golden-test fixtures).
//!
//! The interpreter is chosen as the macro chooses it (`SNAKEBRIDGE_PYTHON`, `PYO3_PYTHON`,
//! `VIRTUAL_ENV`, `python3`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use snakebridge_codegen::cache::{
    CacheOptions, IntrospectRequest, Refresh, load_or_introspect_with, resolve_cache_dir,
};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut cache_dir: Option<PathBuf> = None;
    let mut module_json: Option<PathBuf> = None;
    let mut opts = CacheOptions::from_env();
    let mut specs = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--cache-dir" => cache_dir = args.next().map(PathBuf::from),
            "--module-json" => module_json = args.next().map(PathBuf::from),
            "--refresh" => opts.refresh = Refresh::All,
            "-h" | "--help" => {
                eprintln!(
                    "usage: fill-cache [--cache-dir DIR] [--refresh] [--module-json DIR] \
                     MODULE[+SUBMODULE...]..."
                );
                return ExitCode::SUCCESS;
            }
            _ => specs.push(arg),
        }
    }
    if specs.is_empty() {
        eprintln!("fill-cache: name at least one module, e.g. `json` or `numpy+linalg`");
        return ExitCode::FAILURE;
    }
    // The workspace root is two levels above this crate.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let workspace = workspace.canonicalize().unwrap_or(workspace);
    let dir = resolve_cache_dir(&workspace, cache_dir.as_deref());
    eprintln!("cache directory: {}", dir.display());
    eprintln!("{}", opts.interpreter);

    let mut failed = false;
    for spec in specs {
        let req = IntrospectRequest::parse(&spec);
        let started = Instant::now();
        match load_or_introspect_with(&req, &dir, &opts) {
            Ok(loaded) => {
                let size = std::fs::metadata(&loaded.path)
                    .map(|m| m.len())
                    .unwrap_or(0);
                let m = &loaded.module;
                let count = |m: &snakebridge_codegen::model::ModuleInfo| {
                    (m.functions.len(), m.classes.len(), m.constants.len())
                };
                let (mut f, mut c, mut k) = count(m);
                for s in &m.submodules {
                    let (sf, sc, sk) = count(s);
                    f += sf;
                    c += sc;
                    k += sk;
                }
                println!(
                    "{:<24} {} in {:>6.2} s  {:>9} bytes  {f} functions, {c} classes, {k} \
                     constants  (Python {}, {} {})  -> {}",
                    req.key(),
                    if loaded.hit { "hit " } else { "miss" },
                    started.elapsed().as_secs_f64(),
                    size,
                    loaded.python_version,
                    req.module,
                    loaded.library_version.as_deref().unwrap_or("stdlib"),
                    loaded.path.display(),
                );
                if let Some(reason) = &loaded.miss_reason {
                    println!("    introspected because {reason}");
                }
                for w in &loaded.warnings {
                    println!("    warning: {w}");
                }
                if let Some(out) = &module_json {
                    let path = out.join(format!("{}.json", req.key()));
                    let mut text =
                        serde_json::to_string_pretty(&loaded.module).expect("serialises");
                    text.push('\n');
                    if let Err(e) =
                        std::fs::create_dir_all(out).and_then(|_| std::fs::write(&path, text))
                    {
                        eprintln!("cannot write {}: {e}", path.display());
                        failed = true;
                    }
                }
            }
            Err(e) => {
                eprintln!("{}: {e}", req.key());
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
