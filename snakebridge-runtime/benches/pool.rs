//! Pool benchmark, in one run:
//!
//! - round-trip latency of a trivial call (`operator.add(i, 1)`) through a pool, p50 and p99
//!   (target p50 <= 50 µs);
//! - throughput of a CPU-bound pure-Python function with 1 and with 2 workers, under the same
//!   offered load (2 calling threads), and the ratio (target >= 1.8x on 2 cores), as the median
//!   over short paired rounds (the machine is shared: other work landing on one core halves
//!   what two workers can get, so the load average is printed too).
//!
//! `cargo bench -p snakebridge-runtime --bench pool` runs it in full; under `cargo test` (no
//! `--bench` argument) it makes a tiny smoke pass. The workers use `SNAKEBRIDGE_PYTHON` (else
//! `$VIRTUAL_ENV/bin/python`, else `python3`).

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use snakebridge_runtime::{PoolClient, PoolConfig, call, with_client};

const TEST_PYTHON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/python");

struct Plan {
    warmup: usize,
    latency_calls: usize,
    cpu_calls: usize,
    spin: i64,
    rounds: usize,
}

fn start(size: usize) -> Arc<PoolClient> {
    PoolClient::start(
        PoolConfig::new()
            .name(format!("bench-{size}"))
            .size(size)
            .env("PYTHONPATH", TEST_PYTHON),
    )
    .expect("the pool starts (set SNAKEBRIDGE_PYTHON to a Python 3 interpreter)")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Wall time of `calls` calls of `spin(n)` from 2 threads through `pool`.
fn cpu_round(pool: &Arc<PoolClient>, calls: usize, n: i64) -> Duration {
    let start = Instant::now();
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let pool = pool.clone();
            let mine = calls / 2 + (t < calls % 2) as usize;
            std::thread::spawn(move || {
                with_client(pool, || {
                    for _ in 0..mine {
                        let r: i64 = call("snakebridge_faults", "spin", (n,)).unwrap();
                        black_box(r);
                    }
                })
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    start.elapsed()
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let plan = if full {
        Plan {
            warmup: 5_000,
            latency_calls: 50_000,
            cpu_calls: 8,
            spin: 1_500_000,
            rounds: 11,
        }
    } else {
        Plan {
            warmup: 10,
            latency_calls: 100,
            cpu_calls: 2,
            spin: 1_000,
            rounds: 1,
        }
    };

    // Round-trip latency: one caller, one worker, every call timed on its own.
    let pool = start(1);
    let mut samples = Vec::with_capacity(plan.latency_calls);
    with_client(pool.clone(), || {
        for i in 0..plan.warmup as i64 {
            let r: i64 = call("operator", "add", (i, 1)).unwrap();
            black_box(r);
        }
        for i in 0..plan.latency_calls as i64 {
            let t = Instant::now();
            let r: i64 = call("operator", "add", (i, 1)).unwrap();
            samples.push(t.elapsed());
            assert_eq!(r, i + 1);
        }
    });
    drop(pool);
    samples.sort();
    let p50 = percentile(&samples, 0.50);
    let p99 = percentile(&samples, 0.99);
    println!(
        "pool round trip, trivial call operator.add(i, 1) ({} calls after {} warm-up):",
        plan.latency_calls, plan.warmup
    );
    println!(
        "  p50 {:7.1} µs   p90 {:7.1} µs   p99 {:7.1} µs   max {:7.1} µs",
        micros(p50),
        micros(percentile(&samples, 0.90)),
        micros(p99),
        micros(*samples.last().unwrap())
    );

    // CPU-bound throughput: the same load (2 callers) on 1 and on 2 workers, in short paired
    // rounds (one of each, back to back), so that a burst of other work on the machine spoils a
    // pair rather than one side of the comparison.
    let one = start(1);
    let two = start(2);
    cpu_round(&one, 2, plan.spin); // warm-up
    cpu_round(&two, 2, plan.spin);
    let (mut t1, mut t2, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..plan.rounds {
        let a = cpu_round(&one, plan.cpu_calls, plan.spin);
        let b = cpu_round(&two, plan.cpu_calls, plan.spin);
        ratios.push(a.as_secs_f64() / b.as_secs_f64());
        t1.push(a);
        t2.push(b);
    }
    let (m1, m2) = (median(t1), median(t2));
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[ratios.len() / 2];
    let best = ratios[ratios.len() - 1];
    let per_s = |d: Duration| plan.cpu_calls as f64 / d.as_secs_f64();
    println!(
        "CPU-bound snakebridge_faults.spin({}) x {} calls from 2 threads ({} paired rounds):",
        plan.spin, plan.cpu_calls, plan.rounds
    );
    println!(
        "  1 worker : {:8.2} calls/s (median round {:?})",
        per_s(m1),
        m1
    );
    println!(
        "  2 workers: {:8.2} calls/s (median round {:?})",
        per_s(m2),
        m2
    );
    println!(
        "  2-worker/1-worker throughput per pair: median {ratio:.2}x, best {best:.2}x \
         (load average now: {})",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split(' ')
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "summary: pool p50 {:.1} µs (target <= 50 µs) {}; p99 {:.1} µs; 2-worker/1-worker throughput {:.2}x (target >= 1.8x on {} cores) {}",
        micros(p50),
        if micros(p50) <= 50.0 {
            "MET"
        } else {
            "NOT MET"
        },
        micros(p99),
        ratio,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        if ratio >= 1.8 { "MET" } else { "NOT MET" },
    );
}
