//! The pool client: calls run in pools of Python worker processes (see [`PoolClient`]).
//!
//! Layout: `worker` (one process, its channel and frames), `sched` (a pool's slots, queue and
//! replacements), `reply` (request frames and replies), `shm` (large arrays through shared
//! memory), `stream`, `session`; the adapter the workers run is `python/snakebridge_worker.py`.

mod protocol;
mod reply;
mod sched;
mod session;
mod shared_array;
mod shm;
mod sink;
mod stream;
mod worker;

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

pub use session::{Session, in_session};
pub use shared_array::SharedArrayMut;

use self::protocol::{RequestKind, ToWorker};
use self::reply::{Reply, context_of, interpret};
use self::sched::{AcquireError, Pool, Target};
use self::stream::PoolStream;
use self::worker::{Failure, Frame, ID_SHIFT, Worker, lock};
use crate::client::request::{CallOptions, Request};
use crate::client::{RuntimeClient, ValueStream};
use crate::data::error::{Error, Result};
use crate::data::pyref::{PyRef, RefHandle};
use crate::data::value::Value;
use crate::telemetry::{time_decode, time_encode};
use crate::wire;

/// Where a worker's stdout and stderr go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorkerOutput {
    /// To this process's stdout and stderr (the default).
    #[default]
    Inherit,
    /// Line by line to `tracing` (target `snakebridge::worker`; stdout at INFO, stderr at WARN).
    Tracing,
    /// Discarded.
    Null,
}

/// The configuration of one pool: built with chained setters, started with
/// [`PoolClient::start`].
///
/// ```
/// use std::time::Duration;
/// use snakebridge_runtime::PoolConfig;
///
/// let config = PoolConfig::new()
///     .name("gpu")
///     .size(2)
///     .python("/opt/venv/bin/python")
///     .env("CUDA_VISIBLE_DEVICES", "0")
///     .preload(["numpy"])
///     .call_timeout(Duration::from_secs(30));
/// assert_eq!(config.pool_name(), "gpu");
/// assert_eq!(config.pool_size(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct PoolConfig {
    pub(crate) name: String,
    pub(crate) size: usize,
    pub(crate) python: Option<PathBuf>,
    pub(crate) env: Vec<(OsString, OsString)>,
    pub(crate) preload: Vec<String>,
    pub(crate) startup_timeout: Duration,
    pub(crate) queue_timeout: Duration,
    pub(crate) max_queue: usize,
    pub(crate) call_timeout: Option<Duration>,
    pub(crate) stream_window: usize,
    pub(crate) output: WorkerOutput,
    pub(crate) shared_memory_threshold: usize,
    pub(crate) spin: Duration,
}

/// The default [`PoolConfig::shared_memory_threshold`]. Measured on Linux (`cargo bench
/// --bench pool`, one-way transfer by size): base64 inside the message and shared memory break
/// even at 4-8 KiB; at 16 KiB shared memory takes half the time, at 64 KiB a sixth.
const DEFAULT_SHARED_MEMORY_THRESHOLD: usize = 16 * 1024;

/// The default [`PoolConfig::spin`]: about one wake-up of a blocked process on a busy
/// virtual machine, so a quick reply or the next request of a tight loop is caught awake.
const DEFAULT_SPIN: Duration = Duration::from_micros(100);

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            name: "default".into(),
            size: std::thread::available_parallelism().map_or(2, |n| n.get()),
            python: None,
            env: Vec::new(),
            preload: Vec::new(),
            startup_timeout: Duration::from_secs(60),
            queue_timeout: Duration::from_secs(60),
            max_queue: 1024,
            call_timeout: None,
            stream_window: 64,
            output: WorkerOutput::Inherit,
            shared_memory_threshold: DEFAULT_SHARED_MEMORY_THRESHOLD,
            spin: DEFAULT_SPIN,
        }
    }
}

impl PoolConfig {
    /// The defaults: pool `default`, one worker per CPU, the interpreter from the environment
    /// (see [`PoolConfig::python`]), startup and queue timeouts of 60 s, at most 1024 waiting
    /// callers, no call timeout, a stream window of 64 items, output inherited, arrays of 16 KiB
    /// or more through shared memory, a spin of 100 µs before sleeping.
    pub fn new() -> PoolConfig {
        PoolConfig::default()
    }

