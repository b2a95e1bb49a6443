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

/// How long a task has been runnable, in seconds: on a CPU plus waiting in a run queue for
/// one (`/proc/.../schedstat`). A task that polls is runnable whether or not it gets a core,
/// and one that blocks is neither, so unlike CPU time this does not shrink when other processes
/// keep the cores busy.
fn runnable(schedstat: &str) -> f64 {
    let text =
        std::fs::read_to_string(schedstat).expect("schedstat (a Linux kernel with schedstats)");
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().unwrap());
    let (on_cpu, waiting) = (fields.next().unwrap(), fields.next().unwrap());
    (on_cpu + waiting) as f64 / 1e9
}

/// Pins the calling thread to the first CPU it may use and process `pid` to another (when
/// there is another) or, `together`, to the same one, until dropped: a caller does not spin for
/// a worker last seen on its own CPU, nor the worker for it (`pool/worker/ring.rs`), so a test
/// of the spin keeps the two apart.
struct Pinned {
    allowed: libc::cpu_set_t,
}

impl Pinned {
    fn pin(pid: u32, together: bool) -> Pinned {
        // SAFETY: cpu_set_t values filled by CPU_SET, passed with their size.
        unsafe {
            let mut allowed: libc::cpu_set_t = std::mem::zeroed();
            libc::sched_getaffinity(0, std::mem::size_of_val(&allowed), &mut allowed);
            let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize)
                .filter(|&c| libc::CPU_ISSET(c, &allowed))
                .collect();
            if let [mine, other, ..] = cpus[..] {
                let theirs = if together { mine } else { other };
                for (who, cpu) in [(0, mine), (pid as libc::pid_t, theirs)] {
                    let mut one: libc::cpu_set_t = std::mem::zeroed();
                    libc::CPU_SET(cpu, &mut one);
                    libc::sched_setaffinity(who, std::mem::size_of_val(&one), &one);
                }
            }
            Pinned { allowed }
        }
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        // SAFETY: the set read in `pin`, with its size.
        unsafe { libc::sched_setaffinity(0, std::mem::size_of_val(&self.allowed), &self.allowed) };
    }
}

/// How long an idle worker and a waiting caller are runnable while nothing arrives for `idle`,
/// with the pool's spin set to `spin`, the two on different CPUs or (`together`) on one:
/// (worker, caller) in seconds.
fn runnable_while_idle(spin: Duration, idle: Duration, together: bool) -> (f64, f64) {
    let pool = PoolClient::start(config(1).spin(spin)).unwrap();
    let worker = format!("/proc/{}/schedstat", pool.worker_pids()[0]);
    let _pinned = Pinned::pin(pool.worker_pids()[0], together);
    with_client(pool, || {
        // The worker replies, then waits for the next request: it spins, then blocks.
        let n: i64 = call("operator", "add", (1, 2)).unwrap();
        assert_eq!(n, 3);
        let before = runnable(&worker);
        std::thread::sleep(idle);
        let worker = runnable(&worker) - before;
        // This thread waits `idle` for a reply: it spins, then blocks.
        let mine = runnable("/proc/thread-self/schedstat");
        let _: Value = call("time", "sleep", (idle.as_secs_f64(),)).unwrap();
        (worker, runnable("/proc/thread-self/schedstat") - mine)
    })
}

/// The tests that measure how long pool threads run take turns, so that one's spinning does not
/// take the cores (and so the run time) of another's.
static MEASURING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn measuring() -> std::sync::MutexGuard<'static, ()> {
    MEASURING.lock().unwrap_or_else(|e| e.into_inner())
}

/// How long a task has run on a CPU, in seconds (`/proc/.../schedstat`): what a spin costs the
/// machine, without the time the task waited for a core behind other processes.
fn on_cpu(schedstat: &str) -> f64 {
    let text =
        std::fs::read_to_string(schedstat).expect("schedstat (a Linux kernel with schedstats)");
    let on_cpu: u64 = text.split_whitespace().next().unwrap().parse().unwrap();
    on_cpu as f64 / 1e9
}

/// A side that polls for `PoolConfig::spin` and then blocks is runnable for about the spin in
/// a long idle window: bounded from below (it spins at all) and from above (it blocks: a side
/// that never blocks would be runnable for the whole window, 15 times the spin). Generous
/// bounds, on runnable time rather than CPU time, keep other processes on the cores from
/// moving the result.
#[test]
fn both_sides_poll_for_the_configured_spin_before_they_block() {
    let _turn = measuring();
    let spin = Duration::from_millis(200);
    let idle = Duration::from_secs(3);
    let (worker, caller) = runnable_while_idle(spin, idle, false);
    println!("spin {spin:?}, idle {idle:?}: worker runnable {worker:.3} s, caller {caller:.3} s");
    for (side, used) in [("worker", worker), ("caller", caller)] {
        assert!(
            (0.1..=1.0).contains(&used),
            "the idle {side} was runnable for {used} s of {idle:?} with a spin of {spin:?}: \
             expected about the spin (0.1 to 1 s)"
        );
    }
    let (worker, caller) = runnable_while_idle(Duration::ZERO, Duration::from_secs(1), false);
    println!("no spin, idle 1 s: worker runnable {worker:.3} s, caller {caller:.3} s");
    for (side, used) in [("worker", worker), ("caller", caller)] {
        assert!(
            used < 0.05,
            "with no spin the idle {side} was runnable for {used} s of 1 s"
        );
    }
}

