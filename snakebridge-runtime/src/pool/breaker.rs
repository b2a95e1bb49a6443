//! The circuit breaker of a pool's worker starts ([`PoolConfig::circuit_breaker`]): a pool
//! whose workers keep failing to start stops starting them for a while (open), fails calls at
//! once with [`Error::CircuitOpen`](crate::Error::CircuitOpen), then lets one start through
//! (half-open) and closes when it works.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::PoolConfig;

/// A pool's breaker, in its state (under the pool's lock).
#[derive(Default)]
pub(crate) struct Breaker {
    /// When starts failed, within the window (closed breaker only).
    failures: VecDeque<Instant>,
    /// Open until then; past it, half-open.
    open_until: Option<Instant>,
    /// A half-open probe start is under way (others wait for its outcome).
    probing: bool,
    /// Why the last start failed.
    last_error: String,
}

/// Whether a replacement may start a worker now.
pub(crate) enum MayStart {
    /// Yes (`probe`: the one start of a half-open breaker).
    Yes { probe: bool },
    /// Not before then (the breaker is open, or another start probes).
    Wait(Instant),
}

impl Breaker {
    /// Asks to start a worker at `now`.
    pub(crate) fn may_start(&mut self, now: Instant) -> MayStart {
        match self.open_until {
            None => MayStart::Yes { probe: false },
            Some(until) if now < until => MayStart::Wait(until),
            Some(_) if self.probing => MayStart::Wait(now + Duration::from_millis(50)),
            Some(_) => {
                self.probing = true;
                MayStart::Yes { probe: true }
            }
        }
    }

    /// A worker started: the breaker closes. True if it was open (it recovered).
    pub(crate) fn started(&mut self) -> bool {
        self.failures.clear();
        self.probing = false;
        self.open_until.take().is_some()
    }

    /// A start failed at `now` with `error`. True if the breaker opens (again) with it.
    pub(crate) fn failed(&mut self, now: Instant, error: String, config: &PoolConfig) -> bool {
        self.last_error = error;
        self.probing = false;
        let breaker = &config.circuit_breaker;
        if self.open_until.is_none() {
            self.failures.push_back(now);
            while self
                .failures
                .front()
                .is_some_and(|t| now.duration_since(*t) > breaker.window)
            {
                self.failures.pop_front();
            }
            if self.failures.len() < breaker.failures as usize {
                return false;
            }
            self.failures.clear();
        }
        self.open_until = Some(now + breaker.open_for);
        true
    }

    /// While open (or half-open): how long until it tries again, and the last failure.
    pub(crate) fn open(&self, now: Instant) -> Option<(Duration, &str)> {
        self.open_until
            .map(|until| (until.saturating_duration_since(now), &*self.last_error))
    }
}
