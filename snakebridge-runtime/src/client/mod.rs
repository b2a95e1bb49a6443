//! Layer 2: the [`RuntimeClient`] trait every client implements, the [`Request`](request::Request)
//! it receives with its [`CallOptions`](request::CallOptions), and which client a call goes to
//! ([`select`]).

pub mod request;
pub mod select;

use crate::data::error::Result;
use crate::data::value::Value;
use request::{CallOptions, Request};

pub use select::{current_client, set_default_client, with_client};
pub(crate) use select::{fallback_is_current, with_current};

/// A stream of values from a Python iterator or generator.
pub type ValueStream = Box<dyn Iterator<Item = Result<Value>> + Send>;

/// Executes requests: the embedded interpreter, a pool of workers, or a mock.
///
/// Implement it to route calls elsewhere; install it with [`set_default_client`] or
/// [`with_client`].
pub trait RuntimeClient: Send + Sync + 'static {
    /// Runs one request and returns its result.
    fn execute(&self, request: &Request, options: &CallOptions) -> Result<Value>;

    /// Runs a request whose result is iterated: the returned stream yields the items one by one.
    /// Dropping the stream early closes the Python iterator.
    fn execute_stream(&self, request: &Request, options: &CallOptions) -> Result<ValueStream>;

    /// A short name for messages (`"embedded"`, `"pool default"`, `"mock"`).
    fn name(&self) -> &str;
}

/// Something that names a session, such as a pool's [`Session`](crate::Session): calls made
/// with it ([`Call::session`](crate::Call::session)) run on the session's worker.
pub trait SessionHandle {
    /// The session's id, unique within its client.
    fn session_id(&self) -> u64;
}
