//! Helpers shared by the pool tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use snakebridge_runtime::{PoolClient, PoolConfig};

/// The test helper modules (`snakebridge_testmod`, `snakebridge_faults`).
pub const TEST_PYTHON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/python");

/// The environment variable that tags every worker a test pool starts (see [`tagged_workers`]).
pub const TAG_ENV: &str = "SNAKEBRIDGE_TEST_POOL_TAG";

thread_local! {
    /// The tags of the pools this thread configured.
    static TAGS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The embedded client, with the test helper modules on its `sys.path` (added once per process).
#[cfg(feature = "embedded")]
pub fn embedded() -> Arc<dyn snakebridge_runtime::client::RuntimeClient> {
    use snakebridge_runtime::{EmbeddedClient, PyRef, module_attr, with_client};
    static ONCE: std::sync::Once = std::sync::Once::new();
    let client = EmbeddedClient::shared();
    ONCE.call_once(|| {
        with_client(client.clone(), || {
            let path: PyRef = module_attr("sys", "path").expect("sys.path");
            let _: () = path
                .call_method("insert", (0, TEST_PYTHON))
                .expect("sys.path.insert");
        })
    });
    client
}

/// Runs `f` on a thread with a small stack (256 KiB, as a user's worker thread might have) and
/// returns its result, re-raising its panic.
pub fn on_small_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("a thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// A pool config whose workers see the test helper modules. Its workers (the first ones and
/// every replacement) carry a tag of this thread in their environment, so [`tagged_workers`]
/// finds them without knowing their pids.
pub fn config(size: usize) -> PoolConfig {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let tag = format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    TAGS.with(|t| t.borrow_mut().push(tag.clone()));
    PoolConfig::new()
        .size(size)
        .env("PYTHONPATH", TEST_PYTHON)
        .env(TAG_ENV, tag)
}

/// Starts a pool of `size` workers for one test.
pub fn pool(size: usize) -> Arc<PoolClient> {
    PoolClient::start(config(size)).expect("the pool starts")
}

/// The state letter of `/proc/<pid>/stat` ("pid (comm) S ..."), None when there is no such
/// process (it exited and was reaped).
pub fn state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The state follows the last ')' (comm may contain anything).
    stat.rfind(')')
        .and_then(|i| stat[i + 1..].trim_start().chars().next())
}

/// True until the process is gone: a zombie ('Z', exited but not reaped by its parent) still
/// counts, since a worker the pool never waited for is a leak; only 'X' (being reaped) or no
/// `/proc` entry at all is gone.
pub fn alive(pid: u32) -> bool {
    !matches!(state(pid), None | Some('X'))
}

/// Live processes whose environment carries the tag of a pool this thread configured: every
/// worker of this thread's pools, also those started after the pids a test knew.
pub fn tagged_workers() -> Vec<u32> {
    let tags: Vec<String> = TAGS.with(|t| t.borrow().clone());
    let wanted: Vec<Vec<u8>> = tags
        .iter()
        .map(|t| format!("{TAG_ENV}={t}").into_bytes())
        .collect();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut pids: Vec<u32> = dir
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
                return false;
            };
            environ
                .split(|&b| b == 0)
                .any(|var| wanted.iter().any(|w| var == w.as_slice()))
        })
        .collect();
    pids.sort_unstable();
    pids
}

/// Waits (generously) until none of `pids` is alive; true if they all went.
pub fn all_gone(pids: &[u32]) -> bool {
    eventually(Duration::from_secs(30), || pids.iter().all(|&p| !alive(p)))
}

/// Runs `f` on its own thread and waits at most `limit` for it: a call that never returns fails
/// the test (naming `what`) instead of hanging the run. Returns `f`'s value and the time it took,
/// measured around the call.
pub fn within<R: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> R + Send + 'static,
) -> (R, Duration) {
    let (tx, rx) = std::sync::mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        let r = f();
        let _ = tx.send((r, started.elapsed()));
    });
    match rx.recv_timeout(limit) {
        Ok(done) => done,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: did not finish within {limit:?}")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            panic!("{what}: panicked (see its message above)")
        }
    }
}

/// Asserts `elapsed` lies in `[low, high]`.
#[track_caller]
pub fn assert_between(elapsed: Duration, low: Duration, high: Duration, what: &str) {
    assert!(
        elapsed >= low && elapsed <= high,
        "{what}: took {elapsed:?}, expected between {low:?} and {high:?}"
    );
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

/// Polls one future to its end on this thread (parking between polls).
pub fn block_on<F: std::future::Future + Unpin>(mut future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    loop {
        if let std::task::Poll::Ready(out) = std::pin::Pin::new(&mut future).poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}
