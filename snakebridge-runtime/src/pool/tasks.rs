//! `call_async` on a pool ([`PoolClient::execute_task`]): the request goes out as a `task`
//! call; when its result is awaitable (an `async def`'s coroutine), the worker answers
//! `awaiting` at once and runs it as a task of its event loop thread while it serves other
//! requests, so one worker awaits many coroutines at once and the call's slot is free again as
//! soon as `awaiting` came. A result that is not awaitable is the answer itself, as for a
//! blocking call.
//!
//! Each worker keeps its tasks out ([`Tasks`]); while it has any, a watcher thread waits for
//! their answers (taking its turn at reading the channel with the other waiters), runs the Rust
//! callbacks they call, and ends them:
//!
//! - answered: the result goes to the future, as a blocking call's would;
//! - the future dropped ([`CancelToken`](crate::client::CancelToken)): `cancel` tells the
//!   worker to cancel the task (Python sees `CancelledError` at its `await`), its answer, if
//!   any, is discarded and its refs released;
//! - past its timeout: cancelled the same way, the future gets [`Error::Timeout`]; the worker,
//!   serving other tasks, is not killed, unless the task's answer does not come within
//!   [`CANCEL_GRACE`] of the cancel (its event loop is stuck: blocked in code that does not
//!   await): then it is killed and replaced, as for a blocking call past its timeout;
//! - the worker died: every task fails with [`Error::WorkerCrash`]; an idempotent one that
//!   could run on any worker and called no Rust callback is sent once more, to a replacement.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::callback::{self, Pin};
use super::protocol::{Answer, FromWorker, RequestKind, ToWorker};
use super::reply::{Reply, context_of, interpret};
use super::sched::{Death, Pool};
use super::worker::{Frame, Wait, Worker, lock};
use super::{PoolClient, Ran};
use crate::client::AsyncReply;
use crate::client::request::{CallOptions, Request};
use crate::data::error::{Error, Result};
use crate::data::pyfn::PyFn;
use crate::data::value::Value;

/// The longest a watcher waits before it looks at its tasks' deadlines again (a task that
/// came meanwhile may have an earlier one).
const WATCH_SLICE: Duration = Duration::from_millis(50);

/// How long a task cancelled at its timeout has to answer (ending, `CancelledError` or not)
/// before its worker's event loop counts as stuck and the worker is killed.
const CANCEL_GRACE: Duration = Duration::from_secs(2);

/// The tasks a worker runs for `call_async` calls, by request id.
#[derive(Default)]
pub(crate) struct Tasks {
    state: Mutex<TaskState>,
}

#[derive(Default)]
struct TaskState {
    out: HashMap<u64, Task>,
    /// Tasks cancelled at their timeout, whose answer must come by the instant given.
    cancelling: HashMap<u64, Cancelling>,
    /// A watcher thread runs for this worker.
    watching: bool,
}

/// A task cancelled at its timeout, until its answer comes.
struct Cancelling {
    by: Instant,
    pool: Arc<Pool>,
    timeout: Duration,
}

/// One task out: what its answer goes to, and what a retry needs.
struct Task {
    reply: AsyncReply,
    request: Request,
    options: CallOptions,
    started: Instant,
    deadline: Option<Instant>,
    timeout: Option<Duration>,
    pool: Arc<Pool>,
    /// Its client, kept alive while the future waits (as a blocking call's caller keeps it).
    client: Option<Arc<PoolClient>>,
    /// The callbacks its arguments passed, with where their calls go; taken while one runs.
    callbacks: Option<(Pin, Vec<PyFn>)>,
    /// Sent once more if its worker dies (idempotent, any worker, no callback ran).
    retry: bool,
}

impl Tasks {
    /// How many tasks are out (a drain waits for them).
    pub(crate) fn len(&self) -> usize {
        lock(&self.state).out.len()
    }
}

