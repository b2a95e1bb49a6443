//! What a pool counts of its calls for [`PoolStats`](super::PoolStats): calls, failures by
//! kind, and a latency histogram (fixed log-linear buckets of atomics: recording a call is a
//! few relaxed atomic adds, reading quantiles walks the buckets).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::stats::Failures;
use crate::data::error::Error;

/// Buckets per power of two (quantiles are within a quarter of an octave, about 19%).
const SUB: u32 = 4;
/// Powers of two of microseconds covered (up to 2^40 µs, 12 days).
const OCTAVES: u32 = 40;
const BUCKETS: usize = (SUB * OCTAVES) as usize;

/// A pool's call figures.
pub(crate) struct Metrics {
    calls: AtomicU64,
    /// By [`Failures`]'s fields, in their order.
    failures: [AtomicU64; 7],
    latency: [AtomicU64; BUCKETS],
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            calls: AtomicU64::new(0),
            failures: std::array::from_fn(|_| AtomicU64::new(0)),
            latency: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }
}

/// The bucket of a duration of `us` microseconds.
fn bucket(us: u64) -> usize {
    let us = us.max(1);
    let octave = 63 - us.leading_zeros();
    let sub = if octave >= 2 {
        (us >> (octave - 2)) & 3
    } else {
        (us << (2 - octave)) & 3
    };
    ((octave * SUB) as usize + sub as usize).min(BUCKETS - 1)
}

/// The upper bound of bucket `i`, in microseconds.
fn upper_bound(i: usize) -> u64 {
    let (octave, sub) = (i as u32 / SUB, i as u64 % SUB as u64);
    ((SUB as u64 + sub + 1) << octave) / SUB as u64
}

impl Metrics {
    /// One call (or stream start) ended after `took`, failing with `error` if it did.
    pub(crate) fn record(&self, took: Duration, error: Option<&Error>) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.latency[bucket(us)].fetch_add(1, Ordering::Relaxed);
        if let Some(e) = error {
            let kind = match e {
                Error::Python(_) => 0,
                Error::WorkerCrash { .. } => 1,
                Error::Timeout { .. } => 2,
                Error::Saturated { .. } => 3,
                Error::Draining { .. } => 4,
                Error::CircuitOpen { .. } => 5,
                _ => 6,
            };
            self.failures[kind].fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    pub(crate) fn failures(&self) -> Failures {
        let n = |i: usize| self.failures[i].load(Ordering::Relaxed);
        Failures {
            python: n(0),
            worker_crash: n(1),
            timeout: n(2),
            saturated: n(3),
            draining: n(4),
            circuit_open: n(5),
            other: n(6),
        }
    }

    /// The latency under which a share `q` (0 to 1) of the calls so far ended (the upper bound
    /// of its bucket); `None` before the first call.
    pub(crate) fn quantile(&self, q: f64) -> Option<Duration> {
        let counts: Vec<u64> = self
            .latency
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return None;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (i, c) in counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(Duration::from_micros(upper_bound(i)));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_bounds_what_falls_in_it_within_a_quarter_octave() {
        for us in [1, 2, 3, 5, 7, 100, 1_000, 10_000, 123_456, 9_999_999] {
            let b = upper_bound(bucket(us));
            assert!(
                b >= us && b as f64 <= us as f64 * 1.25 + 1.0,
                "{us} µs -> {b}"
            );
        }
    }

    #[test]
    fn quantiles_come_from_the_recorded_calls() {
        let m = Metrics::default();
        assert_eq!(m.quantile(0.5), None);
        for _ in 0..98 {
            m.record(Duration::from_millis(1), None);
        }
        for _ in 0..2 {
            m.record(
                Duration::from_millis(100),
                Some(&Error::Timeout {
                    after: Duration::ZERO,
                }),
            );
        }
        let p50 = m.quantile(0.5).unwrap();
        let p99 = m.quantile(0.99).unwrap();
        assert!(
            p50 >= Duration::from_millis(1) && p50 < Duration::from_micros(1300),
            "{p50:?}"
        );
        assert!(
            p99 >= Duration::from_millis(100) && p99 < Duration::from_millis(130),
            "{p99:?}"
        );
        assert_eq!((m.calls(), m.failures().timeout), (100, 2));
    }
}
