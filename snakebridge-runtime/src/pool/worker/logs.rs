//! Python's log records from a worker (`log` messages, written by the worker's `logs.py`) as
//! `tracing` events, and the level the worker forwards from, kept in step with what the
//! subscribers take ([`PoolConfig::python_logging`](crate::PoolConfig::python_logging)).

use std::sync::atomic::Ordering;

use super::{Frame, Worker};
use crate::client::python_log;
use crate::pool::protocol::{FromWorker, ToWorker};

impl Worker {
    /// Emits `frame` if it is a log record (which answers nothing, so never goes to a mailbox)
    /// and returns `None`; any other frame comes back.
    pub(super) fn take_log(&self, frame: Frame) -> Option<Frame> {
        let FromWorker::Log(log) = &frame.message else {
            return Some(frame);
        };
        python_log::emit(
            &log.logger,
            log.level,
            &log.message,
            log.call.as_deref().unwrap_or(""),
            &format_args!(
                "pool {}, worker {} (pid {})",
                self.pool, self.slot, self.pid
            ),
        );
        None
    }

    /// Tells the worker to forward records from Python level `level` on, unless that is what
    /// it does already (a frame on the request pipe only when the subscribers' filter changed).
    pub(crate) fn sync_log_level(&self, level: u64) {
        if self.log_level.swap(level, Ordering::Relaxed) != level {
            self.notify(&ToWorker::LogLevel { level });
        }
    }
}
