//! Benchmarks of what `#[python_module]` costs at compile time, each printed against a baseline
//! measured in the same run:
//!
//! 1. expansion time of `numpy` (+ `linalg`) and `sympy` on a cache hit, against the expansion of
//!    a tiny module (`math`'s `sqrt` alone) — target: numpy ≤ 200 ms;
//! 2. lines of the (pretty-printed) expansion of numpy and sympy;
//! 3. crate-only build time and peak rustc memory of a crate binding numpy, and one binding sympy,
//!    against a crate binding that tiny module — targets: numpy ≤ 10 s; sympy ≤ 60 s, ≤ 2 GB.
//!
//! `cargo bench -p snakebridge-codegen --bench bindings` runs all three (part 3 builds scratch
//! crates under `target/bindings-bench` with cargo). Under `cargo test` only a smoke pass of part 1
//! runs. The expansion here runs in an optimised build; the macro in a debug build is as fast
//! when the workspace optimises build dependencies (see the root `Cargo.toml`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use proc_macro2::TokenStream;
use quote::quote;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("backend crate sits two levels below the repository root")
        .to_path_buf()
}

fn expand(attr: TokenStream) -> TokenStream {
    snakebridge_codegen::expand(
        attr,
        quote!(
            pub mod bound {}
        ),
    )
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn time_expansion(attr: &TokenStream, rounds: usize) -> (Duration, TokenStream) {
    let mut out = TokenStream::new();
    let times = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            out = expand(attr.clone());
            start.elapsed()
        })
        .collect();
    (median(times), out)
}

fn lines(tokens: TokenStream) -> usize {
    let file: syn::File = syn::parse2(tokens).expect("the expansion parses as a file");
    prettyplease::unparse(&file).lines().count()
}

struct Build {
    wall: Duration,
    max_rss_mb: f64,
}

/// Builds a scratch crate whose lib binds `attr`, then rebuilds only that crate and measures it.
fn crate_only_build(name: &str, attr: &str) -> Build {
    let root = repo_root();
    let dir = root.join("target/bindings-bench").join(name);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"bench-{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
             [dependencies]\nsnakebridge = {{ path = \"{}\" }}\n\n[workspace]\n",
            root.display()
        ),
    )
    .unwrap();
    let lib = dir.join("src/lib.rs");
    let source = format!("#[snakebridge::python_module({attr})]\npub mod bound {{}}\n");
    let cargo = |dir: &Path| {
        let mut c = Command::new(env!("CARGO"));
        c.current_dir(dir)
            .args(["build", "--quiet", "--lib"])
            .env(
                "CARGO_TARGET_DIR",
                root.join("target/bindings-bench/target"),
            )
            .env("SNAKEBRIDGE_CACHE_DIR", root.join("cache"))
            .env("SNAKEBRIDGE_OFFLINE", "1");
        c
    };
    std::fs::write(&lib, &source).unwrap();
    // Dependencies first (not measured).
    let status = cargo(&dir).status().unwrap();
    assert!(status.success(), "building {name} failed");
    // Then the crate alone: touch it and rebuild under /usr/bin/time for rustc's peak memory.
    std::fs::write(&lib, format!("{source}// rebuilt\n")).unwrap();
    let start = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO"))
        .args(["build", "--quiet", "--lib"])
        .current_dir(&dir)
        .env(
            "CARGO_TARGET_DIR",
            root.join("target/bindings-bench/target"),
        )
        .env("SNAKEBRIDGE_CACHE_DIR", root.join("cache"))
        .env("SNAKEBRIDGE_OFFLINE", "1")
        .output()
        .expect("/usr/bin/time runs");
    let wall = start.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let max_rss_kb: f64 = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN);
    Build {
        wall,
        max_rss_mb: max_rss_kb / 1024.0,
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    // SAFETY: single-threaded at this point.
    unsafe { std::env::set_var("SNAKEBRIDGE_CACHE_DIR", repo_root().join("cache")) };
    unsafe { std::env::set_var("SNAKEBRIDGE_OFFLINE", "1") };

    let tiny = quote!("math", include = ["sqrt"]);
    let numpy = quote!("numpy", submodules = ["linalg"]);
    let sympy = quote!("sympy");
    let rounds = if full { 11 } else { 1 };

    let (t_tiny, _) = time_expansion(&tiny, rounds);
    let (t_numpy, numpy_tokens) = time_expansion(&numpy, rounds);
    println!("cache-hit expansion (median of {rounds}), optimised macro code:");
    println!(
        "  tiny module (baseline) : {:8.1} ms",
        t_tiny.as_secs_f64() * 1e3
    );
    println!(
        "  numpy + linalg         : {:8.1} ms  ({:.0}x the baseline)",
        t_numpy.as_secs_f64() * 1e3,
        t_numpy.as_secs_f64() / t_tiny.as_secs_f64()
    );
    if !full {
        return;
    }
    let (t_sympy, sympy_tokens) = time_expansion(&sympy, rounds);
    println!(
        "  sympy                  : {:8.1} ms  ({:.0}x the baseline)",
        t_sympy.as_secs_f64() * 1e3,
        t_sympy.as_secs_f64() / t_tiny.as_secs_f64()
    );
    println!("expansion size (pretty-printed lines, docs included):");
    println!("  numpy + linalg         : {:8}", lines(numpy_tokens));
    println!("  sympy                  : {:8}", lines(sympy_tokens));

    println!("crate-only builds (cargo build of the binding crate alone, deps prebuilt):");
    let base = crate_only_build("tiny", "\"math\", include = [\"sqrt\"]");
    println!(
        "  tiny module (baseline) : {:6.2} s  {:7.0} MB peak",
        base.wall.as_secs_f64(),
        base.max_rss_mb
    );
    let np = crate_only_build("numpy", "\"numpy\", submodules = [\"linalg\"]");
    println!(
        "  numpy + linalg         : {:6.2} s  {:7.0} MB peak  ({:.1}x time of baseline)",
        np.wall.as_secs_f64(),
        np.max_rss_mb,
        np.wall.as_secs_f64() / base.wall.as_secs_f64()
    );
    let sp = crate_only_build("sympy", "\"sympy\"");
    println!(
        "  sympy                  : {:6.2} s  {:7.0} MB peak  ({:.1}x time of baseline)",
        sp.wall.as_secs_f64(),
        sp.max_rss_mb,
        sp.wall.as_secs_f64() / base.wall.as_secs_f64()
    );
    println!(
        "summary: numpy expansion {:.0} ms (target <= 200 ms) {}; numpy build {:.1} s (target <= 10 s) {}; \
         sympy build {:.1} s, {:.0} MB (target <= 60 s, <= 2048 MB) {}",
        t_numpy.as_secs_f64() * 1e3,
        if t_numpy.as_millis() <= 200 {
            "MET"
        } else {
            "NOT MET"
        },
        np.wall.as_secs_f64(),
        if np.wall.as_secs() < 10 {
            "MET"
        } else {
            "NOT MET"
        },
        sp.wall.as_secs_f64(),
        sp.max_rss_mb,
        if sp.wall.as_secs() < 60 && sp.max_rss_mb <= 2048.0 {
            "MET"
        } else {
            "NOT MET"
        },
    );
}
