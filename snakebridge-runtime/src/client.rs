//! The [`RuntimeClient`] trait and client selection: a process-wide default, a scoped override
//! per thread (so parallel tests don't see each other's clients), and per-call options.

use std::cell::RefCell;
use std::sync::{Arc, RwLock};

use crate::error::Result;
use crate::request::{CallOptions, Request};
use crate::value::Value;

/// A stream of values from a Python iterator or generator.
pub type ValueStream = Box<dyn Iterator<Item = Result<Value>> + Send>;

/// Executes requests: the embedded interpreter, a pool of workers, or a mock.
///
/// Implement it to route calls elsewhere; install it with [`set_default_client`] or
/// [`with_client`].
pub trait RuntimeClient: Send + Sync + 'static {
    /// Runs one request and returns its result.
    fn execute(&self, request: Request, options: &CallOptions) -> Result<Value>;

    /// Runs a request whose result is iterated: the returned stream yields the items one by one.
    /// Dropping the stream early closes the Python iterator.
    fn execute_stream(&self, request: Request, options: &CallOptions) -> Result<ValueStream>;

    /// A short name for messages (`"embedded"`, `"pool default"`, `"mock"`).
    fn name(&self) -> &str;
}

static DEFAULT_CLIENT: RwLock<Option<Arc<dyn RuntimeClient>>> = RwLock::new(None);

thread_local! {
    static SCOPED: RefCell<Vec<Arc<dyn RuntimeClient>>> = const { RefCell::new(Vec::new()) };
}

/// Makes `client` the process-wide default, returning the previous one.
///
/// Without a call to this, the default is the embedded interpreter (feature `embedded`, on by
/// default).
pub fn set_default_client(client: Arc<dyn RuntimeClient>) -> Option<Arc<dyn RuntimeClient>> {
    DEFAULT_CLIENT
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .replace(client)
}

/// Runs `f` with `client` as the client of every call made on this thread, then restores the
/// previous one (also when `f` panics). Other threads are unaffected, so parallel tests can each
/// use their own mock.
///
/// ```
/// use std::sync::Arc;
/// use snakebridge_runtime::{call, with_client, MockClient, Value};
///
/// let mock = Arc::new(MockClient::new());
/// mock.expect_call("math", "sqrt").returning(|_| Ok(Value::Float(4.0)));
/// let root: f64 = with_client(mock.clone(), || call("math", "sqrt", (16,))).unwrap();
/// assert_eq!(root, 4.0);
/// mock.verify().unwrap();
/// ```
pub fn with_client<R>(client: Arc<dyn RuntimeClient>, f: impl FnOnce() -> R) -> R {
    struct Pop;
    impl Drop for Pop {
        fn drop(&mut self) {
            SCOPED.with(|s| s.borrow_mut().pop());
        }
    }
    SCOPED.with(|s| s.borrow_mut().push(client));
    let _pop = Pop;
    f()
}

/// The client calls on this thread go to right now: the innermost [`with_client`] scope, else
/// the process default.
pub fn current_client() -> Result<Arc<dyn RuntimeClient>> {
    if let Some(c) = SCOPED.with(|s| s.borrow().last().cloned()) {
        return Ok(c);
    }
    default_client()
}

fn default_client() -> Result<Arc<dyn RuntimeClient>> {
    if let Some(c) = DEFAULT_CLIENT
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
    {
        return Ok(c.clone());
    }
    #[cfg(feature = "embedded")]
    {
        let mut slot = DEFAULT_CLIENT.write().unwrap_or_else(|e| e.into_inner());
        let client = slot.get_or_insert_with(|| crate::embedded::EmbeddedClient::shared());
        Ok(client.clone())
    }
    #[cfg(not(feature = "embedded"))]
    Err(crate::error::Error::config(
        "no runtime client: the `embedded` feature is off and no default client was set; \
         call snakebridge_runtime::set_default_client(...) or use with_client(...)",
    ))
}
