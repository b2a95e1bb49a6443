//! A pool's housekeeping: a thread that, every 100 ms, sends pending releases, notices idle
//! workers that died, beats their heartbeat, keeps their Python log level in step with the
//! subscribers', and lets due workers recycle while idle.

use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::Duration;

use super::sched::{Death, Pool};
use super::worker::{Worker, lock};
use crate::client::python_log;

impl Pool {
    /// One round of housekeeping: send pending releases, notice idle workers that died, keep
    /// the workers' Python log level in step with the subscribers'.
    pub(super) fn tick(&self) {
        let log_level = self.config.python_logging.then(python_log::python_level);
        let workers: Vec<(Arc<Worker>, bool)> = lock(&self.state)
            .slots
            .iter()
            .filter_map(|s| s.worker.clone().map(|w| (w, s.busy)))
            .collect();
        let (every, within) = self.config.heartbeat;
        for (w, busy) in workers {
            w.flush_releases();
            if !every.is_zero()
                && let Some(cause) = w.heartbeat(busy, every, within)
            {
                self.worker_died_as(&w, cause, Death::Unresponsive);
                continue;
            }
            if let Some(level) = log_level {
                w.sync_log_level(level);
            }
            if !busy && let Some(cause) = w.exited() {
                self.worker_died(&w, cause);
            } else if !busy {
                // A worker that got old while idle, or a due one whose refs were dropped
                // since, leaves now.
                w.life.idle_check(&self.config);
                self.settle_recycling(&w);
            }
        }
    }
}

/// The housekeeping thread of a pool: every 100 ms, until the pool is shut down or dropped.
pub(super) fn housekeeping(pool: Weak<Pool>, signal: Arc<(Mutex<bool>, Condvar)>) {
    loop {
        {
            let (m, c) = &*signal;
            let stopped = lock(m);
            if *stopped {
                return;
            }
            let (stopped, _) = c
                .wait_timeout(stopped, Duration::from_millis(100))
                .unwrap_or_else(|e| e.into_inner());
            if *stopped {
                return;
            }
        }
        let Some(pool) = pool.upgrade() else { return };
        pool.tick();
    }
}
