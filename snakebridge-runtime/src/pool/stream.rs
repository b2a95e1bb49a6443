//! Streams through the pool: the worker pushes items as the Python iterator produces them, up
//! to a window of credit; the consumer grants more as it takes them, so a slow consumer holds at
//! most a window of items in memory. Dropping the stream early closes the Python generator.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::callback::{self, Pin};
use super::protocol::ToWorker;
use super::reply::{Reply, interpret};
use super::sched::{Death, Pool};
use super::worker::{Failure, Wait, Worker};
use crate::data::error::{CallContext, Error, Result};
use crate::data::pyfn::PyFn;
use crate::data::value::Value;

pub(crate) struct PoolStream {
    pub(crate) worker: Arc<Worker>,
    pub(crate) pool: Weak<Pool>,
    /// The stream's message id in the worker.
    pub(crate) id: u64,
    /// Items the worker may push ahead of the consumer.
    pub(crate) window: usize,
    /// Items taken since credit was last granted.
    pub(crate) consumed: usize,
    pub(crate) done: bool,
    pub(crate) context: CallContext,
    /// Bounds the wait for each item.
    pub(crate) timeout: Option<Duration>,
    /// The Rust callbacks the stream's request passed, which its items may call, and the
    /// worker they run for.
    pub(crate) callbacks: Option<(Pin, Vec<PyFn>)>,
}

impl PoolStream {
    fn finish(&mut self) {
        self.done = true;
        self.worker.unregister(self.id);
    }

    fn worker_died(&self, cause: String) {
        Pool::worker_died_under(&self.pool, &self.worker, cause);
    }
}

impl Iterator for PoolStream {
    type Item = Result<Value>;

    fn next(&mut self) -> Option<Result<Value>> {
        if self.done {
            return None;
        }
        let mut deadline = self.timeout.map(|t| Instant::now() + t);
        let got = self.worker.wait_for(self.id, deadline, false);
        let got = match (&mut self.callbacks, got) {
            (Some((pin, functions)), Ok(frame)) => {
                let mut called_back = false;
                callback::serve(
                    pin,
                    self.id,
                    frame,
                    functions,
                    &mut deadline,
                    &mut called_back,
                )
                .map_err(|failure| match failure {
                    Failure::TimedOut => Wait::Timeout,
                    Failure::Crashed(cause) | Failure::NotDelivered(cause) => Wait::Dead(cause),
                })
            }
            (_, got) => got,
        };
        match got {
            Ok(frame) => match interpret(&frame, &self.worker, || self.context.clone()) {
                Ok(Reply::Item(v)) => {
                    self.consumed += 1;
                    if self.consumed >= (self.window / 2).max(1) {
                        self.worker.notify(&ToWorker::Credit {
                            id: self.id,
                            n: self.consumed,
                        });
                        self.consumed = 0;
                    }
                    Some(Ok(v))
                }
                Ok(Reply::End) => {
                    self.finish();
                    None
                }
                Ok(Reply::Value(_) | Reply::Started | Reply::Returned(_)) => {
                    self.finish();
                    Some(Err(Error::decode(
                        "pool worker reply",
                        format!("unexpected {} in a stream", frame.message),
                    )))
                }
                Err(e) => {
                    self.finish();
                    Some(Err(e))
                }
            },
            Err(Wait::Dead(cause)) => {
                self.finish();
                self.worker_died(cause.clone());
                Some(Err(Error::WorkerCrash {
                    pool: self.worker.pool.to_string(),
                    worker: format!("{} (pid {})", self.worker.slot, self.worker.pid),
                    cause,
                }))
            }
            Err(Wait::Timeout) => {
                let after = self.timeout.unwrap_or_default();
                self.finish();
                let cause =
                    format!("was killed: a stream item took longer than the timeout of {after:?}");
                match self.pool.upgrade() {
                    Some(pool) => pool.worker_died_as(&self.worker, cause, Death::TimedOut),
                    None => self.worker.kill(cause),
                }
                Some(Err(Error::Timeout { after }))
            }
        }
    }
}

impl Drop for PoolStream {
    fn drop(&mut self) {
        if !self.done {
            // Stopped early: the worker closes the generator (its `finally` runs) before it
            // handles any later message, so a following call sees the effect.
            self.worker.unregister(self.id);
            self.worker.notify(&ToWorker::Close { id: self.id });
        }
    }
}
