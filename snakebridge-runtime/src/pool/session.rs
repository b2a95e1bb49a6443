//! Sessions: every call of a session runs on one worker process, so Python state kept between
//! calls (a loaded model, a module global) is there for the next call; the refs made in a
//! session are released when it closes.

use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use super::PoolClient;
use crate::client::request::{CallOptions, Request};
use crate::client::{RuntimeClient, ValueStream, with_client};
use crate::data::error::{Error, Result};
use crate::data::value::Value;

/// A session of a [`PoolClient`]: its calls all go to the same worker process.
///
/// Use it for a scope with [`in_session`], or for one call with
/// [`Call::session`](crate::Call::session). Closing it ([`Session::close`], or dropping the last
/// clone) releases every object the session's calls returned as refs; using it afterwards is an
/// [`Error::SessionClosed`]. If its worker dies, the session ends too (the state it held is
/// gone): the failed call reports the crash, later ones `SessionClosed`.
///
/// ```no_run
/// use snakebridge_runtime::{call, in_session, PoolClient, PoolConfig, PyRef};
///
/// let pool = PoolClient::start(PoolConfig::new().size(2))?;
/// let session = pool.session()?;
/// let pid: i64 = in_session(&session, || call("os", "getpid", ()))?;
/// let again: i64 = in_session(&session, || call("os", "getpid", ()))?;
/// assert_eq!(pid, again);
/// session.close();
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct Session {
    inner: Arc<SessionInner>,
}

struct SessionInner {
    id: u64,
    pool: String,
    client: Weak<PoolClient>,
    closed: AtomicBool,
}

impl Session {
    pub(crate) fn new(id: u64, pool: String, client: Weak<PoolClient>) -> Session {
        Session {
            inner: Arc::new(SessionInner {
                id,
                pool,
                client,
                closed: AtomicBool::new(false),
            }),
        }
    }

    /// The session's id (what [`CallOptions::session`] carries).
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// The name of the pool whose worker runs the session.
    pub fn pool(&self) -> &str {
        &self.inner.pool
    }

    /// True once [`Session::close`] ran.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// The pid of the worker process running the session (`None` once the session is closed or
    /// its worker is gone).
    pub fn worker_pid(&self) -> Option<u32> {
        if self.is_closed() {
            return None;
        }
        self.inner.client.upgrade()?.session_pid(self.inner.id)
    }

    /// Closes the session: the worker releases every object the session's calls returned as
    /// refs (handles to them become stale), and later calls in the session fail with
    /// [`Error::SessionClosed`]. Closing twice does nothing.
    pub fn close(&self) {
        self.inner.close();
    }
}

impl SessionInner {
    fn close(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Some(client) = self.client.upgrade() {
            client.close_session(self.id);
        }
    }
}

impl Drop for SessionInner {
    fn drop(&mut self) {
        self.close();
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.inner.id)
            .field("pool", &self.inner.pool)
            .field("closed", &self.is_closed())
            .finish()
    }
}

thread_local! {
    /// The [`in_session`] scopes of this thread: (session id, address of its client).
    static CURRENT: RefCell<Vec<(u64, usize)>> = const { RefCell::new(Vec::new()) };
}

/// The innermost session of this thread that belongs to the client at `client`.
pub(crate) fn current_for(client: usize) -> Option<u64> {
    CURRENT.with(|c| {
        c.borrow()
            .iter()
            .rev()
            .find(|(_, a)| *a == client)
            .map(|(id, _)| *id)
    })
}

/// Runs `f` with every call on this thread going to `session`'s worker (its pool client is the
/// current client for the scope, as with [`with_client`]). Scopes nest; other threads are
/// unaffected; the scope ends also when `f` panics.
///
/// ```no_run
/// use snakebridge_runtime::{call, in_session, PoolClient, PoolConfig, Value};
///
/// let pool = PoolClient::start(PoolConfig::new())?;
/// let session = pool.session()?;
/// in_session(&session, || -> snakebridge_runtime::Result<()> {
///     let _: Value = call("random", "seed", (42,))?;
///     let x: f64 = call("random", "random", ())?; // same worker: the seeded generator
///     println!("{x}");
///     Ok(())
/// })?;
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
pub fn in_session<R>(session: &Session, f: impl FnOnce() -> R) -> R {
    let client: Arc<dyn RuntimeClient> = match session.inner.client.upgrade() {
        Some(client) => client,
        None => Arc::new(Orphan {
            id: session.inner.id,
        }),
    };
    let address = Arc::as_ptr(&client) as *const () as usize;
    struct Pop;
    impl Drop for Pop {
        fn drop(&mut self) {
            CURRENT.with(|c| c.borrow_mut().pop());
        }
    }
    CURRENT.with(|c| c.borrow_mut().push((session.inner.id, address)));
    let _pop = Pop;
    with_client(client, f)
}

/// The client of a session whose pool client is gone: every call says so.
struct Orphan {
    id: u64,
}

impl Orphan {
    fn error(&self) -> Error {
        Error::SessionClosed {
            id: self.id,
            reason: "its pool client was dropped (which stopped its workers)".into(),
        }
    }
}

impl RuntimeClient for Orphan {
    fn execute(&self, _request: &Request, _options: &CallOptions) -> Result<Value> {
        Err(self.error())
    }

    fn execute_stream(&self, _request: &Request, _options: &CallOptions) -> Result<ValueStream> {
        Err(self.error())
    }

    fn name(&self) -> &str {
        "closed session"
    }
}

impl crate::client::SessionHandle for Session {
    fn session_id(&self) -> u64 {
        self.id()
    }
}
