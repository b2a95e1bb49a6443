//! Figures of `call_async` (README "Performance targets"), each against its blocking baseline in
//! the same run:
//!
//! - pool throughput: 1,000 concurrent `call_async` calls (`operator.add`) awaited on one
//!   thread, against the same 1,000 calls made by 2 blocking threads (500 each), through the
//!   same pool of 2 (target ≥ 0.9×: the async calls keep both workers as busy). Like against
//!   like: both sides wait for the workers' replies with the pool's default spin (100 µs; the
//!   async side's runner threads spin as the blocking threads do). The figure is the median of
//!   the ratios of rounds run back to back, so a burst of load from elsewhere on a shared
//!   machine moves both sides of a ratio alike;
//! - the blocking side after the pool sat idle: the same 2 blocking threads, each round after a
//!   200 ms pause, against rounds back to back (reported: a caller and its worker that wake on
//!   one core must not spin for each other there);
//! - embedded latency: one `call_async` awaited (made, run on the runtime's thread, woken)
//!   against one blocking call (reported: the price of leaving the caller's thread).
//!
//! The futures are awaited by a minimal executor here (a parked thread woken by the runner), so
//! the figures include no particular runtime's costs.

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::{Duration, Instant};

use snakebridge_runtime::{Call, CallFuture, PoolClient, PoolConfig, call, with_client};

use crate::{Figure, Mode, median, time_each};

struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `future` to its end on this thread, parking between polls.
fn block_on<F: Future + Unpin>(mut future: F) -> F::Output {
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = std::pin::Pin::new(&mut future).poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

fn async_round(pool: &Arc<PoolClient>, calls: usize) -> Duration {
    let started = Instant::now();
    let futures: Vec<CallFuture<i64>> = with_client(pool.clone(), || {
        (0..calls as i64)
            .map(|i| Call::function("operator", "add", (i, 1)).call_async())
            .collect()
    });
    for (i, f) in futures.into_iter().enumerate() {
        assert_eq!(block_on(f).unwrap(), i as i64 + 1);
    }
    started.elapsed()
}

fn blocking_round(pool: &Arc<PoolClient>, calls: usize) -> Duration {
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..2 {
            let pool = pool.clone();
            s.spawn(move || {
                with_client(pool, || {
                    for i in (t..calls as i64).step_by(2) {
                        let r: i64 = call("operator", "add", (i, 1)).unwrap();
                        assert_eq!(r, i + 1);
                    }
                })
            });
        }
    });
    started.elapsed()
}

fn throughput(calls: usize, d: Duration) -> f64 {
    calls as f64 / d.as_secs_f64()
}

/// Medians of `rounds` blocking rounds of `calls` each run after the pool sat idle for 200 ms
/// (its workers asleep on their doorbells, its callers' spins stopped), and of as many run
/// back to back, alternating.
fn after_idle(pool: &Arc<PoolClient>, rounds: usize, calls: usize) -> (Duration, Duration) {
    let (mut idle, mut busy) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        std::thread::sleep(Duration::from_millis(200));
        idle.push(blocking_round(pool, calls));
        blocking_round(pool, calls);
        busy.push(blocking_round(pool, calls));
    }
    (median(idle), median(busy))
}

