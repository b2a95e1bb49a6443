//! Rust callbacks ([`PyFn`]) through the pool: a re-entrant exchange on the worker's channel.
//!
//! A request's callbacks are collected while it is encoded ([`FunctionSink`]: the wire carries
//! only their ids). When Python calls one, the worker sends an [`Answer::Callback`] under the
//! request's message id, so it reaches the Rust thread waiting for that request, which runs
//! the closure ([`serve`]) and answers with [`ToWorker::CallbackOk`] or
//! [`ToWorker::CallbackErr`]; the Python call resumes, and the thread waits again for the
//! request's reply (or the next callback). Plain arguments and a plain result travel as
//! binary frames (`protocol/binary.rs`): a tight loop of callbacks pays no JSON either way.
//!
//! While the closure runs, this thread is pinned to the worker ([`pinned`]): the calls the
//! closure makes go to that same worker at any depth, past its busy slot (the waiting request
//! holds it), so they see its state and its refs. The time spent in Rust is added to the
//! request's deadline: its timeout counts Python's time only.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value as Json;

use super::protocol::{Answer, CallbackArgs, FromWorker, ToWorker};
use super::reply::decode;
use super::shm::SharedArrays;
use super::worker::{Failure, Frame, ID_SHIFT, Wait, Worker};
use crate::client::binary_wire;
use crate::client::wire::{self, ArraySink, InlineArrays};
use crate::data::array::NdArray;
use crate::data::error::Error;
use crate::data::pyfn::{Keywords, PyFn, Raise};
use crate::data::pyref::RefHandle;
use crate::data::value::Value;

/// The encoder's sink for a request: arrays as the pool sends them, and every callback kept,
/// for [`serve`] to find by id.
pub(super) struct FunctionSink<'s, 'a> {
    pub(super) arrays: &'s mut SharedArrays<'a>,
    pub(super) functions: Vec<PyFn>,
}

impl ArraySink for FunctionSink<'_, '_> {
    fn encode_array(&mut self, array: &NdArray) -> Json {
        self.arrays.encode_array(array)
    }

    fn encode_function(&mut self, f: &PyFn) -> Json {
        if !self.functions.contains(f) {
            self.functions.push(f.clone());
        }
        wire::function_header(f)
    }
}

/// A callback's result on its way back: arrays inline, and the callbacks in it kept with the
/// request's.
struct ResultSink<'f> {
    functions: &'f mut Vec<PyFn>,
}

impl ArraySink for ResultSink<'_> {
    fn encode_array(&mut self, array: &NdArray) -> Json {
        InlineArrays.encode_array(array)
    }

    fn encode_function(&mut self, f: &PyFn) -> Json {
        if !self.functions.contains(f) {
            self.functions.push(f.clone());
        }
        wire::function_header(f)
    }
}

/// Where the calls of a running callback go.
#[derive(Clone)]
pub(super) struct Pin {
    /// The pool client (its address) whose worker runs the request.
    pub(super) client: usize,
    /// The index of the worker's pool in that client.
    pub(super) pool: usize,
    pub(super) worker: Arc<Worker>,
}

thread_local! {
    /// The workers whose callbacks this thread is running, innermost last.
    static PINS: RefCell<Vec<Pin>> = const { RefCell::new(Vec::new()) };
}

/// The worker this thread's calls to pool client `client` go to: the one whose callback it is
/// running, if any.
pub(super) fn pinned(client: usize) -> Option<Pin> {
    PINS.with(|pins| {
        pins.borrow()
            .iter()
            .rev()
            .find(|p| p.client == client)
            .cloned()
    })
}

/// Pops the pin when the closure is done, panicking or not.
struct Pinned;

impl Pinned {
    fn push(pin: Pin) -> Pinned {
        PINS.with(|pins| pins.borrow_mut().push(pin));
        Pinned
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        PINS.with(|pins| pins.borrow_mut().pop());
    }
}

/// Runs the callbacks the worker asks for while request `id` is out, from `reply` on, until a
/// reply of another kind comes (returned). `deadline` moves by the time spent in Rust;
/// `called_back` is set once a callback ran (such a request is never retried).
pub(super) fn serve(
    pin: &Pin,
    id: u64,
    mut reply: Frame,
    functions: &mut Vec<PyFn>,
    deadline: &mut Option<Instant>,
    called_back: &mut bool,
) -> Result<Frame, Failure> {
    while answer(pin, &mut reply, functions, deadline, called_back)? {
        reply = pin
            .worker
            .wait_for(id, *deadline, false)
            .map_err(|w| match w {
                Wait::Dead(cause) => Failure::Crashed(cause),
                Wait::Timeout => Failure::TimedOut,
            })?;
    }
    Ok(reply)
}

