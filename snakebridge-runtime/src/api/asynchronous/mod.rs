//! `call_async`: a call as a [`Future`] that any executor may poll ([`CallFuture`]).
//!
//! The future is made where the call is built: it captures the current client (a
//! [`with_client`](crate::with_client) scope's, else the default) and what the client takes
//! from the thread's scope (a pool's [`in_session`](crate::in_session) session), then queues
//! the call with that client's runners (`lanes.rs`), runtime threads that run it as a blocking
//! call. The executor's threads only poll: they never run Python nor attach to the
//! interpreter. Dropping the future cancels the call: queued, it is never sent; running, it
//! finishes (or times out) on its runner and its result is dropped there, refs released.

mod lanes;
mod stream;

pub use stream::AsyncStream;

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use super::{Call, at};
use crate::client::async_reply::Cancel;
use crate::client::select::{current_client, with_client};
use crate::client::telemetry::{self, CallEvent};
use crate::client::{AsyncLanes, AsyncReply, AsyncRequest, RuntimeClient};
use crate::data::error::{Error, Result};
use crate::data::value::{FromValue, Value};

/// The result of a call made with [`Call::call_async`] (and every `call_async` built on it):
/// a [`Future`] of the converted result that needs no particular executor (tokio, async-std,
/// smol, or a hand-written one), is [`Send`] and `'static`, and cancels the call when dropped.
///
/// ```no_run
/// use snakebridge_runtime::{Call, PoolClient, PoolConfig, with_client};
///
/// let pool = PoolClient::start(PoolConfig::new().size(2))?;
/// // Made inside the scope, the future keeps the pool when polled anywhere later.
/// let future = with_client(pool.clone(), || {
///     Call::<f64>::function("math", "sqrt", (16,)).call_async()
/// });
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output { unimplemented!() }
/// let root = block_on(future)?; // e.g. `tokio::spawn(future).await?` in a service
/// assert_eq!(root, 4.0);
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
#[must_use = "a CallFuture cancels its call when dropped; await it"]
pub struct CallFuture<R> {
    state: FutureState<R>,
}

enum FutureState<R> {
    /// Failed before it was queued (a bad argument list, no client).
    Failed(Option<Error>),
    Waiting {
        slot: Arc<Mutex<Slot<R>>>,
        /// What the client asked to hear of a drop, and where to run it.
        cancel: Arc<Cancel>,
        client: usize,
        lanes: AsyncLanes,
    },
}

/// The one-shot meeting point of a future and its runner.
struct Slot<R> {
    result: Option<Result<R>>,
    waker: Option<Waker>,
    /// The future was dropped: a queued call is skipped.
    cancelled: bool,
    /// The runner let go without a result (the call panicked).
    abandoned: bool,
}

impl<R> std::fmt::Debug for CallFuture<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CallFuture { .. }")
    }
}

