//! A mock client for users' unit tests: expectations on the request (the tool name and the seed's
//! JSON payload) and canned replies, in the spirit of Elixir's Mox.
//!
//! ```
//! use snakebridge_runtime::{call, with_client, MockClient, Value};
//!
//! let mock = MockClient::new();
//! mock.expect(|tool, payload, _options| {
//!     assert_eq!(tool, "snakebridge.call");
//!     assert_eq!(payload["function"], "array");
//!     Ok(Value::from(vec![1, 2, 3]))
//! });
//! let v: Vec<i64> = with_client(mock.clone(), || call("numpy", "array", (vec![1, 2, 3],))).unwrap();
//! assert_eq!(v, [1, 2, 3]);
//! mock.verify().unwrap();
//! ```

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use serde_json::Value as Json;

use crate::client::request::{CallOptions, Request};
use crate::client::wire;
use crate::client::{RuntimeClient, ValueStream};
use crate::data::error::{Error, Result};
use crate::data::nesting::walk;
use crate::data::pyref::{PyRef, RefHandle, RefOwner};
use crate::data::value::Value;

type Handler = Box<dyn Fn(&str, &Json, &CallOptions) -> Result<Value> + Send + Sync>;
type Matcher = Box<dyn Fn(&str, &Json) -> bool + Send + Sync>;

struct Expectation {
    description: String,
    matcher: Option<Matcher>,
    handler: Handler,
    /// `Some(n)`: exactly `n` more calls are expected; `None`: any number (a stub).
    remaining: Option<usize>,
    calls: usize,
}

#[derive(Default)]
struct State {
    /// One-shot expectations from [`MockClient::expect`], consumed in order.
    ordered: VecDeque<Expectation>,
    /// Expectations matched by their matcher ([`MockClient::expect_call`], [`MockClient::stub`]).
    matched: Vec<Expectation>,
    /// Every request received: (tool, payload).
    received: Vec<(String, Json)>,
    /// Requests nothing expected.
    unexpected: Vec<String>,
    /// Ids of mock refs released.
    released: Vec<u64>,
}

/// A [`RuntimeClient`] that answers from expectations instead of Python.
///
/// Install it for a test with [`with_client`](crate::with_client) (scoped to the thread, so
/// parallel tests don't interfere) and check it with [`MockClient::verify`].
pub struct MockClient {
    state: Mutex<State>,
    next_ref: AtomicU64,
    me: Weak<MockClient>,
}

impl Default for MockClient {
    fn default() -> Self {
        MockClient {
            state: Mutex::default(),
            next_ref: AtomicU64::new(1),
            me: Weak::new(),
        }
    }
}