impl PoolClient {
    /// Runs one `call_async` request (see the module's doc); `may_retry` is false for the
    /// second try of a task whose worker died.
    pub(super) fn execute_task(
        &self,
        request: &Request,
        options: &CallOptions,
        reply: AsyncReply,
        may_retry: bool,
    ) {
        let started = Instant::now();
        let mut chosen = None;
        let ran = self.run(request, options, |_| RequestKind::Task, &mut chosen);
        match ran {
            Ok(ran) => self.settle_task(ran, request, options, reply, started, may_retry),
            Err(e) => {
                if let Some(pool) = chosen {
                    pool.metrics.record(started.elapsed(), Some(&e));
                }
                reply.send(Err(e))
            }
        }
    }

    /// Takes the first answer of task call `request` (`ran`, started at `started`): the call's
    /// answer, sent on at once, or `awaiting`, which keeps the task out until its answer.
    pub(super) fn settle_task(
        &self,
        ran: Ran,
        request: &Request,
        options: &CallOptions,
        reply: AsyncReply,
        started: Instant,
        may_retry: bool,
    ) {
        let Ran {
            reply: frame,
            worker,
            pool,
            callbacks,
            called_back,
            any_worker,
        } = ran;
        let id = frame.message.id();
        if !matches!(
            frame.message,
            FromWorker::Answer {
                answer: Answer::Awaiting,
                ..
            }
        ) {
            // Not awaitable: this is the call's answer.
            worker.unregister(id);
            let out = value_of(&frame, &worker, request);
            pool.settle_recycling(&worker);
            pool.metrics.record(started.elapsed(), out.as_ref().err());
            return reply.send(out);
        }
        let timeout = options.timeout.or(pool.config.call_timeout);
        let cancel = reply.cancel_token();
        let task = Task {
            reply,
            request: request.clone(),
            options: options.clone(),
            started,
            deadline: timeout.map(|t| started + t),
            timeout,
            retry: may_retry
                && options.idempotent
                && any_worker
                && !called_back
                && pool.config.retry.attempts > 1,
            pool,
            client: self.me.upgrade(),
            callbacks,
        };
        Tasks::add(&worker, id, task);
        // What another reader read for it before it was added sits in its mailbox, where the
        // watcher looks only after its next frame or slice: handled here at once.
        while let Some(frame) = worker.take_mail(id) {
            answered(&worker, frame);
        }
        cancel.on_cancel(move || Tasks::cancel(&worker, id));
    }
}

/// The value a call's answer gives.
fn value_of(frame: &Frame, worker: &Arc<Worker>, request: &Request) -> Result<Value> {
    match interpret(frame, worker, || context_of(request))? {
        Reply::Value(v) => Ok(v),
        _ => Err(Error::decode(
            "pool worker reply",
            format!("unexpected {} in reply to a call", frame.message),
        )),
    }
}

impl Tasks {
    /// Keeps task `id` of `worker` out, starting the worker's watcher if none runs.
    fn add(worker: &Arc<Worker>, id: u64, task: Task) {
        let mut st = lock(&worker.tasks.state);
        st.out.insert(id, task);
        if st.watching {
            return;
        }
        st.watching = true;
        drop(st);
        let watched = worker.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("sb-tasks {}", worker.pid))
            .spawn(move || watch(&watched));
        if let Err(e) = spawned {
            let mut st = lock(&worker.tasks.state);
            st.watching = false;
            let task = st.out.remove(&id);
            drop(st);
            if let Some(task) = task {
                Tasks::cancel_on_worker(worker, id);
                task.reply.send(Err(Error::config(format!(
                    "cannot start a thread to wait for async calls: {e}"
                ))));
            }
        }
    }

    /// The future of task `id` was dropped: the worker cancels it, and its answer, if one
    /// comes, is discarded (its refs released).
    fn cancel(worker: &Arc<Worker>, id: u64) {
        let task = lock(&worker.tasks.state).out.remove(&id);
        if let Some(task) = task {
            Tasks::cancel_on_worker(worker, id);
            // Its reply goes nowhere: the future is gone.
            drop(task);
        }
    }

    fn cancel_on_worker(worker: &Arc<Worker>, id: u64) {
        worker.unregister(id);
        worker.notify(&ToWorker::Cancel { id });
    }
}

