//! Python's `logging` records and warnings, raised inside calls, arrive as `tracing` events
//! (target `snakebridge::python`) with the logger, level, message, call and worker, from pool
//! workers and from the embedded interpreter; the Rust side's filter sets Python's level.
//! Helpers in `tests/python/snakebridge_logs.py`.

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use snakebridge_runtime::{PoolClient, call, with_client};
use tracing::field::{Field, Visit};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};

/// One event of target `snakebridge::python`: its level and fields (`message` included).
#[derive(Debug, Clone)]
struct Record {
    level: tracing::Level,
    fields: BTreeMap<String, String>,
}

#[derive(Clone, Default)]
struct Records(Arc<Mutex<Vec<Record>>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: tracing::Subscriber> Layer<S> for Records {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() != "snakebridge::python" {
            return;
        }
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().push(Record {
            level: *event.metadata().level(),
            fields,
        });
    }
}

impl Records {
    fn of_logger(&self, logger: &str) -> Vec<Record> {
        let all = self.0.lock().unwrap();
        all.iter()
            .filter(|r| r.fields.get("logger").map(String::as_str) == Some(logger))
            .cloned()
            .collect()
    }
}

/// The embedded interpreter is one per process, and so is its logging level: its tests take
/// turns (each sets the level from its own thread's subscriber).
#[cfg(feature = "embedded")]
fn one_embedded_test() -> std::sync::MutexGuard<'static, ()> {
    static ONE: Mutex<()> = Mutex::new(());
    ONE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `f` with a subscriber that records Python's events at `filter` and above.
fn recording<R>(filter: LevelFilter, f: impl FnOnce(&Records) -> R) -> R {
    let records = Records::default();
    let subscriber = Registry::default().with(filter).with(records.clone());
    tracing::subscriber::with_default(subscriber, || f(&records))
}

fn check_warning(records: &Records, worker: impl Fn(&str) -> bool) {
    let got = records.of_logger("snakebridge_logs");
    let [record] = got.as_slice() else {
        panic!("one record of logger snakebridge_logs expected: {got:?}");
    };
    assert_eq!(record.level, tracing::Level::WARN);
    assert_eq!(record.fields["message"], "adding 2 and 3");
    assert_eq!(record.fields["call"], "snakebridge_logs.warn_and_add");
    assert_eq!(record.fields["python_level"], "30");
    assert!(worker(&record.fields["worker"]), "{record:?}");
}

// Mutations: no `logs.call = (mid, req)` in the worker's `on_call` (the record comes outside
// a call: no `call`); no `take_log` in `Worker::wait_for` (the log frame is taken for the
// reply: the call fails).
#[test]
fn a_logging_warning_in_a_pool_call_is_a_tracing_event_with_the_call_and_worker() {
    recording(LevelFilter::TRACE, |records| {
        let pool = PoolClient::start(support::config(1)).unwrap();
        let pid = pool.worker_pids()[0];
        let sum: i64 = with_client(pool.clone(), || {
            call("snakebridge_logs", "warn_and_add", (2, 3))
        })
        .unwrap();
        assert_eq!(sum, 5);
        check_warning(records, |w| {
            w == format!("pool {}, worker 0 (pid {pid})", pool.pool_names()[0])
        });
        // A warning is a record of `py.warnings`, at WARN.
        let _: i64 =
            with_client(pool.clone(), || call("snakebridge_logs", "warn_once", ())).unwrap();
        let warned = records.of_logger("py.warnings");
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(warned[0].fields["message"].contains("UserWarning: warn_once is going away"));
        assert_eq!(warned[0].fields["call"], "snakebridge_logs.warn_once");
    });
}

