//! Telemetry: log the duration of every Python call with a `tracing` layer.
//!
//! Run with `cargo run --example telemetry`.

use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};

use snakebridge::python_module;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};

#[python_module("math")]
pub mod math {}

/// Collects the fields of one event.
#[derive(Default)]
struct Fields(Vec<(&'static str, String)>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push((field.name(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name(), value.to_owned()));
    }
}

impl Fields {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("?", |(_, v)| v.as_str())
    }
}

/// A layer that prints one line per finished call (the seed's `[:snakebridge, :call, :stop]`
/// handler) and one per failed call.
struct CallLogger;

impl<S: tracing::Subscriber> Layer<S> for CallLogger {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let name = event.metadata().name();
        if name != "snakebridge.call.stop" && name != "snakebridge.call.exception" {
            return;
        }
        let mut f = Fields::default();
        event.record(&mut f);
        let outcome = if name.ends_with("stop") {
            STOPPED.fetch_add(1, Ordering::Relaxed);
            "ok".to_string()
        } else {
            FAILED.fetch_add(1, Ordering::Relaxed);
            format!("failed ({})", f.get("error_kind"))
        };
        println!(
            "{}.{}/{} took {} µs (encode {} µs, decode {} µs): {outcome}",
            f.get("module"),
            f.get("function"),
            f.get("arity"),
            f.get("duration_us"),
            f.get("encode_us"),
            f.get("decode_us"),
        );
    }
}

/// How many calls the logger saw end well, and fail (checked at the end of `main`).
static STOPPED: AtomicUsize = AtomicUsize::new(0);
static FAILED: AtomicUsize = AtomicUsize::new(0);

fn main() -> Result<(), snakebridge::Error> {
    tracing::subscriber::set_global_default(Registry::default().with(CallLogger))
        .expect("no other subscriber is installed");
    for x in [2.0, 3.0, 4.0] {
        let root = math::sqrt(x).call()?;
        assert_eq!(root, f64::sqrt(x));
    }
    let err = math::factorial(-1).call().unwrap_err(); // a ValueError: logged as a failed call
    assert!(
        err.is_python(snakebridge::ExceptionKind::ValueError),
        "{err}"
    );
    assert_eq!(
        (
            STOPPED.load(Ordering::Relaxed),
            FAILED.load(Ordering::Relaxed)
        ),
        (3, 1),
        "every call logged, once"
    );
    Ok(())
}
