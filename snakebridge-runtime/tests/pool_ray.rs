//! The pool's workers as Ray actors (`PoolConfig::ray`): sessions on one actor, an actor's death
//! as a worker's (`WorkerCrash`, one retry of an idempotent call, `StaleRef`), timeouts and
//! shutdown that leave no actor behind, a driver's death. One local cluster for the binary
//! (`RayConfig::local`); the shared behaviour suite runs on Ray in `behaviour.rs`.

mod support;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use snakebridge_runtime::{
    Call, Error, NdArray, PoolClient, PyFn, PyRef, RayConfig, Result, Session, Value, call,
    construct, in_session, with_client,
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

/// The pool the tests that crash nothing share.
fn shared() -> Arc<PoolClient> {
    static SHARED: OnceLock<Arc<PoolClient>> = OnceLock::new();
    SHARED.get_or_init(|| ray_pool("shared", 2)).clone()
}

#[test]
fn rust_callbacks_run_mid_call_from_an_actor() {
    with_client(shared(), || {
        // By length, then reversed alphabetically: the order is the Rust key's.
        let key = PyFn::new(|word: String| -> Result<(usize, Vec<i64>)> {
            Ok((word.len(), word.chars().map(|c| -(c as i64)).collect()))
        });
        let sorted: Vec<String> = Call::function(
            "builtins",
            "sorted",
            (vec!["pear", "fig", "apple", "kiwi"],),
        )
        .kwarg("key", key)
        .call()
        .unwrap();
        assert_eq!(sorted, ["fig", "pear", "kiwi", "apple"]);
        // The closure calls back into the actor (the match object is a ref there).
        let double = PyFn::new(|m: PyRef| -> Result<String> {
            let digits: String = m.call_method("group", (0,))?;
            Ok((digits.parse::<i64>().unwrap() * 2).to_string())
        });
        let text: String = call("re", "sub", (r"\d+", double, "3 apples, 12 pears")).unwrap();
        assert_eq!(text, "6 apples, 24 pears");
    });
}

#[test]
fn async_calls_complete_through_the_actors() {
    let futures: Vec<_> = with_client(shared(), || {
        (0..8i64)
            .map(|i| Call::<i64>::function("operator", "mul", (i, 3)).call_async())
            .collect()
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let results: Vec<i64> = runtime.block_on(async {
        let mut out = Vec::new();
        for f in futures {
            out.push(f.await.unwrap());
        }
        out
    });
    assert_eq!(results, (0..8).map(|i| i * 3).collect::<Vec<_>>());
}

/// What a worker's array is over: its sum, whether it is writeable, and the type holding its
/// elements (`tests/python/snakebridge_ray_helpers.py`'s `array_backing`).
fn backing(array: NdArray) -> (f64, bool, String) {
    call("snakebridge_ray_helpers", "array_backing", (array,)).unwrap()
}

/// The bytes the cluster's object stores hold, asked by a worker of the pool.
fn object_store_bytes() -> i64 {
    with_client(shared(), || {
        call("snakebridge_ray_helpers", "object_store_bytes", ())
    })
    .unwrap()
}

#[test]
fn large_arrays_reach_the_actor_through_the_object_store() {
    let pool = shared();
    let n = 1usize << 20;
    with_client(pool.clone(), || {
        // 8 MB copied into a segment by Rust, put in the object store by the driver: the
        // actor's array is over the store's memory (read-only, no copy), not a message's bytes.
        let data: Vec<f64> = (0..n).map(|i| (i % 1000) as f64).collect();
        let expected: f64 = data.iter().sum();
        let (sum, writeable, base) = backing(NdArray::from_vec(data));
        assert_eq!(sum, expected);
        assert!(!writeable);
        assert!(base.starts_with("ray."), "over {base}");
        // Under the threshold: inside the message, as ever.
        let (sum, _, base) = backing(NdArray::from_vec(vec![1.0f64; 16]));
        assert_eq!(sum, 16.0);
        assert!(!base.starts_with("ray."), "over {base}");
    });
    // Filled in shared memory by Rust (8 MB), it goes by the segment's name to the driver,
    // which puts it in the object store: the actor never maps the segment.
    let session = pool.session().unwrap();
    let mut filled = pool.alloc_array::<f64>([n]).unwrap();
    for (i, x) in filled.as_mut_slice().iter_mut().enumerate() {
        *x = (i % 1000) as f64;
    }
    let segment = filled.segment_name().to_owned();
    let ((sum, writeable, base), actor_pid) = in_session(&session, || {
        let seen = backing(filled.into_array());
        (seen, call::<u32>("os", "getpid", ()).unwrap())
    });
    assert_eq!(sum, (0..n).map(|i| (i % 1000) as f64).sum::<f64>());
    assert!(!writeable);
    assert!(base.starts_with("ray."), "over {base}");
    let maps = std::fs::read_to_string(format!("/proc/{actor_pid}/maps")).unwrap();
    assert!(
        !maps.contains(segment.trim_start_matches('/')),
        "{segment} mapped"
    );
}

#[test]
fn an_arrays_segment_is_settled_free_and_its_object_let_go_after_the_call() {
    let pool = ray_pool("objects", 1);
    let before = object_store_bytes();
    let mut filled = pool.alloc_array::<f64>([1 << 20]).unwrap();
    filled.as_mut_slice().fill(0.25);
    let segment = filled.segment_name().to_owned();
    let array = filled.into_array();
    let sum: f64 = with_client(pool.clone(), || call("numpy", "sum", (array.clone(),))).unwrap();
    assert_eq!(sum, 262144.0);
    // The driver's answer said the segment is free (the actor has the object's copy): dropped,
    // it goes back to the pool's spares, and the next array of its size is made in it.
    drop(array);
    let again = pool.alloc_array::<f64>([1 << 20]).unwrap();
    assert_eq!(
        again.segment_name(),
        segment,
        "the segment was not settled free"
    );
    drop(again);
    // The object (8 MB) is let go of once the call is over: the stores hold less than a MB
    // more than before (other tests' objects come and go meanwhile).
    assert!(
        eventually(Duration::from_secs(30), || object_store_bytes()
            < before + (1 << 20)),
        "{} bytes in the stores, {before} before the call",
        object_store_bytes()
    );
    // Shut down, the pool unlinks its spare: no segment of the call is left.
    pool.shutdown();
    drop(pool);
    let path = format!("/dev/shm{segment}");
    assert!(
        eventually(Duration::from_secs(10), || !std::path::Path::new(&path)
            .exists()),
        "{path} left"
    );
}

/// The path of this process's mapping that holds `address` (`/proc/self/maps`), if a file's.
fn mapped_file_at(address: *const u8) -> Option<String> {
    let address = address as usize;
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    maps.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let (start, end) = fields.next()?.split_once('-')?;
        let (start, end) = (
            usize::from_str_radix(start, 16).ok()?,
            usize::from_str_radix(end, 16).ok()?,
        );
        let path = fields.nth(4)?;
        (start <= address && address < end).then(|| path.to_owned())
    })
}

/// The segments of process `pid` left in `/dev/shm` (`sbw-<pid>-<n>`).
fn segments_of(pid: u32) -> Vec<String> {
    let prefix = format!("sbw-{pid}-");
    std::fs::read_dir("/dev/shm")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with(&prefix))
        .collect()
}

