//! One named pool: its worker slots, who may use which worker (one call at a time each), the
//! bounded queue of callers waiting for one, the deaths of workers, and shutdown (recycling is
//! in `recycle.rs`, draining in `drain.rs`, starting replacements in `restart.rs`, the
//! periodic checks in `housekeeping.rs`).

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

use super::breaker::Breaker;
use super::housekeeping::housekeeping;
use super::metrics::Metrics;
use super::recycle::Recycles;
use super::stats::Restarts;
use super::worker::{Worker, lock};
use super::{PoolConfig, shm};
use crate::data::error::{Error, Result};

/// Which worker a call needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Any free worker.
    Any,
    /// The worker of this incarnation (it holds the call's refs or session).
    Worker(u64),
}

/// Why a worker is replaced ([`Restarts`]' fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Death {
    Crashed,
    TimedOut,
    Unresponsive,
}

pub(crate) enum AcquireError {
    /// No live worker has the incarnation asked for: it died (or never was in this pool).
    Gone,
    /// No worker can be started now (an idempotent call may be retried later).
    Unstartable(Error),
    Failed(Error),
}

pub(super) struct Slot {
    pub(super) worker: Option<Arc<Worker>>,
    /// A replacement being started (shutdown kills it too).
    pub(super) starting: Option<Arc<Worker>>,
    pub(super) busy: bool,
    /// Why the last attempt to start this slot's worker failed.
    pub(super) failed: Option<String>,
    /// The worker passed a recycling limit: it takes no new free calls (see `recycle.rs`).
    pub(super) retiring: bool,
    /// Its recycling started (the fresh worker may not be spawned yet).
    pub(super) recycle_started: bool,
    /// The fresh worker that will take the slot when recycling (shutdown kills it too).
    pub(super) recycling: Option<Arc<Worker>>,
}

impl Slot {
    fn new(worker: Arc<Worker>) -> Slot {
        Slot {
            worker: Some(worker),
            starting: None,
            busy: false,
            failed: None,
            retiring: false,
            recycle_started: false,
            recycling: None,
        }
    }
}

pub(super) struct State {
    pub(super) slots: Vec<Slot>,
    pub(super) waiting: usize,
    pub(super) shutdown: bool,
    /// [`Pool::drain`] started: calls not already queued are refused.
    pub(super) draining: bool,
    restarts: u64,
    pub(super) recycles: Recycles,
    /// The circuit breaker of worker starts (see `breaker.rs`).
    pub(super) breaker: Breaker,
    /// Restarts by cause, and failed starts of replacements.
    causes: Restarts,
    pub(super) start_failures: u64,
    /// Recent deaths: incarnation and cause, for messages about stale sessions.
    deaths: VecDeque<(u64, String)>,
}

/// A running pool.
pub(crate) struct Pool {
    pub(crate) name: Arc<str>,
    pub(crate) config: PoolConfig,
    /// Shared-memory segments of earlier calls, free for the arrays of later ones.
    pub(crate) spares: Arc<shm::Spares>,
    pub(super) state: Mutex<State>,
    pub(super) cond: Condvar,
    /// Wakes the housekeeping thread early (at shutdown); replacements wait on it too.
    pub(super) housekeeping: Arc<(Mutex<bool>, Condvar)>,
    pub(super) me: Weak<Pool>,
    /// Calls, failures, latencies (see `metrics.rs`).
    pub(crate) metrics: Metrics,
}

/// The right to send one call to a worker; the worker is free again when it drops.
pub(crate) struct Permit<'a> {
    pool: &'a Pool,
    pub(crate) worker: Arc<Worker>,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.pool.checkin(&self.worker);
    }
}

/// A consistent view of a pool, for [`PoolStats`](super::PoolStats).
pub(crate) struct Snapshot {
    pub(crate) size: usize,
    pub(crate) ready: usize,
    pub(crate) busy: usize,
    pub(crate) waiting: usize,
    pub(crate) restarts: u64,
    pub(crate) causes: Restarts,
    pub(crate) start_failures: u64,
    pub(crate) circuit_open: bool,
    pub(crate) recycles: Recycles,
    pub(crate) draining: bool,
    pub(crate) pids: Vec<u32>,
}

