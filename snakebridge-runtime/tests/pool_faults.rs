//! The crash barrier and timeouts, with real worker processes: each fault gives its error kind,
//! the pool keeps serving afterwards, and no worker process is left over.

mod support;

use std::sync::Arc;
use std::time::Duration;

use snakebridge_runtime::{
    Call, Error, PoolClient, PyRef, Value, call, construct, in_session, with_client,
};
use support::{
    alive, all_gone, assert_between, crashed_pid, eventually, pool, ready_pids, tagged_workers,
    within,
};

fn cause(err: &Error) -> &str {
    match err {
        Error::WorkerCrash { cause, .. } => cause,
        _ => panic!("not a worker crash: {err:?}"),
    }
}

/// The pool answers correctly, many times.
fn serves(pool: &Arc<PoolClient>) {
    with_client(pool.clone(), || {
        for i in 0..50i64 {
            assert_eq!(call::<i64>("operator", "add", (i, 1)).unwrap(), i + 1);
        }
    });
}

/// Drops the pool and checks that none of `pids`, nor any worker this thread's pools started
/// (found by their tag, also those started after the pids known here), is left or a zombie.
fn stop_and_check(pool: Arc<PoolClient>, mut pids: Vec<u32>) {
    pids.extend(pool.worker_pids());
    pids.extend(tagged_workers());
    pids.sort_unstable();
    pids.dedup();
    drop(pool);
    assert!(
        all_gone(&pids),
        "worker processes left over: {:?} (of {pids:?})",
        pids.iter().filter(|&&p| alive(p)).collect::<Vec<_>>()
    );
    let none_tagged = eventually(Duration::from_secs(30), || tagged_workers().is_empty());
    assert!(
        none_tagged,
        "workers of the dropped pool left over: {:?}",
        tagged_workers()
    );
}

/// A timeout of 500 ms (or 300 ms) must fire after it, and well before this.
const LATE: Duration = Duration::from_secs(3);
/// A call whose timeout never fires fails the test after this instead of hanging the run.
const WATCHDOG: Duration = Duration::from_secs(30);

fn crash_case(function: &str, args: Vec<Value>, expected: &str) {
    let pool = pool(2);
    let before = pool.worker_pids();
    let err = with_client(pool.clone(), || {
        call::<Value>("snakebridge_faults", function.to_owned(), args).unwrap_err()
    });
    assert!(
        matches!(err, Error::WorkerCrash { ref pool, .. } if pool == "default"),
        "{err:?}"
    );
    assert!(cause(&err).contains(expected), "{err}");
    let pid = crashed_pid(&err);
    assert!(before.contains(&pid));
    assert!(all_gone(&[pid]), "the crashed worker {pid} is still there");
    serves(&pool);
    let after = ready_pids(&pool, "default");
    assert_eq!(after.len(), 2);
    assert!(!after.contains(&pid));
    assert_eq!(pool.stats("default").unwrap().restarts, 1);
    stop_and_check(pool, before);
}

#[test]
fn segfault_through_ctypes_is_a_worker_crash_with_sigsegv() {
    crash_case("segfault", vec![], "SIGSEGV");
}

#[test]
fn abort_is_a_worker_crash_with_sigabrt() {
    crash_case("abort", vec![], "SIGABRT");
}

#[test]
fn os_exit_is_a_worker_crash_with_the_exit_code() {
    crash_case("exit_now", vec![Value::Int(3)], "exited with code 3");
}

#[test]
fn sigkill_from_outside_during_a_call_is_a_worker_crash() {
    let pool = pool(2);
    let before = pool.worker_pids();
    let session = pool.session().unwrap();
    let pid = session.worker_pid().unwrap();
    let caller = {
        let session = session.clone();
        std::thread::spawn(move || {
            in_session(&session, || {
                call::<Value>("snakebridge_faults", "sleep", (120,))
            })
        })
    };
    assert!(eventually(Duration::from_secs(30), || pool
        .stats("default")
        .unwrap()
        .busy
        == 1));
    // SAFETY: kill(2) on a pid of our own worker.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) }, 0);
    let err = caller.join().unwrap().unwrap_err();
    assert_eq!(crashed_pid(&err), pid);
    assert!(cause(&err).contains("SIGKILL"), "{err}");
    // The session died with its worker.
    let err = in_session(&session, || call::<i64>("operator", "add", (1, 2))).unwrap_err();
    let Error::SessionClosed { reason, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(reason.contains("SIGKILL"), "{reason}");
    serves(&pool);
    stop_and_check(pool, before);
}

#[test]
fn a_worker_killed_while_idle_is_replaced_without_failing_calls() {
    let pool = pool(1);
    let before = pool.worker_pids();
    // SAFETY: kill(2) on a pid of our own worker.
    assert_eq!(
        unsafe { libc::kill(before[0] as libc::pid_t, libc::SIGKILL) },
        0
    );
    // Noticed by the housekeeping (or the next call, which then never reached the dead worker).
    assert!(eventually(Duration::from_secs(30), || !alive(before[0])));
    // Not idempotent: no call may fail, since none reached the dead worker.
    serves(&pool);
    stop_and_check(pool, before);
}

/// A worker that dies while both sides spin (so it had not said it sleeps, and no doorbell
/// write finds its pipe closed): a request written into the shared ring after its death never
/// reaches it, which the pool sees (the worker read nothing of it) and retries elsewhere like
/// an undeliverable request; and the caller spinning for the reply notices the death at once,
/// not at the end of its spin.
#[test]
fn a_worker_that_dies_while_spinning_fails_no_call_and_is_noticed_at_once() {
    let config = support::config(1).spin(Duration::from_secs(5));
    assert!(config.uses_shared_ring() || !cfg!(target_arch = "x86_64"));
    let pool = PoolClient::start(config).unwrap();
    serves(&pool);
    let before = pool.worker_pids();
    // SAFETY: kill(2) on a pid of our own worker.
    assert_eq!(
        unsafe { libc::kill(before[0] as libc::pid_t, libc::SIGKILL) },
        0
    );
    // Dead, not yet reaped (the pool has not noticed: its housekeeping looks every 100 ms).
    assert!(eventually(Duration::from_secs(10), || support::state(
        before[0]
    ) == Some('Z')));
    let started = std::time::Instant::now();
    // Not idempotent: it may only go to another worker because it never reached this one.
    let n: i64 = with_client(pool.clone(), || call("operator", "add", (1, 2))).unwrap();
    assert_eq!(n, 3);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the death was noticed at the end of the spin: {:?}",
        started.elapsed()
    );
    assert_eq!(pool.stats("default").unwrap().restarts, 1);
    stop_and_check(pool, before);
}

