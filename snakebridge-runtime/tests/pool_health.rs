//! A pool in production: the circuit breaker of worker starts (a preload that raises trips it,
//! calls fail at once with the module's error, the pool recovers when the cause is removed),
//! the retry policy of idempotent calls, the heartbeat that replaces a worker hung outside any
//! call, and the figures of `PoolStats`. Helpers in `tests/python/snakebridge_health.py`.

mod support;

use std::sync::Arc;
use std::time::Duration;

use snakebridge_runtime::{
    Call, Error, PoolClient, RetryPolicy, Value, WorkerOutput, call, with_client,
};
use support::{all_gone, config, eventually, tagged_workers};

fn pid(pool: &Arc<PoolClient>) -> snakebridge_runtime::Result<u32> {
    with_client(pool.clone(), || call::<u32>("os", "getpid", ()))
}

fn assert_nothing_left(pool: Arc<PoolClient>) {
    drop(pool);
    let left = tagged_workers();
    assert!(all_gone(&left), "workers left: {left:?}");
}

/// A file in the temporary directory, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str) -> TempFile {
        let path = std::env::temp_dir().join(format!("sb-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

// Mutations: `Breaker::failed` never opens (no `circuit_open`, calls wait for starts); no
// `CircuitOpen` check in `Pool::acquire` (the call fails with a Config error instead); the
// half-open `MayStart::Yes { probe: true }` never given (the pool never recovers).
#[test]
fn a_preload_that_raises_trips_the_breaker_and_the_pool_recovers_when_it_is_fixed() {
    let flag = TempFile::new("breaker-flag");
    let open_for = Duration::from_secs(10);
    let pool = PoolClient::start(
        config(1)
            .preload(["snakebridge_health"])
            .env("SB_BREAKER_FLAG", &flag.0)
            .circuit_breaker(3, Duration::from_secs(60), open_for),
    )
    .unwrap();
    let first = pid(&pool).unwrap();
    // A bad deploy: the module now raises at import, and the worker dies.
    std::fs::write(&flag.0, "").unwrap();
    let crash = with_client(pool.clone(), || call::<Value>("os", "_exit", (3,))).unwrap_err();
    assert!(matches!(crash, Error::WorkerCrash { .. }), "{crash:?}");
    assert!(eventually(Duration::from_secs(60), || pool
        .stats("default")
        .unwrap()
        .circuit_open));
    let stats = pool.stats("default").unwrap();
    assert_eq!(
        stats.start_failures, 3,
        "it trips after 3 failed starts, then starts none"
    );
    // A call fails at once (not after the queue timeout of 60 s) with the module's error.
    let err = pid(&pool).unwrap_err();
    match &err {
        Error::CircuitOpen {
            pool,
            retry_in,
            cause,
        } => {
            assert_eq!(pool, "default");
            assert!(*retry_in <= open_for, "{retry_in:?}");
            assert!(
                cause.contains("RuntimeError: the model file is corrupt"),
                "{cause}"
            );
            assert!(cause.contains("snakebridge_health"), "{cause}");
        }
        other => panic!("expected CircuitOpen, got {other:?}"),
    }
    assert!(err.to_string().contains("tries again in"), "{err}");
    assert_eq!(pool.stats("default").unwrap().failures.circuit_open, 1);
    // The cause is removed: the half-open start works and the pool serves again.
    drop(flag);
    assert!(eventually(Duration::from_secs(60), || pid(&pool).is_ok()));
    let stats = pool.stats("default").unwrap();
    assert!(!stats.circuit_open);
    assert_ne!(pid(&pool).unwrap(), first);
    assert_nothing_left(pool);
}

// Mutations: `tries < policy.attempts` → `tries < 2` in `PoolClient::exchange` (the third try
// never comes); the retry not gated on `idempotent` (the plain call succeeds on a retry).
#[test]
fn an_idempotent_call_is_retried_as_the_policy_says() {
    let counter = TempFile::new("retry-counter");
    let path = counter.0.to_str().unwrap().to_owned();
    let pool = PoolClient::start(config(1).retry(RetryPolicy::new(3))).unwrap();
    // Crashes twice, then answers: three tries.
    let seen: i64 = with_client(pool.clone(), || {
        Call::function("snakebridge_health", "crash_first", (path.clone(), 2))
            .idempotent(true)
            .call()
    })
    .unwrap();
    assert_eq!(seen, 2);
    // Not idempotent: never retried.
    std::fs::remove_file(&counter.0).unwrap();
    let err = with_client(pool.clone(), || {
        call::<i64>("snakebridge_health", "crash_first", (path.clone(), 1))
    })
    .unwrap_err();
    assert!(matches!(err, Error::WorkerCrash { .. }), "{err:?}");
    let stats = pool.stats("default").unwrap();
    assert_eq!(stats.restarts_by_cause.crashed, 3);
    assert_eq!(stats.failures.worker_crash, 1);
    assert_nothing_left(pool);
}

// Mutations: no `Unstartable if may_retry` arm in `PoolClient::exchange` (the idempotent call
// fails with `CircuitOpen` at once, as the plain one does); the retry not gated on `idempotent`
// (the plain call waits and succeeds).
#[test]
fn an_idempotent_call_waits_out_a_pool_whose_workers_cannot_start_as_the_policy_says() {
    let flag = TempFile::new("unstartable-flag");
    let pool = PoolClient::start(
        config(1)
            .preload(["snakebridge_health"])
            .env("SB_BREAKER_FLAG", &flag.0)
            .circuit_breaker(2, Duration::from_secs(60), Duration::from_millis(300))
            .retry(
                RetryPolicy::new(40).backoff(Duration::from_millis(50), Duration::from_millis(100)),
            ),
    )
    .unwrap();
    std::fs::write(&flag.0, "").unwrap();
    let crash = with_client(pool.clone(), || call::<Value>("os", "_exit", (3,))).unwrap_err();
    assert!(matches!(crash, Error::WorkerCrash { .. }), "{crash:?}");
    assert!(eventually(Duration::from_secs(60), || pool
        .stats("default")
        .unwrap()
        .circuit_open));
    // A plain call fails at once: no worker can start.
    let err = pid(&pool).unwrap_err();
    assert!(matches!(err, Error::CircuitOpen { .. }), "{err:?}");
    // The cause goes away while an idempotent call is retried: its retries outlast the outage.
    let fix = std::thread::spawn({
        let path = flag.0.clone();
        move || {
            std::thread::sleep(Duration::from_millis(200));
            std::fs::remove_file(path).unwrap();
        }
    });
    let served: u32 = with_client(pool.clone(), || {
        Call::function("os", "getpid", ()).idempotent(true).call()
    })
    .unwrap();
    fix.join().unwrap();
    assert!(served > 0);
    assert!(!pool.stats("default").unwrap().circuit_open);
    assert_nothing_left(pool);
}

// Mutations: no ping written in `Worker::heartbeat` (never judged); the worker's parent watch
// not answering (every worker replaced); the check in `Pool::tick` skipped.
#[test]
fn a_worker_whose_background_thread_hangs_holding_the_gil_is_replaced() {
    let pool =
        PoolClient::start(config(1).heartbeat(Duration::from_millis(100), Duration::from_secs(2)))
            .unwrap();
    // A healthy idle worker answers its heartbeats: it is not replaced.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(pool.stats("default").unwrap().restarts, 0);
    let hung: u32 = with_client(pool.clone(), || {
        call("snakebridge_health", "hang_holding_the_gil", (0.2,))
    })
    .unwrap();
    assert!(eventually(Duration::from_secs(60), || pool
        .stats("default")
        .unwrap()
        .restarts_by_cause
        .unresponsive
        == 1));
    assert!(all_gone(&[hung]), "the hung worker was killed");
    let fresh = pid(&pool).unwrap();
    assert_ne!(fresh, hung);
    assert_nothing_left(pool);
}

// Mutation: no `metrics.record` in `PoolClient::counted` (no calls counted).
#[test]
fn stats_count_calls_failures_restarts_and_latency() {
    let pool = PoolClient::start(config(1)).unwrap();
    with_client(pool.clone(), || {
        for i in 0..5 {
            let n: i64 = call("operator", "add", (i, 1)).unwrap();
            assert_eq!(n, i + 1);
        }
        let raised = call::<Value>("snakebridge_health", "fail", ("no",)).unwrap_err();
        assert!(raised.python().is_some(), "{raised:?}");
        let slow = Call::<Value>::function("time", "sleep", (5,))
            .timeout(Duration::from_millis(200))
            .call()
            .unwrap_err();
        assert!(matches!(slow, Error::Timeout { .. }), "{slow:?}");
    });
    let s = pool.stats("default").unwrap();
    assert_eq!(s.calls, 7);
    assert_eq!(
        (s.failures.python, s.failures.timeout, s.failures.total()),
        (1, 1, 2)
    );
    assert_eq!(s.restarts_by_cause.timed_out, 1);
    assert_eq!(s.waiting, 0);
    let (p50, p99) = (s.latency_p50.unwrap(), s.latency_p99.unwrap());
    assert!(p50 <= p99, "{p50:?} {p99:?}");
    // The timed-out call waited 200 ms: the slowest of 7 is the 99th percentile.
    assert!(p99 >= Duration::from_millis(200), "{p99:?}");
    assert_nothing_left(pool);
}

// Mutation: no stderr tail in `Worker::wait_ready`'s error (the message names only the exit).
#[test]
fn a_worker_that_dies_at_start_is_reported_with_the_end_of_its_stderr() {
    for output in [
        WorkerOutput::Inherit,
        WorkerOutput::Null,
        WorkerOutput::Tracing,
    ] {
        let err = PoolClient::start(config(1).output(output).preload(["snakebridge_broken_env"]))
            .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        assert!(text.contains("exited with code 1"), "{text}");
        assert!(
            text.contains(
                "its stderr ended with:\nfatal: libfoo.so.3: cannot open shared object file"
            ),
            "{output:?}: {text}"
        );
    }
}
