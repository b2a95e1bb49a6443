//! `call_async` calls sent down one worker's pipe together ([`PoolClient::execute_pipelined`]):
//! a runner that took several queued calls (`api/asynchronous/lanes.rs`) holds one worker's
//! slot and keeps up to [`WINDOW`] `task` requests written ahead to it, writing one more
//! (taken from the hand-over's [`AsyncBatch`], which takes more from the queue while calls come
//! back quickly) as each answer comes. The worker serves its requests one after the other, so
//! it goes from one call to the next without ever waiting for this side; the replies carry
//! their ids.
//!
//! The runner settles the answers that are there in a run, and wakes their futures' executor
//! once for the run ([`HeldWakes`]); when the next answer has not come and more calls are
//! ahead of the worker, it naps ([`NAP`]) rather than asking to be woken: a worker that rang
//! for each answer would be stopped by the wake-up it caused (on a machine with few cores, the
//! woken runner takes the worker's core) and the two would take turns call by call.
//!
//! Only calls with nothing that outlives their frame or pins them go together: any worker, no
//! session, no ref, array or Rust callback among the arguments, a small payload (an atomic
//! pipe write), and a pool without a calls limit (its recycling counts each call). The others,
//! and any call when no worker can be had, run alone ([`PoolClient::execute_task`]).
//!
//! Each call keeps what a blocking call has: its timeout counts from when the worker can start
//! it (the answer before it came), and a call past it kills the worker as a blocking one does.
//! When the worker dies, the call it was running fails with [`Error::WorkerCrash`] (an
//! idempotent one is sent once more, as a task whose worker died); the calls after it never
//! started, so they run again alone, on any worker.

use std::cell::Cell;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::callback::FunctionSink;
use super::protocol::RequestKind;
use super::route::Bound;
use super::sched::{Death, Pool, Target};
use super::worker::{Wait, Worker};
use super::{Body, PoolClient, Ran, shm};
use crate::client::held_wakes::HeldWakes;
use crate::client::request::Request;
use crate::client::telemetry::time_encode;
use crate::client::wire;
use crate::client::{AsyncBatch, AsyncRequest};
use crate::data::error::Error;
use crate::data::nesting;
use crate::data::value::Value;

/// The largest payload that goes with others: a frame of it is one atomic pipe write
/// (`PIPE_BUF`), so a write either delivers a request whole or not at all (a full pipe waits,
/// reading the worker's answers meanwhile, as for any request).
const MAX_PAYLOAD: usize = 4000;

/// The most requests written ahead to the worker: more than it answers while the runner naps
/// ([`NAP`]: some tens of µs; a short call takes the worker 1-2 µs), so it still has the next
/// one when the runner wakes. The hand-over takes them from the queue only while calls come
/// back quickly, and while no other runner waits for work (`lanes.rs`).
const WINDOW: usize = 64;

/// How long the runner sleeps, once per answer, when the answer has not come and more calls
/// are ahead of the worker (with a timer slack of [`NAP_SLACK`], a nap lasts some tens of µs
/// on an idle machine: the wake-up's own cost).
const NAP: Duration = Duration::from_micros(10);

/// The most naps for one answer; then the runner waits as for any reply (spinning, or asleep
/// until the worker rings), as the answer is slow to come.
const MAX_NAPS: u32 = 50;

/// The timer slack of a runner that naps, in ns (Linux's default, 50 µs, would make every nap
/// last 60 µs or more).
#[cfg(target_os = "linux")]
const NAP_SLACK: libc::c_ulong = 1_000;

/// A call about to go with others: its payload, and when it was taken. The call is boxed: it
/// moves through the window, and a request is some hundreds of bytes.
struct Ready {
    call: Box<AsyncRequest>,
    payload: Payload,
    started: Instant,
}

/// How a call goes: a binary task call when its arguments have a binary form (as a blocking
/// call of them does), else the JSON payload of a `task` request.
enum Payload {
    Binary { site: u32, args: Vec<u8> },
    Json(Vec<u8>),
}

