//! `call_async` calls sent down one worker's pipe together ([`PoolClient::execute_pipelined`]):
//! a runner that took several queued calls (`api/asynchronous/lanes.rs`) holds one worker's
//! slot, writes all their `task` requests, then takes the answers in order. The worker serves
//! its requests one after the other, so it goes from one call to the next without waiting for
//! this side's round trip; the replies carry their ids.
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

use std::sync::Arc;
use std::time::Instant;

use super::callback::FunctionSink;
use super::protocol::RequestKind;
use super::route::Bound;
use super::sched::{Death, Pool, Target};
use super::worker::{Wait, Worker};
use super::{Body, PoolClient, Ran, shm};
use crate::client::AsyncRequest;
use crate::client::request::Request;
use crate::client::telemetry::time_encode;
use crate::client::wire;
use crate::data::error::Error;
use crate::data::nesting;
use crate::data::value::Value;

/// The largest payload that goes with others: a frame of it is one atomic pipe write
/// (`PIPE_BUF`), so a write either delivers a request whole or not at all (a full pipe waits,
/// reading the worker's answers meanwhile, as for any request).
const MAX_PAYLOAD: usize = 4000;

/// A call about to go with others: its payload, and when it was taken.
struct Ready {
    call: AsyncRequest,
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
    /// Runs `calls` (see the module's doc): those that may go together down one worker's pipe,
    /// the others alone.
    pub(super) fn execute_pipelined(&self, calls: Vec<AsyncRequest>) {
        let mut alone = Vec::new();
        let mut calls = calls.into_iter();
        // The first call that may go with others picks the pool.
        let mut first = None;
        for call in calls.by_ref() {
            let started = Instant::now();
            match self.pipelinable(&call) {
                Some((index, payload)) => {
                    let ready = Ready {
                        call,
                        payload,
                        started,
                    };
                    first = Some((index, ready));
                    break;
                }
                None => alone.push(call),
            }
        }
        if let Some((index, first)) = first {
            let pool = self.pools[index].clone();
            alone.extend(self.send_together(&pool, index, first, calls));
        }
        for call in alone {
            self.execute_task(&call.request, &call.options, call.reply, true);
        }
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

    /// Sends `first` and those of `rest` that may go with it (pool `index`) to one worker of
    /// `pool`, each as soon as it is encoded (the worker starts on the first while the others
    /// are written), then settles each answer in turn. The calls that must run alone (not for
    /// this batch, not sent, or never started by a worker that died) come back.
    fn send_together(
        &self,
        pool: &Arc<Pool>,
        index: usize,
        first: Ready,
        mut rest: impl Iterator<Item = AsyncRequest>,
    ) -> Vec<AsyncRequest> {
        let Ok(permit) = pool.acquire(Target::Any) else {
            // Alone, each reports the pool's state (or retries) as a blocking call would.
            return std::iter::once(first.call).chain(rest).collect();
        };
        let worker = permit.worker.clone();
        let mut sent = Vec::new();
        let mut unsent = Vec::new();
        let mut next = Some(first);
        while let Some(r) = next.take() {
            let timeout = r.call.options.timeout.or(pool.config.call_timeout);
            match send(&worker, &r, timeout.map(|t| Instant::now() + t)) {
                Ok(id) => sent.push((id, r)),
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
                    break;
                }
                Err(SendError::Gone(cause)) => {
                    // Not delivered (the worker was gone): it runs alone, on another worker.
                    pool.worker_died(&worker, cause);
                    unsent.push(r.call);
                    break;
                }
            }
            for call in rest.by_ref() {
                let started = Instant::now();
                match self.pipelinable(&call) {
                    Some((i, payload)) if i == index => {
                        next = Some(Ready {
                            call,
                            payload,
                            started,
                        });
                        break;
                    }
                    _ => unsent.push(call),
                }
            }
        }
        unsent.extend(rest);
        let mut answered = 0;
        let mut pending = sent.into_iter();
        while let Some((id, r)) = pending.next() {
            // The worker starts this call once it answered the one before: its timeout counts
            // from now.
            let timeout = r.call.options.timeout.or(pool.config.call_timeout);
            let deadline = timeout.map(|t| Instant::now() + t);
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
                    } = r.call;
                    self.settle_task(ran, &request, &options, reply, r.started, true);
                }
                Err(wait) => {
                    worker.unregister(id);
                    let again = self.failed(pool, &worker, wait, r, timeout);
                    // The calls after it never started: their answers will not come.
                    for (id, r) in pending.by_ref() {
                        worker.unregister(id);
                        unsent.push(r.call);
                    }
                    unsent.extend(again);
                }
            }
        }
        // The slot counts each call (the permit counts one as it drops).
        for _ in 1..answered {
            worker.life.call_done(&pool.config);
        }
        drop(permit);
        unsent
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
                    return Some(r.call);
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
        pool.execute_pipelined(vec![c]);
        match result(&rx) {
            Ok(Value::Int(pid)) => pid,
            other => panic!("a pid, not {other:?}"),
        }
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
        pool.execute_pipelined(calls);
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
        pool.execute_pipelined(calls);
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
        pool.execute_pipelined(calls);
        assert_eq!(result(&answers[0]).unwrap(), Value::None);
        assert_eq!(result(&answers[1]).unwrap(), Value::None);
        match result(&answers[2]) {
            Err(Error::Timeout { after }) => assert_eq!(after, Duration::from_secs_f64(0.3)),
            other => panic!("the slow call: {other:?}"),
        }
        assert_eq!(result(&answers[3]).unwrap(), Value::Int(2));
    }
}