impl MockClient {
    /// A mock with no expectations. Use it through an `Arc` (what `with_client` takes); refs it
    /// makes with [`MockClient::make_ref`] report their release to it.
    pub fn new() -> Arc<MockClient> {
        Arc::new_cyclic(|me| MockClient {
            me: me.clone(),
            ..MockClient::default()
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Expects one more request, answered by `handler(tool, payload, options)`. Expectations
    /// added this way are consumed in the order they were added; assert on the payload inside
    /// the handler.
    pub fn expect(
        &self,
        handler: impl Fn(&str, &Json, &CallOptions) -> Result<Value> + Send + Sync + 'static,
    ) {
        let mut state = self.state();
        let n = state.ordered.len() + 1;
        state.ordered.push_back(Expectation {
            description: format!("expectation #{n}"),
            matcher: None,
            handler: Box::new(handler),
            remaining: Some(1),
            calls: 0,
        });
    }

    /// Answers every request that `matcher(tool, payload)` accepts with `handler`, any number
    /// of times (also none).
    pub fn stub(
        &self,
        matcher: impl Fn(&str, &Json) -> bool + Send + Sync + 'static,
        handler: impl Fn(&str, &Json, &CallOptions) -> Result<Value> + Send + Sync + 'static,
    ) {
        self.state().matched.push(Expectation {
            description: "stub".into(),
            matcher: Some(Box::new(matcher)),
            handler: Box::new(handler),
            remaining: None,
            calls: 0,
        });
    }

    /// Starts an expectation for calls of `module.function` (by default exactly once; see
    /// [`ExpectCall::times`]).
    pub fn expect_call(&self, module: &str, function: &str) -> ExpectCall<'_> {
        ExpectCall {
            mock: self,
            module: module.to_owned(),
            function: function.to_owned(),
            times: Some(1),
        }
    }

    /// Makes a ref "owned" by this mock, to return from a handler in place of a Python object.
    pub fn make_ref(&self, type_name: &str) -> PyRef {
        let owner: Arc<dyn RefOwner> = match self.me.upgrade() {
            Some(me) => me,
            None => Arc::new(Detached),
        };
        PyRef::remote(
            self.next_ref.fetch_add(1, Ordering::Relaxed),
            type_name,
            owner,
        )
    }

    /// Every request received so far, as (tool, payload).
    pub fn received(&self) -> Vec<(String, Json)> {
        self.state().received.clone()
    }

    /// Ids of the mock refs whose last handle was dropped.
    pub fn released(&self) -> Vec<u64> {
        self.state().released.clone()
    }

    /// Checks that every expectation was met and no unexpected request arrived.
    pub fn verify(&self) -> Result<()> {
        let state = self.state();
        let mut problems: Vec<String> = state.unexpected.clone();
        for e in state.ordered.iter().chain(&state.matched) {
            if let Some(n) = e.remaining
                && n > 0
            {
                problems.push(format!(
                    "{} expected {n} more call(s) (got {})",
                    e.description, e.calls
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Mock(problems.join("; ")))
        }
    }

    /// A ref in `request` that this mock did not make (an embedded object, another client's,
    /// or another mock's) is stale here, as it would be for any client: it must not reach a
    /// handler looking like one of the mock's own refs.
    fn check_refs(&self, request: &Request) -> Result<()> {
        let me = self.me.as_ptr();
        let check = |r: &PyRef| -> Result<()> {
            let ours = match &r.inner.handle {
                RefHandle::Remote(owner) => std::ptr::addr_eq(Arc::as_ptr(owner), me),
                #[allow(unreachable_patterns)]
                _ => false,
            };
            if ours {
                return Ok(());
            }
            Err(Error::StaleRef {
                id: r.id(),
                reason: format!(
                    "{r:?} was not made by this mock (MockClient::make_ref); a mock cannot use \
                     another runtime's objects"
                ),
            })
        };
        if let Some(target) = &request.target {
            check(target)?;
        }
        let values = request.kwargs.iter().map(|(_, v)| v);
        walk(request.args.iter().chain(values), |v, _| match v {
            Value::Ref(r) => check(r).map(|()| false),
            _ => Ok(true),
        })
    }

    fn answer(&self, request: &Request, options: &CallOptions) -> Result<Value> {
        self.check_refs(request)?;
        let tool = request.tool();
        let payload = wire::request_payload(request, options);
        let mut state = self.state();
        state.received.push((tool.to_owned(), payload.clone()));
        if let Some(mut e) = state.ordered.pop_front() {
            e.calls += 1;
            e.remaining = Some(0);
            let handler = e.handler;
            drop(state);
            return handler(tool, &payload, options);
        }
        let idx = state.matched.iter().position(|e| {
            e.remaining != Some(0) && e.matcher.as_ref().is_none_or(|m| m(tool, &payload))
        });
        match idx {
            Some(i) => {
                let e = &mut state.matched[i];
                e.calls += 1;
                if let Some(n) = &mut e.remaining {
                    *n -= 1;
                }
                // Handlers run under the lock so matched expectations count calls exactly;
                // a handler must not call back into this mock.
                (e.handler)(tool, &payload, options)
            }
            None => {
                let msg = format!("unexpected request to {tool}: {payload}");
                state.unexpected.push(msg.clone());
                Err(Error::Mock(msg))
            }
        }
    }
}

/// Builder of an expectation on `module.function` (see [`MockClient::expect_call`]).
#[must_use = "an expectation is only registered by `.returning(...)`"]
pub struct ExpectCall<'a> {
    mock: &'a MockClient,
    module: String,
    function: String,
    times: Option<usize>,
}

impl ExpectCall<'_> {
    /// Expects exactly `n` calls.
    pub fn times(mut self, n: usize) -> Self {
        self.times = Some(n);
        self
    }

    /// Accepts any number of calls (also none).
    pub fn any_times(mut self) -> Self {
        self.times = None;
        self
    }

    /// Registers the expectation, answered by `handler(payload)`.
    pub fn returning(self, handler: impl Fn(&Json) -> Result<Value> + Send + Sync + 'static) {
        let (module, function) = (self.module.clone(), self.function.clone());
        self.mock.state().matched.push(Expectation {
            description: format!("expect_call({}, {})", self.module, self.function),
            matcher: Some(Box::new(move |_tool, p| {
                p["python_module"] == module.as_str() && p["function"] == function.as_str()
            })),
            handler: Box::new(move |_tool, p, _options| handler(p)),
            remaining: self.times,
            calls: 0,
        });
    }
}

impl RefOwner for MockClient {
    fn release(&self, id: u64) {
        self.state().released.push(id);
    }

    fn describe(&self) -> String {
        "the mock runtime".into()
    }
}

/// Owner of refs made by a mock that is not held in an `Arc`.
struct Detached;

impl RefOwner for Detached {
    fn release(&self, _id: u64) {}
    fn describe(&self) -> String {
        "a detached mock".into()
    }
}

impl RuntimeClient for MockClient {
    fn execute(&self, request: &Request, options: &CallOptions) -> Result<Value> {
        self.answer(request, options)
    }

    /// The handler's reply must be a list (or tuple); its items are streamed.
    fn execute_stream(&self, request: &Request, options: &CallOptions) -> Result<ValueStream> {
        match self.answer(request, options)? {
            Value::List(items) | Value::Tuple(items) => Ok(Box::new(items.into_iter().map(Ok))),
            other => Err(Error::Mock(format!(
                "a streaming request needs a list reply to stream, got {other:?}"
            ))),
        }
    }

    fn name(&self) -> &str {
        "mock"
    }
}
