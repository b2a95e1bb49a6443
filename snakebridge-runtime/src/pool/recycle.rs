//! Recycling: a worker past one of its pool's limits ([`PoolConfig::max_calls`],
//! [`PoolConfig::max_age`], [`PoolConfig::max_memory`]) is replaced by a fresh process once its
//! call is over, unless a session or live refs still need it (then the recycling waits, and a
//! telemetry event says so).
//!
//! The checks run when a call checks its worker back in: a counter compare, a clock read when
//! `max_age` is set, and one `pread` of the worker's `/proc/<pid>/statm` (kept open) when
//! `max_memory` is set. The replacement is started before the old worker leaves; the old one
//! takes no new free calls meanwhile, and leaves gracefully (its channel closed, as at shutdown).

use std::fs::File;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::PoolConfig;
use super::sched::Pool;
use super::worker::{Worker, lock};

/// Why a worker was (or is to be) recycled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecycleCause {
    Calls(u64),
    Age(Duration),
    Memory(u64),
}

impl RecycleCause {
    /// The limit's name, for telemetry.
    pub(crate) fn limit(self) -> &'static str {
        match self {
            RecycleCause::Calls(_) => "max_calls",
            RecycleCause::Age(_) => "max_age",
            RecycleCause::Memory(_) => "max_memory",
        }
    }

    /// How the worker left (the reason its stale refs would give).
    pub(crate) fn describe(self) -> String {
        match self {
            RecycleCause::Calls(n) => {
                format!("was recycled after {n} calls (PoolConfig::max_calls)")
            }
            RecycleCause::Age(a) => {
                format!("was recycled at the age of {a:?} (PoolConfig::max_age)")
            }
            RecycleCause::Memory(b) => {
                format!("was recycled with {b} bytes resident (PoolConfig::max_memory)")
            }
        }
    }
}

/// Workers recycled by a pool, by the limit they passed (part of
/// [`PoolStats`](super::PoolStats)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recycles {
    /// Past [`PoolConfig::max_calls`].
    pub calls: u64,
    /// Past [`PoolConfig::max_age`].
    pub age: u64,
    /// Past [`PoolConfig::max_memory`].
    pub memory: u64,
}

impl Recycles {
    /// All recycles, whatever the cause.
    pub fn total(&self) -> u64 {
        self.calls + self.age + self.memory
    }

    fn count(&mut self, cause: RecycleCause) {
        match cause {
            RecycleCause::Calls(_) => self.calls += 1,
            RecycleCause::Age(_) => self.age += 1,
            RecycleCause::Memory(_) => self.memory += 1,
        }
    }
}

/// What recycling tracks of one worker.
pub(crate) struct WorkerLife {
    started: Instant,
    calls: AtomicU64,
    /// Open sessions pinned to the worker (changed under the pool's state lock).
    pub(crate) sessions: AtomicUsize,
    /// The limit the worker passed, once it passed one.
    due: Mutex<Option<RecycleCause>>,
    /// `due` is set: after every call this flag is read, not the mutex.
    is_due: AtomicBool,
    /// The deferral was reported (once per worker).
    reported: AtomicBool,
    /// `/proc/<pid>/statm`, opened at spawn (Linux).
    statm: Option<File>,
}

impl WorkerLife {
    pub(crate) fn new(pid: u32) -> WorkerLife {
        WorkerLife {
            started: Instant::now(),
            calls: AtomicU64::new(0),
            sessions: AtomicUsize::new(0),
            due: Mutex::new(None),
            is_due: AtomicBool::new(false),
            reported: AtomicBool::new(false),
            statm: File::open(format!("/proc/{pid}/statm")).ok(),
        }
    }

    /// Counts a finished call and says whether the worker is now past a limit.
    pub(crate) fn call_done(&self, config: &PoolConfig) -> Option<RecycleCause> {
        let calls = self.calls.fetch_add(1, Ordering::Relaxed) + 1;
        let cause = self.past_limit(config, calls);
        if let Some(c) = cause {
            self.mark_due(c);
        }
        cause
    }

    /// Between calls (housekeeping): marks an idle worker past its age due.
    pub(crate) fn idle_check(&self, config: &PoolConfig) {
        if let Some(age) = config.max_age {
            let lived = self.started.elapsed();
            if lived >= age {
                self.mark_due(RecycleCause::Age(lived));
            }
        }
    }

