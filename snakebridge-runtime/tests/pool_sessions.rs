//! Sessions: affinity to one worker, refs released on close, clear errors after close.

mod support;

use snakebridge_runtime::{Call, Error, PyRef, Value, call, construct, in_session, with_client};
use support::{all_gone, pool};

#[test]
fn all_calls_of_a_session_go_to_one_worker() {
    let pool = pool(2);
    let pids = pool.worker_pids();
    let sessions: Vec<_> = (0..4).map(|_| pool.session().unwrap()).collect();
    // Sessions spread over the workers.
    let used: std::collections::BTreeSet<u32> =
        sessions.iter().map(|s| s.worker_pid().unwrap()).collect();
    assert_eq!(used.len(), 2);
    let threads: Vec<_> = sessions
        .iter()
        .cloned()
        .map(|session| {
            std::thread::spawn(move || {
                let expected = session.worker_pid().unwrap() as i64;
                in_session(&session, || {
                    for _ in 0..100 {
                        let pid: i64 = call("os", "getpid", ()).unwrap();
                        assert_eq!(pid, expected);
                    }
                    // State kept in the worker between calls (sessions sharing a worker share
                    // its module state: the keys differ).
                    let key = format!("session-{}", session.id());
                    for i in 0..20i64 {
                        let _: Value =
                            call("snakebridge_faults", "remember", (key.clone(), i)).unwrap();
                        let back: i64 =
                            call("snakebridge_faults", "recall", (key.clone(),)).unwrap();
                        assert_eq!(back, i);
                    }
                });
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    drop(sessions);
    drop(pool);
    assert!(all_gone(&pids));
}

#[test]
fn the_call_builder_and_nested_scopes_use_the_session() {
    let pool = pool(2);
    let a = pool.session().unwrap();
    let b = pool.session().unwrap();
    assert_ne!(a.worker_pid(), b.worker_pid());
    let pid_a = a.worker_pid().unwrap() as i64;
    let pid_b = b.worker_pid().unwrap() as i64;
    with_client(pool.clone(), || {
        let pid: i64 = Call::function("os", "getpid", ())
            .session(&a)
            .call()
            .unwrap();
        assert_eq!(pid, pid_a);
        let pid: i64 = Call::function("os", "getpid", ())
            .session(&b)
            .call()
            .unwrap();
        assert_eq!(pid, pid_b);
    });
    in_session(&a, || {
        let outer: i64 = call("os", "getpid", ()).unwrap();
        let inner: i64 = in_session(&b, || call("os", "getpid", ())).unwrap();
        let again: i64 = call("os", "getpid", ()).unwrap();
        assert_eq!((outer, inner, again), (pid_a, pid_b, pid_a));
    });
}

#[test]
fn closing_a_session_releases_its_refs() {
    let pool = pool(1);
    let session = pool.session().unwrap();
    let thing: PyRef = in_session(&session, || {
        construct("snakebridge_testmod", "Thing", ("session-owned",))
    })
    .unwrap();
    // A weak reference made outside the session (on the same worker, where `thing` lives).
    let weak: PyRef = with_client(pool.clone(), || call("weakref", "ref", (&thing,))).unwrap();
    let alive: Value = with_client(pool.clone(), || weak.call_method("__call__", ())).unwrap();
    assert!(matches!(alive, Value::Ref(_)));
    drop(alive);
    session.close();
    assert!(session.is_closed());
    assert_eq!(session.worker_pid(), None);
    with_client(pool.clone(), || {
        // The session's object is gone although a Rust handle to it still exists...
        let dead: Value = weak.call_method("__call__", ()).unwrap();
        assert_eq!(dead, Value::None);
        // ...and that handle is stale, never another object.
        let err = thing.getattr::<String>("label").unwrap_err();
        assert!(
            matches!(err, Error::StaleRef { id, .. } if id == thing.id()),
            "{err:?}"
        );
    });
}

#[test]
fn using_a_closed_session_is_a_clear_error() {
    let pool = pool(1);
    let session = pool.session().unwrap();
    let id = session.id();
    session.close();
    session.close(); // Closing twice is harmless.
    let err = in_session(&session, || call::<i64>("operator", "add", (1, 2))).unwrap_err();
    let Error::SessionClosed { id: got, reason } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*got, id);
    assert!(reason.contains("closed"), "{reason}");
    assert!(err.to_string().contains(&format!("session #{id}")), "{err}");
    // The pool itself is fine.
    let n: i64 = with_client(pool.clone(), || call("operator", "add", (1, 2))).unwrap();
    assert_eq!(n, 3);
    // Dropping the last handle closes a session too.
    let dropped = pool.session().unwrap();
    let id = dropped.id();
    drop(dropped);
    let err = with_client(pool.clone(), || {
        let options = snakebridge_runtime::client::CallOptions {
            session: Some(id),
            ..Default::default()
        };
        snakebridge_runtime::current_client().unwrap().execute(
            &snakebridge_runtime::client::Request::function("os", "getpid"),
            &options,
        )
    })
    .unwrap_err();
    assert!(matches!(err, Error::SessionClosed { .. }), "{err:?}");
    // A session whose client is gone says so.
    let orphan = pool.session().unwrap();
    drop(pool);
    let err = in_session(&orphan, || call::<i64>("os", "getpid", ())).unwrap_err();
    let Error::SessionClosed { reason, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(reason.contains("dropped"), "{reason}");
}

#[test]
fn refs_of_another_worker_cannot_join_a_session() {
    let pool = pool(2);
    let a = pool.session().unwrap();
    let b = pool.session().unwrap();
    assert_ne!(a.worker_pid(), b.worker_pid());
    let in_a: PyRef = in_session(&a, || construct("snakebridge_testmod", "Thing", ("a",))).unwrap();
    let in_b: PyRef = in_session(&b, || construct("snakebridge_testmod", "Thing", ("b",))).unwrap();
    // Refs route their calls themselves, in or out of a session scope.
    let label: String = with_client(pool.clone(), || in_a.getattr("label")).unwrap();
    assert_eq!(label, "a");
    let err = in_session(&b, || call::<String>("builtins", "repr", (&in_a,))).unwrap_err();
    assert!(matches!(err, Error::Encode { .. }), "{err:?}");
    let err = with_client(pool.clone(), || {
        call::<Value>("builtins", "print", (&in_a, &in_b))
    })
    .unwrap_err();
    let Error::Encode { message } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("different worker processes"), "{message}");
    // Module state is per worker: what one session's worker keeps, the other's does not see.
    in_session(&a, || {
        call::<Value>("snakebridge_faults", "remember", ("owner", "a"))
    })
    .unwrap();
    let seen_by_b: Value =
        in_session(&b, || call("snakebridge_faults", "recall", ("owner",))).unwrap();
    assert_eq!(seen_by_b, Value::None);
    in_session(&b, || {
        call::<Value>("snakebridge_faults", "remember", ("owner", "b"))
    })
    .unwrap();
    let seen_by_a: String =
        in_session(&a, || call("snakebridge_faults", "recall", ("owner",))).unwrap();
    assert_eq!(seen_by_a, "a");
    let seen_by_b: String =
        in_session(&b, || call("snakebridge_faults", "recall", ("owner",))).unwrap();
    assert_eq!(seen_by_b, "b");
}

/// What `#[python_module]` generates for a function: a builder newtype with the call options.
#[allow(non_camel_case_types)]
struct getpid(snakebridge_runtime::Call<i64>);
snakebridge_runtime::__private::__call_builder!(getpid => i64);

#[test]
fn generated_builders_take_a_session() {
    let pool = pool(2);
    let session = pool.session().unwrap();
    let expected = session.worker_pid().unwrap() as i64;
    with_client(pool.clone(), || {
        for _ in 0..10 {
            let pid = getpid(Call::function("os", "getpid", ()))
                .session(&session)
                .idempotent(true)
                .call()
                .unwrap();
            assert_eq!(pid, expected);
        }
    });
}
