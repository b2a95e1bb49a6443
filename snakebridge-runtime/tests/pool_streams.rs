//! Streaming through the pool: items pushed as produced, bounded by the credit window; early
//! drop closes the generator; faults during a stream.

mod support;

use std::time::{Duration, Instant};

use snakebridge_runtime::{Call, Error, PoolClient, Value, call, in_session, with_client};
use support::{all_gone, assert_between, config, eventually, pool, within};

/// A timeout must fire this long after it is due at the latest.
const SLACK: Duration = Duration::from_secs(3);
/// A stream or call that hangs fails the test after this instead of hanging the run.
const WATCHDOG: Duration = Duration::from_secs(60);

#[test]
fn items_are_pushed_ahead_but_never_beyond_the_window() {
    let pool = PoolClient::start(config(1).stream_window(8)).unwrap();
    let session = pool.session().unwrap();
    in_session(&session, || {
        let produced = || call::<i64>("snakebridge_faults", "produced_count", ()).unwrap();
        let start = produced();
        let mut stream = Call::<Value>::function("snakebridge_faults", "counting", (1_000,))
            .stream::<i64>()
            .unwrap();
        assert_eq!(stream.next().unwrap().unwrap(), 0);
        // The worker runs ahead of the consumer without being asked for each item...
        assert!(eventually(Duration::from_secs(30), || produced() - start == 8));
        // ...but stops at the window while the consumer takes nothing.
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(produced() - start, 8);
        let rest: Vec<i64> = stream.by_ref().map(Result::unwrap).collect();
        assert_eq!(rest, (1..1_000).collect::<Vec<_>>());
        assert_eq!(produced() - start, 1_000);
    });
}