/// The watcher of `worker`'s tasks: runs while any is out.
fn watch(worker: &Arc<Worker>) {
    let tasks = &worker.tasks;
    loop {
        let until = {
            let mut st = lock(&tasks.state);
            if st.out.is_empty() && st.cancelling.is_empty() {
                st.watching = false;
                return;
            }
            let slice = Instant::now() + WATCH_SLICE;
            let deadlines = st.out.values().filter_map(|t| t.deadline);
            let earliest = deadlines.chain(st.cancelling.values().map(|c| c.by)).min();
            earliest.map_or(slice, |d| d.min(slice))
        };
        let wanted = |id| {
            let st = lock(&tasks.state);
            st.out.contains_key(&id) || st.cancelling.contains_key(&id)
        };
        let got = worker.wait_for_any(wanted, Some(until));
        match got {
            Ok(frame) => answered(worker, frame),
            Err(Wait::Timeout) => expire(worker),
            Err(Wait::Dead(cause)) => crashed(worker, cause),
        }
    }
}

/// A message for a task: a callback it calls (run here, the task stays out), or its answer.
fn answered(worker: &Arc<Worker>, frame: Frame) {
    let id = frame.message.id();
    if let FromWorker::Answer {
        answer: Answer::Callback { .. },
        ..
    } = &frame.message
    {
        return serve_callback(worker, id, frame);
    }
    let task = {
        let mut st = lock(&worker.tasks.state);
        // A task cancelled at its timeout answered: its loop is not stuck.
        st.cancelling.remove(&id);
        st.out.remove(&id)
    };
    worker.unregister(id);
    let Some(task) = task else {
        // Cancelled since: nobody takes it.
        return worker.discard(&frame);
    };
    let out = value_of(&frame, worker, &task.request);
    task.pool.settle_recycling(worker);
    task.pool
        .metrics
        .record(task.started.elapsed(), out.as_ref().err());
    task.reply.send(out);
}

/// Runs the Rust callback task `id` calls, and answers the worker: on a thread of its own, as
/// the closure may take long (an async one's future), or wait for another task of the same
/// worker, whose answer this watcher must go on reading meanwhile.
fn serve_callback(worker: &Arc<Worker>, id: u64, frame: Frame) {
    let taken = {
        let mut st = lock(&worker.tasks.state);
        st.out.get_mut(&id).map(|t| {
            t.retry = false; // its effects in Rust are done
            t.callbacks.clone()
        })
    };
    let Some(callbacks) = taken else {
        return worker.discard(&frame);
    };
    let (pin, functions) = callbacks.unwrap_or_else(|| {
        // It passed none: `answer` tells Python so. No closure runs, so the pin routes nothing.
        let pin = Pin {
            client: 0,
            pool: 0,
            worker: worker.clone(),
        };
        (pin, Vec::new())
    });
    let watched = worker.clone();
    let spawned = std::thread::Builder::new()
        .name("sb-task-callback".into())
        .spawn(move || run_callback(&watched, id, &pin, functions, frame));
    if let Err(e) = spawned {
        // The Python call waits until the task's timeout (or its future is dropped).
        tracing::warn!(
            target: "snakebridge::pool", error = %e,
            "cannot start a thread for a Rust callback of an async call"
        );
    }
}

/// Runs one callback call of task `id` and answers it; the callbacks its result passed join
/// the task's, and the time spent in Rust moves the task's deadline (its timeout counts
/// Python's time only). A failure to answer marks the worker dead: the watcher sees it.
fn run_callback(
    worker: &Arc<Worker>,
    id: u64,
    pin: &Pin,
    mut functions: Vec<PyFn>,
    mut frame: Frame,
) {
    let known = functions.len();
    let started = Instant::now();
    let (mut deadline, mut called_back) = (None, false);
    let _ = callback::answer(
        pin,
        &mut frame,
        &mut functions,
        &mut deadline,
        &mut called_back,
    );
    let mut st = lock(&worker.tasks.state);
    if let Some(t) = st.out.get_mut(&id) {
        if let Some((_, kept)) = t.callbacks.as_mut() {
            for f in functions.drain(known..) {
                if !kept.contains(&f) {
                    kept.push(f);
                }
            }
        }
        if let Some(d) = t.deadline.as_mut() {
            *d += started.elapsed();
        }
    }
}