#[test]
fn a_large_result_comes_back_through_the_object_store_into_a_segment_of_the_driver() {
    let pool = ray_pool("results", 1);
    let session = pool.session().unwrap();
    let driver = session.worker_pid().unwrap();
    let before = object_store_bytes();
    let n = 10_000_000usize;
    // 80 MB: put in the object store by the actor's worker, copied by the driver into a
    // segment of its own, which Rust maps (no copy on this side) and unlinks at once.
    let (large, actor) = in_session(&session, || {
        let large: NdArray = Call::function("numpy", "arange", (n as i64,))
            .kwarg("dtype", "float64")
            .call()
            .unwrap();
        (large, call::<u32>("os", "getpid", ()).unwrap())
    });
    assert_ne!(actor, driver);
    assert_eq!(large.shape(), [n]);
    let values = large.view::<f64>().unwrap();
    assert!(values.iter().enumerate().all(|(i, &x)| x == i as f64));
    let held_in = mapped_file_at(large.data_ptr()).unwrap_or_default();
    assert!(
        held_in.starts_with(&format!("/dev/shm/sbw-{driver}-")),
        "the result is held in {held_in:?}, not in a segment of the driver (pid {driver})"
    );
    assert_eq!(segments_of(driver), Vec::<String>::new(), "names left");
    // A stream's large items too (they come through the actor's generator).
    let items: Vec<NdArray> = in_session(&session, || {
        Call::<Value>::function("snakebridge_ray_helpers", "filled", (3, 1 << 20))
            .stream::<NdArray>()
            .unwrap()
            .collect::<Result<Vec<NdArray>>>()
    })
    .unwrap();
    assert_eq!(items.len(), 3);
    for (i, item) in items.iter().enumerate() {
        assert!(item.view::<f64>().unwrap().iter().all(|&x| x == i as f64));
        let held_in = mapped_file_at(item.data_ptr()).unwrap_or_default();
        assert!(
            held_in.starts_with(&format!("/dev/shm/sbw-{driver}-")),
            "item {i} is held in {held_in:?}"
        );
    }
    drop(items);
    // A callback's large argument comes the same way (through the actor's generator too, the
    // last of its items to hold an object: Ray keeps those refs while its generator lives).
    let seen = PyFn::new(|array: NdArray| -> Result<(f64, String)> {
        let total = array.view::<f64>()?.sum();
        Ok((total, mapped_file_at(array.data_ptr()).unwrap_or_default()))
    });
    let (total, seen_in): (f64, String) = in_session(&session, || {
        call(
            "snakebridge_ray_helpers",
            "call_with_range",
            (seen, 1 << 20),
        )
    })
    .unwrap();
    assert_eq!(total, ((1u64 << 20) * ((1 << 20) - 1) / 2) as f64);
    assert!(
        seen_in.starts_with(&format!("/dev/shm/sbw-{driver}-")),
        "the callback's argument is held in {seen_in:?}"
    );
    // Under the threshold: inside the message, in this process's memory.
    let small: NdArray = in_session(&session, || {
        Call::function("numpy", "full", (16, 0.5)).call().unwrap()
    });
    assert_eq!(small.to_vec::<f64>().unwrap(), vec![0.5; 16]);
    let small_in = mapped_file_at(small.data_ptr()).unwrap_or_default();
    assert!(!small_in.contains("/sbw-"), "held in {small_in}");
    // A stream left open after its first item: the worker sent what its credit allows, the
    // last of it through the actor's generator, and nothing comes after it.
    let mut open = in_session(&session, || {
        Call::<Value>::function("snakebridge_ray_helpers", "filled", (1000, 1 << 18))
            .stream::<NdArray>()
    })
    .unwrap();
    let first = open.next().unwrap().unwrap();
    assert!(first.view::<f64>().unwrap().iter().all(|&x| x == 0.0));
    // Nothing kept: each object goes once the driver copied it out, the segment with the array.
    drop(large);
    assert!(
        eventually(Duration::from_secs(30), || object_store_bytes()
            < before + (1 << 20)),
        "{} bytes in the stores, {before} before the call",
        object_store_bytes()
    );
    drop((first, open));
    drop(session);
    pool.shutdown();
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

/// Makes a ref in `session` of pool `name`, starts a 120 s call there, and SIGKILLs process
/// `pid` (one the pool started) once the call runs: the call's error, and the ref.
fn killed_during_a_call(
    pool: &Arc<PoolClient>,
    name: &str,
    session: &Session,
    pid: u32,
) -> (Error, PyRef) {
    let held: PyRef = in_session(session, || construct("collections", "OrderedDict", ())).unwrap();
    let caller = {
        let session = session.clone();
        std::thread::spawn(move || {
            in_session(&session, || {
                call::<Value>("snakebridge_ray_helpers", "sleep_then", (120, 1))
            })
        })
    };
    assert!(eventually(Duration::from_secs(30), || pool
        .stats(name)
        .unwrap()
        .busy
        == 1));
    // SAFETY: kill(2) on a process the test's own pool started.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) }, 0);
    (caller.join().unwrap().unwrap_err(), held)
}

#[test]
fn an_actor_killed_mid_call_is_a_worker_crash_and_its_refs_go_stale() {
    let pool = ray_pool("killed", 2);
    let session = pool.session().unwrap();
    let (name, actor_pid) = in_session(&session, whereabouts);
    // The actor's process (on this machine: the local cluster's one node), not the driver.
    let (err, held) = killed_during_a_call(&pool, "killed", &session, actor_pid);
    assert!(
        crash_cause(&err).contains("the Ray actor of this worker died"),
        "{err}"
    );
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
    let (err, held) = killed_during_a_call(&pool, "driver", &session, driver);
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
        eventually(Duration::from_secs(30), || live_actors(&actors_of(
            "shutdown"
        ))
        .is_empty()),
        "{:?}",
        live_actors(&actors_of("shutdown"))
    );
    // A new pool starts on the same cluster.
    let again = ray_pool("shutdown-again", 1);
    serves(&again);
    again.shutdown();
}

