//! The pool's workers as Ray actors (`PoolConfig::ray`): sessions on one actor, an actor's death
//! as a worker's (`WorkerCrash`, one retry of an idempotent call, `StaleRef`), timeouts and
//! shutdown that leave no actor behind, a driver's death. One local cluster for the binary
//! (`RayConfig::local`); the shared behaviour suite runs on Ray in `behaviour.rs`.

mod support;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use snakebridge_runtime::{
    Call, Error, PoolClient, PyRef, RayConfig, Value, call, construct, in_session, with_client,
};
use support::eventually;

/// A pool of `size` Ray workers named `name` (its actors are `snakebridge-<pid>-<name>-...`),
/// each reserving a tenth of a local CPU so the binary's pools never wait for room.
fn ray_pool(name: &str, size: usize) -> Arc<PoolClient> {
    PoolClient::start(
        support::config(size)
            .name(name)
            .ray(RayConfig::local().num_cpus(0.1)),
    )
    .expect("the Ray pool starts")
}

/// The prefix of the names of pool `name`'s actors.
fn actors_of(name: &str) -> String {
    format!("snakebridge-{}-{name}-", std::process::id())
}

/// The live actors whose names start with `prefix`, asked of the cluster by a worker of a pool
/// of its own (a Ray driver, as every worker is).
fn live_actors(prefix: &str) -> Vec<String> {
    static OBSERVER: OnceLock<Arc<PoolClient>> = OnceLock::new();
    let observer = OBSERVER.get_or_init(|| ray_pool("observer", 1));
    with_client(observer.clone(), || {
        call("snakebridge_ray_helpers", "named_actors", (prefix,))
    })
    .expect("the actors' names")
}

fn crash_cause(err: &Error) -> &str {
    match err {
        Error::WorkerCrash { cause, .. } => cause,
        other => panic!("expected a WorkerCrash, got {other:?}"),
    }
}

fn serves(pool: &Arc<PoolClient>) {
    for i in 0..4 {
        let n: i64 = with_client(pool.clone(), || call("operator", "add", (i, 1))).unwrap();
        assert_eq!(n, i + 1);
    }
}

/// Where the worker of the current session runs: its actor's name and process.
fn whereabouts() -> (String, u32) {
    let name: String = call("snakebridge_ray_helpers", "actor_name", ()).unwrap();
    // The worker runs in the actor's process.
    let pid: u32 = call("os", "getpid", ()).unwrap();
    (name, pid)
}

fn marker() -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!("snakebridge-ray-{}-{nanos}", std::process::id()))
}

#[test]
fn a_session_runs_on_one_actor_and_errors_come_back_as_python_errors() {
    let pool = ray_pool("affinity", 2);
    let session = pool.session().unwrap();
    in_session(&session, || {
        let (name, pid) = whereabouts();
        assert!(name.starts_with(&actors_of("affinity")), "{name}");
        for _ in 0..5 {
            assert_eq!(whereabouts(), (name.clone(), pid));
        }
        let err = call::<i64>("builtins", "int", ("x",)).unwrap_err();
        let Error::Python(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.class, "ValueError");
    });
    assert_eq!(live_actors(&actors_of("affinity")).len(), 2);
    pool.shutdown();
}

#[test]
fn an_actor_killed_mid_call_is_a_worker_crash_and_its_refs_go_stale() {
    let pool = ray_pool("killed", 2);
    let session = pool.session().unwrap();
    let (name, actor_pid) = in_session(&session, whereabouts);
    let held: PyRef = in_session(&session, || construct("collections", "OrderedDict", ())).unwrap();
    let caller = {
        let session = session.clone();
        std::thread::spawn(move || {
            in_session(&session, || {
                call::<Value>("snakebridge_ray_helpers", "sleep_then", (120, 1))
            })
        })
    };
    assert!(eventually(Duration::from_secs(30), || pool
        .stats("killed")
        .unwrap()
        .busy
        == 1));
    // The actor's process (on this machine: the local cluster's one node), not the driver.
    // SAFETY: kill(2) on a process the test's pool started.
    assert_eq!(unsafe { libc::kill(actor_pid as libc::pid_t, libc::SIGKILL) }, 0);
    let err = caller.join().unwrap().unwrap_err();
    assert!(crash_cause(&err).contains("the Ray actor of this worker died"), "{err}");
    let err = with_client(pool.clone(), || held.getattr::<Value>("keys")).unwrap_err();
    assert!(matches!(err, Error::StaleRef { .. }), "{err:?}");
    serves(&pool);
    assert!(!live_actors(&actors_of("killed")).contains(&name));
    pool.shutdown();
}

