//! The embedded client's `call_async` ([`RuntimeClient::execute_async`]): on a runner thread
//! the call runs as a blocking one, except that an awaitable result (an `async def`'s coroutine)
//! is not awaited there but handed to the interpreter's event loop thread
//! (`awaiting::schedule`), where many run at once; its value is converted and sent from there.
//! Dropping the future cancels the task (Python sees `CancelledError` at its `await`). The
//! callbacks among the arguments live until the task ends.
//!
//! [`RuntimeClient::execute_async`]: crate::client::RuntimeClient::execute_async

use std::sync::{Arc, Mutex};

use pyo3::prelude::*;

use super::exceptions::{context_of, python_error, python_error_ctx};
use super::{EmbeddedClient, awaiting, callback, convert::from_py, session_without_pool};
use crate::client::AsyncReply;
use crate::client::request::{CallOptions, Request};

impl EmbeddedClient {
    pub(super) fn start_async(&self, request: &Request, options: &CallOptions, reply: AsyncReply) {
        if let Err(e) = self.ensure_started() {
            return reply.send(Err(e));
        }
        if let Some(session) = options.session {
            return reply.send(Err(session_without_pool(session, request)));
        }
        let policy = options.returns;
        Python::attach(|py| {
            let callbacks = callback::Scope::enter();
            let result = match self.run(py, request) {
                Ok(result) => result,
                Err(e) => return reply.send(Err(e)),
            };
            if !awaiting::is_awaitable(&result) {
                return reply.send(from_py(&result, policy));
            }
            let kept = callbacks.keep();
            let context = context_of(request);
            let cancel = reply.cancel_token();
            // Shared with the error path below, for when the task cannot even be scheduled.
            let reply = Arc::new(Mutex::new(Some(reply)));
            let for_task = reply.clone();
            let scheduled = awaiting::schedule(result, move |outcome| {
                let value = match outcome {
                    Ok(value) => from_py(&value, policy),
                    Err(e) => Err(Python::attach(|py| python_error_ctx(py, e, context))),
                };
                callback::end(kept);
                let taken = for_task.lock().unwrap_or_else(|e| e.into_inner()).take();
                if let Some(reply) = taken {
                    reply.send(value);
                }
            });
            match scheduled {
                Ok(cancel_task) => {
                    let cancel_task = cancel_task.unbind();
                    cancel.on_cancel(move || {
                        Python::attach(|py| {
                            if let Err(e) = cancel_task.call0(py) {
                                tracing::warn!(target: "snakebridge", error = %e, "cancelling a Python task failed");
                            }
                        })
                    });
                }
                Err(e) => {
                    let taken = reply.lock().unwrap_or_else(|e| e.into_inner()).take();
                    if let Some(reply) = taken {
                        reply.send(Err(python_error(py, e, request)));
                    }
                }
            }
        })
    }
}