impl Payload {
    /// The body of request `req` with this payload.
    fn body<'a>(&'a self, req: &'a Request) -> Body<'a> {
        match self {
            Payload::Binary { site, args } => Body::Binary {
                site: *site,
                module: &req.python_module,
                function: &req.name,
                args,
            },
            Payload::Json(payload) => Body::Json {
                payload,
                attachments: &[],
            },
        }
    }
}

impl PoolClient {
    /// Runs the calls of `batch` (see the module's doc): those that may go together down one
    /// worker's pipe, the others alone.
    pub(super) fn execute_pipelined(&self, mut batch: AsyncBatch<'_>) {
        let mut alone = Vec::new();
        // The first call that may go with others picks the pool.
        if let Some((index, first)) = self.next_ready(&mut batch, None, &mut alone) {
            let pool = self.pools[index].clone();
            alone.extend(self.send_together(&pool, index, first, &mut batch));
        }
        for call in alone {
            self.execute_task(&call.request, &call.options, call.reply, true);
        }
    }

    /// The next call of `batch` that may go with others (to pool `index`, or any pool), with
    /// its pool. One that may not is put with `alone` (it waits for the hand-over's end), and
    /// the batch then takes nothing more from the queue (the queue's next calls do not wait).
    fn next_ready(
        &self,
        batch: &mut AsyncBatch<'_>,
        index: Option<usize>,
        alone: &mut Vec<AsyncRequest>,
    ) -> Option<(usize, Ready)> {
        while let Some(call) = batch.next_boxed() {
            let started = Instant::now();
            match self.pipelinable(&call) {
                Some((i, payload)) if index.is_none_or(|index| i == index) => {
                    let ready = Ready {
                        call,
                        payload,
                        started,
                    };
                    return Some((i, ready));
                }
                _ => {
                    batch.take_no_more();
                    alone.push(*call);
                }
            }
        }
        None
    }

    /// The pool and payload of `call` when it may go with others, else `None`.
    fn pipelinable(&self, call: &AsyncRequest) -> Option<(usize, Payload)> {
        let req = &call.request;
        let values = req.args.iter().chain(req.kwargs.iter().map(|(_, v)| v));
        let plain = nesting::walk(values, |v, _| match v {
            Value::Array(_) | Value::Ref(_) | Value::Function(_) => Err(()),
            _ => Ok(true),
        });
        if plain.is_err() || req.target.is_some() || req.streaming {
            return None;
        }
        // Errors (a closed session, data too deep) are reported when the call runs alone.
        let plan = self.plan(req, &call.options).ok()?;
        let pool = &self.pools[plan.pool];
        if plan.target != Target::Any
            || !matches!(plan.bound, Bound::Free)
            || pool.config.max_calls.is_some()
        {
            return None;
        }
        // No array among the arguments: nothing goes to shared memory or beside the JSON.
        let mut arrays = shm::SharedArrays::new(usize::MAX, None);
        let mut sink = FunctionSink {
            arrays: &mut arrays,
            functions: Vec::new(),
        };
        let mut payload = Vec::with_capacity(128);
        if let Some(site) = time_encode(|| super::binary_call(req, &mut payload)) {
            let args = payload;
            return (args.len() <= MAX_PAYLOAD)
                .then_some((plan.pool, Payload::Binary { site, args }));
        }
        payload.clear();
        time_encode(|| wire::write_request_payload(req, &call.options, &mut sink, &mut payload))
            .ok()?;
        let bare = sink.functions.is_empty() && arrays.attachments.is_empty();
        (bare && payload.len() <= MAX_PAYLOAD).then_some((plan.pool, Payload::Json(payload)))
    }