impl<R> Future for CallFuture<R> {
    type Output = Result<R>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<R>> {
        // No field is pinned: `CallFuture` is `Unpin`.
        match &mut self.get_mut().state {
            FutureState::Failed(error) => Poll::Ready(Err(error.take().unwrap_or_else(|| {
                Error::config("a CallFuture was polled again after it completed")
            }))),
            FutureState::Waiting { slot, .. } => {
                let mut slot = lock(slot);
                if let Some(result) = slot.result.take() {
                    return Poll::Ready(result);
                }
                if slot.abandoned {
                    return Poll::Ready(Err(Error::config(
                        "the async call panicked on its runner thread (see the panic message \
                         above), or was polled again after it completed",
                    )));
                }
                match &slot.waker {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => slot.waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }
}

impl<R> Drop for CallFuture<R> {
    fn drop(&mut self) {
        if let FutureState::Waiting {
            slot,
            cancel,
            client,
            lanes,
        } = &self.state
        {
            let result = {
                let mut slot = lock(slot);
                slot.cancelled = true;
                slot.result.take()
            };
            // A result already there (a ref, say) drops now, outside the lock.
            drop(result);
            if let Some(hook) = cancel.cancel() {
                // The client's hook (cancelling a Python task) runs on a runner, not here.
                lanes::submit(*client, lanes.clone(), Box::new(lanes::Urgent(hook)));
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A queued call: what a runner runs, and where the result goes.
struct CallJob<R> {
    /// Taken when it runs.
    call: Option<Call<R>>,
    client: Arc<dyn RuntimeClient>,
    slot: Arc<Mutex<Slot<R>>>,
    cancel: Arc<Cancel>,
    location: &'static Location<'static>,
    /// Its result is on its way (sent, or with an [`AsyncReply`] that sends on drop).
    handed_off: bool,
}

/// Hands `result` to the future waiting at `slot`, or drops it if there is none.
fn complete<R>(slot: &Mutex<Slot<R>>, result: Result<R>) {
    let mut guard = lock(slot);
    if guard.cancelled {
        // Nobody waits: drop the result (releasing its refs) outside the lock.
        drop(guard);
        drop(result);
        return;
    }
    guard.result = Some(result);
    let waker = guard.waker.take();
    drop(guard);
    if let Some(w) = waker {
        crate::client::held_wakes::wake(w);
    }
}

impl<R> Drop for CallJob<R> {
    fn drop(&mut self) {
        if self.handed_off {
            return;
        }
        let mut slot = lock(&self.slot);
        if slot.result.is_none() && !slot.cancelled {
            // Dropped before its result was on its way (a panic unwound through `run`): wake
            // the future so it reports it rather than waiting forever.
            slot.abandoned = true;
            if let Some(w) = slot.waker.take() {
                drop(slot);
                w.wake();
            }
        }
    }
}

impl<R: FromValue + Send + 'static> CallJob<R> {
    /// Where the client sends the result: converted, then handed to the future. From here on
    /// the result is on its way (an unsent reply sends an error when dropped).
    fn reply(&mut self, finished: Option<telemetry::AsyncCallEvent>) -> AsyncReply {
        let (slot, location) = (self.slot.clone(), self.location);
        self.handed_off = true;
        AsyncReply::new(
            Box::new(move |result: Result<Value>| {
                let decoding = Instant::now();
                let result = result.and_then(R::from_value).map_err(|e| at(e, location));
                if let Some(event) = finished {
                    event.finish(result.as_ref().err(), decoding.elapsed());
                }
                complete(&slot, result);
            }),
            self.cancel.clone(),
        )
    }
}

impl<R: FromValue + Send + 'static> lanes::Job for CallJob<R> {
    fn is_cancelled(&self) -> bool {
        lock(&self.slot).cancelled
    }

    fn run(mut self: Box<Self>) {
        let Some(call) = self.call.take() else {
            return;
        };
        let client = self.client.clone();
        // A measured call's events: started here, finished when its result comes (a pool's
        // coroutine may end on another thread, long after this runner moved on).
        let event = telemetry::enabled().then(|| CallEvent::start(&call.request).detach());
        let reply = self.reply(event.clone());
        with_client(client.clone(), || {
            client.execute_async(&call.request, &call.options, reply)
        });
        if let Some(event) = event {
            event.sent();
        }
    }

    fn into_request(
        mut self: Box<Self>,
    ) -> std::result::Result<lanes::Prepared, Box<dyn lanes::Job>> {
        // A measured call's events count its own encoding on this thread: it runs alone.
        if telemetry::enabled() {
            return Err(self);
        }
        let Some(call) = self.call.take() else {
            return Err(self);
        };
        let reply = self.reply(None);
        Ok(lanes::Prepared {
            client: self.client.clone(),
            request: Box::new(AsyncRequest {
                request: call.request,
                options: call.options,
                reply,
            }),
        })
    }

    fn reject(mut self: Box<Self>, error: Error) {
        complete(&self.slot, Err(error));
        self.handed_off = true;
    }
}

impl<R: FromValue + Send + 'static> Call<R> {
    /// Runs the call without blocking: a [`CallFuture`] of the converted result, for async
    /// code on any executor. The current client (and a pool session of [`in_session`]) is
    /// taken now, so the future may be polled on any thread later. The call runs on the
    /// runtime's threads (for a pool, as many at once as it has workers, the rest queued
    /// under the pool's `max_queue` and `queue_timeout`), never on the executor's. Dropping the
    /// future cancels the call: a queued one is never sent; a running one finishes (or times
    /// out) and its result is dropped.
    ///
    /// [`in_session`]: crate::in_session
    ///
    /// ```no_run
    /// use snakebridge_runtime::Call;
    ///
    /// async fn total(values: Vec<f64>) -> snakebridge_runtime::Result<f64> {
    ///     Call::function("math", "fsum", (values,)).call_async().await
    /// }
    /// ```
    #[track_caller]
    pub fn call_async(mut self) -> CallFuture<R> {
        let location = Location::caller();
        if self.pending_positional.is_some()
            && let Err(e) = self.check_positional()
        {
            return CallFuture::failed(e);
        }
        let client = match current_client() {
            Ok(client) => client,
            Err(e) => return CallFuture::failed(e),
        };
        client.capture_scope(&mut self.options);
        let lanes = client.async_lanes(&self.options);
        let slot = Arc::new(Mutex::new(Slot {
            result: None,
            waker: None,
            cancelled: false,
            abandoned: false,
        }));
        let address = Arc::as_ptr(&client) as *const () as usize;
        let cancel = Arc::new(Cancel::default());
        let job = CallJob {
            call: Some(self),
            client,
            slot: slot.clone(),
            cancel: cancel.clone(),
            location,
            handed_off: false,
        };
        lanes::submit(address, lanes.clone(), Box::new(job));
        CallFuture {
            state: FutureState::Waiting {
                slot,
                cancel,
                client: address,
                lanes,
            },
        }
    }

    /// [`Call::stream`] without blocking: the items as an [`AsyncStream`] (a
    /// [`futures_core::Stream`]) fetched on the runtime's threads as it is polled, from a
    /// generator, an async generator, or any iterable, with the pool's pushed window as for a
    /// blocking stream. The client and session are taken now, as for
    /// [`call_async`](Self::call_async).
    #[track_caller]
    pub fn stream_async<T: FromValue + Send + 'static>(mut self) -> AsyncStream<T> {
        if self.pending_positional.is_some()
            && let Err(e) = self.check_positional()
        {
            return AsyncStream::failed(e);
        }
        let client = match current_client() {
            Ok(client) => client,
            Err(e) => return AsyncStream::failed(e),
        };
        client.capture_scope(&mut self.options);
        let lanes = client.async_lanes(&self.options);
        let address = Arc::as_ptr(&client) as *const () as usize;
        AsyncStream::new(self.retyped::<Value>(), client, address, lanes)
    }

    /// [`Call::call_as`] without blocking (see [`Call::call_async`]).
    #[track_caller]
    pub fn call_as_async<T: FromValue + Send + 'static>(self) -> CallFuture<T> {
        self.retyped::<T>().call_async()
    }
}

impl<R> CallFuture<R> {
    fn failed(error: Error) -> Self {
        CallFuture {
            state: FutureState::Failed(Some(error)),
        }
    }
}
