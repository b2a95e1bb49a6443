//! Telemetry: the exact events and fields of a successful and a failed call.

#[path = "support/events.rs"]
mod events;

use events::{Recorded, Recorder};
use snakebridge_runtime::{Call, Value, call};
use tracing_subscriber::Registry;
use tracing_subscriber::layer::SubscriberExt;

fn record(f: impl FnOnce()) -> Vec<Recorded> {
    let recorder = Recorder::new(|target| target.starts_with("snakebridge::"));
    let subscriber = Registry::default().with(recorder.clone());
    tracing::subscriber::with_default(subscriber, f);
    recorder.events()
}

fn names(events: &[Recorded]) -> Vec<&str> {
    events.iter().map(|e| e.name.as_str()).collect()
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
    assert_eq!(
        names(&events),
        ["snakebridge.call.start", "snakebridge.call.stop"]
    );
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
}

/// `duration_us` spans the call, and `encode_us`/`decode_us` the conversions inside it: a call
/// with a big argument and a big result measures both, within the time seen around the call.
#[test]
fn a_calls_measurements_lie_within_the_call() {
    let _: f64 = call("math", "sqrt", (1,)).unwrap();
    let items: Vec<i64> = (0..1_000_000).collect();
    let mut elapsed = std::time::Duration::ZERO;
    let events = record(|| {
        let started = std::time::Instant::now();
        let back: Vec<i64> = Call::function("builtins", "list", (items.clone(),))
            .call()
            .unwrap();
        elapsed = started.elapsed();
        assert_eq!(back, items);
    });
    let stop = events
        .iter()
        .find(|e| e.name == "snakebridge.call.stop")
        .expect("a stop event");
    let field = |k: &str| -> u64 { stop.fields[k].parse().unwrap() };
    let (duration, encode, decode) = (field("duration_us"), field("encode_us"), field("decode_us"));
    // A million ints each way takes milliseconds to convert.
    assert!(encode >= 100, "{stop:?}");
    assert!(decode >= 100, "{stop:?}");
    assert!(encode + decode <= duration, "{stop:?}");
    assert!(
        duration as u128 <= elapsed.as_micros(),
        "{stop:?} vs {elapsed:?}"
    );
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

#[cfg(unix)]
#[test]
fn worker_crash_emits_the_call_exception_and_pool_events() {
    use snakebridge_runtime::{PoolClient, PoolConfig, with_client};
    let python_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/python");
    let events = record(|| {
        let pool = PoolClient::start(
            PoolConfig::new()
                .name("telemetry")
                .size(1)
                .env("PYTHONPATH", python_dir),
        )
        .unwrap();
        let err = with_client(pool.clone(), || {
            call::<Value>("snakebridge_faults", "exit_now", (3,))
        })
        .unwrap_err();
        assert_eq!(err.kind_name(), "worker_crash");
        // Wait until the replacement is ready, so its event is part of the record.
        let r: i64 = with_client(pool.clone(), || call("operator", "add", (1, 2))).unwrap();
        assert_eq!(r, 3);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while pool.stats("telemetry").unwrap().ready < 1 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
    let pool_events: Vec<&Recorded> = events
        .iter()
        .filter(|e| e.name.starts_with("snakebridge.pool.worker"))
        .collect();
    let pool_names: Vec<&str> = pool_events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        pool_names,
        [
            "snakebridge.pool.worker_started",
            "snakebridge.pool.worker_crashed",
            "snakebridge.pool.worker_replaced"
        ],
        "{events:#?}"
    );
    let crashed = pool_events[1];
    assert_eq!(crashed.fields["pool"], "telemetry");
    assert_eq!(crashed.fields["worker"], "0");
    assert!(
        crashed.fields["cause"].contains("exited with code 3"),
        "{crashed:?}"
    );
    let calls: Vec<&Recorded> = events
        .iter()
        .filter(|e| e.name.starts_with("snakebridge.call"))
        .collect();
    assert_eq!(calls[0].name, "snakebridge.call.start");
    assert_eq!(calls[0].fields["function"], "exit_now");
    assert_eq!(calls[1].name, "snakebridge.call.exception");
    assert_eq!(calls[1].fields["error_kind"], "worker_crash");
    assert_eq!(calls[1].fields["module"], "snakebridge_faults");
    assert!(!calls[1].fields.contains_key("python_class"));
    assert_eq!(calls[2].name, "snakebridge.call.start");
    assert_eq!(calls[3].name, "snakebridge.call.stop");
}

#[cfg(unix)]
#[test]
fn a_call_that_waits_for_a_worker_reports_how_long() {
    use snakebridge_runtime::{PoolClient, PoolConfig, with_client};
    let python_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/python");
    let mut elapsed = std::time::Duration::ZERO;
    let events = record(|| {
        let pool = PoolClient::start(
            PoolConfig::new()
                .name("queued")
                .size(1)
                .env("PYTHONPATH", python_dir),
        )
        .unwrap();
        let dispatch = tracing::dispatcher::get_default(|d| d.clone());
        std::thread::scope(|s| {
            let busy = s.spawn(|| {
                tracing::dispatcher::with_default(&dispatch, || {
                    with_client(pool.clone(), || {
                        call::<Value>("snakebridge_faults", "sleep", (1.0,))
                    })
                })
            });
            // Let the sleeper take the only worker first.
            while pool.stats("queued").unwrap().busy == 0 {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            let started = std::time::Instant::now();
            let r: i64 = with_client(pool.clone(), || call("operator", "add", (2, 2))).unwrap();
            elapsed = started.elapsed();
            assert_eq!(r, 4);
            busy.join().unwrap().unwrap();
        });
    });
    let queued: Vec<&Recorded> = events
        .iter()
        .filter(|e| e.name == "snakebridge.pool.call_queued")
        .collect();
    assert_eq!(queued.len(), 1, "{events:#?}");
    assert_eq!(queued[0].fields["pool"], "queued");
    assert_eq!(queued[0].fields["acquired"], "true");
    let waited: u64 = queued[0].fields["waited_us"].parse().unwrap();
    // It waited for the sleeper's second (most of it: the sleeper was already running), and not
    // longer than the call took.
    assert!(waited >= 500_000, "{queued:?}");
    assert!(
        waited as u128 <= elapsed.as_micros(),
        "{queued:?} vs {elapsed:?}"
    );
}