    /// Sends `first` and the calls of `batch` that may go with it (pool `index`) to one worker
    /// of `pool`, up to [`WINDOW`] ahead of its answers, and settles each answer in turn. The
    /// calls that must run alone (not for this batch, not sent, or never started by a worker
    /// that died) come back, with what the batch still had at hand.
    fn send_together(
        &self,
        pool: &Arc<Pool>,
        index: usize,
        first: Ready,
        batch: &mut AsyncBatch<'_>,
    ) -> Vec<AsyncRequest> {
        let Ok(permit) = pool.acquire(Target::Any) else {
            // Alone, each reports the pool's state (or retries) as a blocking call would.
            batch.take_no_more();
            return std::iter::once(*first.call).chain(batch).collect();
        };
        let worker = permit.worker.clone();
        let mut alone = Vec::new();
        let mut ahead: VecDeque<(u64, Ready)> = VecDeque::with_capacity(WINDOW);
        let mut next = Some(first);
        let mut sending = true;
        let mut answered = 0;
        let held = HeldWakes::hold();
        loop {
            while sending && ahead.len() < WINDOW {
                let Some(r) = next.take().or_else(|| {
                    self.next_ready(batch, Some(index), &mut alone)
                        .map(|(_, r)| r)
                }) else {
                    break;
                };
                let timeout = r.call.options.timeout.or(pool.config.call_timeout);
                match send(&worker, &r, timeout.map(|t| Instant::now() + t)) {
                    Ok(id) => ahead.push_back((id, r)),
                    Err(SendError::TimedOut) => {
                        // Part of the frame may be written: the worker cannot go on.
                        let after = timeout.unwrap_or_default();
                        pool.worker_died_as(
                            &worker,
                            format!("was killed: a call took longer than its timeout of {after:?}"),
                            Death::TimedOut,
                        );
                        let error = Error::Timeout { after };
                        pool.metrics.record(r.started.elapsed(), Some(&error));
                        r.call.reply.send(Err(error));
                        sending = false;
                    }
                    Err(SendError::Gone(cause)) => {
                        // Not delivered (the worker was gone): it runs alone, on another worker.
                        pool.worker_died(&worker, cause);
                        alone.push(*r.call);
                        sending = false;
                    }
                }
            }
            let Some((id, r)) = ahead.pop_front() else {
                break;
            };
            // The worker starts this call once it answered the one before: its timeout counts
            // from now.
            let timeout = r.call.options.timeout.or(pool.config.call_timeout);
            let deadline = timeout.map(|t| Instant::now() + t);
            if !worker.answer_at_hand(id) {
                // The futures settled so far are woken before this side waits.
                held.release();
                if !ahead.is_empty() {
                    // Calls are ahead of this one: the worker is busy for a while yet.
                    let mut naps = 0;
                    while naps < MAX_NAPS && !worker.answer_at_hand(id) && nap(deadline) {
                        naps += 1;
                    }
                }
            }
            match worker.wait_for(id, deadline, false) {
                Ok(frame) => {
                    answered += 1;
                    let ran = Ran {
                        reply: frame,
                        worker: worker.clone(),
                        pool: pool.clone(),
                        callbacks: None,
                        called_back: false,
                        any_worker: true,
                    };
                    let AsyncRequest {
                        request,
                        options,
                        reply,
                    } = *r.call;
                    self.settle_task(ran, &request, &options, reply, r.started, true);
                }
                Err(wait) => {
                    held.release();
                    worker.unregister(id);
                    sending = false;
                    let again = self.failed(pool, &worker, wait, r, timeout);
                    // The calls after it never started: their answers will not come.
                    for (id, r) in ahead.drain(..) {
                        worker.unregister(id);
                        alone.push(*r.call);
                    }
                    alone.extend(again);
                }
            }
        }
        drop(held);
        // What the batch still has at hand (after a failure) runs alone.
        batch.take_no_more();
        alone.extend(batch);
        // The slot counts each call (the permit counts one as it drops).
        for _ in 1..answered {
            worker.life.call_done(&pool.config);
        }
        drop(permit);
        alone
    }

