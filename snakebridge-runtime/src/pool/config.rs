//! [`PoolConfig`], the configuration of one pool, and [`WorkerOutput`], where its workers'
//! output goes.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use super::{RayConfig, RetryPolicy};

/// Where a worker's stdout and stderr go. Whatever the choice, the pool keeps the last lines
/// (4 KiB) of each worker's stderr and adds them to the error of a worker that fails to start
/// (and so to [`Error::CircuitOpen`](crate::Error::CircuitOpen)'s cause).
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
/// [`PoolClient::start`](super::PoolClient::start).
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
    pub(crate) shared_ring: bool,
    pub(crate) max_calls: Option<u64>,
    pub(crate) max_age: Option<Duration>,
    pub(crate) max_memory: Option<u64>,
    pub(crate) python_logging: bool,
    pub(crate) heartbeat: (Duration, Duration),
    pub(crate) retry: RetryPolicy,
    pub(crate) circuit_breaker: CircuitBreaker,
    /// The pool of the same client that takes this pool's free calls while it drains.
    pub(crate) reroute_while_draining: Option<String>,
    /// Workers as Ray actors instead of local processes.
    pub(crate) ray: Option<RayConfig>,
}

/// [`PoolConfig::circuit_breaker`]'s settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CircuitBreaker {
    pub(crate) failures: u32,
    pub(crate) window: Duration,
    pub(crate) open_for: Duration,
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
            shared_ring: true,
            max_calls: None,
            max_age: None,
            max_memory: None,
            python_logging: true,
            heartbeat: (Duration::from_secs(5), Duration::from_secs(30)),
            retry: RetryPolicy::default(),
            circuit_breaker: CircuitBreaker {
                failures: 5,
                window: Duration::from_secs(60),
                open_for: Duration::from_secs(30),
            },
            reroute_while_draining: None,
            ray: None,
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

    /// The pool's name, which calls select it by ([`CallOptions::pool`](crate::client::CallOptions::pool)).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The number of worker processes.
    pub fn size(mut self, size: usize) -> Self {
        self.size = size;
        self
    }

    /// Recycles a worker after `calls` calls: once it has run them, it finishes its call and a
    /// fresh process takes its place. No call fails for it: the fresh worker is started while
    /// the old one still exists, the old one takes no new calls meanwhile (the pool's other
    /// workers serve; in a pool of one, the next call waits for the fresh worker's start), and it
    /// leaves as at shutdown. Use it (or [`max_age`](Self::max_age),
    /// [`max_memory`](Self::max_memory)) against Python libraries that leak. Default: none.
    /// [`PoolStats::recycles`](super::PoolStats::recycles) counts recycles by limit, and the
    /// `tracing` event `snakebridge.pool.worker_recycled` reports each.
    ///
    /// The limits are checked after each call (a counter compare; a clock read for `max_age`,
    /// which the pool's housekeeping also checks on idle workers; one read of
    /// `/proc/<pid>/statm` for `max_memory`). Calls running concurrently may take a worker one
    /// call past its limit before it stops taking calls.
    ///
    /// What holds a worker past its limit (recycling waits, never kills from under them; the
    /// `tracing` event `snakebridge.pool.recycle_deferred` says so, once per worker):
    /// - a [`Session`](super::Session) pinned to it: the worker is recycled when the session
    ///   closes, never mid-session;
    /// - live refs to its objects ([`PyRef`](crate::PyRef)s not yet dropped, or an open
    ///   stream): the worker keeps serving calls until the last of them is dropped, then it is
    ///   recycled (within the pool's housekeeping period, 100 ms), so a ref never turns stale
    ///   because of recycling.
    ///
    /// ```
    /// use std::time::Duration;
    /// use snakebridge_runtime::PoolConfig;
    ///
    /// // A fresh worker every 1000 calls, every hour, or past 2 GiB resident, whichever first.
    /// let config = PoolConfig::new()
    ///     .max_calls(1000)
    ///     .max_age(Duration::from_secs(3600))
    ///     .max_memory(2 << 30);
    /// # let _ = config;
    /// ```
    pub fn max_calls(mut self, calls: u64) -> Self {
        self.max_calls = Some(calls.max(1));
        self
    }

    /// Recycles a worker once it is `age` old, between calls (checked after each call and by
    /// the pool's housekeeping, every 100 ms, on idle workers). How recycling proceeds, and
    /// what holds it: [`max_calls`](Self::max_calls). Default: none.
    pub fn max_age(mut self, age: Duration) -> Self {
        self.max_age = Some(age);
        self
    }

    /// Recycles a worker whose resident memory (RSS, from `/proc/<pid>/statm`; Linux only,
    /// elsewhere the limit is not checked) reaches `bytes`, checked after each call, so a worker
    /// passes the limit by at most what one call adds. How recycling proceeds, and what holds
    /// it: [`max_calls`](Self::max_calls). Default: none.
    pub fn max_memory(mut self, bytes: u64) -> Self {
        self.max_memory = Some(bytes);
        self
    }

    /// Whether Python's `logging` records and warnings raised in the workers become `tracing`
    /// events (default: yes). Each record is an event of target
    /// [`PYTHON_TARGET`](crate::client::telemetry::PYTHON_TARGET) (`snakebridge::python`) at its
    /// level (`CRITICAL` as `ERROR`, below `DEBUG` as `TRACE`), with the logger's name, the call
    /// it was raised in and the worker (see [`telemetry`](crate::client::telemetry)). The
    /// levels map both ways: each worker forwards from the most detailed level a subscriber
    /// takes for that target (set on Python's root logger at start, and again by the pool's
    /// housekeeping, within 100 ms, when the subscribers' filter changes), so a level filtered
    /// out in Rust is not even formatted in Python. With no subscriber at all (none set, not
    /// even a global one), `logging` is left as Python has it until one is set. Records raised
    /// outside a call (a thread of
    /// the user's, a preload) come before the worker's next message, with no call. With
    /// `false`, workers leave `logging` as Python has it (unconfigured, warnings and records on
    /// the worker's stderr, which [`output`](Self::output) directs). The workers' stdout and
    /// stderr are not logs: [`WorkerOutput`] says where they go.
    ///
    /// ```
    /// use snakebridge_runtime::PoolConfig;
    ///
    /// // Workers whose libraries log so much that it belongs on stderr, not in tracing.
    /// let config = PoolConfig::new().python_logging(false);
    /// # let _ = config;
    /// ```
    pub fn python_logging(mut self, forward: bool) -> Self {
        self.python_logging = forward;
        self
    }

    /// The heartbeat of idle workers: every `every`, the pool's housekeeping pings each
    /// worker that runs no call over its control channel, and a thread of the worker answers,
    /// which it can only do when it gets Python's GIL; a worker that has not answered within
    /// `within` while idle (a thread of user code hung holding the GIL, a C extension stuck)
    /// is killed and replaced ([`PoolStats::restarts_by_cause`](super::PoolStats::restarts_by_cause)
    /// counts it as `unresponsive`). A worker running a call is not judged: a call's timeout
    /// ([`call_timeout`](Self::call_timeout)) covers that. Calls never wait for the heartbeat:
    /// it runs on the housekeeping thread (every 100 ms), and costs nothing on the call path.
    /// `every` zero turns it off. Default: every 5 s, within 30 s.
    ///
    /// ```
    /// use std::time::Duration;
    /// use snakebridge_runtime::PoolConfig;
    ///
    /// let config = PoolConfig::new().heartbeat(Duration::from_secs(1), Duration::from_secs(10));
    /// # let _ = config;
    /// ```
    pub fn heartbeat(mut self, every: Duration, within: Duration) -> Self {
        self.heartbeat = (every, within);
        self
    }

    /// While this pool drains ([`PoolClient::drain_pool`](crate::PoolClient::drain_pool)), its
    /// new calls go to pool `to` of the same client instead of failing with
    /// [`Error::Draining`](crate::Error::Draining): a redeploy of one pool behind another.
    /// Only free calls move: a call bound to this pool by a ref or a session stays (its objects
    /// live here: `Draining` while the pool drains, `StaleRef` once its workers stopped), and
    /// `to` does not pass them further when it drains too.
    /// `PoolClient::start_all` refuses a `to` that names no other pool of the client.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use snakebridge_runtime::{PoolClient, PoolConfig};
    ///
    /// let client = PoolClient::start_all([
    ///     PoolConfig::new().name("blue").reroute_while_draining("green"),
    ///     PoolConfig::new().name("green"),
    /// ])?;
    /// // Calls to `blue` go on, served by `green`, while `blue` finishes what it runs.
    /// client.drain_pool("blue", Duration::from_secs(30))?;
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    pub fn reroute_while_draining(mut self, to: impl Into<String>) -> Self {
        self.reroute_while_draining = Some(to.into());
        self
    }

    /// How idempotent calls are retried when their worker crashes or none can be started (see
    /// [`RetryPolicy`]). Default: one retry, after up to 10 ms.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The circuit breaker of worker starts: once `failures` starts of replacement workers
    /// failed within `window` (a preload that raises, a broken environment, an interpreter that
    /// dies at start), the pool stops starting workers for `open_for` (open): calls that need a
    /// worker and find none fail at once with [`Error::CircuitOpen`](crate::Error::CircuitOpen),
    /// which carries the last start's failure (a failing preload's Python exception and
    /// traceback) and when the pool tries again, instead of queueing behind restarts that spin.
    /// After `open_for`, one start is tried (half-open): if it works the breaker closes and
    /// the other workers start; if not it stays open for `open_for` more. Between failed starts
    /// under the limit, a replacement waits 100 ms, doubling up to 10 s. Default: 5 failures
    /// in 60 s, open for 30 s. [`PoolStats::start_failures`](super::PoolStats::start_failures)
    /// counts failed starts, [`PoolStats::circuit_open`](super::PoolStats::circuit_open) tells
    /// the state, and the `tracing` events `snakebridge.pool.circuit_open` and
    /// `snakebridge.pool.circuit_closed` report the changes.
    ///
    /// ```
    /// use std::time::Duration;
    /// use snakebridge_runtime::PoolConfig;
    ///
    /// let config = PoolConfig::new()
    ///     .preload(["my_model"])
    ///     .circuit_breaker(3, Duration::from_secs(30), Duration::from_secs(10));
    /// # let _ = config;
    /// ```
    pub fn circuit_breaker(mut self, failures: u32, window: Duration, open_for: Duration) -> Self {
        self.circuit_breaker = CircuitBreaker {
            failures: failures.max(1),
            window,
            open_for,
        };
        self
    }

    /// The Python interpreter of the workers. Without it, the interpreter rule of
    /// [`contract::interpreter`](crate::client::contract::interpreter): `SNAKEBRIDGE_PYTHON`, else
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

    /// How long a call may wait for a free worker before it fails with
    /// [`Error::Saturated`](crate::Error::Saturated).
    pub fn queue_timeout(mut self, timeout: Duration) -> Self {
        self.queue_timeout = timeout;
        self
    }

    /// How many callers may wait for a worker at once; one more fails at once with
    /// [`Error::Saturated`](crate::Error::Saturated).
    pub fn max_queue(mut self, callers: usize) -> Self {
        self.max_queue = callers;
        self
    }

    /// The timeout of calls that set none
    /// ([`CallOptions::timeout`](crate::client::CallOptions::timeout) overrides it).
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
    /// [`PoolClient::alloc_array`](super::PoolClient::alloc_array) is already in shared
    /// memory: it goes by name whatever the threshold, with no copy. A worker's reply holds at
    /// most 1 GiB, so with `usize::MAX` no larger array comes back by value.
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
    /// wait, on one core per waiting caller and per idle worker.
    ///
    /// The spin adapts, so it costs only where it pays: each side (the caller's reader of a
    /// worker, and the worker) scores its cycles, and one whose work or wait outlasted the spin
    /// three times in a row (or more often than not) blocks at once, until quick cycles come
    /// back. A pool whose calls take milliseconds, or whose requests come seconds apart, or that
    /// sits idle, then burns no CPU between calls, while a tight loop of short calls keeps
    /// spinning. A call's deadline also ends the spin: a timeout shorter than the spin fires
    /// on time. Zero never polls (each wait blocks at once), for machines where cores are
    /// scarcer than latency matters.
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

    /// Whether a spinning pool's channel carries its bytes through shared memory (the default)
    /// or through its pipes. With a [`spin`](Self::spin), each worker's requests and replies go
    /// through two rings in a mapping the worker shares with this process, and a side waiting
    /// for the other looks at memory instead of polling a pipe: a tight loop of calls makes no
    /// system call, which takes a few microseconds off each round trip. The pipes stay as
    /// doorbells for a side that sleeps and to notice a worker's death, so nothing else
    /// changes: timeouts, the crash barrier, streams, callbacks. Used on x86-64 Linux for
    /// local workers with a non-zero spin (2 MiB of shared memory each); elsewhere, with
    /// `spin(0)`, on Ray, or with `false` here, the pipes carry the bytes.
    ///
    /// ```
    /// use snakebridge_runtime::PoolConfig;
    ///
    /// // The bytes through the pipes, as a pool without a spin sends them.
    /// let config = PoolConfig::new().shared_ring(false);
    /// assert!(!config.uses_shared_ring());
    /// ```
    pub fn shared_ring(mut self, on: bool) -> Self {
        self.shared_ring = on;
        self
    }

    /// Whether the workers' channels go through shared memory (see
    /// [`shared_ring`](Self::shared_ring)): asked for, a spin, local workers, a platform that
    /// has it.
    pub fn uses_shared_ring(&self) -> bool {
        // Where aligned 8-byte loads and stores are atomic and ordered for the worker's Python
        // (see `pool/worker/ring.rs`).
        let supported = cfg!(all(target_os = "linux", target_arch = "x86_64"));
        supported && self.shared_ring && !self.spin.is_zero() && self.ray.is_none()
    }

    /// How long a waiting side polls before it blocks (see [`PoolConfig::spin`]).
    pub fn spin_duration(&self) -> Duration {
        self.spin
    }

    /// The pool's name.
    pub fn pool_name(&self) -> &str {
        &self.name
    }

    /// Runs the workers as Ray actors, one per slot, on the cluster `ray` names
    /// (see [`RayConfig`]). The pool is otherwise the same: sessions, refs, streams, callbacks,
    /// async calls, timeouts, retries, recycling. What differs: arrays from
    /// [`shared_memory_threshold`](Self::shared_memory_threshold) bytes on cross Ray's object
    /// store, both ways (an actor may be on another machine: Rust's go into a segment, which
    /// the slot's driver puts in the store; an actor's results go into the store, which the
    /// driver copies into a segment for Rust), a call costs an actor round trip more (about a
    /// millisecond), the heartbeat and [`max_memory`](Self::max_memory) watch the slot's local
    /// driver process, and the [`spin`](Self::spin) is off (Ray's round trip dwarfs it).
    ///
    /// ```
    /// use snakebridge_runtime::{PoolConfig, RayConfig};
    /// let config = PoolConfig::new().size(2).ray(RayConfig::local().num_cpus(0.5));
    /// assert!(config.is_ray());
    /// ```
    pub fn ray(mut self, ray: RayConfig) -> Self {
        self.ray = Some(ray);
        self.spin = Duration::ZERO;
        self
    }

    /// True when the workers are Ray actors ([`PoolConfig::ray`]).
    pub fn is_ray(&self) -> bool {
        self.ray.is_some()
    }

    /// The size from which a worker returns arrays outside its messages: in shared memory, or
    /// for a Ray worker, in Ray's object store (its actor may not share this machine's memory;
    /// the slot's driver moves them into shared memory here).
    pub(crate) fn array_threshold(&self) -> usize {
        self.shared_memory_threshold
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
