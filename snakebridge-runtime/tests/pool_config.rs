//! Pool configuration: named pools, environment, preloads, interpreter choice and start failures,
//! and the bounded queue.

mod support;

use std::time::Duration;

use snakebridge_runtime::{
    Call, Error, PoolClient, PoolConfig, PyRef, Value, call, construct, module_attr, with_client,
};
use support::{all_gone, config, eventually};

#[test]
fn calls_pick_a_named_pool_and_default_to_the_first() {
    let pools = PoolClient::start_all([
        config(1).env("POOL_TAG", "cpu"),
        config(2)
            .name("gpu")
            .env("POOL_TAG", "gpu")
            .preload(["decimal", "snakebridge_faults"]),
    ])
    .unwrap();
    assert_eq!(pools.pool_names(), ["default", "gpu"]);
    assert_eq!(pools.stats("gpu").unwrap().size, 2);
    let pids = pools.worker_pids();
    assert_eq!(pids.len(), 3);
    with_client(pools.clone(), || {
        let tag: String = call("snakebridge_faults", "env", ("POOL_TAG",)).unwrap();
        assert_eq!(tag, "cpu");
        let tag: String = Call::function("snakebridge_faults", "env", ("POOL_TAG",))
            .pool("gpu")
            .call()
            .unwrap();
        assert_eq!(tag, "gpu");
        let preloaded: bool = Call::function("snakebridge_faults", "loaded", ("decimal",))
            .pool("gpu")
            .call()
            .unwrap();
        assert!(preloaded);
        // A ref made in a pool is used there without naming it again.
        let thing: PyRef = Call::function("snakebridge_testmod", "Thing", ("g",))
            .pool("gpu")
            .call()
            .unwrap();
        let label: String = thing.getattr("label").unwrap();
        assert_eq!(label, "g");
        let err = Call::<String>::method(&thing, "shout", ())
            .pool("default")
            .call()
            .unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        let err = Call::<Value>::function("os", "getpid", ())
            .pool("tpu")
            .call()
            .unwrap_err();
        let Error::Config { message } = &err else {
            panic!("{err:?}")
        };
        assert!(
            message.contains("tpu") && message.contains("gpu"),
            "{message}"
        );
    });
    let session = pools.session_in("gpu").unwrap();
    assert_eq!(session.pool(), "gpu");
    let tag: String = snakebridge_runtime::in_session(&session, || {
        call("snakebridge_faults", "env", ("POOL_TAG",))
    })
    .unwrap();
    assert_eq!(tag, "gpu");
    drop(session);
    drop(pools);
    assert!(all_gone(&pids));
}

#[test]
fn duplicate_pool_names_are_refused() {
    let err = PoolClient::start_all([config(1), config(1)]).unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    let err = PoolClient::start(config(0)).unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
}

#[test]
fn the_interpreter_comes_from_the_environment_unless_configured() {
    let (python, source) = PoolConfig::new().interpreter();
    match std::env::var_os("SNAKEBRIDGE_PYTHON").filter(|p| !p.is_empty()) {
        Some(p) => {
            assert_eq!(python, std::path::PathBuf::from(&p));
            assert_eq!(source, "SNAKEBRIDGE_PYTHON");
            let pool = PoolClient::start(config(1)).unwrap();
            let executable: String =
                with_client(pool.clone(), || module_attr("sys", "executable")).unwrap();
            assert_eq!(
                std::path::PathBuf::from(executable),
                std::path::PathBuf::from(p)
            );
        }
        None => assert!(source != "PoolConfig::python"),
    }
}

#[test]
fn a_missing_interpreter_is_a_configuration_error_naming_it() {
    let err = PoolClient::start(config(2).python("/no/such/python3")).unwrap_err();
    let Error::Config { message } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("/no/such/python3"), "{message}");
    assert!(message.contains("PoolConfig::python"), "{message}");
}

#[test]
fn a_failing_preload_is_a_configuration_error_with_the_python_message() {
    let err = PoolClient::start(config(2).preload(["no_such_module_xyz"])).unwrap_err();
    let Error::Config { message } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("no_such_module_xyz"), "{message}");
    assert!(message.contains("ModuleNotFoundError"), "{message}");
}

#[test]
fn a_worker_that_does_not_become_ready_in_time_fails_the_start() {
    let err = PoolClient::start(
        config(1)
            .env("SNAKEBRIDGE_FAULTS_IMPORT_DELAY", "120")
            .preload(["snakebridge_faults"])
            .startup_timeout(Duration::from_millis(500)),
    )
    .unwrap_err();
    let Error::Config { message } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("startup timeout"), "{message}");
}

/// A file that releases a worker held by `snakebridge_faults.wait_for_file`.
struct Gate(std::path::PathBuf);