impl Pool {
    /// Spawns the workers without waiting for them ([`Pool::await_ready`] does).
    pub(crate) fn spawn(config: PoolConfig) -> Result<Arc<Pool>> {
        if config.size == 0 {
            return Err(Error::config(format!(
                "pool `{}` has size 0; PoolConfig::size must be at least 1",
                config.name
            )));
        }
        let name: Arc<str> = Arc::from(config.name.as_str());
        let mut slots = Vec::with_capacity(config.size);
        for slot in 0..config.size {
            match Worker::spawn(&config, &name, slot) {
                Ok(w) => slots.push(Slot::new(w)),
                Err(e) => {
                    for s in &slots {
                        if let Some(w) = &s.worker {
                            w.kill("its pool failed to start".into());
                        }
                    }
                    return Err(e);
                }
            }
        }
        let pool = Arc::new_cyclic(|me| Pool {
            me: me.clone(),
            name,
            config,
            spares: Arc::default(),
            state: Mutex::new(State {
                slots,
                waiting: 0,
                shutdown: false,
                draining: false,
                restarts: 0,
                recycles: Recycles::default(),
                breaker: Breaker::default(),
                causes: Restarts::default(),
                start_failures: 0,
                deaths: VecDeque::new(),
            }),
            cond: Condvar::new(),
            housekeeping: Arc::new((Mutex::new(false), Condvar::new())),
            metrics: Metrics::default(),
        });
        Ok(pool)
    }

    /// Waits for the handshake of every worker; on failure, stops them all.
    pub(crate) fn await_ready(self: &Arc<Pool>) -> Result<()> {
        let workers = self.workers();
        for w in &workers {
            if let Err(e) = w.wait_ready(&self.config) {
                self.shutdown();
                return Err(e);
            }
            tracing::info!(
                name: "snakebridge.pool.worker_started",
                target: "snakebridge::pool",
                pool = %self.name, worker = w.slot, pid = w.pid, node = w.node(),
                "worker started"
            );
        }
        let weak = Arc::downgrade(self);
        let signal = self.housekeeping.clone();
        // Pool threads report to the subscriber that was current where the pool started (the
        // global one, whenever it is set, if none was).
        let dispatch = tracing::dispatcher::get_default(|d| {
            (!d.is::<tracing::subscriber::NoSubscriber>()).then(|| d.clone())
        });
        std::thread::Builder::new()
            .name(format!("snakebridge-pool-{}", self.name))
            .spawn(move || match dispatch {
                Some(d) => tracing::dispatcher::with_default(&d, || housekeeping(weak, signal)),
                None => housekeeping(weak, signal),
            })
            .map_err(|e| Error::config(format!("cannot start the pool's housekeeping: {e}")))?;
        tracing::info!(
            target: "snakebridge::pool",
            pool = %self.name,
            size = workers.len(),
            python = %self.config.interpreter().0.display(),
            "pool started"
        );
        Ok(())
    }

    fn workers(&self) -> Vec<Arc<Worker>> {
        lock(&self.state)
            .slots
            .iter()
            .filter_map(|s| s.worker.clone())
            .collect()
    }