// Mutation: the worker's hot path (`binary_calls._serve_calls`, which serves a site's calls
// after its first) does not put the call's name in the log handler's call (`current[1]`): the
// records of those calls carry none.
#[test]
fn records_of_calls_the_worker_reads_on_its_hot_path_carry_their_call() {
    recording(LevelFilter::TRACE, |records| {
        let pool = PoolClient::start(support::config(1)).unwrap();
        with_client(pool, || {
            for i in 0..3_i64 {
                let sum: i64 = call("snakebridge_logs", "warn_and_add", (2, 3)).unwrap();
                assert_eq!(sum, 5);
                // Another site in between: each call names its own.
                let n: i64 = call("operator", "add", (i, 1)).unwrap();
                assert_eq!(n, i + 1);
            }
        });
        let got = records.of_logger("snakebridge_logs");
        assert_eq!(got.len(), 3, "{got:?}");
        for record in got {
            assert_eq!(record.fields["call"], "snakebridge_logs.warn_and_add");
        }
    });
}

// Mutation: no `logs.call = (sid, name)` in the worker's `pump` (the records come outside a
// call: no `call`).
#[test]
fn records_a_pool_stream_logs_while_making_items_carry_its_call() {
    recording(LevelFilter::TRACE, |records| {
        let pool = PoolClient::start(support::config(1)).unwrap();
        let items: Vec<i64> = with_client(pool.clone(), || {
            snakebridge_runtime::Call::<i64>::function("snakebridge_logs", "counting", (3,))
                .stream()?
                .collect::<snakebridge_runtime::Result<Vec<i64>>>()
        })
        .unwrap();
        assert_eq!(items, [0, 1, 2]);
        let got = records.of_logger("snakebridge_logs");
        assert_eq!(got.len(), 3, "{got:?}");
        for (i, record) in got.iter().enumerate() {
            assert_eq!(record.fields["message"], format!("item {i}"));
            assert_eq!(
                record.fields.get("call").map(String::as_str),
                Some("snakebridge_logs.counting"),
                "{record:?}"
            );
        }
    });
}

// Mutation: `python_level` returns 1 whatever the filter (Python's root level is 1 and the INFO
// record is made).
#[test]
fn the_rust_filter_sets_the_level_python_logs_from() {
    recording(LevelFilter::WARN, |records| {
        let pool = PoolClient::start(support::config(1)).unwrap();
        let (root, info_enabled): (i64, bool) =
            with_client(pool, || call("snakebridge_logs", "levels", ())).unwrap();
        assert_eq!(
            root, 30,
            "Python's root logger is at WARNING, as the filter"
        );
        assert!(!info_enabled, "an INFO record is not even made in Python");
        assert!(records.of_logger("snakebridge_logs").is_empty());
    });
}

// Mutation: ignore `PoolConfig::python_logging` in `Worker::spawn` (the record arrives).
#[test]
fn python_logging_off_leaves_logging_alone() {
    recording(LevelFilter::TRACE, |records| {
        let pool = PoolClient::start(support::config(1).python_logging(false)).unwrap();
        let (root, _): (i64, bool) =
            with_client(pool.clone(), || call("snakebridge_logs", "levels", ())).unwrap();
        assert_eq!(root, 30, "Python's default root level, untouched");
        let _: i64 =
            with_client(pool, || call("snakebridge_logs", "warn_and_add", (2, 3))).unwrap();
        assert!(records.0.lock().unwrap().is_empty());
    });
}

// Mutations: no `logs::install` at the embedded interpreter's start (no record); no
// `InCall::enter` in `EmbeddedClient::execute` (the record has no call).
#[test]
#[cfg(feature = "embedded")]
fn a_logging_warning_in_an_embedded_call_is_a_tracing_event_with_the_call() {
    let _one = one_embedded_test();
    recording(LevelFilter::TRACE, |records| {
        let sum: i64 = with_client(support::embedded(), || {
            call("snakebridge_logs", "warn_and_add", (2, 3))
        })
        .unwrap();
        assert_eq!(sum, 5);
        check_warning(records, |w| w == "embedded");
    });
}