    /// The pool's name, which calls select it by ([`CallOptions::pool`]).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The number of worker processes.
    pub fn size(mut self, size: usize) -> Self {
        self.size = size;
        self
    }

    /// The Python interpreter of the workers. Without it, the interpreter rule of
    /// [`contract::interpreter`](crate::contract::interpreter): `SNAKEBRIDGE_PYTHON`, else
    /// `PYO3_PYTHON`, else `$VIRTUAL_ENV/bin/python`, else `python3` from `PATH`.
    pub fn python(mut self, python: impl Into<PathBuf>) -> Self {
        self.python = Some(python.into());
        self
    }

    /// Sets an environment variable for the workers (on top of this process's environment),
    /// e.g. `PYTHONPATH`.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Modules each worker imports before it reports ready (a failing import fails the start).
    pub fn preload<I, S>(mut self, modules: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.preload.extend(modules.into_iter().map(Into::into));
        self
    }

    /// How long a worker may take to start and import its preloads.
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// How long a call may wait for a free worker before it fails with [`Error::Saturated`].
    pub fn queue_timeout(mut self, timeout: Duration) -> Self {
        self.queue_timeout = timeout;
        self
    }

    /// How many callers may wait for a worker at once; one more fails at once with
    /// [`Error::Saturated`].
    pub fn max_queue(mut self, callers: usize) -> Self {
        self.max_queue = callers;
        self
    }

    /// The timeout of calls that set none ([`CallOptions::timeout`] overrides it).
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = Some(timeout);
        self
    }

    /// How many stream items a worker may push ahead of the consumer (at least 1).
    pub fn stream_window(mut self, items: usize) -> Self {
        self.stream_window = items.max(1);
        self
    }

    /// Where the workers' stdout and stderr go.
    pub fn output(mut self, output: WorkerOutput) -> Self {
        self.output = output;
        self
    }

    /// From how many bytes on an array ([`NdArray`](crate::NdArray), an `ndarray` array, or a
    /// numpy array returned by value) crosses between this process and a worker through a POSIX
    /// shared-memory segment instead of inside the JSON message. Default: 16 KiB.
    ///
    /// Through shared memory an array is copied once (by its sender, into the segment) and
    /// mapped by the receiver without a copy; segments are private to the user (mode `0600`) and
    /// removed as soon as the call is over, also when the worker crashes or the call times out.
    /// The exception: a segment the worker reports unused after a call (it kept no reference to
    /// the array) is kept as a spare for the arrays of later calls, which then skip the cost of
    /// new shared memory pages; a pool keeps at most 4 spares (512 MiB together) and removes
    /// them when it shuts down.
    /// Below the threshold the elements travel as binary attachments beside the message's JSON
    /// (copied into the message, no base64), which is cheaper for small arrays. `0` sends every
    /// non-empty array through shared memory, `usize::MAX` none. Where a segment cannot be
    /// created (no room in `/dev/shm`), the array travels beside the message. An array made by
    /// [`PoolClient::alloc_array`] is already in shared memory: it goes by name whatever the
    /// threshold, with no copy.
    ///
    /// ```
    /// use snakebridge_runtime::PoolConfig;
    ///
    /// // Arrays of 1 MiB and more through shared memory, smaller ones inside the messages.
    /// let config = PoolConfig::new().size(2).shared_memory_threshold(1 << 20);
    /// # let _ = config;
    /// ```
    pub fn shared_memory_threshold(mut self, bytes: usize) -> Self {
        self.shared_memory_threshold = bytes;
        self
    }

    /// How long a side waiting on the channel polls it before it blocks: the caller waiting
    /// for a reply, and the worker waiting for its next request. A process that blocks in a
    /// read is woken by the kernel when data comes, which costs tens of microseconds on a busy
    /// or virtual machine, twice per round trip; polling for a moment first catches a quick
    /// reply, and the next call of a loop, awake. The cost is CPU: at most this long per
    /// wait, on one core per waiting caller and per idle worker. Zero never polls (each wait
    /// blocks at once), for machines where cores are scarcer than latency matters.
    ///
    /// ```
    /// use std::time::Duration;
    /// use snakebridge_runtime::PoolConfig;
    ///
    /// // Workers that sleep as soon as they are idle.
    /// let config = PoolConfig::new().spin(Duration::ZERO);
    /// # let _ = config;
    /// ```
    pub fn spin(mut self, spin: Duration) -> Self {
        self.spin = spin;
        self
    }

    /// How long a waiting side polls before it blocks (see [`PoolConfig::spin`]).
    pub fn spin_duration(&self) -> Duration {
        self.spin
    }

    /// The pool's name.
    pub fn pool_name(&self) -> &str {
        &self.name
    }

    /// The number of workers.
    pub fn pool_size(&self) -> usize {
        self.size
    }

    /// The interpreter the workers will run, and where that choice came from.
    ///
    /// ```
    /// use snakebridge_runtime::PoolConfig;
    /// let (python, source) = PoolConfig::new().python("/usr/bin/python3").interpreter();
    /// assert_eq!(python, std::path::Path::new("/usr/bin/python3"));
    /// assert_eq!(source, "PoolConfig::python");
    /// ```
    pub fn interpreter(&self) -> (PathBuf, &'static str) {
        if let Some(p) = &self.python {
            return (p.clone(), "PoolConfig::python");
        }
        // The contract's rule, the same the introspector and the embedded client follow.
        let choice = snakebridge_contract::interpreter::from_env();
        let source = choice.source.variable().unwrap_or("the default `python3`");
        (choice.program, source)
    }
}