fn marker() -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!(
        "snakebridge-crash-once-{}-{nanos}",
        std::process::id()
    ))
}

#[test]
fn an_idempotent_call_is_retried_once_on_a_fresh_worker() {
    let pool = pool(2);
    let before = pool.worker_pids();
    let marker = marker();
    let path = marker.to_str().unwrap().to_owned();
    let result: String = with_client(pool.clone(), || {
        Call::function("snakebridge_faults", "crash_once", (path.clone(),))
            .idempotent(true)
            .call()
    })
    .unwrap();
    assert_eq!(result, "survived");
    // The first attempt really crashed its worker.
    let crashed: u32 = std::fs::read_to_string(&marker).unwrap().parse().unwrap();
    assert!(before.contains(&crashed));
    assert!(all_gone(&[crashed]));
    assert_eq!(pool.stats("default").unwrap().restarts, 1);
    serves(&pool);
    let _ = std::fs::remove_file(&marker);
    stop_and_check(pool, before);
}

#[test]
fn a_call_not_marked_idempotent_is_not_retried() {
    let pool = pool(2);
    let before = pool.worker_pids();
    let marker = marker();
    let path = marker.to_str().unwrap().to_owned();
    with_client(pool.clone(), || {
        let err = call::<String>("snakebridge_faults", "crash_once", (path.clone(),)).unwrap_err();
        assert!(cause(&err).contains("exited with code 3"), "{err}");
        // Run again by hand, it survives: nothing retried it behind our back.
        let again: String = call("snakebridge_faults", "crash_once", (path.clone(),)).unwrap();
        assert_eq!(again, "survived");
    });
    let _ = std::fs::remove_file(&marker);
    serves(&pool);
    stop_and_check(pool, before);
}

#[test]
fn other_callers_are_unaffected_by_crashes() {
    let pool = pool(2);
    let before = pool.worker_pids();
    let steady = {
        let pool = pool.clone();
        std::thread::spawn(move || {
            with_client(pool, || {
                for i in 0..400i64 {
                    let r: i64 = call("operator", "mul", (i, 3)).unwrap();
                    assert_eq!(r, i * 3);
                }
            })
        })
    };
    let crashes = {
        let pool = pool.clone();
        std::thread::spawn(move || {
            with_client(pool, || {
                let mut pids = Vec::new();
                for _ in 0..5 {
                    let err = call::<Value>("snakebridge_faults", "exit_now", (4,)).unwrap_err();
                    assert!(cause(&err).contains("exited with code 4"), "{err}");
                    pids.push(crashed_pid(&err));
                }
                pids
            })
        })
    };
    steady.join().expect("the steady caller never saw an error");
    let crashed = crashes.join().unwrap();
    assert_eq!(pool.stats("default").unwrap().restarts, 5);
    serves(&pool);
    let mut all = before;
    all.extend(crashed);
    stop_and_check(pool, all);
}

#[test]
fn a_timeout_kills_the_stuck_worker_and_the_pool_goes_on() {
    let pool = pool(2);
    let before = pool.worker_pids();
    for function in ["sleep", "hang", "hold_gil"] {
        let session = pool.session().unwrap();
        let pid = session.worker_pid().unwrap();
        let args: Vec<Value> = if function == "sleep" {
            vec![Value::Int(120)]
        } else {
            vec![]
        };
        let client = pool.clone();
        let (err, elapsed) = within(WATCHDOG, function, move || {
            with_client(client, || {
                Call::<Value>::function("snakebridge_faults", function, args)
                    .session(&session)
                    .timeout(Duration::from_millis(500))
                    .call()
                    .unwrap_err()
            })
        });
        assert!(
            matches!(err, Error::Timeout { after } if after == Duration::from_millis(500)),
            "{function}: {err:?}"
        );
        assert_between(elapsed, Duration::from_millis(500), LATE, function);
        assert!(
            all_gone(&[pid]),
            "the stuck worker {pid} ({function}) is still there"
        );
        serves(&pool);
    }
    assert_eq!(pool.stats("default").unwrap().restarts, 3);
    stop_and_check(pool, before);
}