    /// Records the first limit passed.
    fn mark_due(&self, cause: RecycleCause) {
        lock(&self.due).get_or_insert(cause);
        self.is_due.store(true, Ordering::Release);
    }

    fn past_limit(&self, config: &PoolConfig, calls: u64) -> Option<RecycleCause> {
        if config.max_calls.is_some_and(|n| calls >= n) {
            return Some(RecycleCause::Calls(calls));
        }
        if let Some(age) = config.max_age {
            let lived = self.started.elapsed();
            if lived >= age {
                return Some(RecycleCause::Age(lived));
            }
        }
        if let Some(max) = config.max_memory
            && let Some(rss) = self.resident_bytes()
            && rss >= max
        {
            return Some(RecycleCause::Memory(rss));
        }
        None
    }

    /// The worker's resident set size, from the statm file opened at spawn.
    pub(crate) fn resident_bytes(&self) -> Option<u64> {
        use std::os::unix::fs::FileExt;
        let mut buf = [0u8; 128];
        let n = self.statm.as_ref()?.read_at(&mut buf, 0).ok()?;
        let text = std::str::from_utf8(&buf[..n]).ok()?;
        let pages: u64 = text.split_whitespace().nth(1)?.parse().ok()?;
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        Some(pages * u64::try_from(page).ok()?)
    }

    /// The limit the worker passed, if it passed one.
    pub(crate) fn due(&self) -> Option<RecycleCause> {
        if !self.is_due.load(Ordering::Acquire) {
            return None;
        }
        *lock(&self.due)
    }
}

/// Why a due worker cannot leave yet.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Hold {
    Session,
    Refs,
}

impl Hold {
    fn describe(self) -> &'static str {
        match self {
            Hold::Session => "a session is pinned to it; it is recycled when the session closes",
            Hold::Refs => {
                "refs to its objects are alive (or a stream is open); it is recycled once they \
                 are dropped"
            }
        }
    }
}

impl Pool {
    /// Pins a session to the worker of `incarnation` (its recycling waits for the session).
    /// False if that worker is gone or leaving.
    pub(crate) fn pin_session(&self, incarnation: u64) -> bool {
        let st = lock(&self.state);
        let pinned = st.slots.iter().find(|s| {
            !s.retiring
                && s.worker
                    .as_ref()
                    .is_some_and(|w| w.incarnation == incarnation)
        });
        match pinned.and_then(|s| s.worker.as_ref()) {
            Some(w) => {
                w.life.sessions.fetch_add(1, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// Unpins a closed session; its worker is recycled now if it passed a limit meanwhile.
    pub(crate) fn unpin_session(&self, incarnation: u64) {
        let Some(worker) = self.worker(incarnation) else {
            return;
        };
        {
            let _st = lock(&self.state);
            worker.life.sessions.fetch_sub(1, Ordering::Relaxed);
        }
        self.settle_recycling(&worker);
    }

    /// After a call (its reply decoded, so the refs it returned exist): recycles the worker
    /// if it is due and nothing holds it, else reports (once) why it waits.
    pub(crate) fn settle_recycling(&self, worker: &Arc<Worker>) {
        let Some(cause) = worker.life.due() else {
            return;
        };
        match self.try_recycle(worker, cause) {
            Ok(()) => {}
            Err(hold) => {
                if !worker.life.reported.swap(true, Ordering::Relaxed) {
                    tracing::info!(
                        name: "snakebridge.pool.recycle_deferred",
                        target: "snakebridge::pool",
                        pool = %self.name, worker = worker.slot, pid = worker.pid,
                        limit = cause.limit(), cause = %cause.describe(),
                        held_by = ?hold,
                        "worker is past a recycling limit but cannot leave yet: {}",
                        hold.describe()
                    );
                }
            }
        }
    }

    /// Starts the worker's replacement unless a session or live refs hold it. Nothing to do
    /// (and `Ok`) when it is already being replaced or gone.
    fn try_recycle(&self, worker: &Arc<Worker>, cause: RecycleCause) -> Result<(), Hold> {
        let mut guard = lock(&self.state);
        let st = &mut *guard;
        let Some(slot) = st.slots.get_mut(worker.slot) else {
            return Ok(());
        };
        if st.shutdown || !slot.worker.as_ref().is_some_and(|w| Arc::ptr_eq(w, worker)) {
            return Ok(());
        }
        // A call running on it settles after itself (its refs may not exist yet).
        if slot.recycling.is_some() || slot.recycle_started || slot.busy {
            return Ok(());
        }
        let hold = if worker.life.sessions.load(Ordering::Relaxed) > 0 {
            Some(Hold::Session)
        } else if Arc::strong_count(&worker.refs) > 1 || worker.has_open_mailboxes() {
            // Every live `PyRef` of the worker holds its `refs`; an open mailbox is a call or
            // stream still talking to it.
            Some(Hold::Refs)
        } else {
            None
        };
        if let Some(hold) = hold {
            // It serves free calls again until it can leave.
            slot.retiring = false;
            return Err(hold);
        }
        slot.retiring = true;
        slot.recycle_started = true;
        drop(guard);
        self.start_recycle(worker.clone(), cause);
        Ok(())
    }

    /// Starts a fresh worker for the slot in the background, swaps it in once ready (and once
    /// the old one is idle), then lets the old one go. If the fresh one cannot start, the old
    /// one serves on (and is tried again after its next call).
    fn start_recycle(&self, old: Arc<Worker>, cause: RecycleCause) {
        let config = self.config.clone();
        let name = self.name.clone();
        let weak = self.me.clone();
        let slot = old.slot;
        let dispatch = tracing::dispatcher::get_default(|d| d.clone());
        let spawned = std::thread::Builder::new()
            .name(format!("snakebridge-recycle-{name}-{slot}"))
            .spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    let fresh = Worker::spawn(&config, &name, slot).and_then(|w| {
                        let registered = weak.upgrade().is_some_and(|pool| {
                            let mut st = lock(&pool.state);
                            if !st.shutdown {
                                st.slots[slot].recycling = Some(w.clone());
                            }
                            !st.shutdown
                        });
                        if !registered {
                            w.kill("its pool was shut down".into());
                            return Err(crate::data::error::Error::config("shut down"));
                        }
                        w.wait_ready(&config).map(|()| w)
                    });
                    let Some(pool) = weak.upgrade() else {
                        if let Ok(w) = fresh {
                            w.kill("its pool is gone".into());
                        }
                        return;
                    };
                    pool.finish_recycle(old, fresh, cause);
                })
            });
        if let Err(e) = spawned {
            tracing::error!(target: "snakebridge::pool", pool = %self.name, error = %e,
                "cannot start a thread to recycle a worker");
            let mut st = lock(&self.state);
            st.slots[slot].retiring = false;
            st.slots[slot].recycle_started = false;
        }
    }

