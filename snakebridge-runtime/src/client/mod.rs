//! What someone writing a [`RuntimeClient`] needs: the trait, the [`Request`] it receives with
//! its [`CallOptions`], the [`CallSite`] where a client may keep what it resolved, the
//! [`RefOwner`] behind a remote [`PyRef`](crate::PyRef), the JSON [`wire`] form of values and
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

mod generator;
pub(crate) mod python_log;
pub(crate) mod request;
pub(crate) mod select;
pub mod telemetry;
pub mod wire;

pub use crate::data::pyref::RefOwner;
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
}

/// Something that names a session, such as a pool's [`Session`](crate::Session): calls made
/// with it ([`Call::session`](crate::Call::session)) run on the session's worker.
pub trait SessionHandle {
    /// The session's id, unique within its client.
    fn session_id(&self) -> u64;
}
