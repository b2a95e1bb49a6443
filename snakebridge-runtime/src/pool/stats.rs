//! [`PoolStats`]: a snapshot of a pool, for monitoring.

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
    /// Workers replaced after passing a recycling limit
    /// ([`max_calls`](super::PoolConfig::max_calls), [`max_age`](super::PoolConfig::max_age),
    /// [`max_memory`](super::PoolConfig::max_memory)), by limit.
    pub recycles: super::Recycles,
    /// The pool is draining or drained ([`PoolClient::drain`](super::PoolClient::drain)): it
    /// takes no new calls.
    pub draining: bool,
    /// Process ids of the running workers.
    pub worker_pids: Vec<u32>,
}
