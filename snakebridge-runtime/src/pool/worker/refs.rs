//! The refs a worker holds for this process: their owner, and batched releases.

use std::sync::{Arc, Mutex, Weak};

use serde_json::Value as Json;

use super::*;
use crate::data::nesting::deeper;
use crate::data::pyref::RefOwner;

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
    pub(super) fn release_refs_in(&self, frame: &Json) {
        match frame {
            Json::Array(items) => items
                .iter()
                .for_each(|j| deeper(|| self.release_refs_in(j))),
            Json::Object(obj) => {
                if obj.get("__type__").and_then(Json::as_str) == Some("ref") {
                    if let Some(id) = obj
                        .get("id")
                        .and_then(Json::as_str)
                        .and_then(|s| s.parse().ok())
                    {
                        // Only queued: this runs on the reading path, which must never block
                        // on a write (see `Worker::send`).
                        lock(&self.pending_release).push(id);
                    }
                } else {
                    obj.values()
                        .for_each(|j| deeper(|| self.release_refs_in(j)));
                }
            }
            _ => {}
        }
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
        let mut frame = frame_start();
        frame.extend_from_slice(br#"{"op":"release","ids":"#);
        push_ids(&mut frame, &ids);
        frame.push(b'}');
        if let Ok(frame) = frame_finish(frame) {
            // A dead worker holds nothing to release.
            let _ = self.write_locked(&mut writer, &frame, None);
        }
    }
}
