//! Figures of what `#[python_module]` costs at compile time (README "Performance targets"):
//!
//! - cache-hit expansion of `numpy` (+ `linalg`) against the expansion of a one-function module
//!   (`math` with only `sqrt`: the macro's fixed cost; target ≤ 200 ms);
//! - crate-only build time and peak rustc memory of a crate binding numpy, and of one binding
//!   sympy, against a crate binding that one-function module, from a clean state (the crate's
//!   own artifacts removed, `CARGO_INCREMENTAL=0`, its dependencies built beforehand the same
//!   way, so only the crate is compiled: like the peer's clean build; targets: numpy
//!   ≤ 10 s, against the peer pyo3_bindgen's 50 s / 1.7 GB; sympy ≤ 60 s and ≤ 2 GB, where the
//!   peer ran out of memory), and incrementally after a comment is appended (reported beside).
//!   The peer itself is not rebuilt here: its figures are the table's.
//!
//! The table's `cargo doc` targets are not measured here.
//!
//! The expansion is timed by calling the macro's backend (`snakebridge-codegen`) in this
//! optimised binary; in a debug build the macro is as fast when build dependencies are
//! optimised (the workspace's `[profile.dev.build-override]`). The builds run cargo on scratch
//! crates under `target/bindings-bench`, against the committed cache (offline).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use proc_macro2::TokenStream;
use quote::quote;

use crate::{Figure, Mode, median, ms};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the runtime crate sits below the repository root")
        .to_path_buf()
}