/// Cancels the tasks past their deadline (their futures get [`Error::Timeout`]), and kills
/// the worker when one cancelled earlier has not answered within [`CANCEL_GRACE`].
fn expire(worker: &Arc<Worker>) {
    let now = Instant::now();
    let stuck = {
        let st = lock(&worker.tasks.state);
        (st.cancelling.values())
            .find(|c| c.by <= now)
            .map(|c| (c.pool.clone(), c.timeout))
    };
    if let Some((pool, after)) = stuck {
        // The watcher's next wait sees the death and fails the other tasks.
        pool.worker_died_as(
            worker,
            format!(
                "was killed: a coroutine outlasted its timeout of {after:?} and did not end \
                 within {CANCEL_GRACE:?} of being cancelled (its event loop is blocked)"
            ),
            Death::TimedOut,
        );
        return;
    }
    let late: Vec<(u64, Task)> = {
        let mut st = lock(&worker.tasks.state);
        let ids: Vec<u64> = st
            .out
            .iter()
            .filter(|(_, t)| t.deadline.is_some_and(|d| d <= now))
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter()
            .filter_map(|id| st.out.remove(&id).map(|t| (id, t)))
            .collect()
    };
    for (id, task) in late {
        // Its mailbox stays open for the answer that says the loop took the cancel.
        let after = task.timeout.unwrap_or_default();
        let cancelling = Cancelling {
            by: now + CANCEL_GRACE,
            pool: task.pool.clone(),
            timeout: after,
        };
        lock(&worker.tasks.state).cancelling.insert(id, cancelling);
        worker.notify(&ToWorker::Cancel { id });
        let error = Error::Timeout { after };
        task.pool
            .metrics
            .record(task.started.elapsed(), Some(&error));
        task.reply.send(Err(error));
    }
}

/// The worker died: every task out fails with [`Error::WorkerCrash`], or is sent once more.
fn crashed(worker: &Arc<Worker>, cause: String) {
    let (out, cancelling): (Vec<(u64, Task)>, Vec<u64>) = {
        let mut st = lock(&worker.tasks.state);
        let cancelling = st.cancelling.drain().map(|(id, _)| id).collect();
        (st.out.drain().collect(), cancelling)
    };
    for id in cancelling {
        worker.unregister(id);
    }
    let Some((_, first)) = out.first() else {
        return;
    };
    let pool = first.pool.clone();
    pool.worker_died(worker, cause.clone());
    let cause = worker.refs.death().unwrap_or(cause);
    let mut again = Vec::new();
    for (id, task) in out {
        worker.unregister(id);
        if task.retry
            && let Some(client) = task.client.clone()
        {
            tracing::warn!(
                target: "snakebridge::pool",
                pool = %pool.name, worker = worker.slot, pid = worker.pid, cause = %cause,
                call = %task.request.display_name(),
                "worker crashed during an idempotent async call; retrying"
            );
            again.push((client, task));
            continue;
        }
        let error = Error::WorkerCrash {
            pool: pool.name.to_string(),
            worker: format!("{} (pid {})", worker.slot, worker.pid),
            cause: cause.clone(),
        };
        task.pool
            .metrics
            .record(task.started.elapsed(), Some(&error));
        task.reply.send(Err(error));
    }
    if !again.is_empty() {
        std::thread::sleep(pool.config.retry.pause(1));
    }
    for (client, task) in again {
        // Quick for a coroutine again (its `awaiting` comes at once); its watcher is the new
        // worker's.
        client.execute_task(&task.request, &task.options, task.reply, false);
    }
}
