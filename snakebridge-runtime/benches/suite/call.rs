//! Figure: a generated `math.sqrt` call through the embedded client against hand-written pyo3
//! with a cached callable, in the same run (target ≤ 1.1×, README "Performance targets"; the
//! table also asks it of instructions, which `benches/callgrind-call.sh` counts). The generated
//! call is a `SiteCall` (a function of scalar arguments); the same call through `Call::at`
//! (what a function with optional arguments runs, through its builder) is reported beside it.

use std::hint::black_box;
use std::time::Instant;

use pyo3::prelude::*;
use snakebridge_runtime::client::CallSite;
use snakebridge_runtime::{Call, SiteCall, call};

use crate::{Figure, Mode, median};

/// What `#[python_module("math")]` generates for `math.sqrt`: a call site kept in a static.
static SQRT: CallSite = CallSite::new("math", "sqrt");

/// What `#[python_module("re")]` generates for `re.compile` and its result class `re.Pattern`
/// (the profiling variants `class` and `class_unchecked`: the cost of checking a class result).
static COMPILE: CallSite = CallSite::new("re", "compile");

#[repr(transparent)]
pub struct Pattern {
    __sb_ref: snakebridge_runtime::PyRef,
}
snakebridge_runtime::__py_class!(Pattern, "re", "Pattern");

fn per_call_ns(calls: usize, mut f: impl FnMut(usize)) -> f64 {
    let start = Instant::now();
    for i in 0..calls {
        f(i);
    }
    start.elapsed().as_nanos() as f64 / calls as f64
}

pub fn run(mode: Mode) -> Vec<Figure> {
    let rounds = mode.pick(21, 3);
    let calls = mode.pick(200_000, 1_000);

    // Warm up: start the interpreter, import math, resolve sqrt.
    let _: f64 = call("math", "sqrt", (4.0,)).unwrap();
    let sqrt: Py<PyAny> =
        Python::attach(|py| py.import("math").unwrap().getattr("sqrt").unwrap().unbind());

    // Profiling aid: `SNAKEBRIDGE_BENCH_ONLY=baseline|site|call_at` runs one variant
    // `SNAKEBRIDGE_BENCH_CALLS` times (default 100,000) and exits, e.g. under callgrind.
    let variants = ["baseline", "site", "call_at", "class", "class_unchecked"];
    if let Some((only, n)) = crate::profiling(&variants, 100_000) {
        // One loop per variant: the variant is not compared on every call.
        match only {
            "baseline" => {
                for i in 0..n {
                    let x = i as f64;
                    let r: f64 =
                        Python::attach(|py| sqrt.bind(py).call1((x,)).unwrap().extract().unwrap());
                    black_box(r);
                }
            }
            "site" => {
                for i in 0..n {
                    let r: f64 = SiteCall::new(&SQRT, (i as f64,)).call().unwrap();
                    black_box(r);
                }
            }
            "call_at" => {
                for i in 0..n {
                    let r: f64 = Call::at(&SQRT, (i as f64,)).call().unwrap();
                    black_box(r);
                }
            }
            // A generated call returning a class, its result checked (`re.Pattern`)...
            "class" => {
                for _ in 0..n {
                    let p: Pattern = Call::at(&COMPILE, ("a",)).call().unwrap();
                    black_box(p);
                }
            }
            // ...and the same call decoded as before the check (a ref, wrapped unchecked).
            _ => {
                for _ in 0..n {
                    let r: snakebridge_runtime::PyRef = Call::at(&COMPILE, ("a",)).call().unwrap();
                    black_box(<Pattern as snakebridge_runtime::PyClass>::from_ref_unchecked(r));
                }
            }
        }
        std::process::exit(0);
    }

    let (mut baseline, mut universal, mut generated, mut at_site) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        baseline.push(per_call_ns(calls, |i| {
            let x = i as f64;
            let r: f64 = Python::attach(|py| sqrt.bind(py).call1((x,)).unwrap().extract().unwrap());
            black_box(r);
        }));
        universal.push(per_call_ns(calls, |i| {
            let r: f64 = call("math", "sqrt", (i as f64,)).unwrap();
            black_box(r);
        }));
        generated.push(per_call_ns(calls, |i| {
            let r: f64 = SiteCall::new(&SQRT, (i as f64,)).call().unwrap();
            black_box(r);
        }));
        at_site.push(per_call_ns(calls, |i| {
            let r: f64 = Call::at(&SQRT, (i as f64,)).call().unwrap();
            black_box(r);
        }));
    }
    // Telemetry with no subscriber: what every call pays for the checks, measured alone.
    let telemetry_ns = median(
        (0..rounds)
            .map(|_| {
                per_call_ns(calls * 10, |_| {
                    black_box(snakebridge_runtime::client::telemetry::enabled());
                    black_box(snakebridge_runtime::client::telemetry::measuring());
                    black_box(snakebridge_runtime::client::telemetry::measuring());
                })
            })
            .collect(),
    );
    let (b, u, g, a) = (
        median(baseline),
        median(universal),
        median(generated),
        median(at_site),
    );
    println!("[call] math.sqrt per call ({rounds} rounds x {calls} calls, medians)");
    println!("  hand-written pyo3, cached callable : {b:8.1} ns  (baseline)");
    println!(
        "  snakebridge::call (by name)        : {u:8.1} ns  {:.2}x",
        u / b
    );
    println!(
        "  generated call (SiteCall)          : {g:8.1} ns  {:.2}x",
        g / b
    );
    println!(
        "  Call::at the same site (a builder) : {a:8.1} ns  {:.2}x",
        a / b
    );
    println!(
        "  telemetry checks, no subscriber    : {telemetry_ns:8.1} ns  = {:.1}% of a generated call",
        100.0 * telemetry_ns / g
    );
    vec![Figure {
        what: "generated math.sqrt call, embedded",
        measured: format!("{g:.0} ns"),
        baseline: format!("hand-written pyo3, cached callable {b:.0} ns"),
        ratio: Some(g / b),
        target: "<= 1.1x",
        met: Some(g / b <= 1.1),
    }]
}
