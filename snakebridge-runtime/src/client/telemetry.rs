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
//! `decode_us` the time spent turning the result back; both are part of `duration_us`.
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
        let duration = micros(self.started.elapsed());
        let encode = micros(ENCODE.with(Cell::get));
        let decode = micros(DECODE.with(Cell::get));
        MEASURING.with(|m| m.set(self.outer_measuring));
        let r = self.request;
        match error {
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
            Some(e) => tracing::debug!(
                name: "snakebridge.call.exception",
                target: "snakebridge::call",
                library = r.library(),
                module = r.python_module.as_ref(),
                function = %r.display_name(),
                arity = r.arity(),
                duration_us = duration,
                encode_us = encode,
                decode_us = decode,
                error_kind = e.kind_name(),
                python_class = e.python().map(|p| p.class.as_str()),
            ),
        }
    }
}

fn micros(d: Duration) -> u64 {
    d.as_micros().try_into().unwrap_or(u64::MAX)
}