/// A snapshot of a pool's state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolStats {
    /// The pool's name.
    pub name: String,
    /// Configured number of workers.
    pub size: usize,
    /// Workers running and ready (the others are being replaced).
    pub ready: usize,
    /// Workers running a call.
    pub busy: usize,
    /// Callers waiting for a worker.
    pub waiting: usize,
    /// Workers replaced after dying.
    pub restarts: u64,
    /// Process ids of the running workers.
    pub worker_pids: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
struct SessionRoute {
    pool: usize,
    incarnation: u64,
}

/// A [`RuntimeClient`] that runs calls in pools of Python worker processes, for crash
/// isolation and parallelism past the GIL.
///
/// - **Workers** run the adapter `python/snakebridge_worker.py` (shipped in this crate), with
///   the same conversions as the embedded client. They talk to this process over a private
///   channel of inherited pipes (never their stdout/stderr, which Python code may print to):
///   length-prefixed JSON frames carrying the seed's request payload, with arrays' bytes as
///   binary attachments after the JSON.
/// - **Arrays** ([`NdArray`](crate::NdArray)s, `ndarray` arrays, numpy arrays returned by
///   value) of [`PoolConfig::shared_memory_threshold`] bytes or more cross through POSIX shared
///   memory: copied once by the sender, mapped without a copy by the receiver (the worker's numpy
///   array is read-only); smaller ones travel as binary attachments beside the message. An
///   array Rust code filled in shared memory itself ([`PoolClient::alloc_array`]) is not copied
///   at all. Segments are private to the
///   user and removed once the call is over, also after a crash or a timeout, except for a few
///   spares the worker reported unused, which later calls reuse (removed at shutdown).
/// - **Routing**: a call runs on any free worker, unless it involves refs (objects live in the
///   worker that made them, and calls on them go there) or a [`Session`] (all its calls go to
///   one worker). Several named pools may exist; [`CallOptions::pool`] picks one, else the
///   client's first pool is used.
/// - **Crash barrier**: a worker that dies mid-call (segfault, abort, `os._exit`, a kill from
///   outside) turns the call into [`Error::WorkerCrash`] with the signal or exit code and is
///   replaced; an idempotent call is retried once on another worker. Refs of a dead worker are
///   [`Error::StaleRef`]s (ids are never reused).
/// - **Timeouts** ([`CallOptions::timeout`]): the stuck worker is killed and replaced, the
///   caller gets [`Error::Timeout`].
/// - **Backpressure**: callers wait for a free worker up to [`PoolConfig::queue_timeout`] in a
///   queue bounded by [`PoolConfig::max_queue`]; beyond either, [`Error::Saturated`].
/// - **Lifetime**: dropping the [`PoolClient`] stops its workers; workers also exit when this
///   process dies in any way (their control pipe closes, and on Linux `PR_SET_PDEATHSIG`).
///
/// Start it with [`PoolClient::start`] (one pool) or [`PoolClient::start_all`] (several named
/// pools), then make it the client of calls with [`with_client`](crate::with_client),
/// [`set_default_client`](crate::set_default_client) or [`in_session`]. Dropping the last
/// handle stops the workers.
///
/// ```no_run
/// use snakebridge_runtime::{call, with_client, Call, PoolClient, PoolConfig, Value};
///
/// let pools = PoolClient::start_all([
///     PoolConfig::new().size(2),
///     PoolConfig::new().name("gpu").size(1).preload(["numpy"]),
/// ])?;
/// with_client(pools.clone(), || -> snakebridge_runtime::Result<()> {
///     let zeros: Value = Call::function("numpy", "zeros", (3,)).pool("gpu").call()?;
///     assert!(matches!(zeros, Value::Ref(_)));
///     let total: f64 = call("builtins", "sum", (vec![1.5, 2.5],))?; // the default pool
///     assert_eq!(total, 4.0);
///     Ok(())
/// })?;
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
pub struct PoolClient {
    pools: Vec<Arc<Pool>>,
    sessions: Mutex<HashMap<u64, SessionRoute>>,
    label: String,
    me: Weak<PoolClient>,
}

