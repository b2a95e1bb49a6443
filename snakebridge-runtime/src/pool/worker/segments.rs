//! The worker's shared-memory segments this process has seen, removed once the worker is gone.

use std::sync::atomic::Ordering;

use serde_json::Value as Json;

use super::super::shm;
use super::*;

impl Worker {
    /// Unlinks the shared-memory segments named in a frame that was not (or not wholly)
    /// decoded.
    pub(crate) fn forget_segments_in(&self, frame: &Json) {
        self.saw_segment(shm::unlink_named_in(frame, self.pid));
    }

    /// Notes that the worker's segment number `n` was read (or unlinked).
    pub(crate) fn saw_segment(&self, n: u64) {
        self.shm_seen.fetch_max(n, Ordering::Relaxed);
    }

    /// Removes the segments the (dead) worker created that nobody read.
    pub(super) fn sweep_segments(&self) {
        shm::sweep_worker(self.pid, self.shm_seen.load(Ordering::Relaxed));
    }
}