    /// Waits (up to the queue timeout, in a bounded queue) for the worker a call needs.
    pub(crate) fn acquire(&self, target: Target) -> std::result::Result<Permit<'_>, AcquireError> {
        let mut st = lock(&self.state);
        let mut queued = false;
        let mut deadline = None;
        let result = loop {
            // Callers already queued when the drain began are in flight: they are served. A
            // drained pool (shut down at the end) still says it was drained.
            if st.draining && !queued {
                break Err(AcquireError::Failed(Error::Draining {
                    pool: self.name.to_string(),
                }));
            }
            if st.shutdown {
                break Err(AcquireError::Failed(self.shut_down_error()));
            }
            let found = match target {
                Target::Any => st
                    .slots
                    .iter()
                    .position(|s| !s.busy && !s.retiring && s.worker.is_some()),
                Target::Worker(inc) => {
                    match st
                        .slots
                        .iter()
                        .position(|s| s.worker.as_ref().is_some_and(|w| w.incarnation == inc))
                    {
                        None => break Err(AcquireError::Gone),
                        Some(i) if !st.slots[i].busy => Some(i),
                        Some(_) => None,
                    }
                }
            };
            if let Some(i) = found {
                let slot = &mut st.slots[i];
                let worker = slot.worker.clone().expect("a free slot has a worker");
                if worker.is_dead() {
                    // Noticed dead but not yet replaced: let the replacement take the slot.
                    drop(st);
                    self.worker_died(&worker, "was found dead".into());
                    st = lock(&self.state);
                    continue;
                }
                slot.busy = true;
                break Ok(worker);
            }
            if target == Target::Any && st.slots.iter().all(|s| s.worker.is_none()) {
                // No worker, and none coming soon: fail now rather than wait in the queue.
                if let Some((retry_in, cause)) = st.breaker.open(Instant::now()) {
                    break Err(AcquireError::Unstartable(Error::CircuitOpen {
                        pool: self.name.to_string(),
                        retry_in,
                        cause: cause.to_owned(),
                    }));
                }
                if st.slots.iter().all(|s| s.failed.is_some()) {
                    let why = st
                        .slots
                        .iter()
                        .find_map(|s| s.failed.clone())
                        .unwrap_or_default();
                    break Err(AcquireError::Unstartable(Error::config(format!(
                        "no worker of pool `{}` can be started: {why}",
                        self.name
                    ))));
                }
            }
            if !queued {
                if st.waiting >= self.config.max_queue {
                    break Err(AcquireError::Failed(Error::Saturated {
                        pool: self.name.to_string(),
                        message: format!(
                            "{} callers are already waiting for a worker (PoolConfig::max_queue)",
                            st.waiting
                        ),
                    }));
                }
                st.waiting += 1;
                queued = true;
                deadline = Some(Instant::now() + self.config.queue_timeout);
            }
            let d = deadline.expect("set when queued");
            let now = Instant::now();
            if now >= d {
                break Err(AcquireError::Failed(Error::Saturated {
                    pool: self.name.to_string(),
                    message: format!(
                        "no worker became free within {:?} (PoolConfig::queue_timeout)",
                        self.config.queue_timeout
                    ),
                }));
            }
            st = self
                .cond
                .wait_timeout(st, d - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        };
        if queued {
            st.waiting -= 1;
        }
        drop(st);
        // The call had to wait for a worker: say for how long (the deadline is queue start +
        // queue timeout).
        if let Some(queued_at) = deadline.and_then(|d| d.checked_sub(self.config.queue_timeout)) {
            let waited = queued_at.elapsed();
            tracing::debug!(
                name: "snakebridge.pool.call_queued",
                target: "snakebridge::pool",
                pool = %self.name,
                waited_us = u64::try_from(waited.as_micros()).unwrap_or(u64::MAX),
                acquired = result.is_ok(),
            );
        }
        result.map(|worker| Permit { pool: self, worker })
    }

    fn checkin(&self, worker: &Arc<Worker>) {
        let mut guard = lock(&self.state);
        let st = &mut *guard;
        if let Some(slot) = st.slots.get_mut(worker.slot)
            && slot.worker.as_ref().is_some_and(|w| Arc::ptr_eq(w, worker))
        {
            slot.busy = false;
            // Recycling's check between calls: a counter compare (see `recycle.rs`).
            if worker.life.call_done(&self.config).is_some() {
                slot.retiring = true;
            }
            if st.waiting > 0 || st.draining || slot.recycle_started {
                self.cond.notify_all();
            }
        }
    }

    /// The worker is dead (or must die): record it, reap it, start a replacement.
    pub(crate) fn worker_died(&self, worker: &Arc<Worker>, cause: String) {
        self.worker_died_as(worker, cause, Death::Crashed);
    }

    /// [`Pool::worker_died`] for a handle that outlives its call (a stream, a generator) and
    /// keeps its pool weakly: a pool already gone only kills the worker.
    pub(crate) fn worker_died_under(pool: &Weak<Pool>, worker: &Arc<Worker>, cause: String) {
        match pool.upgrade() {
            Some(pool) => pool.worker_died(worker, cause),
            None => worker.kill(cause),
        }
    }

    /// [`Pool::worker_died`], counted under `death`.
    pub(crate) fn worker_died_as(&self, worker: &Arc<Worker>, cause: String, death: Death) {
        worker.kill(cause);
        let cause = worker.refs.death().unwrap_or_default();
        let mut st = lock(&self.state);
        let Some(slot) = st.slots.get_mut(worker.slot) else {
            return;
        };
        if !slot.worker.as_ref().is_some_and(|w| Arc::ptr_eq(w, worker)) {
            return; // Already replaced.
        }
        slot.worker = None;
        slot.busy = false;
        slot.retiring = false;
        st.restarts += 1;
        match death {
            Death::Crashed => st.causes.crashed += 1,
            Death::TimedOut => st.causes.timed_out += 1,
            Death::Unresponsive => st.causes.unresponsive += 1,
        }
        st.deaths.push_back((worker.incarnation, cause.clone()));
        if st.deaths.len() > 64 {
            st.deaths.pop_front();
        }
        let shutdown = st.shutdown;
        drop(st);
        self.cond.notify_all();
        if shutdown {
            return;
        }
        tracing::warn!(
            name: "snakebridge.pool.worker_crashed",
            target: "snakebridge::pool",
            pool = %self.name, worker = worker.slot, pid = worker.pid, node = worker.node(),
            cause = %cause,
            "worker died; starting a replacement"
        );
        self.replace(worker.slot);
    }