/// Runs the callback `reply` asks for, if it is a callback, and sends the worker its answer
/// (true); false for a reply of another kind. `deadline` moves by the time spent in Rust;
/// `called_back` is set.
pub(super) fn answer(
    pin: &Pin,
    reply: &mut Frame,
    functions: &mut Vec<PyFn>,
    deadline: &mut Option<Instant>,
    called_back: &mut bool,
) -> Result<bool, Failure> {
    let FromWorker::Answer {
        answer:
            Answer::Callback {
                function,
                seq,
                args,
            },
        ..
    } = &mut reply.message
    else {
        return Ok(false);
    };
    *called_back = true;
    let started = Instant::now();
    // The failure (its exception's ref) lives until the answer is sent: the worker raises that
    // very object.
    let (function, seq) = (*function, *seq);
    // The arguments are taken out of the frame (it is not read again).
    let args = std::mem::replace(
        args,
        CallbackArgs::Binary {
            args: Vec::new(),
            kwargs: Vec::new(),
        },
    );
    let (answer, _failure) = run(pin, functions, function, seq, args, &reply.attachments);
    if let Some(d) = deadline.as_mut() {
        *d += started.elapsed();
    }
    let worker = &pin.worker;
    if let Err(e) = answer
        .frame(&[])
        .map_err(|e| e.to_string())
        .and_then(|frame| {
            worker
                .send_until(&frame, *deadline)
                .map_err(|e| e.to_string())
        })
    {
        let cause = if worker.is_dead() || worker.exited().is_some() {
            worker.reap_cause()
        } else {
            format!("its channel failed while answering a callback: {e}")
        };
        worker.mark_dead(cause.clone());
        return Err(Failure::Crashed(cause));
    }
    Ok(true)
}

/// Runs callback `function` on the arguments of `reply` and makes the answer for the worker,
/// with the failure it reports, if any.
fn run(
    pin: &Pin,
    functions: &mut Vec<PyFn>,
    function: u64,
    seq: u64,
    args: CallbackArgs,
    attachments: &[u8],
) -> (ToWorker<'static>, Option<Raise>) {
    let fail = |raise: Raise| (failure(seq, &raise, pin), Some(raise));
    let Some(f) = functions.iter().find(|f| f.id() == function).cloned() else {
        return fail(Raise::RuntimeError(format!(
            "the worker called Rust callback #{function}, which this request did not pass"
        )));
    };
    let decoded = match args {
        CallbackArgs::Json { args, kwargs } => arguments(&pin.worker, &args, &kwargs, attachments),
        // Plain data: no refs, arrays or attachments to resolve.
        CallbackArgs::Binary { args, kwargs } => Ok((args, kwargs)),
    };
    let (mut positional, keywords) = match decoded {
        Ok(a) => a,
        Err(e) => {
            return fail(Raise::TypeError(format!(
                "the arguments of the Rust callback {f:?}: {e}"
            )));
        }
    };
    let outcome = {
        let _pinned = Pinned::push(pin.clone());
        f.invoke(&mut positional, keywords)
    };
    match outcome {
        Ok(value) => {
            // A plain result goes back without JSON, as a binary call's does (room for a
            // number's tag and eight bytes from the start: no regrowth).
            let mut plain = Vec::with_capacity(16);
            if binary_wire::encode_value(&value, &mut plain) {
                return (
                    ToWorker::BinaryCallbackOk {
                        seq,
                        value: plain.into(),
                    },
                    None,
                );
            }
            let json = wire::encode_value_with(&value, &mut ResultSink { functions });
            match serde_json::to_vec(&json) {
                Ok(text) => (
                    ToWorker::CallbackOk {
                        seq,
                        value: text.into(),
                    },
                    None,
                ),
                Err(e) => fail(Raise::RuntimeError(format!(
                    "the result of the Rust callback {f:?} cannot be written: {e}"
                ))),
            }
        }
        Err(raise) => fail(raise),
    }
}

/// The arguments of a callback call, decoded as a reply's values are (refs owned by the worker).
fn arguments(
    worker: &Arc<Worker>,
    args: &Json,
    kwargs: &Json,
    attachments: &[u8],
) -> crate::data::error::Result<(Vec<Value>, Keywords)> {
    let positional = match decode(args, worker, attachments)? {
        Value::List(items) => items,
        other => {
            return Err(Error::decode(
                "callback arguments",
                format!("not a list: {other:?}"),
            ));
        }
    };
    let mut keywords = Vec::new();
    if let Json::Object(map) = kwargs {
        for (name, value) in map {
            keywords.push((name.clone(), decode(value, worker, attachments)?));
        }
    }
    Ok((positional, keywords))
}

/// The `callback_err` for a failure: with the original exception's ref when it is a Python
/// exception this worker holds.
fn failure(seq: u64, raise: &Raise, pin: &Pin) -> ToWorker<'static> {
    let exception = match raise {
        Raise::Error(Error::Python(e)) => e.exception.as_ref().and_then(|r| {
            let here = matches!(&r.inner.handle, RefHandle::Remote(owner)
                if std::ptr::addr_eq(Arc::as_ptr(owner), Arc::as_ptr(&pin.worker.refs)));
            (here && r.id() >> ID_SHIFT == pin.worker.incarnation).then_some(r.id())
        }),
        _ => None,
    };
    let class = match raise {
        Raise::TypeError(_) => "TypeError",
        _ => "RuntimeError",
    };
    ToWorker::CallbackErr {
        seq,
        class,
        message: raise.message(),
        exception,
    }
}
