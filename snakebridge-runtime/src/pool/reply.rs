//! What the replies a pool gets back mean: values decoded (refs owned by the worker that sent
//! them, arrays from its segments and the frame's attachments), errors as [`Error`]s.

use std::sync::Arc;

use serde_json::Value as Json;

use super::protocol::{Answer, FromWorker, WorkerException};
use super::shm;
use super::worker::{Frame, ID_SHIFT, Worker};
use crate::client::request::Request;
use crate::client::wire::{self, RefResolver};
use crate::data::array::{DType, NdArray};
use crate::data::error::{CallContext, Error, ExceptionKind, PythonError, Result};
use crate::data::pyref::PyRef;
use crate::data::value::Value;

/// What a reply said, when it was not an error.
pub(crate) enum Reply {
    /// The result of a call.
    Value(Value),
    /// A stream was opened.
    Started,
    /// The next item of a stream.
    Item(Value),
    /// The stream is exhausted.
    End,
    /// A generator driven by `send` ended with this return value.
    Returned(Value),
}

/// Turns wire refs into refs owned by the worker that sent them, and finds arrays in its
/// segments and in the frame's attachments.
struct Resolver<'a>(&'a Arc<Worker>, &'a [u8]);

impl RefResolver for Resolver<'_> {
    fn resolve(&self, id: u64, type_name: &str) -> Result<PyRef> {
        if id >> ID_SHIFT != self.0.incarnation {
            return Err(Error::StaleRef {
                id,
                reason: "the worker sent the id of an object it does not hold".into(),
            });
        }
        Ok(PyRef::remote(id, type_name, self.0.refs.clone()))
    }

    fn shared_array(&self, name: &str, dtype: DType, shape: Vec<usize>) -> Result<NdArray> {
        let (array, n) = shm::open_array(name, self.0.pid, dtype, shape)?;
        self.0.segments.saw(n);
        Ok(array)
    }

    fn attachments(&self) -> Option<&[u8]> {
        Some(self.1)
    }
}

/// Decodes a value the worker sent; if that fails part-way, the segments named further on are
/// unlinked (they will never be opened).
pub(super) fn decode(value: &Json, worker: &Arc<Worker>, attachments: &[u8]) -> Result<Value> {
    wire::decode_value(value, &Resolver(worker, attachments))
        .inspect_err(|_| worker.segments.forget_in(value))
}

/// The call context of a request, as the embedded client reports it.
pub(crate) fn context_of(req: &Request) -> CallContext {
    CallContext {
        python_module: req.python_module.to_string(),
        function: req.display_name(),
        arity: req.arity(),
        rust_location: None,
    }
}

/// The [`PythonError`] of an `err` body, with its chain.
fn python_error(
    e: &WorkerException,
    worker: &Arc<Worker>,
    attachments: &[u8],
    context: &CallContext,
) -> PythonError {
    let link = |x: &Option<Box<WorkerException>>| {
        x.as_ref()
            .map(|x| Box::new(python_error(x, worker, attachments, context)))
    };
    PythonError {
        kind: ExceptionKind::from_class_name(&e.kind),
        class: e.class.clone(),
        message: e.message.clone(),
        traceback: e.traceback.clone(),
        context: context.clone(),
        mro: e.mro.clone(),
        exception: e
            .exception
            .as_ref()
            .and_then(|x| decode(x, worker, attachments).ok())
            .and_then(|v| match v {
                Value::Ref(r) => Some(r),
                _ => None,
            }),
        cause: link(&e.cause),
        exception_context: link(&e.context),
    }
}

/// Interprets a reply frame: a value, a stream's event, or the error it reports.
pub(crate) fn interpret(
    frame: &Frame,
    worker: &Arc<Worker>,
    context: impl FnOnce() -> CallContext,
) -> Result<Reply> {
    let attachments = &frame.attachments[..];
    let FromWorker::Answer { answer, .. } = &frame.message else {
        return Err(Error::decode(
            "pool worker reply",
            format!("unexpected {} in reply to a request", frame.message),
        ));
    };
    match answer {
        Answer::Ok(v) => decode(v, worker, attachments).map(Reply::Value),
        // Plain data only: no refs, arrays or attachments to resolve.
        Answer::BinaryOk(v) => Ok(Reply::Value(v.clone())),
        Answer::Item(v) => decode(v, worker, attachments).map(Reply::Item),
        Answer::Started => Ok(Reply::Started),
        Answer::End => Ok(Reply::End),
        Answer::Returned(v) => decode(v, worker, attachments).map(Reply::Returned),
        Answer::Err(e) => Err(Error::Python(Box::new(python_error(
            e,
            worker,
            attachments,
            &context(),
        )))),
        Answer::Stale { id, reason } => Err(Error::StaleRef {
            id: *id,
            reason: reason.clone(),
        }),
        Answer::Decode { what, message } => Err(Error::decode(what.clone(), message.clone())),
        Answer::Encode(message) => Err(Error::encode(message.clone())),
        // Only a `task` call is answered so, and `tasks.rs` looks for it first.
        Answer::Awaiting => Err(Error::decode(
            "pool worker reply",
            "the worker answered `awaiting` to a request that was not a task",
        )),
        // Served before the reply is interpreted (`callback.rs`): one here passed no callback.
        Answer::Callback { function, .. } => Err(Error::decode(
            "pool worker reply",
            format!("the worker called Rust callback #{function}, which no request passed"),
        )),
    }
}