fn time_expansion(attr: &TokenStream, rounds: usize) -> (Duration, TokenStream) {
    let mut out = TokenStream::new();
    let times = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            out = snakebridge_codegen::expand(
                attr.clone(),
                quote!(
                    pub mod bound {}
                ),
            );
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

/// A crate-only build, two ways.
struct Builds {
    /// From a clean state: the crate's own artifacts removed (`cargo clean -p`), with
    /// `CARGO_INCREMENTAL=0`, as the peer's figures were taken (the judged figure).
    clean: Build,
    /// Incremental: rebuilt after a comment was appended to its source (reported).
    incremental: Build,
}

/// Builds a scratch crate whose lib binds `attr` (dependencies first, not measured), then
/// builds that crate alone under `/usr/bin/time -v` for its wall time and rustc's peak memory:
/// incrementally after a comment is appended, and from a clean state.
fn crate_only_build(name: &str, attr: &str) -> Builds {
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
    let cargo = |program: &str, args: &[&str], command: &[&str]| {
        let mut c = Command::new(program);
        c.args(args)
            .arg(env!("CARGO"))
            .args(command)
            .current_dir(&dir)
            .env(
                "CARGO_TARGET_DIR",
                root.join("target/bindings-bench/target"),
            )
            .env("SNAKEBRIDGE_CACHE_DIR", root.join("cache"))
            .env("SNAKEBRIDGE_OFFLINE", "1");
        c
    };
    let lib = dir.join("src/lib.rs");
    let source = format!("#[snakebridge::python_module({attr})]\npub mod bound {{}}\n");
    std::fs::write(&lib, &source).unwrap();
    let build = ["build", "--quiet", "--lib"];
    // Each way, the dependencies are built first the same way (not measured): `CARGO_INCREMENTAL`
    // applies to every local crate, the snakebridge crates by path included, so a build that
    // switches it rebuilds them all, which is not the binding crate's own build.
    let prepare = |incremental: &str| {
        let status = cargo("env", &[], &build)
            .env("CARGO_INCREMENTAL", incremental)
            .status()
            .unwrap();
        assert!(status.success(), "building {name} failed");
    };
    prepare("0");
    let package = format!("bench-{name}");
    let status = cargo("env", &[], &["clean", "--quiet", "-p", &package])
        .status()
        .unwrap();
    assert!(status.success(), "cleaning {name} failed");
    let mut clean = cargo("/usr/bin/time", &["-v"], &build);
    clean.env("CARGO_INCREMENTAL", "0");
    let clean = timed_build(clean);
    prepare("1");
    std::fs::write(&lib, format!("{source}// rebuilt\n")).unwrap();
    let mut incremental = cargo("/usr/bin/time", &["-v"], &build);
    incremental.env("CARGO_INCREMENTAL", "1");
    Builds {
        clean,
        incremental: timed_build(incremental),
    }
}

/// Runs a build under `/usr/bin/time -v`: its wall time and rustc's peak memory.
fn timed_build(mut command: Command) -> Build {
    let start = Instant::now();
    let out = command.output().expect("/usr/bin/time runs");
    let wall = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
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

pub fn run(mode: Mode) -> Vec<Figure> {
    // SAFETY: single-threaded at this point of the suite.
    unsafe {
        std::env::set_var("SNAKEBRIDGE_CACHE_DIR", repo_root().join("cache"));
        std::env::set_var("SNAKEBRIDGE_OFFLINE", "1");
    }
    let tiny = quote!("math", include = ["sqrt"]);
    let numpy = quote!("numpy", submodules = ["linalg"]);
    let rounds = mode.pick(11, 1);
    let (t_tiny, _) = time_expansion(&tiny, rounds);
    let (t_numpy, numpy_tokens) = time_expansion(&numpy, rounds);
    println!("[bindings] cache-hit expansion (median of {rounds}), optimised macro code");
    println!("  one-function module (baseline) : {:8.1} ms", ms(t_tiny));
    println!(
        "  numpy + linalg                 : {:8.1} ms  ({:.0}x the baseline)",
        ms(t_numpy),
        ms(t_numpy) / ms(t_tiny)
    );
    let mut figures = vec![Figure {
        what: "cache-hit expansion of numpy (+linalg)",
        measured: format!("{:.0} ms", ms(t_numpy)),
        baseline: format!("one-function module {:.1} ms", ms(t_tiny)),
        ratio: Some(ms(t_numpy) / ms(t_tiny)),
        target: "<= 200 ms",
        met: Some(ms(t_numpy) <= 200.0),
    }];
    if !mode.full {
        return figures;
    }
    let (t_sympy, sympy_tokens) = time_expansion(&quote!("sympy"), rounds);
    println!("  sympy                          : {:8.1} ms", ms(t_sympy));
    println!(
        "  expansion size, pretty-printed lines with docs: numpy+linalg {}, sympy {}",
        lines(numpy_tokens),
        lines(sympy_tokens)
    );

    println!("[bindings] crate-only builds (the binding crate alone, dependencies prebuilt)");
    let base = crate_only_build("tiny", "\"math\", include = [\"sqrt\"]");
    let np = crate_only_build("numpy", "\"numpy\", submodules = [\"linalg\"]");
    let sp = crate_only_build("sympy", "\"sympy\"");
    for (name, b) in [
        ("one-function module (baseline)", &base),
        ("numpy + linalg", &np),
        ("sympy", &sp),
    ] {
        for (how, one, of_base) in [
            ("clean", &b.clean, &base.clean),
            ("incremental", &b.incremental, &base.incremental),
        ] {
            println!(
                "  {name:<30} {how:<11} : {:6.2} s  {:6.0} MB peak  ({:.1}x the baseline's time)",
                one.wall.as_secs_f64(),
                one.max_rss_mb,
                one.wall.as_secs_f64() / of_base.wall.as_secs_f64()
            );
        }
    }
    for (what, b, of_base) in [
        (
            "crate-only build of numpy bindings, incremental (a comment appended)",
            &np.incremental,
            &base.incremental,
        ),
        (
            "crate-only build of sympy bindings, incremental (a comment appended)",
            &sp.incremental,
            &base.incremental,
        ),
    ] {
        figures.push(Figure {
            what,
            measured: format!("{:.2} s {:.0} MB", b.wall.as_secs_f64(), b.max_rss_mb),
            baseline: format!(
                "one-function crate, incremental {:.2} s",
                of_base.wall.as_secs_f64()
            ),
            ratio: Some(b.wall.as_secs_f64() / of_base.wall.as_secs_f64()),
            target: "(reported)",
            met: None,
        });
    }
    // The judged figures: clean builds, as the peer's were.
    let (base, np, sp) = (base.clean, np.clean, sp.clean);
    let baseline = format!("one-function crate, clean {:.2} s", base.wall.as_secs_f64());
    figures.push(Figure {
        what: "crate-only build of numpy bindings, clean (CARGO_INCREMENTAL=0; peer: 50 s clean)",
        measured: format!("{:.2} s {:.0} MB", np.wall.as_secs_f64(), np.max_rss_mb),
        baseline: baseline.clone(),
        ratio: Some(np.wall.as_secs_f64() / base.wall.as_secs_f64()),
        target: "<= 10 s",
        met: Some(np.wall.as_secs_f64() <= 10.0),
    });
    figures.push(Figure {
        what: "crate-only build of sympy bindings, clean (CARGO_INCREMENTAL=0; peer: OOM)",
        measured: format!("{:.2} s {:.0} MB", sp.wall.as_secs_f64(), sp.max_rss_mb),
        baseline,
        ratio: Some(sp.wall.as_secs_f64() / base.wall.as_secs_f64()),
        target: "<= 60 s, <= 2 GB",
        met: Some(sp.wall.as_secs_f64() <= 60.0 && sp.max_rss_mb <= 2048.0),
    });
    figures
}
