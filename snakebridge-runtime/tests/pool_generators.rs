//! Generators driven step by step through the pool (`Call::generator`: `send` messages, the
//! `returned` answer): nothing produced ahead of a step, calls between the steps on the same
//! worker, and faults during a step (a crash, a timeout) that end the generator and leave the
//! pool serving.

mod support;

use std::time::Duration;

use snakebridge_runtime::{Call, Error, GenStream, Value, call, in_session, with_client};
use support::{all_gone, pool, within};

/// A step that hangs fails the test after this instead of hanging the run.
const WATCHDOG: Duration = Duration::from_secs(60);

#[test]
fn a_generator_produces_nothing_ahead_of_its_steps() {
    let pool = pool(1);
    let session = pool.session().unwrap();
    in_session(&session, || {
        let produced = || call::<i64>("snakebridge_faults", "produced_count", ()).unwrap();
        let start = produced();
        let mut counting: GenStream<i64> =
            Call::<Value>::function("snakebridge_faults", "counting", (1_000,))
                .generator()
                .unwrap();
        assert_eq!(counting.next().unwrap().unwrap(), 0);
        assert_eq!(counting.next().unwrap().unwrap(), 1);
        // A stream would run ahead of its consumer now; a generator waits for the next step
        // (the value sent may decide what it yields), however long the consumer takes.
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(produced() - start, 2);
        // Calls run between the steps, on the same worker, and the steps go on after them.
        let n: i64 = call("operator", "add", (20, 22)).unwrap();
        assert_eq!(n, 42);
        assert_eq!(counting.next().unwrap().unwrap(), 2);
        assert_eq!(produced() - start, 3);
    });
}

#[test]
fn a_worker_crash_during_a_generator_step_ends_it_with_worker_crash() {
    let pool = pool(1);
    let pids = pool.worker_pids();
    with_client(pool.clone(), || {
        let mut crashing: GenStream<i64> =
            Call::<Value>::function("snakebridge_faults", "crash_after", (2,))
                .generator()
                .unwrap();
        assert_eq!(crashing.next().unwrap().unwrap(), 0);
        assert_eq!(crashing.next().unwrap().unwrap(), 1);
        let err = crashing.next().unwrap().unwrap_err();
        let Error::WorkerCrash { cause, .. } = &err else {
            panic!("{err:?}")
        };
        assert!(cause.contains("exited with code 5"), "{cause}");
        assert!(crashing.is_finished() && crashing.next().is_none());
        let n: i64 = call("operator", "add", (1, 1)).unwrap();
        assert_eq!(n, 2);
    });
    assert!(all_gone(&pids));
}

#[test]
fn a_generator_step_that_takes_too_long_times_out() {
    let pool = pool(1);
    let pids = pool.worker_pids();
    let client = pool.clone();
    within(WATCHDOG, "the generator step's timeout", move || {
        with_client(client, || {
            let mut slow: GenStream<i64> =
                Call::<Value>::function("snakebridge_faults", "slow_items", ())
                    .timeout(Duration::from_secs(1))
                    .generator()
                    .unwrap();
            assert_eq!(slow.next().unwrap().unwrap(), 1);
            // The generator sleeps for a minute before its next item: the step times out, the
            // worker is killed and replaced.
            let err = slow.next().unwrap().unwrap_err();
            assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
            assert!(slow.next().is_none());
            let n: i64 = call("operator", "add", (1, 1)).unwrap();
            assert_eq!(n, 2);
        })
    });
    assert!(all_gone(&pids));
}

#[test]
fn a_client_that_cannot_drive_generators_says_so() {
    let mock = snakebridge_runtime::MockClient::new();
    let err = with_client(mock, || {
        Call::<Value>::function("snakebridge_faults", "counting", (3,)).generator::<i64, i64, ()>()
    })
    .unwrap_err();
    let Error::Config { message } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("cannot drive a generator"), "{message}");
    assert!(message.contains("`.stream()`"), "{message}");
}
