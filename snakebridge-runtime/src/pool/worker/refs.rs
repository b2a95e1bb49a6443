//! The refs a worker holds for this process: their owner, and batched releases.

use std::sync::{Arc, Mutex, Weak};

use serde_json::Value as Json;

use super::*;
use crate::data::pyref::RefOwner;
use crate::pool::protocol::for_each_ref_id;

/// Releases are sent at once when this many are pending (else with the next call, or by the
/// pool's housekeeping within a fraction of a second).
const RELEASE_BATCH: usize = 128;

/// The [`RefOwner`] of one worker's refs.
pub(crate) struct WorkerRefs {
    pub(super) worker: Weak<Worker>,
    pub(super) pool: Arc<str>,
    pub(super) slot: usize,
    pub(super) pid: u32,
    pub(super) death: Mutex<Option<String>>,
}

impl RefOwner for WorkerRefs {
    fn release(&self, id: u64) {
        if let Some(worker) = self.worker.upgrade() {
            worker.queue_release(id);
        }
    }

    fn describe(&self) -> String {
        let base = format!(
            "worker {} (pid {}) of pool `{}`",
            self.slot, self.pid, self.pool
        );
        match lock(&self.death).as_deref() {
            None => base,
            Some(cause) => format!("{base}, which is gone ({cause}); the object died with it"),
        }
    }
}

impl WorkerRefs {
    pub(crate) fn death(&self) -> Option<String> {
        lock(&self.death).clone()
    }
}

impl Worker {
    /// Queues the release of every ref in a frame that will never be decoded (sent with the
    /// next request or by the pool's housekeeping).
    pub(super) fn release_refs_in(&self, value: &Json) {
        // Only queued: this runs on the reading path, which must never block on a write (see
        // `Worker::send`).
        for_each_ref_id(value, &mut |id| lock(&self.pending_release).push(id));
    }

    /// Queues the release of ref `id` (sent with the next call, or in a batch).
    pub(super) fn queue_release(&self, id: u64) {
        if self.is_dead() {
            return;
        }
        let full = {
            let mut pending = lock(&self.pending_release);
            pending.push(id);
            pending.len() >= RELEASE_BATCH
        };
        if full {
            self.flush_releases();
        }
    }

    /// Takes the releases waiting to go with the next request.
    pub(crate) fn take_releases(&self) -> Vec<u64> {
        std::mem::take(&mut *lock(&self.pending_release))
    }

    /// Sends the pending releases now. They are taken under the writer's lock, so a request
    /// that finds none pending is written after them: a release queued before a call always
    /// reaches the worker before that call.
    pub(crate) fn flush_releases(&self) {
        if self.is_dead() {
            return;
        }
        let mut writer = lock(&self.writer);
        let ids = self.take_releases();
        if ids.is_empty() {
            return;
        }
        let release = ToWorker::Release { ids: ids.into() };
        if let Ok(frame) = release.frame(&[]) {
            // A dead worker holds nothing to release.
            let _ = self.write_locked(&mut writer, &frame, None);
        }
    }
}
