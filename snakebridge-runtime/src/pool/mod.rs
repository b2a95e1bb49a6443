//! The pool client: calls run in pools of Python worker processes (see [`PoolClient`]).
//!
//! Layout: `config` ([`PoolConfig`]), `stats`, `route` (which worker a call goes to),
//! `async_lanes` (how `call_async` calls are run: one runner per worker), `tasks` (a
//! `call_async` of a coroutine as a task of its worker's event loop, many per worker),
//! `callback` (Rust callbacks the worker calls during a request),
//! `protocol` (the messages and frames; its `PROTOCOL.md` is the spec), `worker` (one process,
//! its channel), `sched` (a pool's slots, queue and deaths), `restart` (replacements),
//! `barrier` (the crash barrier of one request and its retries), `breaker` (the circuit
//! breaker of worker starts), `retry` ([`RetryPolicy`]), `recycle` (replacing workers past
//! their limits), `drain`, `housekeeping` (the pool's periodic thread), `metrics` (what
//! [`PoolStats`] counts), `reply` (what replies mean), `shm` (large arrays through shared
//! memory), `stream`, `session`; the workers run the `python/snakebridge_worker/` package.
//!
//! Over 600 lines: `PoolClient`'s public API and its one request path (plan, encode, exchange
//! with the crash barrier and the callbacks, settle) are read together here.

mod async_lanes;
mod barrier;
mod breaker;
mod callback;
mod config;
mod drain;
mod generator;
mod housekeeping;
mod metrics;
mod protocol;
// The Python packages the pool runs (`python/package.rs`): the worker (`worker/spawn.rs`) and
// the Ray backend's processes (`ray/`).
#[path = "../../python/package.rs"]
mod package;
mod pipeline;
mod ray;
mod recycle;
mod reply;
mod restart;
mod retry;
mod route;
mod sched;
mod session;
mod shm;
mod sites;
mod stats;
mod stream;
mod tasks;
mod worker;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

pub use config::{PoolConfig, WorkerOutput};
pub use ray::RayConfig;
pub use recycle::Recycles;
pub use retry::RetryPolicy;
pub use session::{Session, in_session};
pub use shm::SharedArrayMut;
pub use stats::{Failures, PoolStats, Restarts};

use self::callback::{FunctionSink, Pin};
use self::protocol::{RequestKind, ToWorker};
use self::reply::{Reply, context_of, interpret};
use self::route::SessionRoute;
use self::sched::Pool;
use self::stream::PoolStream;
use self::worker::{Frame, Worker, lock};
use crate::client::request::{CallOptions, CallType, Request};
use crate::client::telemetry::{time_decode, time_encode};
use crate::client::wire;
use crate::client::{
    AsyncBatch, AsyncLanes, AsyncReply, RuntimeClient, ValueGenerator, ValueStream,
};
use crate::data::error::{Error, Result};
use crate::data::pyfn::PyFn;
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::Value;

