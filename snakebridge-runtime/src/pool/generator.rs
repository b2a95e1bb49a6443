//! Generators driven step by step through the pool: each step is a `send` message answered by
//! the generator's next `item`, or `returned` with its return value (`PROTOCOL.md`). Nothing is
//! produced ahead (a value sent in decides what comes next). Dropping it before the end closes
//! the Python generator, as a stream does.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::protocol::ToWorker;
use super::reply::{Reply, interpret};
use super::sched::Pool;
use super::worker::{Wait, Worker};
use crate::client::{GeneratorDriver, GeneratorStep, wire};
use crate::data::error::{CallContext, Error, Result};
use crate::data::value::Value;

pub(crate) struct PoolGenerator {
    pub(crate) worker: Arc<Worker>,
    pub(crate) pool: Weak<Pool>,
    /// The generator's message id in the worker.
    pub(crate) id: u64,
    pub(crate) done: bool,
    pub(crate) context: CallContext,
    /// Bounds each step.
    pub(crate) timeout: Option<Duration>,
}

impl PoolGenerator {
    fn finish(&mut self) {
        self.done = true;
        self.worker.unregister(self.id);
    }

    fn worker_died(&self, cause: String) {
        Pool::worker_died_under(&self.pool, &self.worker, cause);
    }
}

impl GeneratorDriver for PoolGenerator {
    fn step(&mut self, value: Value) -> Result<GeneratorStep> {
        if self.done {
            return Err(Error::config(format!(
                "the generator of {} has ended: it takes no more steps",
                self.context
            )));
        }
        let value = serde_json::to_vec(&wire::encode_value(&value))
            .map_err(|e| Error::encode(e.to_string()))?;
        self.worker.notify(&ToWorker::Send {
            id: self.id,
            value: value.into(),
        });
        let deadline = self.timeout.map(|t| Instant::now() + t);
        match self.worker.wait_for(self.id, deadline, false) {
            Ok(frame) => match interpret(&frame, &self.worker, || self.context.clone()) {
                Ok(Reply::Item(v)) => Ok(GeneratorStep::Yielded(v)),
                Ok(Reply::Returned(v)) => {
                    self.finish();
                    Ok(GeneratorStep::Returned(v))
                }
                Ok(Reply::Value(_) | Reply::Started | Reply::End) => {
                    self.finish();
                    Err(Error::decode(
                        "pool worker reply",
                        format!("unexpected {} in a generator", frame.message),
                    ))
                }
                Err(e) => {
                    self.finish();
                    Err(e)
                }
            },
            Err(Wait::Dead(cause)) => {
                self.finish();
                self.worker_died(cause.clone());
                Err(Error::WorkerCrash {
                    pool: self.worker.pool.to_string(),
                    worker: format!("{} (pid {})", self.worker.slot, self.worker.pid),
                    cause,
                })
            }
            Err(Wait::Timeout) => {
                let after = self.timeout.unwrap_or_default();
                self.finish();
                self.worker_died(format!(
                    "was killed: a generator step took longer than the timeout of {after:?}"
                ));
                Err(Error::Timeout { after })
            }
        }
    }
}

impl Drop for PoolGenerator {
    fn drop(&mut self) {
        if !self.done {
            // Stopped early: the worker closes the generator (its `finally` runs) before it
            // handles any later message.
            self.worker.unregister(self.id);
            self.worker.notify(&ToWorker::Close { id: self.id });
        }
    }
}
