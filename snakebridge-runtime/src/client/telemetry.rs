//! Telemetry of every call, through [`tracing`].
//!
//! Each call emits three kinds of events, named after the seed's
//! `[snakebridge, call, start | stop | exception]`, with target `snakebridge::call` at level
//! `DEBUG`:
//!
//! | event name | fields |
//! |---|---|
//! | `snakebridge.call.start` | `library`, `module`, `function`, `arity` |
//! | `snakebridge.call.stop` | the above + `duration_us`, `encode_us`, `decode_us` |
//! | `snakebridge.call.exception` | the above + `error_kind` (and `python_class` for Python exceptions) |
//!
//! Python's own `logging` records and warnings, raised in calls on either client, are events
//! too: target [`PYTHON_TARGET`] (`snakebridge::python`), name `snakebridge.python.log`, at the
//! record's level (`CRITICAL` as `ERROR`, below `DEBUG` as `TRACE`), with fields `logger`, `call`
//! (the call it was raised in, empty outside any), `worker` (`pool <name>, worker <n> (pid <p>)`
//! or `embedded`) and `python_level`. Python is told the most detailed level a subscriber takes
//! for that target, so a filtered-out level costs nothing there
//! ([`PoolConfig::python_logging`](crate::PoolConfig::python_logging)): a pool's workers by its
//! housekeeping (within 100 ms of a change), the embedded interpreter on its next call after a
//! change (one level per process: the subscriber of the thread that makes that call decides).
//! With no subscriber at all, Python's `logging` is left as Python has it.
//!
//! `encode_us` is the time spent turning Rust arguments into Python objects (or wire JSON),
//! `decode_us` the time spent turning the result back; both are part of `duration_us`. A
//! `call_async` emits `start` when a runner takes it and `stop`/`exception` when its result
//! comes (a pool's coroutine, from the thread that waited for it) or, if later, when the runner
//! is done sending it (so possibly a moment after the future completed), `decode_us` then
//! being the conversion to the future's type.
//!
//! With no subscriber interested in `snakebridge::call`, a call pays one cached check and
//! measures nothing.
//!
//! # Attaching a handler
//!
//! Any `tracing` subscriber sees the events; to act on them, add a layer (here with
//! `tracing-subscriber`) that reads the fields:
//!
//! ```ignore
//! use tracing_subscriber::{layer::SubscriberExt, Layer};
//!
//! struct CallLogger;
//! impl<S: tracing::Subscriber> Layer<S> for CallLogger {
//!     fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
//!         if event.metadata().name() == "snakebridge.call.stop" {
//!             // read `module`, `function` and `duration_us` with a tracing::field::Visit
//!         }
//!     }
//! }
//! tracing::subscriber::set_global_default(tracing_subscriber::registry().with(CallLogger)).unwrap();
//! ```
//!
//! `examples/telemetry.rs` is a complete program that logs each call's duration.

use std::cell::Cell;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::client::request::Request;
use crate::data::error::Error;

pub use super::python_log::PYTHON_TARGET;

/// The `tracing` target of call events.
pub const CALL_TARGET: &str = "snakebridge::call";

thread_local! {
    /// Set while a call on this thread is being measured, so clients time encode/decode.
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static ENCODE: Cell<Duration> = const { Cell::new(Duration::ZERO) };
    static DECODE: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// True when some subscriber wants call events.
#[inline(always)]
pub fn enabled() -> bool {
    tracing::enabled!(target: "snakebridge::call", tracing::Level::DEBUG)
}

/// True while the current call is measured (clients then time their encode and decode steps).
#[inline]
pub fn measuring() -> bool {
    MEASURING.with(Cell::get)
}

/// Adds `d` to the current call's encode time (for custom clients that time their own encoding;
/// a no-op unless [`measuring`]).
pub fn add_encode_time(d: Duration) {
    if measuring() {
        ENCODE.with(|c| c.set(c.get() + d));
    }
}

/// Adds `d` to the current call's decode time (for custom clients; a no-op unless
/// [`measuring`]).
pub fn add_decode_time(d: Duration) {
    if measuring() {
        DECODE.with(|c| c.set(c.get() + d));
    }
}

/// Runs `f`, adding its duration to `total` when the call is measured.
#[inline]
fn timed<T>(total: &'static std::thread::LocalKey<Cell<Duration>>, f: impl FnOnce() -> T) -> T {
    if !measuring() {
        return f();
    }
    let start = Instant::now();
    let out = f();
    let elapsed = start.elapsed();
    total.with(|c| c.set(c.get() + elapsed));
    out
}

/// Times `f` as encode work when the call is measured.
#[inline]
pub(crate) fn time_encode<T>(f: impl FnOnce() -> T) -> T {
    timed(&ENCODE, f)
}

/// Times `f` as decode work when the call is measured.
#[inline]
pub(crate) fn time_decode<T>(f: impl FnOnce() -> T) -> T {
    timed(&DECODE, f)
}

/// The measurement of one call, from `start` to `stop`/`exception`.
pub(crate) struct CallEvent<'a> {
    request: &'a Request,
    started: Instant,
    outer_measuring: bool,
}