static NEXT_SESSION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Where one call goes.
struct Plan {
    pool: usize,
    target: Target,
    bound: Bound,
}

enum Bound {
    Free,
    /// Pinned by a ref argument or target.
    Ref(PyRef),
    Session(u64),
}

impl PoolClient {
    /// Starts one pool (it is the default pool) and waits until its workers are ready.
    pub fn start(config: PoolConfig) -> Result<Arc<PoolClient>> {
        PoolClient::start_all([config])
    }

    /// Starts several named pools at once; the first is the default pool (used by calls that
    /// name none). Pool names must differ.
    pub fn start_all(configs: impl IntoIterator<Item = PoolConfig>) -> Result<Arc<PoolClient>> {
        let configs: Vec<PoolConfig> = configs.into_iter().collect();
        if configs.is_empty() {
            return Err(Error::config(
                "PoolClient::start_all needs at least one PoolConfig",
            ));
        }
        for (i, c) in configs.iter().enumerate() {
            if configs[..i].iter().any(|d| d.name == c.name) {
                return Err(Error::config(format!(
                    "two pools are named `{}`; give each PoolConfig its own name",
                    c.name
                )));
            }
        }
        // Segments left by crashed runs of other processes (best effort, and cheap).
        shm::sweep_dead();
        // Spawn every worker of every pool first: they start in parallel.
        let mut pools = Vec::with_capacity(configs.len());
        for config in configs {
            match Pool::spawn(config) {
                Ok(p) => pools.push(p),
                Err(e) => {
                    pools.iter().for_each(|p: &Arc<Pool>| p.shutdown());
                    return Err(e);
                }
            }
        }
        for p in &pools {
            if let Err(e) = p.await_ready() {
                pools.iter().for_each(|p| p.shutdown());
                return Err(e);
            }
        }
        let names: Vec<&str> = pools.iter().map(|p| &*p.name).collect();
        let label = format!("pool {}", names.join("+"));
        Ok(Arc::new_cyclic(|me| PoolClient {
            pools,
            sessions: Mutex::new(HashMap::new()),
            label,
            me: me.clone(),
        }))
    }

    /// Opens a session in the default pool (on its least busy worker).
    pub fn session(&self) -> Result<Session> {
        self.open_session(0)
    }

    /// Opens a session in the named pool.
    pub fn session_in(&self, pool: &str) -> Result<Session> {
        self.open_session(self.pool_index(pool)?)
    }

    /// The names of the pools, the default first.
    pub fn pool_names(&self) -> Vec<&str> {
        self.pools.iter().map(|p| &*p.name).collect()
    }

