//! Draining a pool ([`PoolClient::drain`](super::PoolClient::drain)): no new calls, the calls
//! in flight finish until a deadline, then shutdown.

use std::time::{Duration, Instant};

use super::sched::Pool;
use super::worker::lock;

impl Pool {
    /// Stops taking calls, waits until `deadline` for the calls in flight (running, already
    /// queued, or coroutines awaited as tasks) to finish, then shuts the pool down. Returns how
    /// many were still running.
    pub(crate) fn drain(&self, deadline: Instant) -> usize {
        let mut st = lock(&self.state);
        st.draining = true;
        self.cond.notify_all();
        loop {
            // A worker's coroutines of `call_async` (tasks) are in flight too.
            let tasks: usize = (st.slots.iter())
                .filter_map(|s| s.worker.as_ref())
                .map(|w| w.tasks.len())
                .sum();
            let running = st.slots.iter().filter(|s| s.busy).count() + st.waiting + tasks;
            let now = Instant::now();
            if running == 0 || st.shutdown || now >= deadline {
                drop(st);
                self.shutdown();
                return running;
            }
            st = self
                .cond
                .wait_timeout(st, (deadline - now).min(Duration::from_millis(50)))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}
