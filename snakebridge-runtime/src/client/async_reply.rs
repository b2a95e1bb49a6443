//! [`AsyncReply`]: where a client that finishes a `call_async` later (the embedded client
//! awaiting a coroutine on its event loop thread) sends the result, and how it hears that the
//! caller dropped its future; and [`AsyncRequest`], one of several calls a client gets at once.

use std::sync::{Arc, Mutex};

use super::request::{CallOptions, Request};
use crate::data::error::{Error, Result};
use crate::data::value::Value;

/// What runs when the caller drops its future before the result came.
type Hook = Box<dyn FnOnce() + Send>;

/// The cancellation state of one `call_async`, shared by its future and its reply.
#[derive(Default)]
pub(crate) struct Cancel {
    state: Mutex<CancelState>,
}

#[derive(Default)]
enum CancelState {
    #[default]
    Live,
    Hooked(Hook),
    Cancelled,
}

impl Cancel {
    /// The future was dropped: the hook registered so far, to run on a runtime thread.
    pub(crate) fn cancel(&self) -> Option<Hook> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match std::mem::replace(&mut *state, CancelState::Cancelled) {
            CancelState::Hooked(hook) => Some(hook),
            _ => None,
        }
    }
}

/// The other end of one `call_async` (see [`RuntimeClient::execute_async`]): send the call's
/// result with [`send`](Self::send), now or later, from any thread. Dropped unsent, it sends an
/// error (so the future never waits forever).
///
/// [`RuntimeClient::execute_async`]: crate::client::RuntimeClient::execute_async
pub struct AsyncReply {
    send: Option<Box<dyn FnOnce(Result<Value>) + Send>>,
    cancel: Arc<Cancel>,
}

impl AsyncReply {
    pub(crate) fn new(send: Box<dyn FnOnce(Result<Value>) + Send>, cancel: Arc<Cancel>) -> Self {
        AsyncReply {
            send: Some(send),
            cancel,
        }
    }

    /// Hands the call's result to its future (converted there to the caller's type).
    pub fn send(mut self, result: Result<Value>) {
        if let Some(send) = self.send.take() {
            send(result);
        }
    }

    /// The handle that hears when the caller drops its future (it outlives the reply).
    pub fn cancel_token(&self) -> CancelToken {
        CancelToken(self.cancel.clone())
    }
}

/// One `call_async` handed to a client among several at once
/// ([`RuntimeClient::execute_async_batch`](crate::client::RuntimeClient::execute_async_batch)):
/// the request, its options, and where its result goes.
#[derive(Debug)]
pub struct AsyncRequest {
    /// What to call.
    pub request: Request,
    /// How to call it.
    pub options: CallOptions,
    /// Where the result goes (see [`AsyncReply`]).
    pub reply: AsyncReply,
}

/// The `call_async` requests a runner hands its client at once
/// ([`RuntimeClient::execute_async_batch`](crate::client::RuntimeClient::execute_async_batch)):
/// an iterator of [`AsyncRequest`]s. The first ones ([`at_hand`](Self::at_hand)) were taken
/// from the queue already; after them, the runner takes more from its queue as the client asks
/// for them, while calls keep coming back quickly and none more urgent waits. A client that
/// keeps a worker fed asks for one more as each answer comes, so the worker never waits for
/// this side between hand-overs.
///
/// Every request the iterator yields must be answered (its reply sent, or dropped, which sends
/// an error); the calls it did not yield stay in the queue for the runners.
///
/// A client that answers a batch's calls one after the other, as they come:
///
/// ```
/// use snakebridge_runtime::client::{AsyncBatch, CallOptions, Request, RuntimeClient, ValueStream};
/// use snakebridge_runtime::{Error, Result, Value};
///
/// struct Echo;
///
/// impl RuntimeClient for Echo {
///     fn execute(&self, request: &Request, _: &CallOptions) -> Result<Value> {
///         Ok(Value::Str(request.name.to_string()))
///     }
///     fn execute_stream(&self, _: &Request, _: &CallOptions) -> Result<ValueStream> {
///         Err(Error::Config { message: "Echo does not stream".into() })
///     }
///     fn name(&self) -> &str {
///         "echo"
///     }
///     fn execute_async_batch(&self, batch: AsyncBatch<'_>) {
///         for r in batch {
///             r.reply.send(self.execute(&r.request, &r.options));
///         }
///     }
/// }
/// ```
pub struct AsyncBatch<'a> {
    // Boxed: a request is some hundreds of bytes, and a client that keeps it (a pool's window)
    // takes the box as it is (`next_boxed`).
    taken: std::vec::IntoIter<Box<AsyncRequest>>,
    more: Option<&'a mut dyn FnMut() -> Option<Box<AsyncRequest>>>,
}