    /// A snapshot of the named pool.
    pub fn stats(&self, pool: &str) -> Result<PoolStats> {
        let p = &self.pools[self.pool_index(pool)?];
        let s = p.snapshot();
        Ok(PoolStats {
            name: p.name.to_string(),
            size: s.size,
            ready: s.ready,
            busy: s.busy,
            waiting: s.waiting,
            restarts: s.restarts,
            worker_pids: s.pids,
        })
    }

    /// The names of the spare shared-memory segments of every pool (segments of earlier calls
    /// kept for the large arrays of later ones; see [`PoolConfig::shared_memory_threshold`]).
    /// For tests.
    #[doc(hidden)]
    pub fn spare_segments(&self) -> Vec<String> {
        self.pools.iter().flat_map(|p| p.spares.names()).collect()
    }

    /// A zeroed array of `shape` in shared memory, for Rust code to fill and workers to read
    /// without a copy: the zero-copy way to hand a pool a large array (see
    /// [`SharedArrayMut`]).
    ///
    /// An [`NdArray`](crate::NdArray) made any other way is copied once into shared memory
    /// on each call (from [`PoolConfig::shared_memory_threshold`] bytes on); one made by
    /// [`SharedArrayMut::into_array`] is sent by the name of its segment, whatever its size and
    /// the threshold, and the worker keeps the mapping, so a second call with it costs no
    /// page faults either. The memory comes from the default pool's spare segments when one
    /// fits (a reused segment is zeroed again), and goes back to them when the last
    /// `NdArray` over it drops, unless a worker may still hold a view of it (it kept the
    /// array, or a call with it failed): then it is removed and never written again.
    ///
    /// Errors: [`Error::Config`] when the shape is too large or the system has no room for
    /// it in `/dev/shm`.
    ///
    /// ```no_run
    /// use snakebridge_runtime::{call, with_client, PoolClient, PoolConfig};
    ///
    /// let pool = PoolClient::start(PoolConfig::new().preload(["numpy"]))?;
    /// let mut a = pool.alloc_array::<f64>([10_000_000])?; // 80 MB
    /// a.iter_mut().enumerate().for_each(|(i, x)| *x = i as f64);
    /// let a = a.into_array();
    /// with_client(pool.clone(), || -> snakebridge_runtime::Result<()> {
    ///     let total: f64 = call("numpy", "sum", (a.clone(),))?; // no copy of the 80 MB
    ///     let biggest: f64 = call("numpy", "max", (a.clone(),))?; // nor here
    ///     assert_eq!((total, biggest), (49999995000000.0, 9999999.0));
    ///     Ok(())
    /// })?;
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    pub fn alloc_array<T: crate::data::array::Element>(
        &self,
        shape: impl AsRef<[usize]>,
    ) -> Result<SharedArrayMut<T>> {
        SharedArrayMut::alloc(&self.pools[0].spares, shape.as_ref().to_vec())
    }

    /// [`alloc_array`](Self::alloc_array) from the spare segments of the named pool (any pool's
    /// workers can read the array all the same).
    pub fn alloc_array_in<T: crate::data::array::Element>(
        &self,
        pool: &str,
        shape: impl AsRef<[usize]>,
    ) -> Result<SharedArrayMut<T>> {
        let spares = &self.pools[self.pool_index(pool)?].spares;
        SharedArrayMut::alloc(spares, shape.as_ref().to_vec())
    }

    /// The process ids of every running worker of every pool.
    pub fn worker_pids(&self) -> Vec<u32> {
        self.pools.iter().flat_map(|p| p.snapshot().pids).collect()
    }

    /// Stops every worker now (waiting up to a second for each to exit, then killing it). Later
    /// calls fail with [`Error::Config`]. Dropping the client does the same.
    pub fn shutdown(&self) {
        for p in &self.pools {
            p.shutdown();
        }
    }

    fn pool_index(&self, name: &str) -> Result<usize> {
        self.pools
            .iter()
            .position(|p| &*p.name == name)
            .ok_or_else(|| {
                Error::config(format!(
                    "no pool named `{name}` (this client has: {}); add a PoolConfig with \
                     .name(\"{name}\") to PoolClient::start_all",
                    self.pool_names().join(", ")
                ))
            })
    }

