//! Figures of Rust callbacks ([`PyFn`]), each against its baseline in the same run, as
//! alternating rounds whose medians are compared:
//!
//! - embedded: a callback round trip (Python calls a Rust closure `(a, b) -> a + b` of two
//!   ints) against the same closure as a pyo3 `PyCFunction::new_closure` (target ≤ 1.5×). Both
//!   are called by `functools.reduce` over a list of ints, so the per-call figure also holds
//!   reduce's own step, the same in both;
//! - pool: a callback round trip (the worker calls the closure, Rust answers) against the
//!   pool's own round trip of a trivial call (`operator.add(i, 1)`), target ≤ 1.5×.

use std::hint::black_box;
use std::time::Instant;

use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyTuple};
use snakebridge_runtime::{PoolClient, PoolConfig, PyFn, PyRef, Result, call, with_client};

use crate::{Figure, Mode, median};

/// Nanoseconds per element of `functools.reduce(f, items, 0)` over `n` items.
fn reduce_ns(n: usize, run: impl FnOnce() -> i64) -> f64 {
    let start = Instant::now();
    let total = run();
    let elapsed = start.elapsed();
    assert_eq!(total, (n as i64 - 1) * n as i64 / 2);
    elapsed.as_nanos() as f64 / n as f64
}

fn add() -> PyFn {
    PyFn::new(|a: i64, b: i64| -> Result<i64> { Ok(a + b) })
}

pub fn run(mode: Mode) -> Vec<Figure> {
    // Profiling aid: `SNAKEBRIDGE_BENCH_ONLY=pool-callback` makes one pool worker call the
    // closure `SNAKEBRIDGE_BENCH_CALLS` times (default 10,000) and exits, e.g. under callgrind
    // with `--trace-children=yes` (the worker's instructions per callback); neither side spins,
    // so the counts are the work alone.
    #[cfg(unix)]
    if let Some((_, calls)) = crate::profiling(&["pool-callback"], 10_000) {
        let config = PoolConfig::new().name("bench-callbacks").size(1);
        let pool =
            PoolClient::start(config.spin(std::time::Duration::ZERO)).expect("the pool starts");
        let f = add();
        with_client(pool.clone(), || {
            let items: PyRef = call("builtins", "range", (calls,)).unwrap();
            let ns = reduce_ns(calls, || {
                call("functools", "reduce", (&f, &items, 0)).unwrap()
            });
            eprintln!("pool-callback: {calls} callbacks, {:.2} µs each", ns / 1e3);
        });
        pool.shutdown();
        std::process::exit(0);
    }
    let mut figures = vec![embedded(mode)];
    #[cfg(unix)]
    figures.push(pool(mode));
    figures
}

fn embedded(mode: Mode) -> Figure {
    let rounds = mode.pick(21, 3);
    let n = mode.pick(100_000, 1_000);
    let f = add();
    // Warm up: the interpreter, functools. The items are a `range` both loops share.
    let _: i64 = call("functools", "reduce", (&f, vec![1, 2], 0)).unwrap();
    let items: PyRef = call("builtins", "range", (n,)).unwrap();
    let (reduce, list, baseline_fn) = Python::attach(|py| {
        let reduce = py
            .import("functools")
            .unwrap()
            .getattr("reduce")
            .unwrap()
            .unbind();
        let list = py
            .import("builtins")
            .unwrap()
            .call_method1("range", (n,))
            .unwrap()
            .unbind();
        let closure = PyCFunction::new_closure(
            py,
            None,
            None,
            |args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>| -> PyResult<i64> {
                let a: i64 = args.get_item(0)?.extract()?;
                let b: i64 = args.get_item(1)?.extract()?;
                Ok(a + b)
            },
        )
        .unwrap()
        .into_any()
        .unbind();
        (reduce, list, closure)
    });
    // Profiling aid: `SNAKEBRIDGE_BENCH_ONLY=callback-pyo3|callback-pyfn` runs one variant's
    // reduce `SNAKEBRIDGE_BENCH_CALLS` times (default 50) and exits, e.g. under perf.
    if let Some((only, runs)) = crate::profiling(&["callback-pyo3", "callback-pyfn"], 50) {
        for _ in 0..runs {
            let total: i64 = if only == "callback-pyo3" {
                Python::attach(|py| {
                    let list = list.bind(py);
                    let r = reduce.bind(py).call1((baseline_fn.bind(py), list, 0));
                    r.unwrap().extract().unwrap()
                })
            } else {
                call("functools", "reduce", (&f, &items, 0)).unwrap()
            };
            black_box(total);
        }
        std::process::exit(0);
    }
    let (mut baseline, mut measured) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        baseline.push(reduce_ns(n, || {
            Python::attach(|py| {
                reduce
                    .bind(py)
                    .call1((baseline_fn.bind(py), list.bind(py), 0))
                    .unwrap()
                    .extract()
                    .unwrap()
            })
        }));
        measured.push(reduce_ns(n, || {
            call("functools", "reduce", (&f, &items, 0)).unwrap()
        }));
    }
    let (b, m) = (median(baseline), median(measured));
    println!("[callbacks] embedded round trip ({rounds} rounds x {n} callbacks, medians)");
    println!("  pyo3 PyCFunction::new_closure      : {b:8.1} ns  (baseline)");
    println!(
        "  snakebridge PyFn                   : {m:8.1} ns  {:.2}x",
        m / b
    );
    black_box(&list);
    Figure {
        what: "callback round trip, embedded",
        measured: format!("{m:.0} ns"),
        baseline: format!("pyo3 PyCFunction closure {b:.0} ns"),
        ratio: Some(m / b),
        target: "<= 1.5x",
        met: Some(m / b <= 1.5),
    }
}

#[cfg(unix)]
fn pool(mode: Mode) -> Figure {
    let rounds = mode.pick(15, 2);
    let n = mode.pick(5_000, 100);
    let pool = PoolClient::start(PoolConfig::new().name("bench-callbacks").size(1))
        .expect("the pool starts (set SNAKEBRIDGE_PYTHON to a Python 3 interpreter)");
    let f = add();
    let (baseline, measured) = with_client(pool.clone(), || {
        let _: i64 = call("functools", "reduce", (&f, vec![1, 2], 0)).unwrap();
        let items: PyRef = call("builtins", "range", (n,)).unwrap();
        let (mut baseline, mut measured) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            let start = Instant::now();
            for i in 0..n as i64 {
                let r: i64 = call("operator", "add", (i, 1)).unwrap();
                black_box(r);
            }
            baseline.push(start.elapsed().as_nanos() as f64 / n as f64);
            measured.push(reduce_ns(n, || {
                call("functools", "reduce", (&f, &items, 0)).unwrap()
            }));
        }
        (median(baseline), median(measured))
    });
    pool.shutdown();
    let (b, m) = (baseline / 1e3, measured / 1e3);
    println!("[callbacks] pool round trip ({rounds} rounds x {n}, medians)");
    println!("  plain call operator.add            : {b:8.2} µs  (baseline)");
    println!(
        "  callback, worker to Rust and back  : {m:8.2} µs  {:.2}x",
        m / b
    );
    Figure {
        what: "callback round trip, pool",
        measured: format!("{m:.1} µs"),
        baseline: format!("the pool's call round trip {b:.1} µs"),
        ratio: Some(m / b),
        target: "<= 1.5x",
        met: Some(m / b <= 1.5),
    }
}