impl Gate {
    fn new(name: &str) -> Gate {
        Gate(std::env::temp_dir().join(format!("snakebridge-gate-{name}-{}", std::process::id())))
    }
    fn path(&self) -> String {
        self.0.to_str().unwrap().to_owned()
    }
    fn open(&self) {
        std::fs::write(&self.0, b"go").unwrap();
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn a_full_queue_returns_saturated_instead_of_growing() {
    let pool = PoolClient::start(config(1).max_queue(1)).unwrap();
    let gate = Gate::new("queue-full");
    let busy = {
        let (pool, path) = (pool.clone(), gate.path());
        std::thread::spawn(move || {
            with_client(pool, || {
                call::<bool>("snakebridge_faults", "wait_for_file", (path,))
            })
        })
    };
    assert!(eventually(Duration::from_secs(30), || pool
        .stats("default")
        .unwrap()
        .busy
        == 1));
    let queued = {
        let pool = pool.clone();
        std::thread::spawn(move || with_client(pool, || call::<i64>("operator", "add", (2, 2))))
    };
    assert!(eventually(Duration::from_secs(30), || pool
        .stats("default")
        .unwrap()
        .waiting
        == 1));
    let err = with_client(pool.clone(), || call::<i64>("operator", "add", (1, 1))).unwrap_err();
    let Error::Saturated {
        pool: name,
        message,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(name, "default");
    assert!(message.contains("max_queue"), "{message}");
    gate.open();
    assert!(busy.join().unwrap().unwrap());
    assert_eq!(queued.join().unwrap().unwrap(), 4);
    // And it serves normally again.
    let n: i64 = with_client(pool.clone(), || call("operator", "add", (1, 1))).unwrap();
    assert_eq!(n, 2);
    let pids = pool.worker_pids();
    drop(pool);
    assert!(all_gone(&pids));
}

#[test]
fn waiting_longer_than_the_queue_timeout_returns_saturated() {
    let pool = PoolClient::start(config(1).queue_timeout(Duration::from_millis(200))).unwrap();
    let gate = Gate::new("queue-timeout");
    let busy = {
        let (pool, path) = (pool.clone(), gate.path());
        std::thread::spawn(move || {
            with_client(pool, || {
                call::<bool>("snakebridge_faults", "wait_for_file", (path,))
            })
        })
    };
    assert!(eventually(Duration::from_secs(30), || pool
        .stats("default")
        .unwrap()
        .busy
        == 1));
    let err = with_client(pool.clone(), || call::<i64>("operator", "add", (1, 1))).unwrap_err();
    let Error::Saturated { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("queue_timeout"), "{message}");
    gate.open();
    assert!(busy.join().unwrap().unwrap());
    let thing: PyRef = with_client(pool.clone(), || {
        construct("snakebridge_testmod", "Thing", ("q",))
    })
    .unwrap();
    let loud: String = with_client(pool.clone(), || thing.call_method("shout", ())).unwrap();
    assert_eq!(loud, "Q!");
    let pids = pool.worker_pids();
    drop((thing, pool));
    assert!(all_gone(&pids));
}

/// The CPU time this thread has used.
fn thread_cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: RUSAGE_THREAD fills the struct for the calling thread.
    let usage = unsafe {
        assert_eq!(libc::getrusage(libc::RUSAGE_THREAD, usage.as_mut_ptr()), 0);
        usage.assume_init()
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

#[test]
fn both_sides_poll_for_the_configured_spin_before_they_block() {
    let cpu_while_waiting = |spin: Duration| {
        let pool = PoolClient::start(config(1).spin(spin)).unwrap();
        with_client(pool, || {
            let worker_cpu = || -> f64 { call("time", "process_time", ()).unwrap() };
            let before = worker_cpu();
            // The worker is idle for 300 ms after its reply: it spins, then blocks.
            std::thread::sleep(Duration::from_millis(300));
            let worker = worker_cpu() - before;
            // This thread waits 300 ms for a reply: it spins, then blocks.
            let mine = thread_cpu();
            let _: Value = call("time", "sleep", (0.3,)).unwrap();
            (worker, (thread_cpu() - mine).as_secs_f64())
        })
    };
    let (worker, caller) = cpu_while_waiting(Duration::from_millis(150));
    assert!(
        worker >= 0.05,
        "the worker spun {worker} s of a 150 ms spin"
    );
    assert!(
        caller >= 0.05,
        "the caller spun {caller} s of a 150 ms spin"
    );
    let (worker, caller) = cpu_while_waiting(Duration::ZERO);
    assert!(
        worker < 0.04,
        "with no spin the idle worker used {worker} s"
    );
    assert!(
        caller < 0.04,
        "with no spin the waiting caller used {caller} s"
    );
}