    fn open_session(&self, pool: usize) -> Result<Session> {
        let p = &self.pools[pool];
        p.wait_any_ready()?;
        let mut sessions = lock(&self.sessions);
        let (_, incarnation, _) = p
            .ready_workers()
            .into_iter()
            .min_by_key(|(slot, inc, _)| {
                let n = sessions.values().filter(|r| r.incarnation == *inc).count();
                (n, *slot)
            })
            .ok_or_else(|| Error::config(format!("pool `{}` has no worker", p.name)))?;
        let id = NEXT_SESSION.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        sessions.insert(id, SessionRoute { pool, incarnation });
        Ok(Session::new(id, p.name.to_string(), self.me.clone()))
    }

    pub(crate) fn close_session(&self, id: u64) {
        let Some(route) = lock(&self.sessions).remove(&id) else {
            return;
        };
        if let Some(worker) = self.pools[route.pool].worker(route.incarnation) {
            worker.notify(&ToWorker::CloseSession { session: id });
        }
    }

    pub(crate) fn session_pid(&self, id: u64) -> Option<u32> {
        let route = lock(&self.sessions).get(&id).copied()?;
        self.pools[route.pool]
            .worker(route.incarnation)
            .map(|w| w.pid)
    }

    fn address(&self) -> usize {
        self as *const PoolClient as *const () as usize
    }

    /// Where the worker holding ref `r` is: (pool index, incarnation).
    fn locate(&self, r: &PyRef) -> Result<(usize, u64)> {
        #[allow(unreachable_patterns)]
        let owner = match &r.inner.handle {
            RefHandle::Remote(owner) => owner,
            _ => {
                return Err(Error::StaleRef {
                    id: r.id(),
                    reason: format!(
                        "it belongs to the embedded interpreter, not to the {}",
                        self.label
                    ),
                });
            }
        };
        let incarnation = r.id() >> ID_SHIFT;
        let ptr = Arc::as_ptr(owner) as *const ();
        self.pools
            .iter()
            .position(|p| p.owns(incarnation, ptr))
            .map(|i| (i, incarnation))
            .ok_or_else(|| Error::StaleRef {
                id: r.id(),
                reason: format!("it belongs to {}", owner.describe()),
            })
    }

    fn plan(&self, req: &Request, opts: &CallOptions) -> Result<Plan> {
        // Data the worker's Python could not take (nested deeper than Python's recursion
        // limit) fails here, before anything is sent, and the worker is untouched.
        crate::data::nesting::check(req.args.iter().chain(req.kwargs.iter().map(|(_, v)| v)))?;
        let mut pinned: Option<(usize, u64, PyRef)> = None;
        let mut visit = |r: &PyRef| -> Result<()> {
            let (pool, inc) = self.locate(r)?;
            match &pinned {
                None => pinned = Some((pool, inc, r.clone())),
                Some((_, i, _)) if *i == inc => {}
                Some((_, _, first)) => {
                    return Err(Error::encode(format!(
                        "ref #{} and ref #{} live in different worker processes, so one call \
                         cannot use both; create the objects in one session (in_session) so \
                         they share a worker",
                        first.id(),
                        r.id()
                    )));
                }
            }
            Ok(())
        };
        if let Some(t) = &req.target {
            visit(t)?;
        }
        for v in req.args.iter().chain(req.kwargs.iter().map(|(_, v)| v)) {
            visit_refs(v, &mut visit)?;
        }
        let session = opts
            .session
            .or_else(|| session::current_for(self.address()));
        let plan =
            if let Some(sid) = session {
                let route = lock(&self.sessions).get(&sid).copied().ok_or_else(|| {
                    Error::SessionClosed {
                        id: sid,
                        reason: format!(
                            "it was closed, or it is not a session of this client ({})",
                            self.label
                        ),
                    }
                })?;
                if let Some((_, inc, r)) = &pinned
                    && *inc != route.incarnation
                {
                    return Err(Error::encode(format!(
                        "ref #{} lives in another worker process than session #{sid}; use refs \
                     made in the session (or outside any session) with it",
                        r.id()
                    )));
                }
                Plan {
                    pool: route.pool,
                    target: Target::Worker(route.incarnation),
                    bound: Bound::Session(sid),
                }
            } else if let Some((pool, inc, r)) = pinned {
                Plan {
                    pool,
                    target: Target::Worker(inc),
                    bound: Bound::Ref(r),
                }
            } else {
                let pool = match &opts.pool {
                    None => 0,
                    Some(name) => self.pool_index(name)?,
                };
                return Ok(Plan {
                    pool,
                    target: Target::Any,
                    bound: Bound::Free,
                });
            };
        if let Some(name) = &opts.pool
            && **name != *self.pools[plan.pool].name
        {
            return Err(Error::config(format!(
                "the call asks for pool `{name}`, but its {} lives in pool `{}`",
                match plan.bound {
                    Bound::Session(_) => "session",
                    _ => "ref",
                },
                self.pools[plan.pool].name
            )));
        }
        Ok(plan)
    }