impl<'a> AsyncBatch<'a> {
    /// A batch of `requests` alone (nothing more is taken after them).
    pub fn new(requests: Vec<AsyncRequest>) -> AsyncBatch<'static> {
        AsyncBatch {
            taken: requests
                .into_iter()
                .map(Box::new)
                .collect::<Vec<_>>()
                .into_iter(),
            more: None,
        }
    }

    /// `requests`, then what `more` gives until it gives `None`.
    // Boxes in a Vec on purpose: each moves on to the client as it is (`next_boxed`).
    #[allow(clippy::vec_box)]
    pub(crate) fn with_more(
        requests: Vec<Box<AsyncRequest>>,
        more: &'a mut dyn FnMut() -> Option<Box<AsyncRequest>>,
    ) -> AsyncBatch<'a> {
        AsyncBatch {
            taken: requests.into_iter(),
            more: Some(more),
        }
    }

    /// How many requests are taken already and not yet yielded (the iterator may yield more,
    /// taken from the queue when these are gone).
    pub fn at_hand(&self) -> usize {
        self.taken.len()
    }

    /// Takes nothing more from the queue: the iterator yields the requests at hand, then ends.
    pub fn take_no_more(&mut self) {
        self.more = None;
    }

    /// The next request, in its box ([`Iterator::next`] without the move out of it).
    pub(crate) fn next_boxed(&mut self) -> Option<Box<AsyncRequest>> {
        if let Some(r) = self.taken.next() {
            return Some(r);
        }
        let more = self.more.as_mut()?;
        let next = more();
        if next.is_none() {
            // Once the queue gave nothing, it is not asked again: the hand-over is over.
            self.more = None;
        }
        next
    }
}

impl Iterator for AsyncBatch<'_> {
    type Item = AsyncRequest;

    fn next(&mut self) -> Option<AsyncRequest> {
        self.next_boxed().map(|r| *r)
    }
}

impl std::fmt::Debug for AsyncBatch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncBatch")
            .field("at_hand", &self.taken.len())
            .field("takes_more", &self.more.is_some())
            .finish()
    }
}

/// Hears when the caller of a `call_async` drops its future ([`AsyncReply::cancel_token`]).
#[derive(Clone)]
pub struct CancelToken(Arc<Cancel>);

impl CancelToken {
    /// Runs `hook` if the caller drops its future before the result is sent: on one of the
    /// runtime's threads (never the executor's), or here, at once, if it already has. A later
    /// hook replaces an earlier one.
    pub fn on_cancel(&self, hook: impl FnOnce() + Send + 'static) {
        let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(*state, CancelState::Cancelled) {
            drop(state);
            hook();
            return;
        }
        *state = CancelState::Hooked(Box::new(hook));
    }
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CancelToken { .. }")
    }
}

impl Drop for AsyncReply {
    fn drop(&mut self) {
        if let Some(send) = self.send.take() {
            send(Err(Error::config(
                "the client dropped an async call without answering it (a panic on its thread?)",
            )));
        }
    }
}

impl std::fmt::Debug for AsyncReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AsyncReply { .. }")
    }
}
