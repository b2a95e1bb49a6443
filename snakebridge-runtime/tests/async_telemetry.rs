//! Telemetry of `call_async` with a process-wide subscriber (its own test binary: the
//! subscriber is global, so the runtime's runner threads see it too). A measured `call_async`
//! still takes the async path (fifty coroutines on one pool worker meet, which they could not
//! one at a time), and each call emits its stop or exception event when its result comes. A
//! pool's coroutine's Python log records carry its call.

#[path = "support/events.rs"]
mod events;
mod support;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use events::{Recorded, Recorder};
use snakebridge_runtime::client::RuntimeClient;
use snakebridge_runtime::{Call, Error, Value, with_client};
use support::{block_on, embedded, eventually, pool};
use tracing_subscriber::Registry;
use tracing_subscriber::layer::SubscriberExt;

/// The process-wide recorder, installed once.
fn recorder() -> &'static Recorder {
    static RECORDER: OnceLock<Recorder> = OnceLock::new();
    RECORDER.get_or_init(|| {
        let recorder =
            Recorder::new(|target| ["snakebridge::call", "snakebridge::python"].contains(&target));
        tracing::subscriber::set_global_default(Registry::default().with(recorder.clone()))
            .expect("no other global subscriber");
        recorder
    })
}

/// The recorded events of calls whose function's name contains `function`.
fn events_of(function: &str) -> Vec<Recorded> {
    let events = recorder().events();
    (events.iter())
        .filter(|e| {
            e.fields
                .get("function")
                .is_some_and(|f| f.contains(function))
        })
        .cloned()
        .collect()
}

fn measured_coroutines(client: Arc<dyn RuntimeClient>, label: &str) {
    recorder();
    let key = format!("telemetry-{label}");
    let futures: Vec<_> = with_client(client.clone(), || {
        (0..50)
            .map(|_| {
                Call::<i64>::function("snakebridge_async", "rendezvous", (key.as_str(), 50, 20.0))
                    .call_async()
            })
            .collect()
    });
    for f in futures {
        assert_eq!(block_on(f).unwrap(), 50);
    }
    let failed = with_client(client, || {
        block_on(Call::<Value>::function("snakebridge_async", "failing_later", ()).call_async())
    });
    assert!(matches!(failed, Err(Error::Python(_))), "{failed:?}");
    // Each call's event: emitted when both its result came and its runner let go of it (the
    // later of the two, which may follow the future's completion by a moment).
    let counted = |name: &str, function: &str| {
        (events_of(function).iter())
            .filter(|e| e.name == name && e.fields.contains_key("duration_us"))
            .count()
    };
    // Both clients' tests share the recorder: at least this test's fifty.
    let all_stopped = eventually(Duration::from_secs(10), || {
        counted("snakebridge.call.stop", "rendezvous") >= 50
    });
    assert!(
        all_stopped,
        "{label}: {} stop events",
        counted("snakebridge.call.stop", "rendezvous")
    );
    let starts = events_of("rendezvous")
        .iter()
        .filter(|e| e.name == "snakebridge.call.start")
        .count();
    assert!(starts >= 50, "{label}: {starts} start events");
    let failed_class = || {
        events_of("failing_later").iter().any(|e| {
            e.name == "snakebridge.call.exception"
                && e.fields
                    .get("python_class")
                    .is_some_and(|c| c.contains("ValueError"))
        })
    };
    assert!(
        eventually(Duration::from_secs(10), failed_class),
        "{label}: {:?}",
        events_of("failing_later")
    );
}

#[test]
fn measured_pool_coroutines_run_at_once_and_emit_their_events() {
    measured_coroutines(pool(1), "pool");
}

#[test]
fn measured_embedded_coroutines_run_at_once_and_emit_their_events() {
    measured_coroutines(embedded(), "embedded");
}

#[test]
fn a_pool_coroutines_log_records_carry_its_call() {
    recorder();
    let pool = pool(1);
    let logged = || -> Vec<Recorded> {
        let events = recorder().events();
        (events.iter())
            .filter(|e| e.fields.get("logger").is_some_and(|l| l == "sb.async"))
            .cloned()
            .collect()
    };
    // The worker forwards records once its housekeeping told it the subscriber's level.
    let arrived = eventually(Duration::from_secs(20), || {
        let logs_later = Call::<i64>::function("snakebridge_async", "logs_later", ("in a task",));
        let one = with_client(pool.clone(), || block_on(logs_later.call_async()));
        assert_eq!(one.unwrap(), 1);
        !logged().is_empty()
    });
    assert!(arrived, "no record of the coroutine came");
    for record in logged() {
        assert_eq!(
            record.fields.get("call").map(String::as_str),
            Some("snakebridge_async.logs_later"),
            "{record:?}"
        );
    }
}