    /// How the worker of `incarnation` died, if it died recently.
    pub(crate) fn death_of(&self, incarnation: u64) -> Option<String> {
        lock(&self.state)
            .deaths
            .iter()
            .rev()
            .find(|(i, _)| *i == incarnation)
            .map(|(_, c)| c.clone())
    }

    /// The live, ready workers: (slot, incarnation, pid).
    pub(crate) fn ready_workers(&self) -> Vec<(usize, u64, u32)> {
        lock(&self.state)
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.retiring)
            .filter_map(|(i, s)| s.worker.as_ref().map(|w| (i, w)))
            .filter(|(_, w)| !w.is_dead())
            .map(|(i, w)| (i, w.incarnation, w.pid))
            .collect()
    }

    /// Waits (up to the queue timeout) until at least one worker is ready (at once an error
    /// while the circuit breaker is open and there is none).
    pub(crate) fn wait_any_ready(&self) -> Result<()> {
        let deadline = Instant::now() + self.config.queue_timeout;
        let mut st = lock(&self.state);
        loop {
            if st.shutdown {
                return Err(self.shut_down_error());
            }
            if st
                .slots
                .iter()
                .any(|s| s.worker.as_ref().is_some_and(|w| !w.is_dead()))
            {
                return Ok(());
            }
            if let Some((retry_in, cause)) = st.breaker.open(Instant::now()) {
                return Err(Error::CircuitOpen {
                    pool: self.name.to_string(),
                    retry_in,
                    cause: cause.to_owned(),
                });
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::Saturated {
                    pool: self.name.to_string(),
                    message: format!(
                        "no worker became ready within {:?}",
                        self.config.queue_timeout
                    ),
                });
            }
            st = self
                .cond
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// The live worker of `incarnation`, if any.
    pub(crate) fn worker(&self, incarnation: u64) -> Option<Arc<Worker>> {
        lock(&self.state)
            .slots
            .iter()
            .filter_map(|s| s.worker.as_ref())
            .find(|w| w.incarnation == incarnation)
            .cloned()
    }

    /// True if the live worker of `incarnation` owns refs through `owner` (a data pointer).
    pub(crate) fn owns(&self, incarnation: u64, owner: *const ()) -> bool {
        lock(&self.state).slots.iter().any(|s| {
            s.worker.as_ref().is_some_and(|w| {
                w.incarnation == incarnation && std::ptr::eq(Arc::as_ptr(&w.refs).cast(), owner)
            })
        })
    }

    /// Whether [`drain`](Pool::drain) began (new calls are refused).
    pub(crate) fn is_draining(&self) -> bool {
        lock(&self.state).draining
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        let st = lock(&self.state);
        Snapshot {
            size: st.slots.len(),
            ready: st
                .slots
                .iter()
                .filter(|s| s.worker.as_ref().is_some_and(|w| !w.is_dead()))
                .count(),
            busy: st.slots.iter().filter(|s| s.busy).count(),
            waiting: st.waiting,
            restarts: st.restarts,
            causes: st.causes,
            start_failures: st.start_failures,
            circuit_open: st.breaker.open(Instant::now()).is_some(),
            recycles: st.recycles,
            draining: st.draining,
            pids: st
                .slots
                .iter()
                .filter_map(|s| s.worker.as_ref().map(|w| w.pid))
                .collect(),
        }
    }

    fn shut_down_error(&self) -> Error {
        Error::config(format!("pool `{}` was shut down", self.name))
    }

    /// Stops every worker: closes their channels, waits up to a second for them to exit, then
    /// kills what is left. Idempotent.
    pub(crate) fn shutdown(&self) {
        // Nobody maps a spare: unlink them now (and any given back later).
        self.spares.close();
        let workers: Vec<Arc<Worker>> = {
            let mut st = lock(&self.state);
            if st.shutdown {
                return;
            }
            st.shutdown = true;
            st.slots
                .iter_mut()
                .flat_map(|s| [s.worker.take(), s.starting.take(), s.recycling.take()])
                .flatten()
                .collect()
        };
        self.cond.notify_all();
        {
            let (m, c) = &*self.housekeeping;
            *lock(m) = true;
            c.notify_all();
        }
        for w in &workers {
            w.begin_shutdown();
        }
        let deadline = Instant::now() + Duration::from_secs(1);
        for w in &workers {
            w.finish_shutdown(deadline);
        }
        tracing::info!(target: "snakebridge::pool", pool = %self.name, "pool shut down");
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shutdown();
    }
}
