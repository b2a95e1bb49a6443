//! Replacing a dead worker: a thread per replacement that starts a fresh worker, retrying
//! with backoff while starts fail, as the pool's circuit breaker (`breaker.rs`) allows.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::breaker::MayStart;
use super::sched::Pool;
use super::worker::{Worker, lock};
use crate::data::error::Error;

impl Pool {
    /// Starts a replacement for `slot` in the background (retrying with backoff if the start
    /// fails, as the breaker allows, for as long as the pool lives).
    pub(super) fn replace(&self, slot: usize) {
        let config = self.config.clone();
        let name = self.name.clone();
        let signal = self.housekeeping.clone();
        let weak = self.me.clone();
        // The replacement reports to the subscriber current where the death was noticed.
        let dispatch = tracing::dispatcher::get_default(|d| d.clone());
        let spawned = std::thread::Builder::new()
            .name(format!("snakebridge-restart-{name}-{slot}"))
            .spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    let mut backoff = Duration::from_millis(100);
                    loop {
                        // The breaker says whether to start now.
                        let wait = {
                            let Some(pool) = weak.upgrade() else { return };
                            let mut st = lock(&pool.state);
                            if st.shutdown {
                                return;
                            }
                            match st.breaker.may_start(Instant::now()) {
                                MayStart::Yes { probe } => {
                                    if probe {
                                        tracing::info!(
                                            target: "snakebridge::pool",
                                            pool = %name, worker = slot,
                                            "circuit breaker half-open: trying one start"
                                        );
                                    }
                                    None
                                }
                                MayStart::Wait(until) => Some(until),
                            }
                        };
                        if let Some(until) = wait {
                            if !pause(&signal, until.saturating_duration_since(Instant::now())) {
                                return;
                            }
                            continue;
                        }
                        // Registered while it starts, so that a shutdown meanwhile kills it too.
                        let started = Worker::spawn(&config, &name, slot).and_then(|w| {
                            let registered = weak.upgrade().is_some_and(|pool| {
                                let mut st = lock(&pool.state);
                                if !st.shutdown {
                                    st.slots[slot].starting = Some(w.clone());
                                }
                                !st.shutdown
                            });
                            if !registered {
                                w.kill("its pool was shut down".into());
                                return Err(Error::config("the pool was shut down"));
                            }
                            w.wait_ready(&config).map(|()| w)
                        });
                        let Some(pool) = weak.upgrade() else {
                            if let Ok(w) = started {
                                w.kill("its pool is gone".into());
                            }
                            return;
                        };
                        let mut st = lock(&pool.state);
                        st.slots[slot].starting = None;
                        if st.shutdown {
                            drop(st);
                            if let Ok(w) = started {
                                w.kill("its pool was shut down".into());
                            }
                            return;
                        }
                        match started {
                            Ok(w) => {
                                tracing::info!(
                                    name: "snakebridge.pool.worker_replaced",
                                    target: "snakebridge::pool",
                                    pool = %name, worker = slot, pid = w.pid, node = w.node(),
                                    "replacement worker ready"
                                );
                                st.slots[slot].worker = Some(w);
                                st.slots[slot].failed = None;
                                if st.breaker.started() {
                                    tracing::info!(
                                        name: "snakebridge.pool.circuit_closed",
                                        target: "snakebridge::pool",
                                        pool = %name, worker = slot,
                                        "a worker started again: the circuit breaker closes"
                                    );
                                }
                                drop(st);
                                pool.cond.notify_all();
                                return;
                            }
                            Err(e) => {
                                let error = e.to_string();
                                st.start_failures += 1;
                                let opened =
                                    st.breaker.failed(Instant::now(), error.clone(), &config);
                                st.slots[slot].failed = Some(error);
                                drop(st);
                                if opened {
                                    tracing::error!(
                                        name: "snakebridge.pool.circuit_open",
                                        target: "snakebridge::pool",
                                        pool = %name, worker = slot, error = %e,
                                        open_for = ?config.circuit_breaker.open_for,
                                        "workers keep failing to start: the circuit breaker opens; \
                                         calls fail at once until it tries again"
                                    );
                                } else {
                                    tracing::error!(
                                        target: "snakebridge::pool",
                                        pool = %name, worker = slot, error = %e,
                                        "replacement worker failed to start; retrying"
                                    );
                                }
                                pool.cond.notify_all();
                                if opened {
                                    continue; // The breaker says when to try again.
                                }
                            }
                        }
                        drop(pool);
                        if !pause(&signal, backoff) {
                            return;
                        }
                        backoff = (backoff * 2).min(Duration::from_secs(10));
                    }
                })
            });
        if let Err(e) = spawned {
            tracing::error!(target: "snakebridge::pool", pool = %self.name, error = %e,
                "cannot start a thread to replace a worker");
        }
    }
}

/// Waits `d` unless the pool stops meanwhile (then false).
fn pause(signal: &Arc<(Mutex<bool>, Condvar)>, d: Duration) -> bool {
    let (m, c) = &**signal;
    let stopped = lock(m);
    if *stopped {
        return false;
    }
    let (stopped, _) = c
        .wait_timeout(stopped, d)
        .unwrap_or_else(|e| e.into_inner());
    !*stopped
}