/// A [`RuntimeClient`] that runs calls in pools of Python worker processes, for crash
/// isolation and parallelism past the GIL.
///
/// - **Workers** run the package `python/snakebridge_worker/` (shipped in this crate), with
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
/// - **Recycling** ([`PoolConfig::max_calls`], [`PoolConfig::max_age`],
///   [`PoolConfig::max_memory`]): a worker past a limit finishes its call and is replaced by a
///   fresh process, no call failing for it; a session or live refs hold it until they are done.
/// - **Draining** ([`PoolClient::drain`]): new calls get [`Error::Draining`], calls in flight
///   finish until a deadline, then the workers stop.
/// - **Lifetime**: dropping the last handle of the [`PoolClient`] drains it briefly (up to 1 s)
///   and stops its workers; workers also exit when this process dies in any way (their
///   control channel closes, and on Linux `PR_SET_PDEATHSIG`).
/// - **In production**: [`PoolConfig::retry`] (a [`RetryPolicy`] for idempotent calls),
///   [`PoolConfig::circuit_breaker`] (workers that keep failing to start),
///   [`PoolConfig::heartbeat`] (workers hung outside a call),
///   [`PoolConfig::python_logging`] (Python's `logging` into `tracing`), and
///   [`PoolClient::stats`] (what an operator graphs).
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
        let others = |name: &str| {
            let names: Vec<&str> = configs
                .iter()
                .map(|d| d.name.as_str())
                .filter(|d| *d != name)
                .collect();
            names.join(", ")
        };
        for (i, c) in configs.iter().enumerate() {
            if configs[..i].iter().any(|d| d.name == c.name) {
                return Err(Error::config(format!(
                    "two pools are named `{}`; give each PoolConfig its own name",
                    c.name
                )));
            }
            if let Some(to) = &c.reroute_while_draining
                && (*to == c.name || !configs.iter().any(|d| d.name == *to))
            {
                return Err(Error::config(format!(
                    "pool `{}` reroutes to `{to}` while it drains, but this client has no other \
                     pool named `{to}` (its other pools: {})",
                    c.name,
                    match others(&c.name).as_str() {
                        "" => "none",
                        names => names,
                    }
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
            restarts_by_cause: s.causes,
            start_failures: s.start_failures,
            circuit_open: s.circuit_open,
            recycles: s.recycles,
            draining: s.draining,
            worker_pids: s.pids,
            calls: p.metrics.calls(),
            failures: p.metrics.failures(),
            latency_p50: p.metrics.quantile(0.5),
            latency_p99: p.metrics.quantile(0.99),
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

    /// An array of `shape` in shared memory whose element at row-major index `i` is `f(i)`:
    /// [`alloc_array`](Self::alloc_array) and a fill in one, each element written once (a
    /// reused segment is not zeroed first, which for 80 MB saves writing 80 MB).
    ///
    /// Errors: as [`alloc_array`](Self::alloc_array)'s. A panic in `f` propagates, and the
    /// memory goes back to the pool's spares unseen.
    ///
    /// ```no_run
    /// use snakebridge_runtime::{call, with_client, PoolClient, PoolConfig};
    ///
    /// let pool = PoolClient::start(PoolConfig::new().preload(["numpy"]))?;
    /// let a = pool.alloc_array_from_fn([10_000_000], |i| i as f64)?.into_array(); // 80 MB
    /// let total: f64 = with_client(pool.clone(), || call("numpy", "sum", (a,)))?;
    /// assert_eq!(total, 49999995000000.0);
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    pub fn alloc_array_from_fn<T: crate::data::array::Element>(
        &self,
        shape: impl AsRef<[usize]>,
        f: impl FnMut(usize) -> T,
    ) -> Result<SharedArrayMut<T>> {
        SharedArrayMut::from_fn(&self.pools[0].spares, shape.as_ref().to_vec(), f)
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

    /// Drains every pool, for a redeploy that must not drop calls: from now on new calls fail
    /// at once with [`Error::Draining`] (match it to send them elsewhere); calls in flight
    /// (running, already waiting in a pool's queue, or coroutines of `call_async` a worker
    /// awaits) go on until they finish or `timeout`
    /// passes; then the workers stop as in [`shutdown`](Self::shutdown). Returns how many calls
    /// were still in flight at the deadline: those fail, the running ones with
    /// [`Error::WorkerCrash`] (their worker was stopped under them, cause "its pool was shut
    /// down"), the queued ones with [`Error::Config`] ("was shut down"). Streams still open
    /// are not waited for. Pools are drained one after another, each within what is left of
    /// `timeout`.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use snakebridge_runtime::{PoolClient, PoolConfig};
    ///
    /// let pool = PoolClient::start(PoolConfig::new().size(2))?;
    /// // ... serve calls from other threads ...
    /// let cut_off = pool.drain(Duration::from_secs(30));
    /// assert_eq!(cut_off, 0, "every call in flight finished");
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    pub fn drain(&self, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        self.pools.iter().map(|p| p.drain(deadline)).sum()
    }

    /// Drains one pool of the client as [`drain`](Self::drain) drains them all: its new calls
    /// fail with [`Error::Draining`] (or go to the pool its
    /// [`reroute_while_draining`](PoolConfig::reroute_while_draining) names), its calls in
    /// flight finish until `timeout`, then its workers stop. The other pools serve on. Returns
    /// how many calls were still in flight at the deadline; an unknown name is an
    /// [`Error::Config`].
    pub fn drain_pool(&self, name: &str, timeout: Duration) -> Result<usize> {
        let pool = &self.pools[self.pool_index(name)?];
        Ok(pool.drain(Instant::now() + timeout))
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
        // Pinned, its worker is not recycled under the session (see `recycle.rs`).
        if !p.pin_session(incarnation) {
            return Err(Error::config(format!(
                "the worker chosen for a session of pool `{}` left meanwhile; open it again",
                p.name
            )));
        }
        let id = NEXT_SESSION.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        sessions.insert(id, SessionRoute { pool, incarnation });
        Ok(Session::new(id, p.name.to_string(), self.me.clone()))
    }

    pub(crate) fn close_session(&self, id: u64) {
        let Some(route) = lock(&self.sessions).remove(&id) else {
            return;
        };
        let pool = &self.pools[route.pool];
        if let Some(worker) = pool.worker(route.incarnation) {
            worker.notify(&ToWorker::CloseSession { session: id });
        }
        pool.unpin_session(route.incarnation);
    }

    pub(crate) fn session_pid(&self, id: u64) -> Option<u32> {
        let route = lock(&self.sessions).get(&id).copied()?;
        self.pools[route.pool]
            .worker(route.incarnation)
            .map(|w| w.pid)
    }

    /// Runs `f` (one call or stream start) and counts it in the figures of the pool it went to
    /// (`f` names it in its argument), with its time and outcome.
    fn counted<T>(&self, f: impl FnOnce(&mut Option<Arc<Pool>>) -> Result<T>) -> Result<T> {
        let started = Instant::now();
        let mut pool = None;
        let out = f(&mut pool);
        if let Some(pool) = pool {
            pool.metrics.record(started.elapsed(), out.as_ref().err());
        }
        out
    }

    /// Sends one request (a call, or the start of a stream, whose kind `kind` gives from the
    /// pool's configuration) and returns the reply, the worker that sent it and its pool
    /// (also set in `chosen`, for the figures): plan → encode → exchange with the crash
    /// barrier → settle.
    fn run(
        &self,
        req: &Request,
        opts: &CallOptions,
        kind: impl FnOnce(&PoolConfig) -> RequestKind,
        chosen: &mut Option<Arc<Pool>>,
    ) -> Result<Ran> {
        let plan = self.plan(req, opts)?;
        let pool = self.pools[plan.pool].clone();
        *chosen = Some(pool.clone());
        let kind = kind(&pool.config);
        // Large arrays go into shared-memory segments the sink holds until the call is over,
        // retry included: only then is the worker done mapping them. A call (not a stream,
        // whose items may refer to its arguments for as long as it lives) reuses spare
        // segments of earlier calls. On Ray too: the slot's driver, on this machine, puts them
        // in Ray's object store for its actor (`python/snakebridge_ray/objects.py`).
        let spares = (kind == RequestKind::Call).then_some(&*pool.spares);
        let mut arrays = shm::SharedArrays::new(pool.config.shared_memory_threshold, spares);
        let mut payload = Vec::with_capacity(128);
        // A call of plain data goes as a binary frame (no JSON on either side), a task call
        // too; anything else as the JSON payload.
        let binary = if matches!(kind, RequestKind::Call | RequestKind::Task) {
            time_encode(|| binary_call(req, &mut payload))
        } else {
            None
        };
        let mut functions = Vec::new();
        let body = match binary {
            Some(site) => Body::Binary {
                site,
                module: &req.python_module,
                function: &req.name,
                args: &payload,
            },
            None => {
                payload.clear();
                // The Rust callbacks among the arguments, kept for when the worker calls them.
                let mut sink = FunctionSink {
                    arrays: &mut arrays,
                    functions: Vec::new(),
                };
                time_encode(|| wire::write_request_payload(req, opts, &mut sink, &mut payload))
                    .map_err(|e| Error::encode(format!("cannot write the request: {e}")))?;
                functions = sink.functions;
                Body::Json {
                    payload: &payload,
                    attachments: &arrays.attachments,
                }
            }
        };
        let sent = self.exchange(req, opts, &plan, &pool, kind, body, &mut functions);
        match sent {
            Ok(sent) => {
                // Only the one worker that ever saw the segments can vouch for them.
                let free = if sent.clean {
                    shm::freed(&sent.reply.message)
                } else {
                    Vec::new()
                };
                arrays.settle(&free);
                let callbacks = (!functions.is_empty()).then(|| {
                    let pin = Pin {
                        client: self.address(),
                        pool: plan.pool,
                        worker: sent.worker.clone(),
                    };
                    (pin, functions)
                });
                Ok(Ran {
                    reply: sent.reply,
                    worker: sent.worker,
                    pool,
                    callbacks,
                    called_back: sent.called_back,
                    any_worker: plan.target == sched::Target::Any,
                })
            }
            Err(e) => {
                arrays.settle(&[]);
                Err(e)
            }
        }
    }
}

/// What a request carries, as it goes on the wire.
#[derive(Clone, Copy)]
pub(super) enum Body<'a> {
    /// The JSON payload (`wire::write_request_payload`) and the attachments beside it.
    Json {
        payload: &'a [u8],
        attachments: &'a [u8],
    },
    /// A binary call (`protocol/binary.rs`) of call site `site`, `module.function`, with its
    /// arguments written by `binary::write_args`.
    Binary {
        site: u32,
        module: &'a str,
        function: &'a str,
        args: &'a [u8],
    },
}

impl<'a> Body<'a> {
    /// The message of request `id` of `kind` to `worker` carrying this body (with the refs the
    /// worker may release now; a site's names the first time the worker gets it), and the
    /// attachments its frame carries.
    pub(super) fn message(
        self,
        worker: &Worker,
        id: u64,
        kind: RequestKind,
        returns: ReturnPolicy,
        session: Option<u64>,
    ) -> (ToWorker<'a>, &'a [u8]) {
        let release = worker.take_releases().into();
        match self {
            Body::Json {
                payload,
                attachments,
            } => (
                ToWorker::Request {
                    kind,
                    id,
                    returns,
                    session,
                    release,
                    payload: payload.into(),
                },
                attachments,
            ),
            Body::Binary {
                site,
                module,
                function,
                args,
            } => (
                ToWorker::BinaryCall {
                    id,
                    request: 0,
                    returns,
                    session,
                    release,
                    site,
                    // The first call of the site this worker gets names it.
                    names: worker
                        .sites
                        .learn(site)
                        .then(|| (module.into(), function.into())),
                    args: args.into(),
                    task: kind == RequestKind::Task,
                },
                &[][..],
            ),
        }
    }
}

/// Writes the arguments of `req` as a binary call's into `out` and returns its site, when the
/// call has a binary form: a module function, every argument plain data
/// ([`crate::client::binary_wire`]). `None` otherwise (`out` then holds nothing usable).
fn binary_call(req: &Request, out: &mut Vec<u8>) -> Option<u32> {
    if req.call_type != CallType::Function
        || req.target.is_some()
        || req.streaming
        || !protocol::binary::names_fit(&req.python_module, &req.name)
    {
        return None;
    }
    let kwargs = req.kwargs.iter().map(|(k, v)| (k.as_ref(), v));
    if !protocol::binary::write_args(&req.args, kwargs, out) {
        return None;
    }
    sites::site_of(&req.python_module, &req.name)
}

/// The message id of a stream or generator `what` the worker `reply`ed it started; any other
/// answer is its error, and the worker forgets the id.
fn started(reply: &Frame, worker: &Arc<Worker>, request: &Request, what: &str) -> Result<u64> {
    let id = reply.message.id();
    match interpret(reply, worker, || context_of(request)) {
        Ok(Reply::Started) => Ok(id),
        Ok(_) => {
            worker.unregister(id);
            Err(Error::decode(
                "pool worker reply",
                format!("unexpected {} in reply to a {what}", reply.message),
            ))
        }
        Err(e) => {
            worker.unregister(id);
            Err(e)
        }
    }
}

/// A request's outcome in [`PoolClient::run`]: its reply, the worker and pool that sent it,
/// and the callbacks it passed, with where they run (a stream keeps them).
struct Ran {
    reply: Frame,
    worker: Arc<Worker>,
    pool: Arc<Pool>,
    callbacks: Option<(Pin, Vec<PyFn>)>,
    /// A Rust callback ran during it (it is never retried).
    called_back: bool,
    /// It could have gone to any worker (a retry may go to another).
    any_worker: bool,
}

impl RuntimeClient for PoolClient {
    fn execute(&self, request: &Request, options: &CallOptions) -> Result<Value> {
        self.counted(|chosen| {
            let Ran {
                reply,
                worker,
                pool,
                ..
            } = self.run(request, options, |_| RequestKind::Call, chosen)?;
            let decoded = time_decode(|| interpret(&reply, &worker, || context_of(request)));
            // The refs the reply made exist now: recycling can tell whether any hold the worker.
            pool.settle_recycling(&worker);
            match decoded? {
                Reply::Value(v) => Ok(v),
                _ => Err(Error::decode(
                    "pool worker reply",
                    format!("unexpected {} in reply to a call", reply.message),
                )),
            }
        })
    }

    fn execute_stream(&self, request: &Request, options: &CallOptions) -> Result<ValueStream> {
        self.counted(|chosen| self.open_stream(request, options, chosen))
    }

    fn execute_generator(
        &self,
        request: &Request,
        options: &CallOptions,
        returns: ReturnPolicy,
    ) -> Result<ValueGenerator> {
        self.counted(|chosen| self.open_generator(request, options, returns, chosen))
    }

    fn execute_async(&self, request: &Request, options: &CallOptions, reply: AsyncReply) {
        self.execute_task(request, options, reply, true);
    }

    fn execute_async_batch(&self, batch: AsyncBatch<'_>) {
        self.execute_pipelined(batch);
    }

    fn async_lanes(&self, options: &CallOptions) -> AsyncLanes {
        self.lanes_for(options)
    }

    fn capture_scope(&self, options: &mut CallOptions) {
        self.capture_session(options);
    }

    fn name(&self) -> &str {
        &self.label
    }
}

impl PoolClient {
    fn open_stream(
        &self,
        request: &Request,
        options: &CallOptions,
        chosen: &mut Option<Arc<Pool>>,
    ) -> Result<ValueStream> {
        let Ran {
            reply,
            worker,
            pool,
            callbacks,
            ..
        } = self.run(
            request,
            options,
            |config| RequestKind::Stream {
                window: config.stream_window,
            },
            chosen,
        )?;
        let id = started(&reply, &worker, request, "stream")?;
        Ok(Box::new(PoolStream {
            worker,
            pool: Arc::downgrade(&pool),
            id,
            window: pool.config.stream_window,
            consumed: 0,
            done: false,
            context: context_of(request),
            timeout: options.timeout.or(pool.config.call_timeout),
            callbacks,
        }))
    }

    fn open_generator(
        &self,
        request: &Request,
        options: &CallOptions,
        returns: ReturnPolicy,
        chosen: &mut Option<Arc<Pool>>,
    ) -> Result<ValueGenerator> {
        // A generator's steps call no Rust callback: they end with its start.
        let Ran {
            reply,
            worker,
            pool,
            ..
        } = self.run(
            request,
            options,
            |_| RequestKind::Generator {
                returns_final: returns,
            },
            chosen,
        )?;
        let id = started(&reply, &worker, request, "generator")?;
        Ok(Box::new(generator::PoolGenerator {
            worker,
            pool: Arc::downgrade(&pool),
            id,
            done: false,
            context: context_of(request),
            timeout: options.timeout.or(pool.config.call_timeout),
        }))
    }
}

/// How long dropping the last handle of a [`PoolClient`] drains it (see its `Drop`).
const DROP_DRAIN: Duration = Duration::from_secs(1);

/// Dropping the last handle drains every pool for up to `DROP_DRAIN` (1 s), then stops the
/// workers as [`PoolClient::shutdown`] does (each worker gets up to a second more to exit by
/// itself, flushing its output, before it is killed). Brief, because a drop must not hold up
/// the end of a program behind long calls: a service that must not drop calls drains
/// explicitly ([`PoolClient::drain`]) with the deadline it can afford. Draining rather than a
/// cut: anything still running on a worker (a call counted in flight) gets its moment to
/// finish; since every call through the client holds a handle, there is usually none, and the
/// drain ends at once.
impl Drop for PoolClient {
    fn drop(&mut self) {
        self.drain(DROP_DRAIN);
    }
}

impl std::fmt::Debug for PoolClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolClient")
            .field("pools", &self.pool_names())
            .finish()
    }
}
