//! Worker output: what Python prints can be forwarded to `tracing` instead of inherited (the
//! channel never carries it either way).

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use snakebridge_runtime::{PoolClient, WorkerOutput, call, with_client};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};

#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<(tracing::Level, String)>>>);

struct Message<'a>(&'a mut String);

impl Visit for Message<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            *self.0 = format!("{value:?}");
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Lines {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() != "snakebridge::worker" {
            return;
        }
        let mut message = String::new();
        event.record(&mut Message(&mut message));
        self.0
            .lock()
            .unwrap()
            .push((*event.metadata().level(), message));
    }
}

#[test]
fn worker_output_can_go_to_tracing() {
    // The forwarding threads are not the test's thread: the subscriber must be global.
    let lines = Lines::default();
    tracing::subscriber::set_global_default(Registry::default().with(lines.clone())).unwrap();
    let pool = PoolClient::start(support::config(1).output(WorkerOutput::Tracing)).unwrap();
    with_client(pool.clone(), || {
        let loud: String = call("snakebridge_testmod", "shout", ("hi",)).unwrap();
        assert_eq!(loud, "HI");
        let n: i64 = call("snakebridge_faults", "noisy", (2,)).unwrap();
        assert_eq!(n, 2);
    });
    let seen = |level: tracing::Level, text: &str| {
        lines
            .0
            .lock()
            .unwrap()
            .iter()
            .any(|(l, m)| *l == level && m.contains(text))
    };
    assert!(support::eventually(Duration::from_secs(30), || {
        seen(tracing::Level::INFO, "must not corrupt anything")
            && seen(tracing::Level::WARN, "more noise 1")
    }));
}
