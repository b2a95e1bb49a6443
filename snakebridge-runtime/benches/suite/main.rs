//! The benchmark suite: every figure of the README's "Performance targets" table, each as a
//! ratio against its baseline measured in the same run, then one summary line per figure with
//! its target.
//!
//! ```text
//! cargo bench -p snakebridge-runtime --bench suite                 # everything (~3 min)
//! cargo bench -p snakebridge-runtime --bench suite -- call arrays  # only some groups
//! ```
//!
//! Groups: `call` (generated `math.sqrt` vs hand-written pyo3), `pool` (round trip, 2 vs 1
//! workers, an 80 MB array through shared memory), `callbacks` (a Rust callback's round trip,
//! embedded against a pyo3 closure and through the pool against its call round trip), `arrays`
//! (80 MB `numpy.sum`, embedded), `async` (`call_async` against blocking calls, pool and
//! embedded), `bindings` (cache-hit expansion of numpy, crate-only builds of numpy and sympy
//! bindings), `ray` (the pool on Ray: round trip against a direct actor call, 2 Ray workers vs
//! 1, an 80 MB array to a Ray worker; skipped without `ray`).
//! Python: `SNAKEBRIDGE_PYTHON` (else `$VIRTUAL_ENV/bin/python`, else `python3`) with numpy, as
//! `tests/run.sh` sets up. Under `cargo test` (no `--bench` argument) each group makes a tiny
//! smoke pass and the builds are skipped.
//!
//! The machine is shared and noisy: measurements alternate between a figure and its baseline in
//! rounds and compare medians, and targets are checked here, never by timed assertions in tests.

mod arrays;
#[cfg(unix)]
mod asynchronous;
mod bindings;
mod call;
mod callbacks;
#[cfg(unix)]
mod pipes;
#[cfg(unix)]
mod pool;
#[cfg(unix)]
mod ray;

use std::time::Duration;

/// One figure of the table.
pub struct Figure {
    /// What is measured (the table's first column).
    pub what: &'static str,
    /// The measurement, formatted with its unit.
    pub measured: String,
    /// The baseline measured in the same run, formatted, or what the target is absolute against.
    pub baseline: String,
    /// measured / baseline, when the target is a ratio.
    pub ratio: Option<f64>,
    /// The target, as the table states it.
    pub target: &'static str,
    /// Whether this run met it (`None`: a figure reported without a target).
    pub met: Option<bool>,
}

/// Sizes for a full run or a smoke pass.
#[derive(Clone, Copy)]
pub struct Mode {
    pub full: bool,
}

impl Mode {
    /// `full` in a real run, `smoke` under `cargo test`.
    pub fn pick<T>(self, full: T, smoke: T) -> T {
        if self.full { full } else { smoke }
    }
}

pub fn median<T: Copy + PartialOrd>(mut xs: Vec<T>) -> T {
    xs.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    xs[xs.len() / 2]
}

/// Runs `one(i)` for `i` in `0..warmup`, then for `i` in `0..calls`, timing each of the latter.
pub fn time_each(warmup: usize, calls: usize, mut one: impl FnMut(usize)) -> Vec<Duration> {
    (0..warmup).for_each(&mut one);
    (0..calls)
        .map(|i| {
            let t = std::time::Instant::now();
            one(i);
            t.elapsed()
        })
        .collect()
}

/// Profiling mode, e.g. under callgrind: when `SNAKEBRIDGE_BENCH_ONLY` names one of
/// `variants`, that variant and how many calls to make (`SNAKEBRIDGE_BENCH_CALLS`, else
/// `default_calls`); the group then runs only it and exits.
pub fn profiling(variants: &[&'static str], default_calls: usize) -> Option<(&'static str, usize)> {
    let only = std::env::var("SNAKEBRIDGE_BENCH_ONLY").ok()?;
    let variant = variants.iter().find(|v| **v == only)?;
    let calls = std::env::var("SNAKEBRIDGE_BENCH_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_calls);
    Some((variant, calls))
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = Mode {
        full: args.iter().any(|a| a == "--bench"),
    };
    let groups: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| groups.is_empty() || groups.contains(&name);

    let mut figures = Vec::new();
    if wanted("call") {
        figures.extend(call::run(mode));
    }
    #[cfg(unix)]
    if wanted("pool") {
        figures.extend(pool::run(mode));
    }
    if wanted("callbacks") {
        figures.extend(callbacks::run(mode));
    }
    if wanted("arrays") {
        figures.extend(arrays::run(mode));
    }
    #[cfg(unix)]
    if wanted("async") {
        figures.extend(asynchronous::run(mode));
    }
    if wanted("bindings") {
        figures.extend(bindings::run(mode));
    }
    #[cfg(unix)]
    if wanted("ray") {
        figures.extend(ray::run(mode));
    }

    println!();
    println!("summary ({} run):", mode.pick("full", "smoke"));
    for f in &figures {
        let ratio = f
            .ratio
            .map(|r| format!("{r:.2}x"))
            .unwrap_or_else(|| "-".into());
        println!(
            "  {:<52} {:>14}  vs {:<40} {:>7}  target {:<18} {}",
            f.what,
            f.measured,
            f.baseline,
            ratio,
            f.target,
            match f.met {
                Some(true) => "MET",
                Some(false) => "NOT MET",
                None => "-",
            }
        );
    }
}
