//! Figures of the process pool (README "Performance targets"), in one run:
//!
//! - round-trip latency of a trivial call (`operator.add(i, 1)`) through a pool, p50 and p99,
//!   like against like: the pool with `spin(0)` against a bare `os.read`/`os.write` Python loop
//!   over pipes that blocks too (target p50 ≤ 1.1×), the pool with its default spin against the
//!   bare loop polling as long (target p50 ≤ 1.5×), and the blocking pool against a naive
//!   JSON-lines loop (`pipes.rs`, measured right after; reported); each p99 against its own
//!   p50 (≤ 2×);
//! - throughput of a CPU-bound pure-Python function with 1 and with 2 workers, under the same
//!   offered load (2 calling threads), and the ratio (target ≥ 1.8× on 2 cores), as the median
//!   over short paired rounds (the machine is shared: other work landing on one core halves
//!   what two workers can get, so the load average is printed too);
//! - arrays: `numpy.sum` of an 80 MB f64 array sent from Rust (through shared memory: the first
//!   call into a new segment, later ones into the spare it left) against `numpy.sum` of the
//!   same array already in the worker (reported), the transfer time, the array returned by
//!   value; and, like against like, each round allocating, filling and summing 80 MB: by
//!   `PoolClient::alloc_array_from_fn` in Rust (filled in shared memory, each element written
//!   once, sent by name, no copy) against `numpy.arange` in the worker (target ≤ 1.5×;
//!   `alloc_array`, zeroed then filled, and the first round, a new segment's page faults,
//!   reported); and, per array size, one-way times below the threshold (binary attachments
//!   beside the JSON) vs through shared memory, to place `PoolConfig::shared_memory_threshold`,
//!   and a 16 KiB array (the default threshold's size) to the worker against a naive JSON loop
//!   with the array in base64, both polling as long before each read (needs numpy in the
//!   workers).

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use snakebridge_runtime::{Call, NdArray, PoolClient, PoolConfig, PyRef, call, with_client};

use crate::{Figure, Mode, median, time_each};

const TEST_PYTHON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/python");

/// The paired rounds of a full run's round-trip figures: short ones (1,000 calls a side, 45 ms
/// blocking), so that the load from elsewhere on a shared machine, which comes and goes within a
/// second, falls alike on both sides of each ratio.
const FULL_LATENCY_ROUNDS: usize = 50;

struct Plan {
    warmup: usize,
    latency_calls: usize,
    /// The paired rounds the round-trip calls are split into (see `paired_round_trips`).
    latency_rounds: usize,
    cpu_calls: usize,
    spin: i64,
    rounds: usize,
}

fn start(size: usize) -> Arc<PoolClient> {
    start_with(PoolConfig::new().name(format!("bench-{size}")).size(size))
}

fn start_with(config: PoolConfig) -> Arc<PoolClient> {
    PoolClient::start(config.env("PYTHONPATH", TEST_PYTHON))
        .expect("the pool starts (set SNAKEBRIDGE_PYTHON to a Python 3 interpreter)")
}

/// Sorted round-trip times of `calls` trivial calls (after `warmup`) through `pool`.
fn round_trips(pool: Arc<PoolClient>, warmup: usize, calls: usize) -> Vec<Duration> {
    let mut samples = timed_calls(&pool, warmup, calls);
    samples.sort();
    samples
}

/// Round-trip times (unsorted) of `calls` trivial calls after `warmup`.
fn timed_calls(pool: &Arc<PoolClient>, warmup: usize, calls: usize) -> Vec<Duration> {
    with_client(pool.clone(), || {
        time_each(warmup, calls, |i| {
            let r: i64 = call("operator", "add", (i as i64, 1)).unwrap();
            assert_eq!(r, i as i64 + 1);
        })
    })
}