    fn finish_recycle(
        &self,
        old: Arc<Worker>,
        fresh: crate::data::error::Result<Arc<Worker>>,
        cause: RecycleCause,
    ) {
        let slot = old.slot;
        let mut st = lock(&self.state);
        st.slots[slot].recycling = None;
        st.slots[slot].recycle_started = false;
        let fresh = match fresh {
            Ok(w) => w,
            Err(e) => {
                st.slots[slot].retiring = false;
                drop(st);
                self.cond.notify_all();
                tracing::error!(
                    target: "snakebridge::pool",
                    pool = %self.name, worker = slot, error = %e,
                    "the replacement of a worker due for recycling failed to start; the old \
                     worker serves on"
                );
                return;
            }
        };
        // The old worker finishes any call it still runs before it leaves.
        while !st.shutdown
            && st.slots[slot].busy
            && st.slots[slot]
                .worker
                .as_ref()
                .is_some_and(|w| Arc::ptr_eq(w, &old))
        {
            st = self
                .cond
                .wait_timeout(st, Duration::from_millis(50))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        let current = st.slots[slot]
            .worker
            .as_ref()
            .is_some_and(|w| Arc::ptr_eq(w, &old));
        if st.shutdown || !current {
            // Shut down meanwhile, or the old worker died and a replacement took the slot.
            drop(st);
            fresh.kill("not needed: its slot was taken".into());
            return;
        }
        st.slots[slot].worker = Some(fresh.clone());
        st.slots[slot].retiring = false;
        st.slots[slot].busy = false;
        st.recycles.count(cause);
        drop(st);
        self.cond.notify_all();
        tracing::info!(
            name: "snakebridge.pool.worker_recycled",
            target: "snakebridge::pool",
            pool = %self.name, worker = slot, old_pid = old.pid, pid = fresh.pid,
            limit = cause.limit(), cause = %cause.describe(),
            "worker recycled"
        );
        old.retire(cause.describe());
    }
}