#[test]
fn an_idempotent_call_is_retried_once_on_a_fresh_actor_and_others_are_not() {
    let pool = ray_pool("retried", 2);
    let marker = marker();
    let path = marker.to_str().unwrap().to_owned();
    with_client(pool.clone(), || {
        // The worker exits (its actor's process with it) the first time.
        let result: String = Call::function("snakebridge_faults", "crash_once", (path.clone(),))
            .idempotent(true)
            .call()
            .unwrap();
        assert_eq!(result, "survived");
        assert_eq!(pool.stats("retried").unwrap().restarts, 1);
        std::fs::remove_file(&marker).unwrap();
        let err = call::<String>("snakebridge_faults", "crash_once", (path.clone(),)).unwrap_err();
        assert!(crash_cause(&err).contains("exited with code 75"), "{err}");
        // Run again by hand, it survives: nothing retried it behind our back.
        let again: String = call("snakebridge_faults", "crash_once", (path.clone(),)).unwrap();
        assert_eq!(again, "survived");
    });
    let _ = std::fs::remove_file(&marker);
    serves(&pool);
    pool.shutdown();
}

#[test]
fn a_timeout_kills_the_actor_and_the_pool_goes_on() {
    let pool = ray_pool("timeout", 1);
    let name = with_client(pool.clone(), whereabouts).0;
    let err = with_client(pool.clone(), || {
        Call::<Value>::function("snakebridge_ray_helpers", "sleep_then", (60, 1))
            .timeout(Duration::from_secs(2))
            .call()
    })
    .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    // Its driver was killed; Ray ends the actor with its owner.
    assert!(eventually(Duration::from_secs(30), || !live_actors(
        &actors_of("timeout")
    )
    .contains(&name)));
    serves(&pool);
    pool.shutdown();
}

#[test]
fn a_killed_driver_fails_its_call_and_refs_and_takes_its_actor_along() {
    let pool = ray_pool("driver", 1);
    let session = pool.session().unwrap();
    let driver = session.worker_pid().unwrap();
    let name = in_session(&session, whereabouts).0;
    let held: PyRef = in_session(&session, || construct("collections", "OrderedDict", ())).unwrap();
    let caller = {
        let session = session.clone();
        std::thread::spawn(move || {
            in_session(&session, || {
                call::<Value>("snakebridge_ray_helpers", "sleep_then", (120, 1))
            })
        })
    };
    assert!(eventually(Duration::from_secs(30), || pool
        .stats("driver")
        .unwrap()
        .busy
        == 1));
    // SAFETY: kill(2) on the driver process of the test's own pool.
    assert_eq!(unsafe { libc::kill(driver as libc::pid_t, libc::SIGKILL) }, 0);
    let err = caller.join().unwrap().unwrap_err();
    assert!(crash_cause(&err).contains("SIGKILL"), "{err}");
    let err = with_client(pool.clone(), || held.getattr::<Value>("keys")).unwrap_err();
    assert!(matches!(err, Error::StaleRef { .. }), "{err:?}");
    assert!(eventually(Duration::from_secs(30), || !live_actors(
        &actors_of("driver")
    )
    .contains(&name)));
    serves(&pool);
    pool.shutdown();
}

#[test]
fn shutdown_leaves_none_of_the_pools_actors_on_the_cluster() {
    let pool = ray_pool("shutdown", 2);
    serves(&pool);
    assert_eq!(live_actors(&actors_of("shutdown")).len(), 2);
    pool.shutdown();
    assert!(
        eventually(Duration::from_secs(30), || live_actors(&actors_of("shutdown"))
            .is_empty()),
        "{:?}",
        live_actors(&actors_of("shutdown"))
    );
    // A new pool starts on the same cluster.
    let again = ray_pool("shutdown-again", 1);
    serves(&again);
    again.shutdown();
}