#[test]
fn the_pools_call_timeout_applies_to_calls_without_one() {
    let pool =
        PoolClient::start(support::config(1).call_timeout(Duration::from_millis(300))).unwrap();
    let before = pool.worker_pids();
    let client = pool.clone();
    let (err, elapsed) = within(WATCHDOG, "the pool's timeout", move || {
        with_client(client, || {
            call::<Value>("snakebridge_faults", "sleep", (120,)).unwrap_err()
        })
    });
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_between(
        elapsed,
        Duration::from_millis(300),
        LATE,
        "the pool's timeout",
    );
    // A call's own timeout wins over the pool's: it runs past the pool's 300 ms.
    let client = pool.clone();
    let (slept, elapsed) = within(WATCHDOG, "a call's own timeout", move || {
        with_client(client, || {
            Call::<f64>::function("snakebridge_faults", "sleep", (0.5,))
                .timeout(Duration::from_secs(60))
                .call()
                .unwrap()
        })
    });
    assert_eq!(slept, 0.5);
    assert_between(
        elapsed,
        Duration::from_millis(500),
        LATE,
        "a call's own timeout",
    );
    assert!(all_gone(&before[..1]));
    stop_and_check(pool, before);
}

/// A timeout shorter than the pool's spin fires on time: the reader stops spinning at the
/// deadline rather than at the end of the spin (2 s here, ten times the timeout).
#[test]
fn a_timeout_shorter_than_the_spin_fires_on_time() {
    let pool = PoolClient::start(support::config(1).spin(Duration::from_secs(2))).unwrap();
    let before = pool.worker_pids();
    let client = pool.clone();
    let (err, elapsed) = within(WATCHDOG, "a timeout within the spin", move || {
        with_client(client, || {
            Call::<Value>::function("time", "sleep", (5,))
                .timeout(Duration::from_millis(200))
                .call()
                .unwrap_err()
        })
    });
    assert!(
        matches!(err, Error::Timeout { after } if after == Duration::from_millis(200)),
        "{err:?}"
    );
    // Generous above (a loaded machine: it takes 200-400 ms), but half the 2 s spin: a reader
    // that spins its whole spin before it looks at the deadline takes over 2 s.
    assert_between(
        elapsed,
        Duration::from_millis(200),
        Duration::from_millis(1000),
        "a 200 ms timeout with a 2 s spin",
    );
    assert!(
        all_gone(&before),
        "the stuck worker {before:?} is still there"
    );
    serves(&pool);
    assert_eq!(pool.stats("default").unwrap().restarts, 1);
    stop_and_check(pool, before);
}

#[test]
fn refs_of_a_dead_worker_are_stale_never_another_object() {
    let pool = pool(1);
    let before = pool.worker_pids();
    with_client(pool.clone(), || {
        let old: PyRef = construct("snakebridge_testmod", "Thing", ("before",)).unwrap();
        let err = call::<Value>("snakebridge_faults", "segfault", ()).unwrap_err();
        assert!(cause(&err).contains("SIGSEGV"), "{err}");
        // The replacement makes its own objects, with ids never used before.
        let new: PyRef = construct("snakebridge_testmod", "Thing", ("after",)).unwrap();
        assert_ne!(new.id(), old.id());
        assert_eq!(new.getattr::<String>("label").unwrap(), "after");
        let err = old.getattr::<String>("label").unwrap_err();
        let Error::StaleRef { id, reason } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*id, old.id());
        assert!(
            reason.contains("gone") && reason.contains("SIGSEGV"),
            "{reason}"
        );
        // Also as an argument.
        let err = call::<String>("builtins", "repr", (&old,)).unwrap_err();
        assert!(matches!(err, Error::StaleRef { .. }), "{err:?}");
    });
    stop_and_check(pool, before);
}

#[test]
fn a_crash_in_a_session_ends_the_session() {
    let pool = pool(2);
    let before = pool.worker_pids();
    let session = pool.session().unwrap();
    in_session(&session, || {
        let err = call::<Value>("snakebridge_faults", "exit_now", (7,)).unwrap_err();
        assert!(cause(&err).contains("exited with code 7"), "{err}");
        let err = call::<i64>("operator", "add", (1, 2)).unwrap_err();
        let Error::SessionClosed { id, reason } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*id, session.id());
        assert!(reason.contains("exited with code 7"), "{reason}");
    });
    // A new session works.
    let fresh = pool.session().unwrap();
    let n: i64 = in_session(&fresh, || call("operator", "add", (1, 2))).unwrap();
    assert_eq!(n, 3);
    drop((session, fresh));
    stop_and_check(pool, before);
}