    /// The error for a call whose pinned worker is gone.
    fn gone(&self, plan: &Plan, cause: Option<String>) -> Error {
        let pool = &self.pools[plan.pool];
        match &plan.bound {
            Bound::Session(sid) => {
                let cause = cause
                    .or_else(|| match plan.target {
                        Target::Worker(inc) => pool.death_of(inc),
                        Target::Any => None,
                    })
                    .unwrap_or_else(|| "it is gone".into());
                Error::SessionClosed {
                    id: *sid,
                    reason: format!(
                        "its worker in pool `{}` {cause}; the state it held is gone, so open a \
                         new session",
                        pool.name
                    ),
                }
            }
            Bound::Ref(r) => Error::StaleRef {
                id: r.id(),
                reason: match &r.inner.handle {
                    RefHandle::Remote(owner) => format!("it belongs to {}", owner.describe()),
                    #[allow(unreachable_patterns)]
                    _ => "its worker is gone".into(),
                },
            },
            Bound::Free => Error::config(format!("pool `{}` has no worker", pool.name)),
        }
    }

    /// Sends one request (a call or the start of a stream) with the crash barrier: returns the
    /// reply and the worker that sent it.
    fn run(
        &self,
        req: &Request,
        opts: &CallOptions,
        plan: &Plan,
        kind: RequestKind,
    ) -> Result<(Frame, Arc<Worker>)> {
        let pool = &self.pools[plan.pool];
        // Large arrays go into shared-memory segments whose guards live until this call is
        // over, retry included: only then is the worker done mapping them. A call (not a
        // stream, whose items may refer to its arguments for as long as it lives) reuses spare
        // segments of earlier calls.
        let spares = (kind == RequestKind::Call).then_some(&*pool.spares);
        let mut arrays = sink::SharedArrays::new(pool.config.shared_memory_threshold, spares);
        let mut payload = Vec::new();
        time_encode(|| wire::write_request_payload(req, opts, &mut arrays, &mut payload))
            .map_err(|e| Error::encode(format!("cannot write the request: {e}")))?;
        // Arrays Rust code filled in segments itself, lent to this call: dropped unsettled (the
        // call failed), they count as viewed by a worker and are never reused.
        let (mut segments, lent, attachments) = (arrays.segments, arrays.lent, arrays.attachments);
        let session = match plan.bound {
            Bound::Session(s) => Some(s),
            _ => None,
        };
        let timeout = opts.timeout.or(pool.config.call_timeout);
        let mut retried = false;
        let mut undelivered = 0;
        loop {
            let permit = match pool.acquire(plan.target) {
                Ok(p) => p,
                Err(AcquireError::Gone) => return Err(self.gone(plan, None)),
                Err(AcquireError::Failed(e)) => return Err(e),
            };
            let worker = &permit.worker;
            let id = worker.next_id();
            let releases = worker.take_releases();
            let request = ToWorker::Request {
                kind,
                id,
                returns: opts.returns,
                session,
                release: releases.into(),
                payload: (&payload[..]).into(),
            };
            let frame = time_encode(|| request.frame(&attachments))?;
            let deadline = timeout.map(|t| Instant::now() + t);
            let streaming = matches!(kind, RequestKind::Stream { .. });
            match worker.exchange(id, &frame, deadline, streaming) {
                Ok(reply) => {
                    // The segments the worker reported unused (it keeps no view of them)
                    // become spares: only from the one worker that ever saw them, so never
                    // after a failed attempt (a crashed or unreachable worker may have mapped
                    // them too).
                    let clean = spares.is_some() && !retried && undelivered == 0;
                    let free = if clean {
                        sink::freed(&reply.message)
                    } else {
                        Vec::new()
                    };
                    if !segments.is_empty() && !free.is_empty() {
                        pool.spares.give_back(sink::unused(&mut segments, &free));
                    }
                    for l in lent {
                        let unviewed = free.contains(&l.name());
                        l.settle(unviewed);
                    }
                    let worker = worker.clone();
                    drop(permit);
                    return Ok((reply, worker));
                }
                Err(Failure::NotDelivered(cause)) => {
                    // The worker was gone before the request reached it: nothing ran, so any
                    // call may go to another worker.
                    pool.worker_died(worker, cause.clone());
                    drop(permit);
                    undelivered += 1;
                    if plan.target != Target::Any || undelivered > pool.config.size + 1 {
                        return Err(self.gone(plan, Some(cause)));
                    }
                }
                Err(Failure::Crashed(cause)) => {
                    let (slot, pid) = (worker.slot, worker.pid);
                    pool.worker_died(worker, cause.clone());
                    drop(permit);
                    if opts.idempotent && plan.target == Target::Any && !retried {
                        tracing::warn!(
                            target: "snakebridge::pool",
                            pool = %pool.name, worker = slot, pid, cause = %cause,
                            call = %req.display_name(),
                            "worker crashed during an idempotent call; retrying once"
                        );
                        retried = true;
                        continue;
                    }
                    return Err(Error::WorkerCrash {
                        pool: pool.name.to_string(),
                        worker: format!("{slot} (pid {pid})"),
                        cause,
                    });
                }
                Err(Failure::TimedOut) => {
                    let after = timeout.unwrap_or_default();
                    pool.worker_died(
                        worker,
                        format!("was killed: a call took longer than its timeout of {after:?}"),
                    );
                    return Err(Error::Timeout { after });
                }
            }
        }
    }
}

