//! Python's `logging` records (and warnings) as `tracing` events, for both clients: the levels
//! each way, and the event (target [`PYTHON_TARGET`], name `snakebridge.python.log`, fields
//! `logger`, `call`, `worker`, `python_level`, the message as the event's message).
//!
//! The embedded interpreter's handler (`embedded/logs.rs`) and the pool's workers
//! (`python/snakebridge_worker/logs.py`, through `pool/worker/logs.rs`) forward records from
//! [`python_level`] on: the most detailed level a subscriber takes for [`PYTHON_TARGET`], so a
//! level filtered out here is never formatted in Python.

use tracing::Level;

/// The `tracing` target of Python's log records.
pub const PYTHON_TARGET: &str = "snakebridge::python";

/// The Python level above every record's (`CRITICAL` is 50): forward nothing.
pub(crate) const PYTHON_OFF: u64 = 100;

/// No subscriber at all: Python's `logging` is left as Python has it (records and warnings on
/// stderr), rather than forwarded to nobody.
pub(crate) const PYTHON_UNSET: u64 = 0;

/// The Python level from which records are wanted: that of the most detailed `tracing` level
/// the current subscriber takes for [`PYTHON_TARGET`] (`TRACE` 1, `DEBUG` 10, `INFO` 20, `WARN`
/// 30, `ERROR` 40), [`PYTHON_OFF`] for none, [`PYTHON_UNSET`] when there is no subscriber.
pub(crate) fn python_level() -> u64 {
    let none = tracing::dispatcher::get_default(|d| d.is::<tracing::subscriber::NoSubscriber>());
    if none {
        PYTHON_UNSET
    } else if tracing::enabled!(target: PYTHON_TARGET, Level::TRACE) {
        1
    } else if tracing::enabled!(target: PYTHON_TARGET, Level::DEBUG) {
        10
    } else if tracing::enabled!(target: PYTHON_TARGET, Level::INFO) {
        20
    } else if tracing::enabled!(target: PYTHON_TARGET, Level::WARN) {
        30
    } else if tracing::enabled!(target: PYTHON_TARGET, Level::ERROR) {
        40
    } else {
        PYTHON_OFF
    }
}

/// Emits one Python record: `level` is Python's number (`ERROR` and `CRITICAL` are `ERROR`,
/// `WARNING` is `WARN`, below `DEBUG` is `TRACE`); `call` the call it was raised in (empty
/// outside any), `worker` where it ran (`pool default, worker 0 (pid 4242)`, `embedded`).
pub(crate) fn emit(
    logger: &str,
    level: u64,
    message: &str,
    call: &str,
    worker: &dyn std::fmt::Display,
) {
    macro_rules! event {
        ($level:expr) => {
            tracing::event!(
                name: "snakebridge.python.log",
                target: PYTHON_TARGET,
                $level,
                logger,
                call,
                worker = %worker,
                python_level = level,
                "{message}"
            )
        };
    }
    match level {
        40.. => event!(Level::ERROR),
        30..=39 => event!(Level::WARN),
        20..=29 => event!(Level::INFO),
        10..=19 => event!(Level::DEBUG),
        _ => event!(Level::TRACE),
    }
}

#[cfg(feature = "embedded")]
pub(crate) use filter_watch::filter_changes;

/// When the subscribers' filter may have changed (the embedded client syncs Python's level
/// then; the pool's housekeeping simply reads it every round).
#[cfg(feature = "embedded")]
mod filter_watch {
    use std::sync::atomic::{AtomicU64, Ordering};

    use tracing::callsite::{Callsite, Identifier};
    use tracing::field::FieldSet;
    use tracing::metadata::Kind;
    use tracing::subscriber::Interest;
    use tracing::{Level, Metadata};

    use super::PYTHON_TARGET;

    /// How many times `tracing` rebuilt its interest in callsites: it does whenever a subscriber
    /// is made or the global one is set, which is when the filter [`python_level`] reads may
    /// change. A client compares it with the count it last synced at (one atomic load per call)
    /// to tell Python a new level only then.
    #[inline]
    pub(crate) fn filter_changes() -> u64 {
        static REGISTER: std::sync::Once = std::sync::Once::new();
        // Every call asks: the registered case is one load, inline.
        if !REGISTER.is_completed() {
            REGISTER.call_once(|| tracing::callsite::register(&FILTER_WATCH));
        }
        FILTER_CHANGES.load(Ordering::Relaxed)
    }

    static FILTER_CHANGES: AtomicU64 = AtomicU64::new(0);

    /// A callsite that is never hit: `tracing` tells it each time it recomputes interest.
    struct FilterWatch;

    static FILTER_WATCH: FilterWatch = FilterWatch;

    static FILTER_WATCH_META: Metadata<'static> = Metadata::new(
        "snakebridge.python.filter_watch",
        PYTHON_TARGET,
        Level::TRACE,
        None,
        None,
        None,
        FieldSet::new(&[], Identifier(&FILTER_WATCH)),
        Kind::EVENT,
    );

    impl Callsite for FilterWatch {
        fn set_interest(&self, _: Interest) {
            FILTER_CHANGES.fetch_add(1, Ordering::Relaxed);
        }

        fn metadata(&self) -> &Metadata<'_> {
            &FILTER_WATCH_META
        }
    }
}