impl<'a> CallEvent<'a> {
    /// Emits the start event and begins measuring.
    pub(crate) fn start(request: &'a Request) -> CallEvent<'a> {
        tracing::debug!(
            name: "snakebridge.call.start",
            target: "snakebridge::call",
            library = request.library(),
            module = request.python_module.as_ref(),
            function = %request.display_name(),
            arity = request.arity(),
        );
        // Nested calls (Python calling back into Rust) keep their own figures.
        let outer_measuring = MEASURING.with(|m| m.replace(true));
        ENCODE.with(|c| c.set(Duration::ZERO));
        DECODE.with(|c| c.set(Duration::ZERO));
        CallEvent {
            request,
            started: Instant::now(),
            outer_measuring,
        }
    }

    /// Emits the stop or exception event.
    pub(crate) fn finish(self, error: Option<&Error>) {
        let encode = ENCODE.with(Cell::get);
        let decode = DECODE.with(Cell::get);
        MEASURING.with(|m| m.set(self.outer_measuring));
        let failure = error.map(Failure::of);
        emit(
            self.request,
            self.started.elapsed(),
            encode,
            decode,
            failure,
        );
    }

    /// The measurement of a call whose result comes later, elsewhere (a `call_async`'s, sent
    /// by the client whenever it is done): this thread goes on measuring the encoding until
    /// [`AsyncCallEvent::sent`]; the outcome comes with [`AsyncCallEvent::finish`], on any
    /// thread, before or after; the event is emitted with the second.
    pub(crate) fn detach(self) -> AsyncCallEvent {
        AsyncCallEvent(Arc::new(Mutex::new(AsyncCall {
            request: self.request.clone(),
            started: self.started,
            outer_measuring: self.outer_measuring,
            encode: None,
            outcome: None,
        })))
    }
}

/// What an exception event says of the error.
struct Failure {
    kind: &'static str,
    class: Option<String>,
}

impl Failure {
    fn of(e: &Error) -> Failure {
        Failure {
            kind: e.kind_name(),
            class: e.python().map(|p| p.class.clone()),
        }
    }
}

/// A `call_async`'s measurement ([`CallEvent::detach`]), shared by the thread that sent the
/// call and the one its result comes on.
#[derive(Clone)]
pub(crate) struct AsyncCallEvent(Arc<Mutex<AsyncCall>>);

struct AsyncCall {
    request: Request,
    started: Instant,
    outer_measuring: bool,
    encode: Option<Duration>,
    /// Its duration, decode time and failure, once it came.
    outcome: Option<(Duration, Duration, Option<Failure>)>,
}

impl AsyncCallEvent {
    /// The sending thread (the one that started the measurement) is done with the call: its
    /// encode time is taken, and it measures no more.
    pub(crate) fn sent(&self) {
        let encode = ENCODE.with(Cell::get);
        let mut call = self.0.lock().unwrap_or_else(|e| e.into_inner());
        MEASURING.with(|m| m.set(call.outer_measuring));
        call.encode = Some(encode);
        call.emit_if_done();
    }

    /// The call's outcome came, its result decoded in `decode`.
    pub(crate) fn finish(&self, error: Option<&Error>, decode: Duration) {
        let mut call = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let duration = call.started.elapsed();
        call.outcome = Some((duration, decode, error.map(Failure::of)));
        call.emit_if_done();
    }
}

impl AsyncCall {
    fn emit_if_done(&mut self) {
        if let (Some(encode), Some((duration, decode, failure))) =
            (self.encode, self.outcome.take())
        {
            emit(&self.request, duration, encode, decode, failure);
        }
    }
}

/// Emits a call's stop or exception event.
fn emit(r: &Request, duration: Duration, encode: Duration, decode: Duration, f: Option<Failure>) {
    let duration = micros(duration);
    let encode = micros(encode);
    let decode = micros(decode);
    match f {
        None => tracing::debug!(
            name: "snakebridge.call.stop",
            target: "snakebridge::call",
            library = r.library(),
            module = r.python_module.as_ref(),
            function = %r.display_name(),
            arity = r.arity(),
            duration_us = duration,
            encode_us = encode,
            decode_us = decode,
        ),
        Some(f) => tracing::debug!(
            name: "snakebridge.call.exception",
            target: "snakebridge::call",
            library = r.library(),
            module = r.python_module.as_ref(),
            function = %r.display_name(),
            arity = r.arity(),
            duration_us = duration,
            encode_us = encode,
            decode_us = decode,
            error_kind = f.kind,
            python_class = f.class.as_deref(),
        ),
    }
}

fn micros(d: Duration) -> u64 {
    d.as_micros().try_into().unwrap_or(u64::MAX)
}