/// Calls `f` on every ref inside `v` (without recursion: `v` may nest deep).
fn visit_refs(v: &Value, f: &mut impl FnMut(&PyRef) -> Result<()>) -> Result<()> {
    crate::data::nesting::walk([v], |v, _| match v {
        Value::Ref(r) => f(r).map(|()| false),
        _ => Ok(true),
    })
}

impl RuntimeClient for PoolClient {
    fn execute(&self, request: &Request, options: &CallOptions) -> Result<Value> {
        let plan = self.plan(request, options)?;
        let (reply, worker) = self.run(request, options, &plan, RequestKind::Call)?;
        match time_decode(|| interpret(&reply, &worker, || context_of(request)))? {
            Reply::Value(v) => Ok(v),
            _ => Err(Error::decode(
                "pool worker reply",
                format!("unexpected {} in reply to a call", reply.message),
            )),
        }
    }

    fn execute_stream(&self, request: &Request, options: &CallOptions) -> Result<ValueStream> {
        let plan = self.plan(request, options)?;
        let pool = self.pools[plan.pool].clone();
        let window = pool.config.stream_window;
        let (reply, worker) = self.run(request, options, &plan, RequestKind::Stream { window })?;
        let id = reply.message.id();
        match interpret(&reply, &worker, || context_of(request)) {
            Ok(Reply::Started) => {}
            Ok(_) => {
                worker.unregister(id);
                return Err(Error::decode(
                    "pool worker reply",
                    format!("unexpected {} in reply to a stream", reply.message),
                ));
            }
            Err(e) => {
                worker.unregister(id);
                return Err(e);
            }
        }
        Ok(Box::new(PoolStream {
            worker,
            pool: Arc::downgrade(&pool),
            id,
            window: pool.config.stream_window,
            consumed: 0,
            done: false,
            context: context_of(request),
            timeout: options.timeout.or(pool.config.call_timeout),
        }))
    }

    fn name(&self) -> &str {
        &self.label
    }
}

impl Drop for PoolClient {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl std::fmt::Debug for PoolClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolClient")
            .field("pools", &self.pool_names())
            .finish()
    }
}
