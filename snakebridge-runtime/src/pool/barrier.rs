//! The crash barrier of one request: acquiring a worker, sending, and what happens when the
//! worker is gone before it got the request, crashes with it (an idempotent call is retried
//! by the pool's [`RetryPolicy`](super::RetryPolicy), unless it called a Rust callback), or
//! outlasts the deadline; and the Rust callbacks the worker calls meanwhile.

use std::sync::Arc;
use std::time::Instant;

use super::callback::{self, Pin};
use super::protocol::RequestKind;
use super::route::{Bound, Plan};
use super::sched::{AcquireError, Death, Permit, Pool, Target};
use super::worker::{Failure, Frame, Worker};
use super::{Body, PoolClient};
use crate::client::request::{CallOptions, Request};
use crate::client::telemetry::time_encode;
use crate::data::error::{Error, Result};
use crate::data::pyfn::PyFn;

impl PoolClient {
    /// Sends the request (`payload`, with `attachments`) to a worker of `plan` with the crash
    /// barrier: a worker gone before it got the request is replaced and another tried; one
    /// that crashed with it is replaced, and an idempotent call retried as the pool's
    /// [`RetryPolicy`] says (also when no worker can be started) unless it called a Rust
    /// callback (its effects in Rust are done); one past the deadline is killed and replaced.
    /// The callbacks the worker calls meanwhile run here ([`callback::serve`]).
    #[allow(clippy::too_many_arguments)] // one request, said once
    pub(super) fn exchange(
        &self,
        req: &Request,
        opts: &CallOptions,
        plan: &Plan,
        pool: &Pool,
        kind: RequestKind,
        body: Body<'_>,
        functions: &mut Vec<PyFn>,
    ) -> Result<Sent> {
        let session = match &plan.bound {
            Bound::Session(s) => Some(*s),
            Bound::Callback { session, .. } => *session,
            _ => None,
        };
        let timeout = opts.timeout.or(pool.config.call_timeout);
        // A stream's mailbox stays open for its items, a task's for its answer after
        // `awaiting`.
        let keep = matches!(
            kind,
            RequestKind::Stream { .. } | RequestKind::Generator { .. } | RequestKind::Task
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
            let permit = match &plan.bound {
                // A call from a callback: its worker's slot is held by the request that made
                // the callback, on this very thread.
                Bound::Callback { worker, .. } => Held::Pinned(worker.clone()),
                _ => match pool.acquire(plan.target) {
                    Ok(p) => Held::Permit(p),
                    Err(AcquireError::Gone) => return Err(self.gone(plan, None)),
                    Err(AcquireError::Unstartable(e)) if may_retry => {
                        tracing::warn!(
                            target: "snakebridge::pool",
                            pool = %pool.name, error = %e, call = %req.display_name(),
                            try_ = tries,
                            "no worker can be started for an idempotent call; retrying"
                        );
                        std::thread::sleep(policy.pause(tries));
                        continue;
                    }
                    Err(AcquireError::Unstartable(e) | AcquireError::Failed(e)) => return Err(e),
                },
            };
            let worker = permit.worker();
            let id = worker.next_id();
            let (request, attachments) = body.message(worker, id, kind, opts.returns, session);
            let frame = time_encode(|| request.frame(attachments))?;
            let mut deadline = timeout.map(|t| Instant::now() + t);
            let mut called_back = false;
            let outcome = if functions.is_empty() {
                worker.exchange(id, &frame, deadline, keep)
            } else {
                // The mailbox stays open: callbacks come before the reply.
                worker
                    .exchange(id, &frame, deadline, true)
                    .and_then(|reply| {
                        let pin = Pin {
                            client: self.address(),
                            pool: plan.pool,
                            worker: worker.clone(),
                        };
                        let served = callback::serve(
                            &pin,
                            id,
                            reply,
                            functions,
                            &mut deadline,
                            &mut called_back,
                        );
                        if !keep || served.is_err() {
                            worker.unregister(id);
                        }
                        served
                    })
            };
            match outcome {
                Ok(reply) => {
                    return Ok(Sent {
                        reply,
                        worker: worker.clone(),
                        clean: !retried && undelivered == 0,
                        called_back,
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
                    if may_retry && !called_back {
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

/// The worker a request goes to: a slot taken for it, or the worker whose callback this
/// thread is running (its slot is held by the request that made the callback).
enum Held<'a> {
    Permit(Permit<'a>),
    Pinned(Arc<Worker>),
}

impl Held<'_> {
    fn worker(&self) -> &Arc<Worker> {
        match self {
            Held::Permit(p) => &p.worker,
            Held::Pinned(w) => w,
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
    /// A Rust callback ran for it (its effects in Rust are done: it is never retried).
    pub(super) called_back: bool,
}
