//! The embedded interpreter imports Python's `logging` (for its handler forwarding records to
//! `tracing`) only when a subscriber wants records: at start if one exists then, else on the
//! first call after one comes. A subscriber set before the interpreter starts must get the
//! records of the very first call. Its own test binary: it sets the process-wide subscriber
//! before anything starts Python.

#![cfg(feature = "embedded")]

mod support;

use std::sync::{Arc, Mutex};

use snakebridge_runtime::{call, with_client};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};

/// The `call` field of each event of target `snakebridge::python`.
#[derive(Clone, Default)]
struct Calls(Arc<Mutex<Vec<String>>>);

struct CallField<'a>(&'a mut Option<String>);

impl Visit for CallField<'_> {
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "call" {
            *self.0 = Some(value.to_owned());
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Calls {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "snakebridge::python" {
            let mut call = None;
            event.record(&mut CallField(&mut call));
            self.0.lock().unwrap().push(call.unwrap_or_default());
        }
    }
}

// Mutation: `logs::install` making no handler at start (always on a later filter change): the
// subscriber was there before, no change follows, and the record is lost.
#[test]
fn a_subscriber_set_before_start_gets_the_first_calls_records() {
    let calls = Calls::default();
    tracing::subscriber::set_global_default(Registry::default().with(calls.clone())).unwrap();
    let sum: i64 = with_client(support::embedded(), || {
        call("snakebridge_logs", "warn_and_add", (2, 3))
    })
    .unwrap();
    assert_eq!(sum, 5);
    assert_eq!(*calls.0.lock().unwrap(), ["snakebridge_logs.warn_and_add"]);
}
