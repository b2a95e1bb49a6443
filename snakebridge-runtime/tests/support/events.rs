//! A `tracing` layer that records the runtime's events (each one's name and fields), for the
//! telemetry tests: `telemetry.rs` per call, `async_telemetry.rs` process-wide.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;

/// One event: its name and its fields, each as text.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub name: String,
    pub fields: BTreeMap<String, String>,
}

/// Records the events whose target `wanted` accepts.
#[derive(Clone)]
pub struct Recorder {
    events: Arc<Mutex<Vec<Recorded>>>,
    wanted: fn(&str) -> bool,
}

impl Recorder {
    pub fn new(wanted: fn(&str) -> bool) -> Recorder {
        Recorder {
            events: Arc::default(),
            wanted,
        }
    }

    /// The events recorded so far, oldest first.
    pub fn events(&self) -> Vec<Recorded> {
        self.events.lock().unwrap().clone()
    }
}

struct FieldVisitor<'a>(&'a mut BTreeMap<String, String>);

impl Visit for FieldVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
}

impl<S: tracing::Subscriber> Layer<S> for Recorder {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if !(self.wanted)(event.metadata().target()) {
            return;
        }
        let mut fields = BTreeMap::new();
        event.record(&mut FieldVisitor(&mut fields));
        self.events.lock().unwrap().push(Recorded {
            name: event.metadata().name().to_owned(),
            fields,
        });
    }
}
