//! The crash barrier of one request: acquiring a worker, sending, and what happens when the
//! worker is gone before it got the request, crashes with it (an idempotent call is retried
//! by the pool's [`RetryPolicy`](super::RetryPolicy)), or outlasts the deadline.

use std::sync::Arc;
use std::time::Instant;

use super::PoolClient;
use super::protocol::{RequestKind, ToWorker};
use super::route::{Bound, Plan};
use super::sched::{AcquireError, Death, Pool, Target};
use super::worker::{Failure, Frame, Worker};
use crate::client::request::{CallOptions, Request};
use crate::client::telemetry::time_encode;
use crate::data::error::{Error, Result};

impl PoolClient {
    /// Sends the request (`payload`, with `attachments`) to a worker of `plan` with the crash
    /// barrier: a worker gone before it got the request is replaced and another tried; one
    /// that crashed with it is replaced, and an idempotent call retried as the pool's
    /// [`RetryPolicy`] says (also when no worker can be started); one past the deadline is
    /// killed and replaced.
    #[allow(clippy::too_many_arguments)] // one request, said once
    pub(super) fn exchange(
        &self,
        req: &Request,
        opts: &CallOptions,
        plan: &Plan,
        pool: &Pool,
        kind: RequestKind,
        payload: &[u8],
        attachments: &[u8],
    ) -> Result<Sent> {
        let session = match plan.bound {
            Bound::Session(s) => Some(s),
            _ => None,
        };
        let timeout = opts.timeout.or(pool.config.call_timeout);
        let streaming = matches!(
            kind,
            RequestKind::Stream { .. } | RequestKind::Generator { .. }
        );
        let mut retried = false;
        let mut undelivered = 0;
        // Tries so far, and whether another may follow (an idempotent call on any worker).
        let mut tries = 0;
        let policy = pool.config.retry;
        let retryable = opts.idempotent && plan.target == Target::Any;
        loop {
            tries += 1;
            let may_retry = retryable && tries < policy.attempts;
            let permit = match pool.acquire(plan.target) {
                Ok(p) => p,
                Err(AcquireError::Gone) => return Err(self.gone(plan, None)),
                Err(AcquireError::Unstartable(e)) if may_retry => {
                    tracing::warn!(
                        target: "snakebridge::pool",
                        pool = %pool.name, error = %e, call = %req.display_name(), try_ = tries,
                        "no worker can be started for an idempotent call; retrying"
                    );
                    std::thread::sleep(policy.pause(tries));
                    continue;
                }
                Err(AcquireError::Unstartable(e) | AcquireError::Failed(e)) => return Err(e),
            };
            let worker = &permit.worker;
            let id = worker.next_id();
            let request = ToWorker::Request {
                kind,
                id,
                returns: opts.returns,
                session,
                release: worker.take_releases().into(),
                payload: payload.into(),
            };
            let frame = time_encode(|| request.frame(attachments))?;
            let deadline = timeout.map(|t| Instant::now() + t);
            match worker.exchange(id, &frame, deadline, streaming) {
                Ok(reply) => {
                    return Ok(Sent {
                        reply,
                        worker: worker.clone(),
                        clean: !retried && undelivered == 0,
                    });
                }
                Err(Failure::NotDelivered(cause)) => {
                    // The worker was gone before the request reached it: nothing ran, so any
                    // call may go to another worker.
                    pool.worker_died(worker, cause.clone());
                    drop(permit);
                    undelivered += 1;
                    if plan.target != Target::Any || undelivered > pool.config.size + 1 {
                        return Err(self.gone(plan, Some(cause)));
                    }
                }
                Err(Failure::Crashed(cause)) => {
                    let (slot, pid) = (worker.slot, worker.pid);
                    pool.worker_died(worker, cause.clone());
                    drop(permit);
                    if may_retry {
                        tracing::warn!(
                            target: "snakebridge::pool",
                            pool = %pool.name, worker = slot, pid, cause = %cause,
                            call = %req.display_name(), try_ = tries,
                            "worker crashed during an idempotent call; retrying"
                        );
                        retried = true;
                        std::thread::sleep(policy.pause(tries));
                        continue;
                    }
                    return Err(Error::WorkerCrash {
                        pool: pool.name.to_string(),
                        worker: format!("{slot} (pid {pid})"),
                        cause,
                    });
                }
                Err(Failure::TimedOut) => {
                    let after = timeout.unwrap_or_default();
                    pool.worker_died_as(
                        worker,
                        format!("was killed: a call took longer than its timeout of {after:?}"),
                        Death::TimedOut,
                    );
                    return Err(Error::Timeout { after });
                }
            }
        }
    }
}

/// A request's reply, from the worker that sent it.
pub(super) struct Sent {
    pub(super) reply: Frame,
    pub(super) worker: Arc<Worker>,
    /// The request reached one worker only (no retry, no worker gone before it): that worker's
    /// word on the segments it saw can be taken.
    pub(super) clean: bool,
}