    /// The call `r` got no answer (`wait` says why): the worker is replaced, and the call fails
    /// as a blocking one would, or comes back to run again (an idempotent one whose worker died).
    fn failed(
        &self,
        pool: &Arc<Pool>,
        worker: &Arc<Worker>,
        wait: Wait,
        r: Ready,
        timeout: Option<std::time::Duration>,
    ) -> Option<AsyncRequest> {
        let error = match wait {
            Wait::Timeout => {
                let after = timeout.unwrap_or_default();
                pool.worker_died_as(
                    worker,
                    format!("was killed: a call took longer than its timeout of {after:?}"),
                    Death::TimedOut,
                );
                Error::Timeout { after }
            }
            Wait::Dead(cause) => {
                pool.worker_died(worker, cause.clone());
                if r.call.options.idempotent && pool.config.retry.attempts > 1 {
                    tracing::warn!(
                        target: "snakebridge::pool",
                        pool = %pool.name, worker = worker.slot, pid = worker.pid, cause = %cause,
                        call = %r.call.request.display_name(),
                        "worker crashed during an idempotent async call; retrying"
                    );
                    std::thread::sleep(pool.config.retry.pause(1));
                    return Some(*r.call);
                }
                Error::WorkerCrash {
                    pool: pool.name.to_string(),
                    worker: format!("{} (pid {})", worker.slot, worker.pid),
                    cause,
                }
            }
        };
        pool.metrics.record(r.started.elapsed(), Some(&error));
        r.call.reply.send(Err(error));
        None
    }
}

/// Sleeps for [`NAP`] while the worker answers calls written ahead: false (without sleeping)
/// when that would pass `deadline`.
fn nap(deadline: Option<Instant>) -> bool {
    if deadline.is_some_and(|d| d <= Instant::now() + NAP) {
        return false;
    }
    thread_local! {
        static SLACK_SET: Cell<bool> = const { Cell::new(false) };
    }
    #[cfg(target_os = "linux")]
    if !SLACK_SET.replace(true) {
        // SAFETY: prctl with PR_SET_TIMERSLACK reads no memory; it sets this thread's slack.
        unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, NAP_SLACK, 0, 0, 0) };
    }
    std::thread::sleep(NAP);
    true
}

/// Why a request of a batch was not sent.
enum SendError {
    /// The pipe stayed full past the deadline (the frame may be partly written).
    TimedOut,
    /// The worker is gone (why): nothing of the frame reached it.
    Gone(String),
}