/// A caller on the CPU its worker was last on does not spin for it (`pool/worker/ring.rs`):
/// the worker could not run there, and the caller would keep it waiting for the whole spin, on
/// every call. The worker says its CPU in the shared ring, and the caller's wait sleeps at once:
/// it is runnable for next to nothing of a slow call, as without a spin. Mutations:
/// `beside_worker` always false (the caller spins for 0.2 s); the worker never saying its CPU
/// (`RingChannel.say_cpu`), the same.
#[test]
fn a_caller_on_its_workers_cpu_does_not_spin_for_it() {
    let _turn = measuring();
    if !PoolConfig::new().uses_shared_ring() {
        return; // the rule is the shared ring's (pipes have no CPU words)
    }
    let (_, caller) = runnable_while_idle(Duration::from_millis(200), Duration::from_secs(1), true);
    println!("one CPU, spin 200 ms, a call of 1 s: caller runnable {caller:.3} s");
    assert!(
        caller < 0.05,
        "the caller beside its worker was runnable for {caller} s of a call of 1 s: it spun"
    );
}

/// CPU time (seconds) of a pool of 2 while two threads each make `rounds` calls of
/// `time.sleep(seconds)`, pausing `pause` between them.
struct PoolUse {
    /// Both workers, while the calls run.
    workers: f64,
    /// Both calling threads, while they call.
    callers: f64,
    /// Both workers, over `idle` right after the last calls.
    workers_idle: f64,
}

fn pool_use(
    spin: Duration,
    rounds: usize,
    seconds: f64,
    pause: Duration,
    idle: Duration,
) -> PoolUse {
    let pool = PoolClient::start(config(2).spin(spin)).unwrap();
    let stats: Vec<String> = pool
        .worker_pids()
        .iter()
        .map(|p| format!("/proc/{p}/schedstat"))
        .collect();
    let workers = || stats.iter().map(|s| on_cpu(s)).sum::<f64>();
    let before = workers();
    let callers = std::thread::scope(|s| {
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let pool = pool.clone();
                s.spawn(move || {
                    with_client(pool, || {
                        let mine = on_cpu("/proc/thread-self/schedstat");
                        for round in 0..rounds {
                            let _: Value = call("time", "sleep", (seconds,)).unwrap();
                            if round + 1 < rounds {
                                std::thread::sleep(pause);
                            }
                        }
                        on_cpu("/proc/thread-self/schedstat") - mine
                    })
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).sum::<f64>()
    });
    let busy = workers() - before;
    let before = workers();
    std::thread::sleep(idle);
    PoolUse {
        workers: busy,
        callers,
        workers_idle: workers() - before,
    }
}

/// A pool that served slow calls (250 ms, 100 ms apart) and then sits idle costs what a pool
/// that never spins costs: each worker's cycles outlasted its spin several times in a row, so it
/// blocks at once instead of spinning once more after its last call. The spin is scaled up to
/// 200 ms so that one spin more (0.2 s per worker) stands out of the noise.
#[test]
fn an_idle_pool_after_slow_requests_costs_what_a_pool_that_never_spins_costs() {
    let _turn = measuring();
    let run = |spin| {
        pool_use(
            spin,
            6,
            0.25,
            Duration::from_millis(100),
            Duration::from_millis(1500),
        )
    };
    let spinning = run(Duration::from_millis(200));
    let blocking = run(Duration::ZERO);
    println!(
        "idle 1.5 s after slow calls: workers on a CPU {:.3} s (spin 200 ms) vs {:.3} s (spin 0)",
        spinning.workers_idle, blocking.workers_idle
    );
    let extra = spinning.workers_idle - blocking.workers_idle;
    assert!(
        (-0.04..=0.04).contains(&extra),
        "the idle workers of a spinning pool ran {extra:.3} s more than those of a pool \
         that never spins (expected within 0.04 s; one spin more each would be 0.4 s)"
    );
}

/// A pool serving 10 ms calls costs its callers and workers what a pool that never spins costs:
/// the callers' waits outlast the spin (5 ms here, so that spinning through half of every call
/// would show: about 0.6 s in all), so they stop spinning after a few calls.
#[test]
fn a_pool_serving_calls_of_milliseconds_costs_what_a_pool_that_never_spins_costs() {
    let _turn = measuring();
    let run = |spin| pool_use(spin, 60, 0.01, Duration::ZERO, Duration::ZERO);
    let spinning = run(Duration::from_millis(5));
    let blocking = run(Duration::ZERO);
    println!(
        "2 x 60 calls of 10 ms: callers on a CPU {:.3} s, workers {:.3} s (spin 5 ms) vs \
         {:.3} s, {:.3} s (spin 0)",
        spinning.callers, spinning.workers, blocking.callers, blocking.workers
    );
    for (side, extra) in [
        ("callers", spinning.callers - blocking.callers),
        ("workers", spinning.workers - blocking.workers),
    ] {
        assert!(
            (-0.1..=0.1).contains(&extra),
            "the {side} of a spinning pool serving 10 ms calls ran {extra:.3} s more \
             than those of a pool that never spins (expected within 0.1 s)"
        );
    }
}
