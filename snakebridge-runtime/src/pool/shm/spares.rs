//! A pool's spare segments: reused for the large arrays of later calls.

use super::segment::Segment;

/// At most this many spare segments per pool...
pub(super) const MAX_SPARES: usize = 4;
/// ...holding at most this many bytes together.
pub(super) const MAX_SPARE_BYTES: usize = 512 << 20;
/// Segments that may become spares are made in multiples of this size, so that one serves
/// arrays of somewhat different sizes. Only the pages written take memory.
pub(super) const SPARE_GRAIN: usize = 1 << 20;

/// A pool's spare segments: made for earlier requests and reported unused by the worker that
/// mapped them (it has unmapped them), so nobody maps them now. A new request writes its large
/// arrays into them instead of into new segments, reusing memory the kernel already allocated
/// (allocating and zeroing fresh pages is most of the cost of a new segment). Bounded by
/// [`MAX_SPARES`] and [`MAX_SPARE_BYTES`] (the smallest go first); all are unlinked when the pool
/// shuts down.
#[derive(Default)]
pub(crate) struct Spares {
    state: std::sync::Mutex<SpareState>,
}

#[derive(Default)]
struct SpareState {
    free: Vec<Segment>,
    closed: bool,
}

impl Spares {
    fn lock(&self) -> std::sync::MutexGuard<'_, SpareState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The smallest spare that holds `len` bytes, unless it is more than twice as large as a
    /// segment made for them would be (a small array should not use up a large spare).
    pub(super) fn take(&self, len: usize) -> Option<Segment> {
        let mut st = self.lock();
        let limit = grain(len).saturating_mul(2);
        let (i, _) = st
            .free
            .iter()
            .enumerate()
            .filter(|(_, s)| s.capacity >= len && s.capacity <= limit)
            .min_by_key(|(_, s)| s.capacity)?;
        Some(st.free.swap_remove(i))
    }

    /// Keeps `segments` as spares. Only segments that no process maps any more belong here: ones
    /// the worker that mapped them reported unused in its reply. Beyond the bounds, or once the
    /// pool is shut down, segments are unlinked instead.
    pub(crate) fn give_back(&self, segments: Vec<Segment>) {
        let mut st = self.lock();
        if st.closed {
            return;
        }
        st.free.extend(segments);
        // Keep the largest (they save the most), within the bounds.
        st.free.sort_by_key(|s| std::cmp::Reverse(s.capacity));
        let mut total = 0usize;
        let mut evicted = Vec::new();
        for s in std::mem::take(&mut st.free) {
            if st.free.len() < MAX_SPARES && total.saturating_add(s.capacity) <= MAX_SPARE_BYTES {
                total += s.capacity;
                st.free.push(s);
            } else {
                evicted.push(s);
            }
        }
        drop(st);
        drop(evicted);
    }

    /// Unlinks every spare; later ones are unlinked at once. At the pool's shutdown.
    pub(crate) fn close(&self) {
        let spares = {
            let mut st = self.lock();
            st.closed = true;
            std::mem::take(&mut st.free)
        };
        drop(spares);
    }

    /// The names of the spares.
    pub(crate) fn names(&self) -> Vec<String> {
        self.lock()
            .free
            .iter()
            .map(|s| s.name().to_owned())
            .collect()
    }
}

/// `len` rounded up to a whole number of [`SPARE_GRAIN`]s.
pub(super) fn grain(len: usize) -> usize {
    len.div_ceil(SPARE_GRAIN).saturating_mul(SPARE_GRAIN)
}