pub fn run(mode: Mode) -> Vec<Figure> {
    let rounds = mode.pick(31, 1);
    let calls = mode.pick(1_000, 50);
    let pool = PoolClient::start(PoolConfig::new().name("bench-async").size(2))
        .expect("the pool starts (set SNAKEBRIDGE_PYTHON to a Python 3 interpreter)");
    // Warm both paths (runner threads, workers' imports), then alternate them in rounds.
    async_round(&pool, calls);
    blocking_round(&pool, calls);
    let variants = ["async-pool", "blocking-pool", "blocking-after-idle"];
    if let Some((variant, total)) = crate::profiling(&variants, 10_000) {
        if variant == "blocking-after-idle" {
            let (idle, busy) = after_idle(&pool, total.div_ceil(calls), calls);
            println!(
                "{variant}: 2 blocking threads {:.0} calls/s after 200 ms idle, {:.0} back to back",
                throughput(calls, idle),
                throughput(calls, busy)
            );
            drop(pool);
            std::thread::sleep(Duration::from_millis(200));
            std::process::exit(0);
        }
        // One side alone, e.g. under `perf stat` or `/usr/bin/time -v`, to count its cost:
        // rounds of `calls` (as measured below; more at once would pass the pool's max_queue).
        let mut took = Duration::ZERO;
        for _ in 0..total.div_ceil(calls) {
            took += match variant {
                "async-pool" => async_round(&pool, calls),
                _ => blocking_round(&pool, calls),
            };
        }
        println!("{variant}: {total} calls in {:.1} ms", crate::ms(took));
        // The workers end before the process does (a profiler of their own then writes out),
        // once the runners have let go of the pool (after their hand-over's last answer).
        std::thread::sleep(Duration::from_millis(200));
        drop(pool);
        std::process::exit(0);
    }
    let (mut asynchronous, mut blocking, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let (a, b) = (async_round(&pool, calls), blocking_round(&pool, calls));
        asynchronous.push(a);
        blocking.push(b);
        // Throughput ratio of this pair of rounds: async calls/s over blocking calls/s.
        ratios.push(b.as_secs_f64() / a.as_secs_f64());
    }
    let (a, b) = (median(asynchronous), median(blocking));
    let throughput = |d: Duration| throughput(calls, d);
    let ratio = median(ratios.clone());
    ratios.sort_by(f64::total_cmp);
    let quartile = |q: usize| ratios[(ratios.len() - 1) * q / 4];
    println!(
        "async pool: {calls} concurrent call_async {:.0} calls/s, 2 blocking threads {:.0} calls/s \
         (both spinning; median of {rounds} paired ratios {ratio:.2}x, quartiles {:.2}x-{:.2}x)",
        throughput(a),
        throughput(b),
        quartile(1),
        quartile(3),
    );

    let (idle, busy) = after_idle(&pool, mode.pick(11, 1), calls);
    println!(
        "async pool, blocking side after idle: 2 blocking threads {:.0} calls/s in rounds after a \
         200 ms pause, {:.0} calls/s back to back (medians)",
        throughput(idle),
        throughput(busy)
    );

    // Embedded latency: one call at a time, each timed, alternating in rounds.
    let latency_calls = mode.pick(2_000, 20);
    let (mut one_async, mut one_blocking) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        one_async.extend(time_each(10, latency_calls, |i| {
            let f: CallFuture<i64> = Call::function("operator", "add", (i as i64, 1)).call_async();
            assert_eq!(block_on(f).unwrap(), i as i64 + 1);
        }));
        one_blocking.extend(time_each(10, latency_calls, |i| {
            let r: i64 = call("operator", "add", (i as i64, 1)).unwrap();
            assert_eq!(r, i as i64 + 1);
        }));
    }
    let (la, lb) = (median(one_async), median(one_blocking));
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "async embedded: one call_async {:.1} µs, one blocking call {:.1} µs",
        micros(la),
        micros(lb)
    );
    vec![
        Figure {
            what: "pool: 1,000 concurrent call_async vs 2 blocking threads, both spinning",
            measured: format!("{:.0} calls/s", throughput(a)),
            baseline: format!("{:.0} calls/s (2 threads)", throughput(b)),
            ratio: Some(ratio),
            target: "≥ 0.9×",
            met: Some(ratio >= 0.9),
        },
        Figure {
            what: "pool of 2, 2 blocking threads: rounds after 200 ms idle vs back to back",
            measured: format!("{:.0} calls/s", throughput(idle)),
            baseline: format!("{:.0} calls/s (back to back)", throughput(busy)),
            ratio: Some(throughput(idle) / throughput(busy)),
            target: "reported",
            met: None,
        },
        Figure {
            what: "embedded: one call_async vs one blocking call",
            measured: format!("{:.1} µs", micros(la)),
            baseline: format!("{:.1} µs (blocking)", micros(lb)),
            ratio: Some(la.as_secs_f64() / lb.as_secs_f64()),
            target: "reported",
            met: None,
        },
    ]
}
