//! What someone writing a [`RuntimeClient`] needs: the trait, the [`Request`] it receives with
//! its [`CallOptions`], the [`CallSite`] where a client may keep what it resolved, the
//! [`RefOwner`] behind a remote [`PyRef`](crate::PyRef), the [`AsyncLanes`] that say how
//! `call_async` calls run, the JSON [`wire`] form of values and
//! requests, the [`telemetry`] hooks, and the [`contract`] the runtime shares with the code
//! generator.
//!
//! This is the second of the crate's three doors (the root is the user's API, `__private` what
//! generated code names). Inside the crate it is layer 2: it also chooses which client a call
//! goes to (`select`; the root re-exports its public functions).
//!
//! ```
//! use snakebridge_runtime::client::{CallOptions, Request, RuntimeClient, ValueStream};
//! use snakebridge_runtime::{Error, Result, Value};
//!
//! /// Answers every call with its function's name.
//! struct Echo;
//!
//! impl RuntimeClient for Echo {
//!     fn execute(&self, request: &Request, _: &CallOptions) -> Result<Value> {
//!         Ok(Value::Str(request.name.to_string()))
//!     }
//!     fn execute_stream(&self, _: &Request, _: &CallOptions) -> Result<ValueStream> {
//!         Err(Error::Config { message: "Echo does not stream".into() })
//!     }
//!     fn name(&self) -> &str {
//!         "echo"
//!     }
//! }
//!
//! let name: String = snakebridge_runtime::with_client(std::sync::Arc::new(Echo), || {
//!     snakebridge_runtime::call("math", "sqrt", (2.0,))
//! })?;
//! assert_eq!(name, "sqrt");
//! # Ok::<(), Error>(())
//! ```

pub(crate) mod async_reply;
pub mod binary_wire;
mod generator;
pub(crate) mod held_wakes;
pub(crate) mod python_log;
pub(crate) mod request;
pub(crate) mod select;
pub mod telemetry;
pub mod wire;

pub use crate::data::pyref::RefOwner;
pub use async_reply::{AsyncBatch, AsyncReply, AsyncRequest, CancelToken};
pub use generator::{GeneratorDriver, GeneratorStep, ValueGenerator};
pub use request::{Args, CallOptions, CallSite, CallType, Name, Request};
/// The contract this runtime shares with the code generator (builder method names, arity
/// limits, exception kinds, the interpreter rule, the nesting limit).
pub use snakebridge_contract as contract;

use crate::data::error::{Error, Result};
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::Value;

pub(crate) use select::with_client;
pub(crate) use select::{fallback_is_current, with_current};

/// A stream of values from a Python iterator or generator.
pub type ValueStream = Box<dyn Iterator<Item = Result<Value>> + Send>;

/// Executes requests: the embedded interpreter, a pool of workers, or a mock.
///
/// Implement it to route calls elsewhere (see the [module documentation](self) for an example);
/// install it with [`set_default_client`](crate::set_default_client) or
/// [`with_client`].
pub trait RuntimeClient: Send + Sync + 'static {
    /// Runs one request and returns its result.
    fn execute(&self, request: &Request, options: &CallOptions) -> Result<Value>;

    /// Runs a request whose result is iterated: the returned stream yields the items one by one.
    /// Dropping the stream early closes the Python iterator.
    fn execute_stream(&self, request: &Request, options: &CallOptions) -> Result<ValueStream>;

    /// Runs a request whose result is a generator driven step by step: values sent into it
    /// (`generator.send`), its yields converted under `options.returns` and its return value
    /// under `returns`. Clients that cannot drive one keep this default, an
    /// [`Error::Config`] that says so.
    fn execute_generator(
        &self,
        request: &Request,
        options: &CallOptions,
        returns: ReturnPolicy,
    ) -> Result<ValueGenerator> {
        let _ = (request, options, returns);
        Err(Error::config(format!(
            "the {} client cannot drive a generator step by step (send, return value); \
             `.stream()` iterates it",
            self.name()
        )))
    }

    /// A short name for messages (`"embedded"`, `"pool default"`, `"mock"`).
    fn name(&self) -> &str;

    /// Runs one request of a `call_async` on a runner thread of the runtime, sending its result
    /// to `reply` now or later (from any thread). The default runs [`execute`](Self::execute)
    /// and sends its result; the embedded client hands a coroutine to its event loop thread
    /// and sends from there, so its runner is free for the next call.
    fn execute_async(&self, request: &Request, options: &CallOptions, reply: AsyncReply) {
        reply.send(self.execute(request, options));
    }

    /// Runs several `call_async` requests a runner hands over at once, each answered through
    /// its own reply: up to [`AsyncLanes::pipeline`] taken from the queue already, then more as
    /// the client asks the [`AsyncBatch`] for them while calls keep coming back quickly. The
    /// default runs them one after the other with [`execute_async`](Self::execute_async); a
    /// pool keeps a window of them written ahead to one worker, sending one more as each answer
    /// comes, so the worker goes from one call to the next without waiting for this side.
    fn execute_async_batch(&self, batch: AsyncBatch<'_>) {
        for r in batch {
            self.execute_async(&r.request, &r.options, r.reply);
        }
    }

    /// How this client's `call_async` calls with `options` are run: how many at once on the
    /// runtime's own threads (never the caller's executor), and the queue limits in front of
    /// them. The default: one at a time, no queue limit.
    fn async_lanes(&self, options: &CallOptions) -> AsyncLanes {
        let _ = options;
        AsyncLanes::default()
    }

    /// Writes into `options` what the calling thread's scope adds to a call (a pool's
    /// [`in_session`](crate::in_session) session), so a `call_async` future polled on another
    /// thread runs as it would have here. The default adds nothing.
    fn capture_scope(&self, options: &mut CallOptions) {
        let _ = options;
    }
}

/// How a client runs its `call_async` calls (see [`RuntimeClient::async_lanes`]): each group
/// of a client has up to `threads` runner threads of the runtime, fed from one queue of at most
/// `max_queue` calls, each waiting at most `queue_timeout` for a runner (beyond either,
/// [`Error::Saturated`] naming `label`), as blocking callers wait for
/// a pool's workers.
#[derive(Debug, Clone)]
pub struct AsyncLanes {
    /// Calls of one client with the same group share runners and queue (a pool's index).
    pub group: usize,
    /// The most calls running at once (a pool's size: more would only wait in its queue).
    pub threads: usize,
    /// The most calls waiting for a runner.
    pub max_queue: usize,
    /// The longest a call waits for a runner.
    pub queue_timeout: Option<std::time::Duration>,
    /// The name in a [`Error::Saturated`] (the pool's).
    pub label: std::sync::Arc<str>,
    /// The most queued calls a runner takes at once to hand the client together
    /// ([`RuntimeClient::execute_async_batch`], which may ask for more), while calls run
    /// quickly; 1: one at a time.
    pub pipeline: usize,
}

impl Default for AsyncLanes {
    fn default() -> Self {
        AsyncLanes {
            group: 0,
            threads: 1,
            max_queue: usize::MAX,
            queue_timeout: None,
            label: std::sync::Arc::from("async"),
            pipeline: 1,
        }
    }
}

/// Something that names a session, such as a pool's [`Session`](crate::Session): calls made
/// with it ([`Call::session`](crate::Call::session)) run on the session's worker.
pub trait SessionHandle {
    /// The session's id, unique within its client.
    fn session_id(&self) -> u64;
}
