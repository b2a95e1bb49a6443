//! [`RetryPolicy`]: how often, and after what pause, an idempotent call is tried again when its
//! worker crashed under it or no worker could be started for it.

use std::time::Duration;

/// How an idempotent call ([`Call::idempotent`](crate::Call::idempotent),
/// [`CallOptions::idempotent`](crate::client::CallOptions::idempotent)) is retried: when its
/// worker crashed under it ([`Error::WorkerCrash`](crate::Error::WorkerCrash)) or no worker
/// could be started for it ([`Error::CircuitOpen`](crate::Error::CircuitOpen), or every start
/// failing). Other calls, and calls bound to one worker (by a ref or a session), are never
/// retried: they could run twice, or their objects are gone.
///
/// Attempt `n` (from 1, after the first try) waits a random time up to `backoff * 2^(n-1)`,
/// at most `max_backoff` ("full jitter": calls that failed together do not come back together).
/// Set on a pool with [`PoolConfig::retry`](super::PoolConfig::retry). Default: 2 attempts (one
/// retry), backoff 10 ms, at most 1 s.
///
/// ```
/// use std::time::Duration;
/// use snakebridge_runtime::{PoolConfig, RetryPolicy};
///
/// // Up to 4 tries, pausing up to 50 ms, 100 ms, then 200 ms.
/// let config = PoolConfig::new()
///     .retry(RetryPolicy::new(4).backoff(Duration::from_millis(50), Duration::from_secs(2)));
/// # let _ = config;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub(crate) attempts: u32,
    pub(crate) backoff: Duration,
    pub(crate) max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 2,
            backoff: Duration::from_millis(10),
            max_backoff: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// At most `attempts` tries in all (1: never retry), with the default backoff.
    pub fn new(attempts: u32) -> RetryPolicy {
        RetryPolicy {
            attempts: attempts.max(1),
            ..RetryPolicy::default()
        }
    }

    /// Never retries.
    pub fn none() -> RetryPolicy {
        RetryPolicy::new(1)
    }

    /// The pause before the first retry (doubling each retry, at most `max`), jittered.
    pub fn backoff(mut self, first: Duration, max: Duration) -> RetryPolicy {
        self.backoff = first;
        self.max_backoff = max.max(first);
        self
    }

    /// How many tries in all.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The pause before retry `n` (from 1): random, up to `backoff * 2^(n-1)` capped.
    pub(crate) fn pause(&self, n: u32) -> Duration {
        let cap = self
            .backoff
            .saturating_mul(1 << n.saturating_sub(1).min(20))
            .min(self.max_backoff);
        cap.mul_f64(jitter())
    }
}

/// A number in [0, 1): xorshift over a per-thread state seeded from the clock and the thread,
/// enough to spread retries apart (not for anything secret).
fn jitter() -> f64 {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<u64> = Cell::new({
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64);
            let here = &t as *const u64 as u64;
            (t ^ here.rotate_left(32)) | 1
        });
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}
