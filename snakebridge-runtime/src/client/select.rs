//! Client selection: a process-wide default, a scoped override per thread (so parallel tests
//! don't see each other's clients), and the per-thread cache the hot path reads.
//!
//! Without a default set, the fallback is whatever the crate root registers
//! ([`crate::FALLBACK_CLIENT`]: the embedded client when its feature is on), so this layer never
//! names a client.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use super::RuntimeClient;
use crate::data::error::{Error, Result};

static DEFAULT_CLIENT: RwLock<Option<Arc<dyn RuntimeClient>>> = RwLock::new(None);
/// Bumped whenever the default client changes, so per-thread caches of it know to refresh.
static DEFAULT_GENERATION: AtomicU64 = AtomicU64::new(0);

/// True while the default client is the crate root's fallback (put there on first use, and not
/// replaced by [`set_default_client`] since): what [`fallback_is_current`] reads.
static DEFAULT_IS_FALLBACK: AtomicBool = AtomicBool::new(false);

type CachedDefault = Option<(u64, Arc<dyn RuntimeClient>)>;

struct ThreadClients {
    /// The stack of [`with_client`] scopes (its length is [`SCOPE_DEPTH`]).
    scoped: RefCell<Vec<Arc<dyn RuntimeClient>>>,
    /// This thread's copy of the default client: the hot path touches no lock and no shared
    /// reference count.
    cached_default: RefCell<CachedDefault>,
}

thread_local! {
    static CLIENTS: ThreadClients = const {
        ThreadClients {
            scoped: RefCell::new(Vec::new()),
            cached_default: RefCell::new(None),
        }
    };
    /// How many [`with_client`] scopes this thread is in: `CLIENTS.scoped.len()`, kept apart
    /// so the hot path reads it without a borrow, and without the first-use check a
    /// thread-local with a destructor takes.
    static SCOPE_DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Makes `client` the process-wide default, returning the previous one.
///
/// Without a call to this, the default is the embedded interpreter (feature `embedded`, on by
/// default).
pub fn set_default_client(client: Arc<dyn RuntimeClient>) -> Option<Arc<dyn RuntimeClient>> {
    let mut slot = DEFAULT_CLIENT.write().unwrap_or_else(|e| e.into_inner());
    DEFAULT_IS_FALLBACK.store(false, Ordering::Release);
    let previous = slot.replace(client);
    DEFAULT_GENERATION.fetch_add(1, Ordering::Release);
    previous
}

/// Runs `f` with `client` as the client of every call made on this thread, then restores the
/// previous one (also when `f` panics). Other threads are unaffected, so parallel tests can each
/// use their own mock.
///
/// ```
/// use snakebridge_runtime::{call, with_client, MockClient, Value};
///
/// let mock = MockClient::new();
/// mock.expect_call("math", "sqrt").returning(|_| Ok(Value::Float(4.0)));
/// let root: f64 = with_client(mock.clone(), || call("math", "sqrt", (16,))).unwrap();
/// assert_eq!(root, 4.0);
/// mock.verify().unwrap();
/// ```
pub fn with_client<R>(client: Arc<dyn RuntimeClient>, f: impl FnOnce() -> R) -> R {
    struct Pop;
    impl Drop for Pop {
        fn drop(&mut self) {
            CLIENTS.with(|c| c.scoped.borrow_mut().pop());
            SCOPE_DEPTH.with(|d| d.set(d.get() - 1));
        }
    }
    CLIENTS.with(|c| c.scoped.borrow_mut().push(client));
    SCOPE_DEPTH.with(|d| d.set(d.get() + 1));
    let _pop = Pop;
    f()
}

/// The client calls on this thread go to right now: the innermost [`with_client`] scope, else
/// the process default.
pub fn current_client() -> Result<Arc<dyn RuntimeClient>> {
    if let Some(c) = CLIENTS.with(|c| c.scoped.borrow().last().cloned()) {
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
    let Some(fallback) = crate::FALLBACK_CLIENT else {
        return Err(Error::config(
            "no runtime client: the `embedded` feature is off and no default client was set; \
             call snakebridge_runtime::set_default_client(...) or use with_client(...)",
        ));
    };
    let mut slot = DEFAULT_CLIENT.write().unwrap_or_else(|e| e.into_inner());
    if slot.is_none() {
        *slot = Some(fallback());
        DEFAULT_IS_FALLBACK.store(true, Ordering::Release);
    }
    Ok(slot.as_ref().expect("just filled").clone())
}

/// True when a call on this thread goes to the crate root's fallback client (no
/// [`with_client`] scope here, and the default was never set): then the fallback's
/// [`crate::FALLBACK_SITE_CALL`] may run it. Two loads, no lock and no borrow.
#[inline]
pub(crate) fn fallback_is_current() -> bool {
    DEFAULT_IS_FALLBACK.load(Ordering::Acquire) && SCOPE_DEPTH.with(|d| d.get() == 0)
}

/// Runs `f` with the current client (the innermost [`with_client`] scope, else the default).
///
/// The default client is borrowed from a per-thread cache, so the hot path takes no lock and
/// clones no `Arc`.
pub(crate) fn with_current<R>(f: impl FnOnce(&dyn RuntimeClient) -> Result<R>) -> Result<R> {
    let generation = DEFAULT_GENERATION.load(Ordering::Acquire);
    CLIENTS.with(|clients| {
        if SCOPE_DEPTH.with(Cell::get) != 0 {
            // Scoped clients are cloned out: `f` may open a nested scope on this thread.
            let scoped = clients.scoped.borrow().last().cloned();
            if let Some(client) = scoped {
                return f(&*client);
            }
        }
        if let Ok(cached) = clients.cached_default.try_borrow()
            && let Some((g, client)) = cached.as_ref()
            && *g == generation
        {
            return f(&**client);
        }
        let client = default_client()?;
        // A nested call (Python calling back into Rust) may hold the cache: then skip caching.
        if let Ok(mut slot) = clients.cached_default.try_borrow_mut() {
            *slot = Some((generation, client.clone()));
        }
        f(&*client)
    })
}
