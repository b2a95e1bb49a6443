//! [`PoolStats`]: a snapshot of a pool, for monitoring.

use std::time::Duration;

/// A snapshot of a pool's state, and its counters since it started: what an operator graphs.
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
    /// Callers waiting for a worker: the queue's depth.
    pub waiting: usize,
    /// Workers replaced after dying (all causes; [`restarts_by_cause`](Self::restarts_by_cause)
    /// splits them).
    pub restarts: u64,
    /// Workers replaced, by why they went.
    pub restarts_by_cause: Restarts,
    /// Starts of replacement workers that failed (what trips the circuit breaker,
    /// [`PoolConfig::circuit_breaker`](super::PoolConfig::circuit_breaker)).
    pub start_failures: u64,
    /// The circuit breaker is open (or half-open): the pool's workers kept failing to start.
    pub circuit_open: bool,
    /// Workers replaced after passing a recycling limit
    /// ([`max_calls`](super::PoolConfig::max_calls), [`max_age`](super::PoolConfig::max_age),
    /// [`max_memory`](super::PoolConfig::max_memory)), by limit.
    pub recycles: super::Recycles,
    /// The pool is draining or drained ([`PoolClient::drain`](super::PoolClient::drain)): it
    /// takes no new calls.
    pub draining: bool,
    /// Process ids of the running workers.
    pub worker_pids: Vec<u32>,
    /// Calls (and stream starts) the pool ended, failed or not.
    pub calls: u64,
    /// Calls that failed, by kind.
    pub failures: Failures,
    /// The median time of a call, from the caller's side (queueing, retries and conversions
    /// included), from a histogram of quarter-octave buckets (the bucket's upper bound); `None`
    /// before the first call.
    pub latency_p50: Option<Duration>,
    /// The 99th percentile of the same.
    pub latency_p99: Option<Duration>,
}

/// Workers replaced, by why they went (recycling is [`Recycles`](super::Recycles)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Restarts {
    /// The process died (a crash, an exit, a kill from outside, a protocol error).
    pub crashed: u64,
    /// Killed because a call or stream item outlasted its timeout.
    pub timed_out: u64,
    /// Killed because it did not answer the heartbeat while idle
    /// ([`PoolConfig::heartbeat`](super::PoolConfig::heartbeat)).
    pub unresponsive: u64,
}

/// Calls that failed, by the kind of [`Error`](crate::Error).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Failures {
    /// Python raised ([`Error::Python`](crate::Error::Python)).
    pub python: u64,
    /// [`Error::WorkerCrash`](crate::Error::WorkerCrash).
    pub worker_crash: u64,
    /// [`Error::Timeout`](crate::Error::Timeout).
    pub timeout: u64,
    /// [`Error::Saturated`](crate::Error::Saturated).
    pub saturated: u64,
    /// [`Error::Draining`](crate::Error::Draining).
    pub draining: u64,
    /// [`Error::CircuitOpen`](crate::Error::CircuitOpen).
    pub circuit_open: u64,
    /// Any other (encode, decode, stale refs, configuration).
    pub other: u64,
}

impl Failures {
    /// All failed calls.
    pub fn total(&self) -> u64 {
        self.python
            + self.worker_crash
            + self.timeout
            + self.saturated
            + self.draining
            + self.circuit_open
            + self.other
    }
}