// Mutation: `Running::Site` named `String::new()` in `logs::install`'s emit (the typed call's
// record has no call).
#[test]
#[cfg(feature = "embedded")]
fn a_logging_warning_in_a_typed_site_call_carries_its_call() {
    use snakebridge_runtime::SiteCall;
    use snakebridge_runtime::client::CallSite;
    use tracing_subscriber::filter::Targets;

    static WARN_AND_ADD: CallSite = CallSite::new("snakebridge_logs", "warn_and_add");
    let _one = one_embedded_test();
    support::embedded(); // the test modules on `sys.path`
    // Python's records, and no call events: a subscriber of those would send the call the
    // general way (it is timed there).
    let records = Records::default();
    let filter = Targets::new().with_target("snakebridge::python", LevelFilter::TRACE);
    let subscriber = Registry::default().with(filter).with(records.clone());
    tracing::subscriber::with_default(subscriber, || {
        // No `with_client` scope: the embedded client as the fallback default. The first call
        // resolves the site, the second takes the typed path.
        for _ in 0..2 {
            let sum: i64 = SiteCall::new(&WARN_AND_ADD, (2i64, 3i64)).call().unwrap();
            assert_eq!(sum, 5);
        }
    });
    let got = records.of_logger("snakebridge_logs");
    assert_eq!(got.len(), 2, "{got:?}");
    for record in got {
        assert_eq!(record.fields["call"], "snakebridge_logs.warn_and_add");
        assert_eq!(record.fields["worker"], "embedded");
    }
}

// Mutation: `python_level` without its no-subscriber case (the handler is attached, records go
// to nobody instead of stderr).
#[test]
fn without_any_subscriber_python_logging_is_left_alone() {
    // No subscriber on this thread, and this binary sets no global one.
    let pool = PoolClient::start(support::config(1)).unwrap();
    let handlers: i64 = with_client(pool.clone(), || {
        call("snakebridge_logs", "root_handlers", ())
    })
    .unwrap();
    assert_eq!(
        handlers, 0,
        "logging as Python has it: warnings go to stderr"
    );
    // With a subscriber, the forwarding handler is there.
    recording(LevelFilter::TRACE, |_| {
        let pool = PoolClient::start(support::config(1)).unwrap();
        let handlers: i64 =
            with_client(pool, || call("snakebridge_logs", "root_handlers", ())).unwrap();
        assert_eq!(handlers, 1);
    });
}

/// Runs `f` with a subscriber whose level filter `f` may change (through the handle).
fn reloadable<R>(
    filter: LevelFilter,
    f: impl FnOnce(&tracing_subscriber::reload::Handle<LevelFilter, Registry>) -> R,
) -> R {
    let (filter, handle) = tracing_subscriber::reload::Layer::new(filter);
    let subscriber = Registry::default().with(filter).with(Records::default());
    tracing::subscriber::with_default(subscriber, || f(&handle))
}

/// Python's root level and whether INFO is on, as `snakebridge_logs.levels` reports them.
fn python_levels() -> (i64, bool) {
    call("snakebridge_logs", "levels", ()).unwrap()
}

// Mutation: no `sync_log_level` in the housekeeping's `tick` (Python stays at WARNING).
#[test]
fn a_pool_follows_the_filter_when_it_changes() {
    reloadable(LevelFilter::WARN, |handle| {
        let pool = PoolClient::start(support::config(1)).unwrap();
        with_client(pool, || {
            assert_eq!(python_levels(), (30, false));
            handle.reload(LevelFilter::DEBUG).unwrap();
            assert!(
                support::eventually(std::time::Duration::from_secs(30), || python_levels()
                    == (10, true)),
                "the worker's level follows the filter"
            );
        });
    });
}

// Mutation: `InCall::enter` never syncs (the embedded interpreter stays at the first level).
#[test]
#[cfg(feature = "embedded")]
fn the_embedded_interpreter_follows_the_filter_when_it_changes() {
    let _one = one_embedded_test();
    reloadable(LevelFilter::ERROR, |handle| {
        with_client(support::embedded(), || {
            assert_eq!(python_levels(), (40, false));
            handle.reload(LevelFilter::INFO).unwrap();
            assert_eq!(python_levels(), (20, true));
        });
    });
}
