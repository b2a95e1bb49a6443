//! [`AsyncStream`]: a Python iterator, generator, or async generator consumed from async Rust
//! as a [`futures_core::Stream`]. Each item is fetched by a runner thread of the client
//! (`lanes.rs`) from the blocking [`Stream`], so the pool's pushed window and the embedded
//! client's event loop work as they do for blocking streams, and the executor only polls.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use super::{lanes, lock};
use crate::api::{Call, Stream};
use crate::client::select::with_client;
use crate::client::{AsyncLanes, RuntimeClient};
use crate::data::error::{Error, Result};
use crate::data::value::{FromValue, Value};

/// The items of a Python iterator (a generator, an async generator, any iterable) as a
/// [`futures_core::Stream`] for async code on any executor: made by
/// [`Call::stream_async`] (and a generated streaming function's `call_async`). Items are
/// fetched one at a time on the runtime's threads when polled; dropping it closes the Python
/// generator there.
///
/// ```no_run
/// use std::future::poll_fn;
/// use std::pin::Pin;
/// use futures_core::Stream as _;
/// use snakebridge_runtime::{Call, Value};
///
/// async fn first_three() -> snakebridge_runtime::Result<Vec<i64>> {
///     let mut items = Call::<Value>::function("itertools", "count", ()).stream_async::<i64>();
///     let mut out = Vec::new();
///     while out.len() < 3 {
///         match poll_fn(|cx| Pin::new(&mut items).poll_next(cx)).await {
///             Some(item) => out.push(item?),
///             None => break,
///         }
///     }
///     Ok(out) // dropping `items` closes the Python iterator
/// }
/// ```
#[must_use = "an AsyncStream does nothing until polled"]
pub struct AsyncStream<T> {
    shared: Arc<Mutex<Shared<T>>>,
    /// `None` when there was no client to start with (the one item says why).
    client: Option<Arc<dyn RuntimeClient>>,
    address: usize,
    lanes: AsyncLanes,
}

struct Shared<T> {
    /// The call that opens the stream, until the first fetch runs it.
    start: Option<Call<Value>>,
    stream: Option<Stream<T>>,
    /// The item fetched and not yet polled (`Some(None)`: the end).
    item: Option<Option<Result<T>>>,
    waker: Option<Waker>,
    fetching: bool,
    done: bool,
    dropped: bool,
}

impl<T> std::fmt::Debug for AsyncStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AsyncStream { .. }")
    }
}

impl<T: FromValue + Send + 'static> AsyncStream<T> {
    pub(super) fn new(
        start: Call<Value>,
        client: Arc<dyn RuntimeClient>,
        address: usize,
        lanes: AsyncLanes,
    ) -> Self {
        AsyncStream {
            shared: Arc::new(Mutex::new(Shared {
                start: Some(start),
                stream: None,
                item: None,
                waker: None,
                fetching: false,
                done: false,
                dropped: false,
            })),
            client: Some(client),
            address,
            lanes,
        }
    }

    /// A stream whose only item is `error` (the call could not start).
    pub(super) fn failed(error: Error) -> Self {
        AsyncStream {
            shared: Arc::new(Mutex::new(Shared {
                start: None,
                stream: None,
                item: Some(Some(Err(error))),
                waker: None,
                fetching: false,
                done: true,
                dropped: false,
            })),
            client: None,
            address: 0,
            lanes: AsyncLanes::default(),
        }
    }
}

impl<T: FromValue + Send + 'static> futures_core::Stream for AsyncStream<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        let mut shared = lock(&this.shared);
        if let Some(item) = shared.item.take() {
            if item.is_none() {
                shared.done = true;
            }
            return Poll::Ready(item);
        }
        let Some(client) = this.client.as_ref().filter(|_| !shared.done) else {
            return Poll::Ready(None);
        };
        if !shared.fetching {
            shared.fetching = true;
            let job = Fetch {
                shared: this.shared.clone(),
                client: client.clone(),
            };
            drop(shared);
            lanes::submit(this.address, this.lanes.clone(), Box::new(job));
            shared = lock(&this.shared);
            if let Some(item) = shared.item.take() {
                // Fetched already (or refused by a full queue).
                if item.is_none() {
                    shared.done = true;
                }
                return Poll::Ready(item);
            }
        }
        shared.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<T> Drop for AsyncStream<T> {
    fn drop(&mut self) {
        let mut shared = lock(&self.shared);
        shared.dropped = true;
        if shared.fetching {
            // The fetch in flight closes the stream when it is done.
            return;
        }
        let Some(stream) = shared.stream.take() else {
            return;
        };
        drop(shared);
        // Closing a generator runs Python: on a runner, not on this (executor) thread. (The
        // untyped stream is `'static`, as the hook must be.)
        let inner = stream.inner;
        lanes::submit(
            self.address,
            self.lanes.clone(),
            Box::new(lanes::Urgent(Box::new(move || drop(inner)))),
        );
    }
}

/// One item fetched on a runner (the first fetch opens the stream).
struct Fetch<T> {
    shared: Arc<Mutex<Shared<T>>>,
    client: Arc<dyn RuntimeClient>,
}

impl<T: FromValue + Send + 'static> lanes::Job for Fetch<T> {
    fn is_cancelled(&self) -> bool {
        // `run` closes a dropped stream: it must run.
        false
    }

    fn into_request(self: Box<Self>) -> std::result::Result<lanes::Prepared, Box<dyn lanes::Job>> {
        // A stream's item is not a call's result: fetched alone.
        Err(self)
    }

    fn run(self: Box<Self>) {
        let (start, stream, dropped) = {
            let mut shared = lock(&self.shared);
            (shared.start.take(), shared.stream.take(), shared.dropped)
        };
        if dropped {
            drop(stream);
            lock(&self.shared).fetching = false;
            return;
        }
        let (item, stream) = match (stream, start) {
            (Some(mut stream), _) => (stream.next(), Some(stream)),
            (None, Some(start)) => match with_client(self.client.clone(), || start.stream::<T>()) {
                Ok(mut stream) => (stream.next(), Some(stream)),
                Err(e) => (Some(Err(e)), None),
            },
            (None, None) => (None, None),
        };
        let mut shared = lock(&self.shared);
        shared.fetching = false;
        if shared.dropped {
            drop(shared);
            drop((item, stream));
            return;
        }
        // A failure to open is the last item.
        if stream.is_none() && item.is_some() {
            shared.start = None;
        }
        shared.stream = stream;
        shared.item = Some(item);
        let waker = shared.waker.take();
        drop(shared);
        if let Some(w) = waker {
            w.wake();
        }
    }

    fn reject(self: Box<Self>, error: Error) {
        let mut shared = lock(&self.shared);
        shared.fetching = false;
        shared.item = Some(Some(Err(error)));
        let waker = shared.waker.take();
        drop(shared);
        if let Some(w) = waker {
            w.wake();
        }
    }
}
