//! Helpers shared by the pool tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use snakebridge_runtime::{PoolClient, PoolConfig};

/// The test helper modules (`snakebridge_testmod`, `snakebridge_faults`).
pub const TEST_PYTHON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/python");

/// A pool config whose workers see the test helper modules.
pub fn config(size: usize) -> PoolConfig {
    PoolConfig::new().size(size).env("PYTHONPATH", TEST_PYTHON)
}

/// Starts a pool of `size` workers for one test.
pub fn pool(size: usize) -> Arc<PoolClient> {
    PoolClient::start(config(size)).expect("the pool starts")
}

/// True while any thread of the process runs (a zombie group leader whose other threads are
/// still exiting still holds the process's files).
pub fn alive(pid: u32) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.flatten().any(|task| {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            return false;
        };
        // "tid (comm) S ...": the state follows the last ')'.
        let state = stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].trim_start().chars().next());
        !matches!(state, Some('Z') | Some('X') | None)
    })
}

/// Waits (generously) until none of `pids` is alive; true if they all went.
pub fn all_gone(pids: &[u32]) -> bool {
    eventually(Duration::from_secs(30), || pids.iter().all(|&p| !alive(p)))
}

/// Polls `f` until it is true or `timeout` passed.
pub fn eventually(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits until the pool has all its workers ready again (after a crash), returning their pids.
pub fn ready_pids(pool: &PoolClient, name: &str) -> Vec<u32> {
    let mut pids = Vec::new();
    let ok = eventually(Duration::from_secs(60), || {
        let s = pool.stats(name).unwrap();
        pids = s.worker_pids.clone();
        s.ready == s.size
    });
    assert!(ok, "pool `{name}` did not get all its workers back");
    pids
}

/// The pid in a `WorkerCrash`'s worker field (`"0 (pid 1234)"`).
pub fn crashed_pid(err: &snakebridge_runtime::Error) -> u32 {
    let snakebridge_runtime::Error::WorkerCrash { worker, .. } = err else {
        panic!("not a worker crash: {err:?}")
    };
    worker
        .split("pid ")
        .nth(1)
        .and_then(|s| s.trim_end_matches(')').parse().ok())
        .unwrap_or_else(|| panic!("no pid in {worker:?}"))
}
