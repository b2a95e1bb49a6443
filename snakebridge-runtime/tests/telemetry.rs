//! Telemetry: the exact events and fields of a successful and a failed call.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use snakebridge_runtime::{Call, Value, call};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};

#[derive(Debug, Clone)]
struct Recorded {
    name: String,
    fields: BTreeMap<String, String>,
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Recorded>>>);

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
        if event.metadata().target() != "snakebridge::call" {
            return;
        }
        let mut fields = BTreeMap::new();
        event.record(&mut FieldVisitor(&mut fields));
        self.0.lock().unwrap().push(Recorded {
            name: event.metadata().name().to_owned(),
            fields,
        });
    }
}

fn record(f: impl FnOnce()) -> Vec<Recorded> {
    let recorder = Recorder::default();
    let subscriber = Registry::default().with(recorder.clone());
    tracing::subscriber::with_default(subscriber, f);
    let events = recorder.0.lock().unwrap().clone();
    events
}

fn keys(r: &Recorded) -> Vec<&str> {
    r.fields.keys().map(String::as_str).collect()
}

#[test]
fn successful_call_emits_start_and_stop_with_measurements() {
    // Start the interpreter outside the measured call.
    let _: f64 = call("math", "sqrt", (1,)).unwrap();
    let events = record(|| {
        let r: f64 = Call::function("math", "sqrt", (16,)).call().unwrap();
        assert_eq!(r, 4.0);
    });
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["snakebridge.call.start", "snakebridge.call.stop"]);
    let (start, stop) = (&events[0], &events[1]);
    assert_eq!(keys(start), ["arity", "function", "library", "module"]);
    assert_eq!(start.fields["library"], "math");
    assert_eq!(start.fields["module"], "math");
    assert_eq!(start.fields["function"], "sqrt");
    assert_eq!(start.fields["arity"], "1");
    assert_eq!(
        keys(stop),
        [
            "arity",
            "decode_us",
            "duration_us",
            "encode_us",
            "function",
            "library",
            "module"
        ]
    );
    let duration: u64 = stop.fields["duration_us"].parse().unwrap();
    let encode: u64 = stop.fields["encode_us"].parse().unwrap();
    let decode: u64 = stop.fields["decode_us"].parse().unwrap();
    assert!(encode + decode <= duration, "{stop:?}");
}

#[test]
fn failed_call_emits_an_exception_event_with_the_error_kind() {
    let _: f64 = call("math", "sqrt", (1,)).unwrap();
    let events = record(|| {
        let err = call::<Value>("builtins", "int", ("x", 2, 3)).unwrap_err();
        assert!(err.python().is_some());
    });
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["snakebridge.call.start", "snakebridge.call.exception"]
    );
    let exc = &events[1];
    assert_eq!(exc.fields["error_kind"], "python");
    assert_eq!(exc.fields["python_class"], "TypeError");
    assert_eq!(exc.fields["function"], "int");
    assert_eq!(exc.fields["arity"], "3");
    assert!(exc.fields.contains_key("duration_us"));
}
