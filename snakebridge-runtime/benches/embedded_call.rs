//! Runtime benchmark: per-call cost of `math.sqrt(x)` through snakebridge against hand-written
//! pyo3 with a cached callable, measured in the same run, and their ratio (target ≤ 1.5×).
//!
//! `cargo bench -p snakebridge-runtime --bench embedded_call` runs it in full; `cargo test` runs a quick smoke pass.
//! Rounds alternate between the two so machine noise hits both alike; the medians are compared.

use std::hint::black_box;
use std::time::Instant;

use pyo3::prelude::*;
use snakebridge_runtime::{Call, CallSite, call};

/// What `#[python_module("math")]` generates for `math.sqrt`: a call site kept in a static.
static SQRT: CallSite = CallSite::new("math", "sqrt");

struct Config {
    rounds: usize,
    calls_per_round: usize,
}

fn per_call_ns(calls: usize, mut f: impl FnMut(usize)) -> f64 {
    let start = Instant::now();
    for i in 0..calls {
        f(i);
    }
    start.elapsed().as_nanos() as f64 / calls as f64
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let config = if full {
        Config {
            rounds: 21,
            calls_per_round: 200_000,
        }
    } else {
        Config {
            rounds: 3,
            calls_per_round: 1_000,
        }
    };

    // Warm up: start the interpreter, import math, resolve sqrt.
    let _: f64 = call("math", "sqrt", (4.0,)).unwrap();
    let sqrt: Py<PyAny> =
        Python::attach(|py| py.import("math").unwrap().getattr("sqrt").unwrap().unbind());

    // Profiling aid: `SNAKEBRIDGE_BENCH_ONLY=baseline|site N` runs one variant N times and exits.
    if let Ok(only) = std::env::var("SNAKEBRIDGE_BENCH_ONLY") {
        let n: usize = std::env::var("SNAKEBRIDGE_BENCH_CALLS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        for i in 0..n {
            let x = i as f64;
            let r: f64 = if only == "baseline" {
                Python::attach(|py| sqrt.bind(py).call1((x,)).unwrap().extract().unwrap())
            } else {
                Call::at(&SQRT, (x,)).call().unwrap()
            };
            black_box(r);
        }
        return;
    }

    let mut baseline = Vec::new();
    let mut universal = Vec::new();
    let mut builder = Vec::new();
    for _ in 0..config.rounds {
        baseline.push(per_call_ns(config.calls_per_round, |i| {
            let x = i as f64;
            let r: f64 = Python::attach(|py| sqrt.bind(py).call1((x,)).unwrap().extract().unwrap());
            black_box(r);
        }));
        universal.push(per_call_ns(config.calls_per_round, |i| {
            let r: f64 = call("math", "sqrt", (i as f64,)).unwrap();
            black_box(r);
        }));
        builder.push(per_call_ns(config.calls_per_round, |i| {
            let r: f64 = Call::at(&SQRT, (i as f64,)).call().unwrap();
            black_box(r);
        }));
    }
    // Telemetry with no subscriber: what every call pays for the check (and TLS flag reads the
    // client makes), measured alone against the same per-call figure.
    let telemetry_ns = median(
        (0..config.rounds)
            .map(|_| {
                per_call_ns(config.calls_per_round * 10, |_| {
                    black_box(snakebridge_runtime::telemetry::enabled());
                    black_box(snakebridge_runtime::telemetry::measuring());
                    black_box(snakebridge_runtime::telemetry::measuring());
                })
            })
            .collect(),
    );
    let (b, u, g) = (median(baseline), median(universal), median(builder));
    println!(
        "math.sqrt per call ({} rounds x {} calls, medians)",
        config.rounds, config.calls_per_round
    );
    println!("  hand-written pyo3, cached callable : {b:8.1} ns  (baseline)");
    println!(
        "  snakebridge::call                  : {u:8.1} ns  ratio {:.2}x",
        u / b
    );
    println!(
        "  generated-style Call at a CallSite  : {g:8.1} ns  ratio {:.2}x",
        g / b
    );
    println!(
        "  telemetry checks, no subscriber     : {telemetry_ns:8.1} ns  = {:.1}% of a generated call (target < 5%)",
        100.0 * telemetry_ns / g
    );
    println!(
        "summary: embedded math.sqrt / pyo3 baseline = {:.2}x (target <= 1.5x) {}",
        g / b,
        if g / b <= 1.5 { "MET" } else { "NOT MET" }
    );
}