/// A cluster of several Ray nodes on this machine (`tests/python/snakebridge_ray_cluster.py`):
/// each node has one `slot` resource, so workers that ask for one land one per node.
struct Nodes {
    child: std::process::Child,
    lines: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
    address: String,
    ids: serde_json::Value,
    token: String,
}

impl Nodes {
    fn start() -> Nodes {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let python = snakebridge_runtime::client::contract::interpreter::from_env().program;
        let token = format!(
            "{:x}{:x}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let mut child = Command::new(python)
            .arg(format!(
                "{}/snakebridge_ray_cluster.py",
                support::TEST_PYTHON
            ))
            .env(
                "SNAKEBRIDGE_RAY_TEMP_DIR",
                std::env::temp_dir().join(format!("sb-ray-nodes-{}", std::process::id())),
            )
            .env("RAY_AUTH_MODE", "token")
            .env("RAY_AUTH_TOKEN", &token)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the cluster script starts");
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let first: serde_json::Value =
            serde_json::from_str(&lines.next().expect("the cluster's address").unwrap()).unwrap();
        Nodes {
            address: first["address"].as_str().unwrap().to_owned(),
            ids: first["nodes"].clone(),
            child,
            lines,
            token,
        }
    }

    fn id(&self, node: &str) -> String {
        self.ids[node].as_str().unwrap().to_owned()
    }

    fn command(&mut self, line: &str) -> serde_json::Value {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        // Ray prints its own news on the script's stdout too (a raylet's end): skip it.
        loop {
            let line = self.lines.next().expect("an answer").unwrap();
            if let Ok(answer) = serde_json::from_str(&line) {
                return answer;
            }
        }
    }

    /// Removes a node at once, as a lost machine: its raylet and workers are killed.
    fn kill(&mut self, node: &str) {
        assert_eq!(self.command(&format!("kill {node}")), "killed");
    }

    fn add(&mut self, node: &str) {
        let id = self.command(&format!("add {node}"));
        self.ids[node] = id;
    }

    fn live_actors(&mut self, prefix: &str) -> Vec<String> {
        serde_json::from_value(self.command(&format!("actors {prefix}"))).unwrap()
    }
}

impl Drop for Nodes {
    fn drop(&mut self) {
        // EOF: the script shuts the cluster down and removes its folder.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Starts `node_when(marker)` on each of the pool's two workers (one call each: both busy),
/// each result sent to the channel as it comes.
fn hold_both(
    pool: &Arc<PoolClient>,
    marker: &std::path::Path,
    idempotent: bool,
) -> std::sync::mpsc::Receiver<Result<String, Error>> {
    let (tx, rx) = std::sync::mpsc::channel();
    for _ in 0..2 {
        let (pool, tx) = (pool.clone(), tx.clone());
        let path = marker.to_str().unwrap().to_owned();
        std::thread::spawn(move || {
            let result = with_client(pool, || {
                Call::function("snakebridge_ray_helpers", "node_when", (path,))
                    .idempotent(idempotent)
                    .call()
            });
            let _ = tx.send(result);
        });
    }
    assert!(eventually(Duration::from_secs(60), || pool
        .stats("nodes")
        .unwrap()
        .busy
        == 2));
    rx
}

#[test]
fn workers_land_on_both_nodes_and_a_lost_node_is_a_crash_the_pool_survives() {
    let mut nodes = Nodes::start();
    let pool = PoolClient::start(
        support::config(2)
            .name("nodes")
            .env("RAY_AUTH_MODE", "token")
            .env("RAY_AUTH_TOKEN", &nodes.token)
            .ray(
                RayConfig::connect(&nodes.address)
                    .num_cpus(0.1)
                    .resources([("slot", 1.0)]),
            ),
    )
    .expect("the pool starts on the cluster");
    let (head, second) = (nodes.id("head"), nodes.id("second"));
    let wait = Duration::from_secs(60);

    // One worker per node, by the node each reports.
    let marker = marker();
    let both = hold_both(&pool, &marker, false);
    std::fs::write(&marker, "").unwrap();
    let mut landed: Vec<String> = (0..2)
        .map(|_| both.recv_timeout(wait).unwrap().unwrap())
        .collect();
    landed.sort();
    let mut expected = vec![head.clone(), second.clone()];
    expected.sort();
    assert_eq!(landed, expected);
    std::fs::remove_file(&marker).unwrap();

    // A large result from each node: put in that node's object store, read by the driver from
    // its own (Ray moves the second node's over first).
    let (tx, rx) = std::sync::mpsc::channel();
    for _ in 0..2 {
        let (pool, tx) = (pool.clone(), tx.clone());
        let path = marker.to_str().unwrap().to_owned();
        std::thread::spawn(move || {
            let result = with_client(pool, || {
                call::<(String, NdArray)>(
                    "snakebridge_ray_helpers",
                    "node_and_range_when",
                    (path, 1 << 20),
                )
            });
            let _ = tx.send(result);
        });
    }
    assert!(eventually(wait, || pool.stats("nodes").unwrap().busy == 2));
    std::fs::write(&marker, "").unwrap();
    let mut from: Vec<String> = (0..2)
        .map(|_| {
            let (node, array) = rx.recv_timeout(wait).unwrap().unwrap();
            let values = array.view::<f64>().unwrap();
            assert!(values.iter().enumerate().all(|(i, &x)| x == i as f64));
            node
        })
        .collect();
    from.sort();
    assert_eq!(from, expected);
    std::fs::remove_file(&marker).unwrap();

    // The second node lost mid-call: its call (not idempotent) is a WorkerCrash; the head's
    // call finishes once released.
    let both = hold_both(&pool, &marker, false);
    nodes.kill("second");
    let err = both.recv_timeout(wait).unwrap().unwrap_err();
    assert!(
        crash_cause(&err).contains("the Ray actor of this worker died"),
        "{err}"
    );
    std::fs::write(&marker, "").unwrap();
    assert_eq!(both.recv_timeout(wait).unwrap().unwrap(), head);
    // The pool serves on the head (the replacement waits for a node with a free slot).
    serves(&pool);
    std::fs::remove_file(&marker).unwrap();

    // A new node takes the replacement; losing it mid-call, an idempotent call is retried on
    // the head's worker.
    nodes.add("third");
    assert!(eventually(wait, || pool.stats("nodes").unwrap().ready == 2));
    let restarts = pool.stats("nodes").unwrap().restarts;
    let both = hold_both(&pool, &marker, true);
    nodes.kill("third");
    assert!(eventually(wait, || pool.stats("nodes").unwrap().restarts > restarts));
    std::fs::write(&marker, "").unwrap();
    for _ in 0..2 {
        assert_eq!(both.recv_timeout(wait).unwrap().unwrap(), head);
    }
    let _ = std::fs::remove_file(&marker);
    serves(&pool);

    pool.shutdown();
    let prefix = actors_of("nodes");
    assert!(eventually(wait, || nodes.live_actors(&prefix).is_empty()));
}

/// An event's name and its fields as text.
type Event = (String, std::collections::BTreeMap<String, String>);

/// The pool's worker events, as they come.
#[derive(Clone, Default)]
struct Events(Arc<std::sync::Mutex<Vec<Event>>>);

struct Fields<'a>(&'a mut std::collections::BTreeMap<String, String>);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Events {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event
            .metadata()
            .name()
            .starts_with("snakebridge.pool.worker")
        {
            let mut fields = std::collections::BTreeMap::new();
            event.record(&mut Fields(&mut fields));
            let name = event.metadata().name().to_owned();
            self.0.lock().unwrap().push((name, fields));
        }
    }
}

#[test]
fn the_pools_worker_events_name_the_ray_node() {
    use tracing_subscriber::layer::SubscriberExt;
    // The process's subscriber (a thread's own could miss events whose interest another
    // thread's first use cached meanwhile); this test reads its pool's events only.
    static EVENTS: OnceLock<Events> = OnceLock::new();
    let events = EVENTS.get_or_init(|| {
        let events = Events::default();
        let subscriber = tracing_subscriber::Registry::default().with(events.clone());
        tracing::subscriber::set_global_default(subscriber).expect("no other subscriber");
        events
    });
    let pool = ray_pool("events", 1);
    let node: String = with_client(pool.clone(), || {
        call("ray", "get_runtime_context", ())
            .and_then(|context: PyRef| context.call_method("get_node_id", ()))
    })
    .unwrap();
    let err = with_client(pool.clone(), || {
        call::<Value>("snakebridge_faults", "exit_now", (3,))
    })
    .unwrap_err();
    assert!(matches!(err, Error::WorkerCrash { .. }), "{err:?}");
    pool.shutdown();
    let events: Vec<_> = events
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, fields)| fields.get("pool").is_some_and(|p| p == "events"))
        .cloned()
        .collect();
    assert_eq!(node.len(), 56, "{node}");
    for wanted in [
        "snakebridge.pool.worker_started",
        "snakebridge.pool.worker_crashed",
    ] {
        let Some((_, fields)) = events.iter().find(|(name, _)| name == wanted) else {
            panic!("no {wanted} among {events:?}")
        };
        assert_eq!(fields["node"], node, "{wanted}");
    }
}