/// The pool against its bare loop, like against like, in `rounds` paired rounds of `calls`
/// calls each (after `warmup` in each, as either side may have stopped spinning while the
/// other ran), which of the two goes first alternating: all samples of each side (sorted), and
/// the median over the rounds of the ratio of their p50s. A burst of other work on the machine
/// then spoils a pair, not one side of the comparison.
struct Paired {
    pool: Vec<Duration>,
    bare: Vec<Duration>,
    ratio: f64,
}

/// The round-trip figure's two comparisons: a pool of one with its default spin against the bare
/// loop polling as long, or (`blocking`) a pool with `spin(0)` against the bare loop blocking,
/// in paired rounds (see [`paired_round_trips`]).
fn like_against_like(blocking: bool, rounds: usize, warmup: usize, calls: usize) -> Paired {
    let (pool, spin) = if blocking {
        let config = PoolConfig::new()
            .name("bench-no-spin")
            .size(1)
            .spin(Duration::ZERO);
        (start_with(config), Duration::ZERO)
    } else {
        (start(1), PoolConfig::new().spin_duration())
    };
    paired_round_trips(
        &pool,
        &mut crate::pipes::BareLoop::start(spin),
        rounds,
        warmup,
        calls,
    )
}

fn paired_round_trips(
    pool: &Arc<PoolClient>,
    bare: &mut crate::pipes::BareLoop,
    rounds: usize,
    warmup: usize,
    calls: usize,
) -> Paired {
    let (mut all_pool, mut all_bare, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    // The caller on CPU 0, each Python process on CPU 1: the same placement on both sides.
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cpus >= 2 {
        use crate::pipes::pin;
        pin(0, &[0]);
        pin(bare.pid(), &[1]);
        for pid in pool.worker_pids() {
            pin(pid, &[1]);
        }
    }
    for round in 0..rounds {
        let (mut p, mut b) = if round % 2 == 0 {
            let p = timed_calls(pool, warmup, calls);
            (p, bare.time(warmup, calls))
        } else {
            let b = bare.time(warmup, calls);
            (timed_calls(pool, warmup, calls), b)
        };
        p.sort();
        b.sort();
        ratios.push(percentile(&p, 0.5).as_secs_f64() / percentile(&b, 0.5).as_secs_f64());
        all_pool.extend(p);
        all_bare.extend(b);
    }
    if cpus >= 2 {
        crate::pipes::pin(0, &(0..cpus).collect::<Vec<_>>());
    }
    eprintln!(
        "  paired rounds, p50 ratios: {}",
        ratios
            .iter()
            .map(|r| format!("{r:.2}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    all_pool.sort();
    all_bare.sort();
    ratios.sort_by(f64::total_cmp);
    Paired {
        pool: all_pool,
        bare: all_bare,
        ratio: ratios[ratios.len() / 2],
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Wall time of `calls` calls of `spin(n)` (CPU-bound) from 2 threads through `pool` (the
/// `ray` group's too).
pub(crate) fn cpu_round(pool: &Arc<PoolClient>, calls: usize, n: i64) -> Duration {
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

pub fn run(mode: Mode) -> Vec<Figure> {
    let full = mode.full;
    let plan = if full {
        Plan {
            warmup: 5_000,
            latency_calls: 50_000,
            latency_rounds: FULL_LATENCY_ROUNDS,
            cpu_calls: 8,
            spin: 1_500_000,
            rounds: 11,
        }
    } else {
        Plan {
            warmup: 10,
            latency_calls: 100,
            latency_rounds: 2,
            cpu_calls: 2,
            spin: 1_000,
            rounds: 1,
        }
    };

    // Profiling aid: `SNAKEBRIDGE_BENCH_ONLY=round-trip` makes `SNAKEBRIDGE_BENCH_CALLS` trivial
    // calls (default 10,000) through a pool of one and exits, e.g. under callgrind (which
    // counts this process's instructions, not the worker's) or `strace -f -c`.
    // `round-trip-blocking` does the same with `spin(0)`; `bare-blocking` and `bare-spinning`
    // run the bare pipe loops alone (to count syscalls and context switches against the pool).
    // `paired-blocking` and `paired-spinning` run only that figure's paired rounds (as many as
    // in a full run, `SNAKEBRIDGE_BENCH_CALLS` calls in all) and print their ratios: a quick A/B
    // of a change.
    let variants = [
        "round-trip",
        "round-trip-blocking",
        "bare-blocking",
        "bare-spinning",
        "paired-blocking",
        "paired-spinning",
    ];
    if let Some((only, calls)) = crate::profiling(&variants, 10_000) {
        let spin = PoolConfig::new().spin_duration();
        if let Some(mode) = only.strip_prefix("paired-") {
            // `calls` in all, in as many paired rounds as the full run's.
            let rounds = FULL_LATENCY_ROUNDS;
            let paired = like_against_like(
                mode == "blocking",
                rounds,
                calls / rounds / 10,
                calls / rounds,
            );
            eprintln!(
                "{only}: median ratio {:.3}, p50 {:.1} µs vs {:.1} µs",
                paired.ratio,
                micros(percentile(&paired.pool, 0.50)),
                micros(percentile(&paired.bare, 0.50))
            );
            std::process::exit(0);
        }
        let mut samples = match only {
            "round-trip" => round_trips(start(1), 10, calls),
            "round-trip-blocking" => round_trips(
                start_with(PoolConfig::new().size(1).spin(Duration::ZERO)),
                10,
                calls,
            ),
            "bare-blocking" => crate::pipes::bare_loop(Duration::ZERO, 10, calls),
            _ => crate::pipes::bare_loop(spin, 10, calls),
        };
        samples.sort();
        eprintln!(
            "{only}: {calls} calls, p50 {:.1} µs, p99 {:.1} µs",
            micros(percentile(&samples, 0.50)),
            micros(percentile(&samples, 0.99))
        );
        std::process::exit(0);
    }

    // Round-trip latency: one caller, one worker, every call timed on its own, against the bare
    // pipe loop in paired rounds, like against like: with the default spin against the bare
    // loop polling as long before each read on both sides, and with none (every wait blocks)
    // against the bare loop that blocks.
    let per_round = plan.latency_calls / plan.latency_rounds;
    let round_warmup = plan.warmup / plan.latency_rounds;
    let spinning = like_against_like(false, plan.latency_rounds, round_warmup, per_round);
    let (samples, bare_spinning) = (&spinning.pool, &spinning.bare);
    let p50 = percentile(samples, 0.50);
    let p99 = percentile(samples, 0.99);
    let blocked = like_against_like(true, plan.latency_rounds, round_warmup, per_round);
    let (blocking, bare) = (&blocked.pool, &blocked.bare);
    let blocking_p50 = percentile(blocking, 0.50);
    let blocking_p99 = percentile(blocking, 0.99);

    let mut lines = crate::pipes::json_lines_loop(plan.warmup, plan.latency_calls);
    lines.sort();
    let (bare_p50, lines_p50) = (percentile(bare, 0.50), percentile(&lines, 0.50));
    let bare_spinning_p50 = percentile(bare_spinning, 0.50);
    println!(
        "pool round trip, trivial call operator.add(i, 1) ({} calls after {} warm-up):",
        plan.latency_calls, plan.warmup
    );
    println!(
        "  p50 {:7.1} µs   p90 {:7.1} µs   p99 {:7.1} µs   max {:7.1} µs",
        micros(p50),
        micros(percentile(samples, 0.90)),
        micros(p99),
        micros(*samples.last().unwrap())
    );
    println!(
        "  without spinning (PoolConfig::spin(0)): p50 {:7.1} µs   p99 {:7.1} µs",
        micros(blocking_p50),
        micros(blocking_p99)
    );
    println!(
        "  baselines: bare os.read/os.write loop p50 {:7.1} µs (p99 {:7.1} µs), naive JSON-lines \
         loop p50 {:7.1} µs (p99 {:7.1} µs)",
        micros(bare_p50),
        micros(percentile(bare, 0.99)),
        micros(lines_p50),
        micros(percentile(&lines, 0.99))
    );
    println!(
        "  the bare loop polling {:?} before each read on both sides: p50 {:7.1} µs (p99 {:7.1} µs)",
        PoolConfig::new().spin_duration(),
        micros(bare_spinning_p50),
        micros(percentile(bare_spinning, 0.99))
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
    // The machine's own ceiling, like against like: the same work in 1 and in 2 bare Python
    // processes (no pool), in paired rounds too.
    let mut bare_ratios: Vec<f64> = (0..plan.rounds)
        .map(|_| {
            let one = crate::pipes::bare_cpu(1, plan.cpu_calls, plan.spin);
            let two = crate::pipes::bare_cpu(2, plan.cpu_calls / 2, plan.spin);
            one.as_secs_f64() / two.as_secs_f64()
        })
        .collect();
    bare_ratios.sort_by(f64::total_cmp);
    let bare_ratio = bare_ratios[bare_ratios.len() / 2];
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
        "  bare Python processes, 2 vs 1 doing the same work (no pool): median {bare_ratio:.2}x \
         per pair; the pool keeps {:.0}% of it",
        100.0 * ratio / bare_ratio
    );
    drop((one, two));
    let mut figures = vec![
        // Like against like: the pool that blocks against the bare loop that blocks (the judged
        // figure), the pool that spins against the bare loop that spins as long.
        Figure {
            what: "trivial call, round trip, both blocking: pool with spin(0) vs bare pipe loop \
                   (median of paired rounds' p50 ratios)",
            measured: format!("p50 {:.1} µs", micros(blocking_p50)),
            baseline: format!("blocking bare loop p50 {:.1} µs", micros(bare_p50)),
            ratio: Some(blocked.ratio),
            target: "<= 1.1x",
            met: Some(blocked.ratio <= 1.1),
        },
        Figure {
            what: "trivial call, round trip, both spinning: pool (default spin) vs bare pipe loop \
                   (median of paired rounds' p50 ratios)",
            measured: format!("p50 {:.1} µs", micros(p50)),
            baseline: format!("spinning bare loop p50 {:.1} µs", micros(bare_spinning_p50)),
            ratio: Some(spinning.ratio),
            target: "<= 1.5x",
            met: Some(spinning.ratio <= 1.5),
        },
        Figure {
            what: "trivial call, tail, spinning: pool (default spin) p99 vs its own p50",
            measured: format!("p99 {:.1} µs", micros(p99)),
            baseline: format!("its p50 {:.1} µs", micros(p50)),
            ratio: Some(p99.as_secs_f64() / p50.as_secs_f64()),
            target: "<= 2x",
            met: Some(p99.as_secs_f64() <= 2.0 * p50.as_secs_f64()),
        },
        Figure {
            what: "trivial call, tail, blocking: pool with spin(0) p99 vs its own p50",
            measured: format!("p99 {:.1} µs", micros(blocking_p99)),
            baseline: format!("its p50 {:.1} µs", micros(blocking_p50)),
            ratio: Some(blocking_p99.as_secs_f64() / blocking_p50.as_secs_f64()),
            target: "<= 2x",
            met: Some(blocking_p99.as_secs_f64() <= 2.0 * blocking_p50.as_secs_f64()),
        },
        Figure {
            what: "trivial call, both blocking: pool with spin(0) vs naive JSON-lines loop",
            measured: format!("p50 {:.1} µs", micros(blocking_p50)),
            baseline: format!("JSON-lines loop p50 {:.1} µs", micros(lines_p50)),
            ratio: Some(blocking_p50.as_secs_f64() / lines_p50.as_secs_f64()),
            target: "(reported)",
            met: None,
        },
        Figure {
            what: "CPU-bound calls, pool of 2 on 2 cores",
            measured: format!("{:.2} calls/s", per_s(m2)),
            baseline: format!("pool of 1 {:.2} calls/s", per_s(m1)),
            ratio: Some(ratio),
            target: ">= 1.8x",
            met: Some(ratio >= 1.8),
        },
        Figure {
            what: "CPU-bound work, 2 vs 1 bare Python processes (no pool): the machine's ceiling",
            measured: format!("{bare_ratio:.2}x"),
            baseline: format!("the pool's {ratio:.2}x"),
            ratio: Some(ratio / bare_ratio),
            target: "(reported)",
            met: None,
        },
    ];
    figures.extend(array_figures(full));
    figures
}

/// Median wall time of `runs` runs of `f` (after one warm-up run).
fn timed(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The array figures; returns the 80 MB ones (target ≤ 1.5× the array already in the worker,
/// for an array made by `PoolClient::alloc_array`; a copied `Vec` is reported beside it).
fn array_figures(full: bool) -> Vec<Figure> {
    let pool = PoolClient::start(
        PoolConfig::new()
            .name("bench-arrays")
            .size(1)
            .preload(["numpy"]),
    )
    .expect("the pool starts (numpy must be installed in the workers' Python)");
    let (n, runs) = if full { (10_000_000, 11) } else { (100_000, 1) };
    let mb = n as f64 * 8.0 / 1e6;
    let array = NdArray::from_vec((0..n).map(|i| i as f64).collect::<Vec<f64>>());
    let expected = n as f64 * (n as f64 - 1.0) / 2.0;
    // The zero-copy path, each round: allocate in shared memory, fill (Rust writes the elements
    // straight into the segment), send by name, `numpy.sum` there.
    let alloc_fill_send = || {
        let mut shared = pool
            .alloc_array::<f64>([n])
            .expect("shared memory for the array");
        shared
            .iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = i as f64);
        let total: f64 = call("numpy", "sum", (shared.into_array(),)).unwrap();
        assert_eq!(total, expected);
    };
    // The same in one step: allocate and fill (`alloc_array_from_fn`, each element written
    // once: a spare is not zeroed first, as `numpy.arange` zeroes nothing), send, sum.
    let from_fn_send = || {
        let shared = pool
            .alloc_array_from_fn([n], |i| i as f64)
            .expect("shared memory for the array");
        let total: f64 = call("numpy", "sum", (shared.into_array(),)).unwrap();
        assert_eq!(total, expected);
    };
    // Their like: the worker allocating and filling the same array itself, then `numpy.sum`.
    let made_in_worker = || {
        let a: PyRef = Call::function("numpy", "arange", (n as i64,))
            .kwarg("dtype", "float64")
            .call()
            .unwrap();
        let total: f64 = call("numpy", "sum", (&a,)).unwrap();
        assert_eq!(total, expected);
    };
    let (first, through, resident, back, allocated) = with_client(pool.clone(), || {
        // The first call writes into a new segment; later ones into the spare it left.
        let started = Instant::now();
        let total: f64 = call("numpy", "sum", (array.clone(),)).unwrap();
        let first = started.elapsed();
        assert_eq!(total, expected);
        let through = timed(runs, || {
            let total: f64 = call("numpy", "sum", (array.clone(),)).unwrap();
            assert_eq!(total, expected);
        });
        let in_worker: PyRef = Call::function("numpy", "arange", (n as i64,))
            .kwarg("dtype", "float64")
            .call()
            .unwrap();
        // The target's pair, alternating round by round (the machine is noisy): allocate +
        // fill + sum in the worker, and allocate + fill in Rust's shared memory + send + sum;
        // the array already in the worker beside them (reported). The first round of the
        // pair's Rust side is the first send of a new segment (its page faults), reported.
        let (mut resident, mut allocated, mut worker_made) = (Vec::new(), Vec::new(), Vec::new());
        let mut from_fn = Vec::new();
        for _ in 0..=runs {
            let t = Instant::now();
            let total: f64 = call("numpy", "sum", (&in_worker,)).unwrap();
            resident.push(t.elapsed());
            assert_eq!(total, expected);
            let t = Instant::now();
            made_in_worker();
            worker_made.push(t.elapsed());
            let t = Instant::now();
            alloc_fill_send();
            allocated.push(t.elapsed());
            let t = Instant::now();
            from_fn_send();
            from_fn.push(t.elapsed());
        }
        let first_allocated = allocated[0];
        let (resident, allocated, worker_made, from_fn) = (
            median(resident.split_off(1)),
            median(allocated.split_off(1)),
            median(worker_made.split_off(1)),
            median(from_fn.split_off(1)),
        );
        let back = timed(runs, || {
            let a: NdArray = call("numpy", "asarray", (&in_worker,)).unwrap();
            assert_eq!(a.len(), n);
        });
        (
            first,
            through,
            resident,
            back,
            (allocated, first_allocated, worker_made, from_fn),
        )
    });
    let (allocated, first_allocated, worker_made, from_fn) = allocated;
    drop(pool);
    println!("arrays through a pool ({mb:.0} MB of f64, median of {runs} calls):");
    println!(
        "  numpy.sum(array from Rust)       {:8.2} ms (array through shared memory, a spare \
         segment; the first call, into a new segment: {:.2} ms)",
        millis(through),
        millis(first)
    );
    println!(
        "  numpy.sum(array in the worker)   {:8.2} ms",
        millis(resident)
    );
    println!(
        "  alloc_array + fill + numpy.sum   {:8.2} ms (each round: allocated and filled by Rust \
         in shared memory, sent by name, no copy; the first round, a new segment: {:.2} ms)",
        millis(allocated),
        millis(first_allocated)
    );
    println!(
        "  alloc_array_from_fn + numpy.sum  {:8.2} ms (each round: allocated and filled in one \
         step, each element written once)",
        millis(from_fn)
    );
    println!(
        "  arange + numpy.sum in the worker {:8.2} ms (the same allocate + fill + sum, all in \
         the worker: the like of the two lines above; {:.2}x and {:.2}x)",
        millis(worker_made),
        allocated.as_secs_f64() / worker_made.as_secs_f64(),
        from_fn.as_secs_f64() / worker_made.as_secs_f64()
    );
    println!(
        "  ratio {:.1}x; transfer {:.2} ms ({:.1} GB/s); the array returned by value {:.2} ms",
        through.as_secs_f64() / resident.as_secs_f64(),
        millis(through.saturating_sub(resident)),
        mb / 1e3 / through.saturating_sub(resident).as_secs_f64().max(1e-9),
        millis(back)
    );

    // Where shared memory starts to pay: one-way times per size, inline vs shared memory.
    let inline = threshold_pool("bench-inline", usize::MAX);
    let shared = threshold_pool("bench-shm", 0);
    let sizes: &[usize] = if full {
        &[
            1 << 10,
            4 << 10,
            8 << 10,
            16 << 10,
            32 << 10,
            64 << 10,
            256 << 10,
            1 << 20,
            8 << 20,
        ]
    } else {
        &[4 << 10]
    };
    let calls = if full { 301 } else { 3 };
    println!(
        "one-way array transfer by size, as binary attachments beside the JSON (what arrays below \
         the threshold use) vs shared memory, median of {calls}:"
    );
    println!(
        "  {:>8}  {:>12} {:>12}   {:>12} {:>12}",
        "bytes", "to: attached", "to: shm", "from: attached", "from: shm"
    );
    for &bytes in sizes {
        let elems = bytes / 8;
        let a = NdArray::from_vec(vec![1.5f64; elems]);
        let mut row = Vec::new();
        for p in [&inline, &shared] {
            row.push(with_client(p.clone(), || {
                timed(calls, || {
                    let len: i64 = call("builtins", "len", (a.clone(),)).unwrap();
                    assert_eq!(len as usize, elems);
                })
            }));
        }
        for p in [&inline, &shared] {
            row.push(with_client(p.clone(), || {
                timed(calls, || {
                    let z: NdArray = call("numpy", "zeros", (elems,)).unwrap();
                    assert_eq!(z.len(), elems);
                })
            }));
        }
        println!(
            "  {bytes:>8}  {:>9.1} µs {:>9.1} µs   {:>9.1} µs {:>9.1} µs",
            micros(row[0]),
            micros(row[1]),
            micros(row[2]),
            micros(row[3])
        );
    }
    // A 16 KiB array (the default threshold's size) to the worker, as an attachment, against
    // the naive base64 JSON loop, measured right after and waiting the same way: polling as
    // long as the pool's default spin before each read, on both sides.
    const MID: usize = 16 << 10;
    let mid = NdArray::from_vec(vec![1.5f64; MID / 8]);
    let (warm, n) = if full { (200, 2001) } else { (2, 5) };
    let mut attached = with_client(inline.clone(), || {
        time_each(warm, n, |_| {
            let len: i64 = call("builtins", "len", (mid.clone(),)).unwrap();
            assert_eq!(len as usize, MID / 8);
        })
    });
    attached.sort();
    let spin = PoolConfig::new().spin_duration();
    let mut b64 = crate::pipes::base64_json_loop(MID, spin, warm, n);
    b64.sort();
    let (attached, b64) = (percentile(&attached, 0.5), percentile(&b64, 0.5));
    println!(
        "16 KiB f64 array to the worker, both spinning: attached {:.1} µs, naive base64 JSON \
         loop {:.1} µs (p50 of {n})",
        micros(attached),
        micros(b64)
    );
    vec![
        Figure {
            what: "16 KiB array to a worker, both spinning: attachment vs base64 JSON loop",
            measured: format!("p50 {:.1} µs", micros(attached)),
            baseline: format!("spinning base64 loop p50 {:.1} µs", micros(b64)),
            ratio: Some(attached.as_secs_f64() / b64.as_secs_f64()),
            target: "< 1x",
            met: Some(attached < b64),
        },
        Figure {
            what: "80 MB f64, each round allocate + fill + numpy.sum: alloc_array_from_fn in Rust \
                   + send vs np.arange in the worker",
            measured: format!("{:.2} ms", millis(from_fn)),
            baseline: format!("made in the worker {:.2} ms", millis(worker_made)),
            ratio: Some(from_fn.as_secs_f64() / worker_made.as_secs_f64()),
            target: "<= 1.5x",
            met: Some(from_fn.as_secs_f64() / worker_made.as_secs_f64() <= 1.5),
        },
        Figure {
            what: "80 MB f64, each round alloc_array (zeroed) + fill by iter_mut + numpy.sum vs \
                   np.arange in the worker",
            measured: format!("{:.2} ms", millis(allocated)),
            baseline: format!("made in the worker {:.2} ms", millis(worker_made)),
            ratio: Some(allocated.as_secs_f64() / worker_made.as_secs_f64()),
            target: "(reported)",
            met: None,
        },
        Figure {
            what: "80 MB f64, alloc_array + fill + numpy.sum, first round (a new segment) vs \
                   made in the worker",
            measured: format!("{:.2} ms", millis(first_allocated)),
            baseline: format!("made in the worker {:.2} ms", millis(worker_made)),
            ratio: Some(first_allocated.as_secs_f64() / worker_made.as_secs_f64()),
            target: "(reported)",
            met: None,
        },
        Figure {
            what: "80 MB f64 into numpy.sum, pool: a Vec (copied) vs the array already in the \
                   worker",
            measured: format!("{:.2} ms", millis(through)),
            baseline: format!("array already in the worker {:.2} ms", millis(resident)),
            ratio: Some(through.as_secs_f64() / resident.as_secs_f64()),
            target: "(reported)",
            met: None,
        },
    ]
}

fn threshold_pool(name: &str, threshold: usize) -> Arc<PoolClient> {
    PoolClient::start(
        PoolConfig::new()
            .name(name)
            .size(1)
            .preload(["numpy"])
            .shared_memory_threshold(threshold),
    )
    .expect("the pool starts")
}