#[test]
fn concurrent_streams_each_get_their_own_items_in_order() {
    let pool = pool(2);
    let threads: Vec<_> = (0..4i64)
        .map(|t| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                with_client(pool, || {
                    let items: Vec<i64> =
                        Call::<Value>::function("builtins", "range", (t, 3_000 + t))
                            .stream()
                            .unwrap()
                            .collect::<Result<_, _>>()
                            .unwrap();
                    assert_eq!(items, (t..3_000 + t).collect::<Vec<_>>());
                    // Interleaved with ordinary calls.
                    let n: i64 = call("operator", "add", (t, 1)).unwrap();
                    assert_eq!(n, t + 1);
                })
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn calls_run_between_the_items_of_an_open_stream_on_the_same_worker() {
    let pool = pool(1);
    with_client(pool.clone(), || {
        let mut a = Call::<Value>::function("builtins", "range", (100,))
            .stream::<i64>()
            .unwrap();
        let mut b = Call::<Value>::function("builtins", "range", (100, 200))
            .stream::<i64>()
            .unwrap();
        for i in 0..100 {
            assert_eq!(a.next().unwrap().unwrap(), i);
            assert_eq!(b.next().unwrap().unwrap(), 100 + i);
            let n: i64 = call("operator", "mul", (i, 2)).unwrap();
            assert_eq!(n, 2 * i);
        }
        assert!(a.next().is_none() && b.next().is_none());
    });
}

#[test]
fn a_worker_crash_during_a_stream_ends_it_with_worker_crash() {
    let pool = pool(1);
    let pids = pool.worker_pids();
    with_client(pool.clone(), || {
        let mut stream = Call::<Value>::function("snakebridge_faults", "crash_after", (3,))
            .stream::<i64>()
            .unwrap();
        let mut got = Vec::new();
        let err = loop {
            match stream.next().unwrap() {
                Ok(i) => got.push(i),
                Err(e) => break e,
            }
        };
        assert_eq!(got, [0, 1, 2]);
        let Error::WorkerCrash { cause, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(cause.contains("exited with code 5"), "{cause}");
        assert!(stream.next().is_none());
        let n: i64 = call("operator", "add", (1, 1)).unwrap();
        assert_eq!(n, 2);
    });
    assert!(all_gone(&pids));
}

#[test]
fn a_stream_item_that_takes_too_long_times_out() {
    let pool = pool(1);
    let pids = pool.worker_pids();
    let client = pool.clone();
    let (waited, _) = within(WATCHDOG, "the stream item's timeout", move || {
        with_client(client, || {
            let mut stream = Call::<Value>::function("snakebridge_faults", "slow_items", ())
                .timeout(Duration::from_secs(2))
                .stream::<i64>()
                .unwrap();
            assert_eq!(stream.next().unwrap().unwrap(), 1);
            let started = Instant::now();
            let err = stream.next().unwrap().unwrap_err();
            let waited = started.elapsed();
            assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
            assert!(stream.next().is_none());
            let n: i64 = call("operator", "add", (1, 1)).unwrap();
            assert_eq!(n, 2);
            waited
        })
    });
    // The item is due 2 s after it was asked for (the generator sleeps for a minute).
    assert_between(
        waited,
        Duration::from_secs(2),
        Duration::from_secs(2) + SLACK,
        "the stream item's timeout",
    );
    assert!(all_gone(&pids));
}

#[test]
fn objects_pushed_ahead_of_a_dropped_stream_are_released() {
    let pool = pool(1);
    let session = pool.session().unwrap();
    in_session(&session, || {
        let mut stream = Call::<Value>::function("snakebridge_faults", "things", ("orphan-", 50))
            .stream::<snakebridge_runtime::PyRef>()
            .unwrap();
        let first = stream.next().unwrap().unwrap();
        assert_eq!(first.getattr::<String>("label").unwrap(), "orphan-0");
        drop(first);
        drop(stream);
        // The items the worker pushed ahead were never read as refs; they are released anyway.
        let gone = eventually(Duration::from_secs(30), || {
            call::<i64>("snakebridge_faults", "count_things", ("orphan-",)).unwrap() == 0
        });
        assert!(gone, "objects of the dropped stream are still alive");
    });
}

#[test]
fn a_big_request_while_the_worker_pushes_big_items_does_not_deadlock() {
    let pool = pool(1);
    let client = pool.clone();
    let (remaining, _) = within(WATCHDOG, "the big request and the stream", move || {
        with_client(client, || {
            // 64 items of 200 kB pushed ahead fill the channel back to us...
            let mut stream =
                Call::<Value>::function("snakebridge_faults", "big_items", (300, 200_000))
                    .stream::<String>()
                    .unwrap();
            let first = stream.next().unwrap().unwrap();
            assert!(first.starts_with("0:") && first.len() == 200_000);
            std::thread::sleep(Duration::from_millis(200));
            // ...while this request is bigger than the channel to the worker.
            let big = "y".repeat(8_000_000);
            let n: i64 = call("builtins", "len", (big,)).unwrap();
            assert_eq!(n, 8_000_000);
            let mut remaining = 0;
            for (i, item) in stream.enumerate() {
                let item = item.unwrap();
                assert!(
                    item.starts_with(&format!("{}:", i + 1)),
                    "item {} out of order",
                    i + 1
                );
                assert_eq!(item.len(), 200_000);
                remaining += 1;
            }
            remaining
        })
    });
    // Every item after the first arrived: the stream did not end early.
    assert_eq!(remaining, 299);
}

#[test]
fn a_big_request_to_a_worker_that_does_not_read_times_out() {
    let pool = pool(1);
    let pids = pool.worker_pids();
    let marker = std::env::temp_dir().join(format!("snakebridge-stall-{}", std::process::id()));
    let path = marker.to_str().unwrap().to_owned();
    with_client(pool.clone(), || {
        let mut stream = Call::<Value>::function("snakebridge_faults", "stall", (path,))
            .stream::<i64>()
            .unwrap();
        assert_eq!(stream.next().unwrap().unwrap(), 1);
        // The worker is now inside the generator, producing item 2: it reads no requests.
        assert!(eventually(Duration::from_secs(30), || marker.exists()));
        let big = "z".repeat(8_000_000);
        let client = pool.clone();
        let (err, elapsed) = within(WATCHDOG, "the big request's timeout", move || {
            with_client(client, || {
                Call::<i64>::function("builtins", "len", (big,))
                    .timeout(Duration::from_secs(1))
                    .call()
                    .unwrap_err()
            })
        });
        assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
        assert_between(
            elapsed,
            Duration::from_secs(1),
            Duration::from_secs(1) + SLACK,
            "the big request's timeout",
        );
        let err = stream.next().unwrap().unwrap_err();
        assert!(matches!(err, Error::WorkerCrash { .. }), "{err:?}");
        let n: i64 = call("operator", "add", (1, 1)).unwrap();
        assert_eq!(n, 2);
    });
    let _ = std::fs::remove_file(&marker);
    assert!(all_gone(&pids));
}