/// Writes `r` as a task request to `worker` (binary or JSON), its mailbox open for the answer.
fn send(
    worker: &Arc<Worker>,
    r: &Ready,
    deadline: Option<Instant>,
) -> std::result::Result<u64, SendError> {
    let id = worker.next_id();
    let body = r.payload.body(&r.call.request);
    let (request, attachments) =
        body.message(worker, id, RequestKind::Task, r.call.options.returns, None);
    let frame = time_encode(|| request.frame(attachments))
        .map_err(|e| SendError::Gone(format!("cannot write a request: {e}")))?;
    worker.register(id);
    match worker.send_until(&frame, deadline) {
        Ok(()) => Ok(id),
        Err(e) => {
            worker.unregister(id);
            if e.kind() == std::io::ErrorKind::TimedOut {
                return Err(SendError::TimedOut);
            }
            Err(SendError::Gone(match e.kind() {
                std::io::ErrorKind::BrokenPipe => worker.reap_cause(),
                _ => format!("its channel failed: {e}"),
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    //! The batch path itself, with real workers (`SNAKEBRIDGE_PYTHON`): `execute_pipelined`
    //! called directly, so every batch goes together whatever the runners would choose.

    use std::sync::mpsc::{Receiver, channel};
    use std::time::Duration;

    use super::*;
    use crate::client::AsyncReply;
    use crate::client::request::CallOptions;
    use crate::data::error::Result;
    use crate::pool::PoolConfig;

    fn call(
        module: &'static str,
        function: &'static str,
        args: Vec<Value>,
        options: CallOptions,
    ) -> (AsyncRequest, Receiver<Result<Value>>) {
        let (tx, rx) = channel();
        let mut request = Request::function(module, function);
        request.args = args.into();
        let reply = AsyncReply::new(
            Box::new(move |r| {
                let _ = tx.send(r);
            }),
            Default::default(),
        );
        let call = AsyncRequest {
            request,
            options,
            reply,
        };
        (call, rx)
    }

    fn add(i: i64) -> (AsyncRequest, Receiver<Result<Value>>) {
        let args = vec![Value::Int(i), Value::Int(1)];
        call("operator", "add", args, CallOptions::default())
    }

    fn result(rx: &Receiver<Result<Value>>) -> Result<Value> {
        rx.recv_timeout(Duration::from_secs(60))
            .expect("every call of a batch is answered")
    }

    fn pid(pool: &PoolClient) -> i64 {
        let (c, rx) = call("os", "getpid", vec![], CallOptions::default());
        pool.execute_pipelined(AsyncBatch::new(vec![c]));
        match result(&rx) {
            Ok(Value::Int(pid)) => pid,
            other => panic!("a pid, not {other:?}"),
        }
    }

    /// Hundreds of calls written ahead come to the worker several in one read, cut anywhere
    /// (its hot path reads 448 bytes at a time): each is served and answered with its own
    /// result, in a mix of number calls, string calls and keyword calls (which the hot path
    /// gives back to the serve loop with what came after them). Mutation: the hot path drops
    /// the frames after the one it serves (calls go unanswered).
    #[test]
    fn calls_that_arrive_together_are_each_answered() {
        // A call the worker lost fails on its timeout rather than hanging the test.
        let pool = PoolClient::start(
            PoolConfig::new()
                .size(1)
                .call_timeout(Duration::from_secs(20)),
        )
        .unwrap();
        let calls: Vec<_> = (0..400_i64)
            .map(|i| match i % 4 {
                0 => add(i),
                1 => call(
                    "operator",
                    "mul",
                    vec![Value::Float(i as f64), Value::Float(0.5)],
                    CallOptions::default(),
                ),
                2 => call(
                    "operator",
                    "add",
                    vec![
                        Value::Str("x".repeat(i as usize % 7)),
                        Value::Str("y".into()),
                    ],
                    CallOptions::default(),
                ),
                _ => {
                    let (mut c, rx) = call(
                        "builtins",
                        "int",
                        vec![Value::Str(format!("{i:o}"))],
                        CallOptions::default(),
                    );
                    c.request.kwargs = vec![("base".into(), Value::Int(8))];
                    (c, rx)
                }
            })
            .collect();
        let (calls, answers): (Vec<_>, Vec<_>) = calls.into_iter().unzip();
        pool.execute_pipelined(AsyncBatch::new(calls));
        for (i, rx) in answers.iter().enumerate() {
            let want = match i % 4 {
                0 => Value::Int(i as i64 + 1),
                1 => Value::Float(i as f64 * 0.5),
                2 => Value::Str(format!("{}y", "x".repeat(i % 7))),
                _ => Value::Int(i as i64),
            };
            assert_eq!(result(rx).unwrap(), want, "call {i}");
        }
    }

    /// The futures of answers already settled are woken before the runner waits for a slow
    /// one, not when the batch ends. Mutation: no release of the held wakes before a wait (the
    /// quick call's wake then comes after the slow call).
    #[test]
    fn settled_calls_are_woken_before_a_slow_one_is_waited_for() {
        use std::sync::Arc;
        use std::task::{Wake, Waker};

        struct Signal(std::sync::Mutex<std::sync::mpsc::Sender<Instant>>);
        impl Wake for Signal {
            fn wake(self: Arc<Self>) {
                let _ = self.0.lock().unwrap().send(Instant::now());
            }
        }

        let pool = PoolClient::start(PoolConfig::new().size(1)).unwrap();
        let (woke, woken) = channel();
        let waker = Waker::from(Arc::new(Signal(std::sync::Mutex::new(woke))));
        let mut request = Request::function("operator", "add");
        request.args = vec![Value::Int(1), Value::Int(2)].into();
        // As `call_async`'s futures are: woken through the runner's held wakes.
        let reply = AsyncReply::new(
            Box::new(move |_| crate::client::held_wakes::wake(waker)),
            Default::default(),
        );
        let quick = AsyncRequest {
            request,
            options: CallOptions::default(),
            reply,
        };
        let (slow, slow_done) = call(
            "time",
            "sleep",
            vec![Value::Float(1.0)],
            CallOptions::default(),
        );
        let started = Instant::now();
        pool.execute_pipelined(AsyncBatch::new(vec![quick, slow]));
        assert_eq!(result(&slow_done).unwrap(), Value::None);
        let at = woken.recv_timeout(Duration::from_secs(60)).unwrap();
        assert!(
            at - started < Duration::from_millis(700),
            "the quick call's future was woken {:?} after the batch began",
            at - started
        );
    }

    /// A batch goes to one worker and every call gets its own answer, in any mix with calls
    /// that must run alone (a session's).
    #[test]
    fn a_batch_answers_every_call_with_its_own_result() {
        let pool = PoolClient::start(PoolConfig::new().size(2)).unwrap();
        let session = pool.session().unwrap();
        let in_session = CallOptions {
            session: Some(session.id()),
            ..CallOptions::default()
        };
        let mut calls: Vec<_> = (0..20).map(add).collect();
        calls.insert(7, call("os", "getpid", vec![], in_session));
        let (calls, answers): (Vec<_>, Vec<_>) = calls.into_iter().unzip();
        pool.execute_pipelined(AsyncBatch::new(calls));
        let mut sums = Vec::new();
        for (i, rx) in answers.iter().enumerate() {
            match result(rx).unwrap() {
                Value::Int(pid) if i == 7 => assert_eq!(Some(pid as u32), session.worker_pid()),
                Value::Int(n) => sums.push(n),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(sums, (1..=20).collect::<Vec<i64>>());
    }

    /// A worker that dies under a batch fails the call it was running with `WorkerCrash`; the
    /// calls after it never started and run again on the replacement.
    #[test]
    fn a_crash_fails_the_running_call_and_the_later_ones_run_again() {
        let pool = PoolClient::start(PoolConfig::new().size(1)).unwrap();
        let before = pid(&pool);
        let mut calls: Vec<_> = (0..10).map(add).collect();
        calls.insert(
            4,
            call("os", "_exit", vec![Value::Int(3)], CallOptions::default()),
        );
        let (calls, answers): (Vec<_>, Vec<_>) = calls.into_iter().unzip();
        pool.execute_pipelined(AsyncBatch::new(calls));
        for (i, rx) in answers.iter().enumerate() {
            match (i, result(rx)) {
                (4, Err(Error::WorkerCrash { cause, .. })) => {
                    assert!(cause.contains("3"), "{cause}")
                }
                (4, other) => panic!("the crashing call: {other:?}"),
                (i, r) => {
                    // add(i) before the crash, add(i - 1) after it: i + 1, then i.
                    let n = if i < 4 { i + 1 } else { i } as i64;
                    assert_eq!(r.unwrap(), Value::Int(n), "call {i}");
                }
            }
        }
        assert_ne!(pid(&pool), before, "a replacement serves");
    }

    /// A call's timeout counts from when the worker can start it (the answer before it), not
    /// from when it was written behind a slower call; a call past its own timeout fails with
    /// `Timeout` and the calls after it run again on the replacement.
    #[test]
    fn each_call_of_a_batch_has_its_own_timeout() {
        let pool = PoolClient::start(PoolConfig::new().size(1)).unwrap();
        let within = |secs: f64, timeout: f64| {
            let options = CallOptions {
                timeout: Some(Duration::from_secs_f64(timeout)),
                ..CallOptions::default()
            };
            call("time", "sleep", vec![Value::Float(secs)], options)
        };
        let calls = vec![
            within(1.5, 30.0),
            // Written 1.5 s before the worker starts it: on time all the same.
            within(0.05, 1.0),
            within(30.0, 0.3),
            add(1),
        ];
        let (calls, answers): (Vec<_>, Vec<_>) = calls.into_iter().unzip();
        pool.execute_pipelined(AsyncBatch::new(calls));
        assert_eq!(result(&answers[0]).unwrap(), Value::None);
        assert_eq!(result(&answers[1]).unwrap(), Value::None);
        match result(&answers[2]) {
            Err(Error::Timeout { after }) => assert_eq!(after, Duration::from_secs_f64(0.3)),
            other => panic!("the slow call: {other:?}"),
        }
        assert_eq!(result(&answers[3]).unwrap(), Value::Int(2));
    }
}
