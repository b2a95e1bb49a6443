//! Recycling (`PoolConfig::max_calls`, `max_age`, `max_memory`) and draining
//! (`PoolClient::drain`) against real workers: no call fails for either, sessions and live
//! refs hold a worker past its limit, and nothing is left behind (workers, recycle threads).
//! Helpers in `tests/python/snakebridge_recycle.py`.

mod support;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use snakebridge_runtime::{Error, PoolClient, PyRef, Value, call, in_session, with_client};
use support::{all_gone, config, eventually, tagged_workers};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};

/// The tests run one at a time: each checks that no recycle thread of this process is left.
fn serial() -> MutexGuard<'static, ()> {
    static ONE: Mutex<()> = Mutex::new(());
    ONE.lock().unwrap_or_else(|e| e.into_inner())
}

fn pid(pool: &Arc<PoolClient>) -> u32 {
    with_client(pool.clone(), || call::<u32>("os", "getpid", ())).expect("getpid")
}

/// Threads of this process that recycle a worker (named `snakebridge-recycle-...`, which the
/// kernel cuts to 15 bytes).
fn recycle_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|d| {
            d.flatten()
                .filter(|t| {
                    std::fs::read_to_string(t.path().join("comm"))
                        .is_ok_and(|c| c.starts_with("snakebridge-rec"))
                })
                .count()
        })
        .unwrap_or(0)
}

/// Drops the pool and checks that every worker it ever started, and every recycle thread, is
/// gone.
fn assert_nothing_left(pool: Arc<PoolClient>) {
    drop(pool);
    let left = tagged_workers();
    assert!(all_gone(&left), "workers left: {left:?}");
    assert!(
        eventually(Duration::from_secs(30), || recycle_threads() == 0),
        "recycle threads left: {}",
        recycle_threads()
    );
}

/// Records the names of `tracing` events.
#[derive(Clone, Default)]
struct Names(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> Layer<S> for Names {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        self.0
            .lock()
            .unwrap()
            .push(event.metadata().name().to_owned());
    }
}

impl Names {
    fn count(&self, name: &str) -> usize {
        self.0.lock().unwrap().iter().filter(|n| *n == name).count()
    }
}

// Mutation: `calls >= n` → `calls > n` in `WorkerLife::past_limit` (pids change every 4 calls);
// or no `slot.retiring = true` at checkin (the 4th call runs on the old worker).
#[test]
fn max_calls_recycles_on_schedule_without_a_failed_call() {
    let _serial = serial();
    let pool = PoolClient::start(config(1).max_calls(3)).unwrap();
    let pids: Vec<u32> = (0..10).map(|_| pid(&pool)).collect();
    let expected: Vec<u32> = (0..10).map(|i| pids[i / 3 * 3]).collect();
    assert_eq!(pids, expected, "a fresh worker every 3 calls");
    let mut distinct = pids.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "{pids:?}");
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "pids are fresh: {pids:?}");
    let stats = pool.stats("default").unwrap();
    assert_eq!(stats.recycles.calls, 3);
    assert_eq!(stats.recycles.total(), 3);
    assert_eq!(stats.restarts, 0, "recycling is no restart");
    assert!(all_gone(&distinct[..3]), "recycled workers left: {pids:?}");
    assert_nothing_left(pool);
}

// Mutation: no `slot.retiring = true` at checkin (another thread's call takes the worker
// between its last call and its recycling: a pid serves a 4th call).
#[test]
fn max_calls_holds_under_concurrent_callers_and_no_call_fails() {
    let _serial = serial();
    let pool = PoolClient::start(config(2).max_calls(3)).unwrap();
    let callers: Vec<_> = (0..4)
        .map(|_| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                (0..10)
                    .map(|_| {
                        with_client(pool.clone(), || {
                            call::<u32>("snakebridge_recycle", "nap", (0.005,))
                        })
                        .expect("no call fails for recycling")
                    })
                    .collect::<Vec<u32>>()
            })
        })
        .collect();
    let mut pids: Vec<u32> = callers
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    pids.sort_unstable();
    let mut per_pid = std::collections::BTreeMap::new();
    for p in &pids {
        *per_pid.entry(*p).or_insert(0) += 1;
    }
    assert!(
        per_pid.values().all(|&n| n <= 3),
        "a worker served more than 3 calls: {per_pid:?}"
    );
    assert!(
        per_pid.len() >= 14,
        "40 calls need at least 14 workers: {per_pid:?}"
    );
    assert_eq!(pool.stats("default").unwrap().restarts, 0);
    assert_nothing_left(pool);
}

// Mutation: return `None` from the `max_memory` branch of `WorkerLife::past_limit` (the worker
// grows to 500 MB).
#[test]
fn max_memory_recycles_a_leaking_worker_within_one_calls_growth() {
    let _serial = serial();
    const MB: u64 = 1000 * 1000;
    let limit = 200 * MB;
    let pool = PoolClient::start(config(1).max_memory(limit)).unwrap();
    let mut seen: Vec<(u32, u64)> = Vec::new();
    with_client(pool.clone(), || {
        for _ in 0..10 {
            let (pid, rss): (u32, u64) = call("snakebridge_recycle", "leak", (50,)).unwrap();
            seen.push((pid, rss));
        }
    });
    let worst = seen.iter().map(|&(_, rss)| rss).max().unwrap();
    // The call that passes the limit may add its 50 MB, no more (a little slack for Python's
    // own allocations).
    assert!(
        worst < limit + 55 * MB,
        "a worker reached {worst} bytes: {seen:?}"
    );
    let mut pids: Vec<u32> = seen.iter().map(|&(p, _)| p).collect();
    pids.dedup();
    assert!(pids.len() >= 2, "never recycled: {seen:?}");
    assert_eq!(
        pool.stats("default").unwrap().recycles.memory as usize,
        pids.len() - 1
    );
    assert_nothing_left(pool);
}

// Mutation: drop the `idle_check` call in `Pool::tick` (an idle old worker is never recycled).
#[test]
fn max_age_recycles_an_old_worker_between_calls() {
    let _serial = serial();
    let pool = PoolClient::start(config(1).max_age(Duration::from_millis(300))).unwrap();
    let first = pid(&pool);
    assert!(
        eventually(Duration::from_secs(30), || pool
            .stats("default")
            .unwrap()
            .recycles
            .age
            >= 1),
        "the old worker was not recycled while idle"
    );
    let second = pid(&pool);
    assert_ne!(first, second);
    assert!(all_gone(&[first]));
    assert_nothing_left(pool);
}

// Mutation: drop the `Hold::Session` branch of `Pool::try_recycle` (the session's calls move
// to a fresh worker, or fail as a closed session).
#[test]
fn a_sessions_worker_is_recycled_on_close_not_mid_session() {
    let _serial = serial();
    let names = Names::default();
    let subscriber = tracing_subscriber::registry().with(names.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    let pool = PoolClient::start(config(1).max_calls(2)).unwrap();
    let session = pool.session().unwrap();
    let pids: Vec<u32> = (0..5)
        .map(|_| in_session(&session, || call::<u32>("os", "getpid", ())).unwrap())
        .collect();
    assert!(pids.iter().all(|&p| p == pids[0]), "{pids:?}");
    assert_eq!(pool.stats("default").unwrap().recycles.total(), 0);
    assert_eq!(
        names.count("snakebridge.pool.recycle_deferred"),
        1,
        "the limit passed mid-session is reported, once"
    );
    session.close();
    assert!(eventually(Duration::from_secs(30), || pool
        .stats("default")
        .unwrap()
        .recycles
        .calls
        == 1));
    assert_ne!(pid(&pool), pids[0]);
    assert!(all_gone(&pids[..1]));
    assert_nothing_left(pool);
}

// Mutation: drop the `Hold::Refs` branch of `Pool::try_recycle` (the ref turns stale, its
// worker recycled under it).
#[test]
fn live_refs_defer_recycling_until_they_are_dropped() {
    let _serial = serial();
    let pool = PoolClient::start(config(1).max_calls(2)).unwrap();
    let (held, first) = with_client(pool.clone(), || {
        let held: PyRef = call("collections", "OrderedDict", ()).unwrap();
        let pid: u32 = call("os", "getpid", ()).unwrap();
        (held, pid)
    });
    // Past its limit, but the worker holds `held`'s object: it serves on.
    assert_eq!(pid(&pool), first);
    assert_eq!(pid(&pool), first);
    let n: i64 = with_client(pool.clone(), || {
        call("builtins", "len", (Value::Ref(held.clone()),))
    })
    .expect("a ref of a worker past its limit still works");
    assert_eq!(n, 0);
    assert_eq!(pool.stats("default").unwrap().recycles.total(), 0);
    drop(held);
    assert!(eventually(Duration::from_secs(30), || pool
        .stats("default")
        .unwrap()
        .recycles
        .calls
        == 1));
    assert_ne!(pid(&pool), first);
    assert_nothing_left(pool);
}

// Mutation: drop `|| worker.has_open_mailboxes()` in `Pool::try_recycle` (the worker is
// recycled under its open stream, whose next item fails).
#[test]
fn an_open_stream_defers_recycling_until_it_ends() {
    let _serial = serial();
    let names = Names::default();
    let subscriber = tracing_subscriber::registry().with(names.clone());
    // Set before the pool starts, so its housekeeping thread reports here too.
    let _guard = tracing::subscriber::set_default(subscriber);
    let pool = PoolClient::start(config(1).max_calls(2).stream_window(1)).unwrap();
    let first = pid(&pool); // call 1; the stream is call 2
    with_client(pool.clone(), || {
        let mut stream =
            snakebridge_runtime::Call::<Value>::function("snakebridge_testmod", "countdown", (20,))
                .stream::<i64>()
                .unwrap();
        assert_eq!(stream.next().unwrap().unwrap(), 20);
        // Housekeeping saw the worker past its limit and left it to the stream.
        assert!(eventually(Duration::from_secs(30), || names
            .count("snakebridge.pool.recycle_deferred")
            >= 1));
        let rest: Vec<i64> = stream
            .map(|item| item.expect("the stream goes on"))
            .collect();
        assert_eq!(rest, (1..20).rev().collect::<Vec<i64>>());
    });
    assert!(eventually(Duration::from_secs(30), || pool
        .stats("default")
        .unwrap()
        .recycles
        .calls
        == 1));
    assert_ne!(pid(&pool), first);
    assert_nothing_left(pool);
}

// Mutations: drop the `st.draining && !queued` check in `Pool::acquire` (the ninth call runs);
// make `Pool::drain` shut down at once (the calls in flight fail).
#[test]
fn drain_finishes_the_calls_in_flight_and_refuses_new_ones() {
    let _serial = serial();
    let pool = PoolClient::start(config(2)).unwrap();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                with_client(pool, || call::<u32>("snakebridge_recycle", "nap", (0.3,)))
            })
        })
        .collect();
    assert!(eventually(Duration::from_secs(30), || {
        let s = pool.stats("default").unwrap();
        s.busy == 2 && s.waiting == 6
    }));
    let draining = {
        let pool = pool.clone();
        std::thread::spawn(move || pool.drain(Duration::from_secs(60)))
    };
    assert!(eventually(Duration::from_secs(30), || pool
        .stats("default")
        .unwrap()
        .draining));
    let ninth = with_client(pool.clone(), || call::<u32>("os", "getpid", ())).unwrap_err();
    assert!(
        matches!(&ninth, Error::Draining { pool } if pool == "default"),
        "{ninth:?}"
    );
    assert_eq!(draining.join().unwrap(), 0, "no call was cut off");
    for c in calls {
        c.join().unwrap().expect("a call in flight finished");
    }
    assert!(pool.worker_pids().is_empty(), "drain stops the workers");
    let after = with_client(pool.clone(), || call::<u32>("os", "getpid", ())).unwrap_err();
    assert!(matches!(after, Error::Draining { .. }), "{after:?}");
    assert_nothing_left(pool);
}

// Mutations: `rerouted` returning `pool` (the call to `blue` fails with `Draining`); the
// `start_all` check of the name dropped (the unknown name starts).
#[test]
fn a_draining_pool_hands_its_free_calls_to_the_pool_it_reroutes_to() {
    let _serial = serial();
    let client = PoolClient::start_all([
        config(1).name("blue").reroute_while_draining("green"),
        config(1).name("green"),
        config(1).name("red"),
    ])
    .unwrap();
    let pid_on = |pool: &'static str| {
        with_client(client.clone(), || {
            snakebridge_runtime::Call::<u32>::function("os", "getpid", ())
                .pool(pool)
                .call()
        })
    };
    let green = client.stats("green").unwrap().worker_pids[0];
    // A ref made in blue keeps its calls there, drained or not.
    let blue_list: PyRef = with_client(client.clone(), || {
        snakebridge_runtime::Call::<PyRef>::function("builtins", "list", ())
            .pool("blue")
            .call()
    })
    .unwrap();
    assert_eq!(
        client.drain_pool("blue", Duration::from_secs(10)).unwrap(),
        0
    );
    // Blue's free calls now run on green; green and red serve on.
    assert_eq!(pid_on("blue").unwrap(), green);
    assert_eq!(pid_on("green").unwrap(), green);
    assert!(pid_on("red").is_ok());
    let pinned = with_client(client.clone(), || {
        blue_list.call_method::<Value>("append", (1,))
    })
    .unwrap_err();
    assert!(
        matches!(&pinned, Error::StaleRef { reason, .. } if reason.contains("of pool `blue`")),
        "a ref's call stays with its pool (drained: its object is gone): {pinned:?}"
    );
    // A pool without a reroute refuses, as `drain` makes every pool do.
    assert_eq!(
        client.drain_pool("red", Duration::from_secs(10)).unwrap(),
        0
    );
    let refused = pid_on("red").unwrap_err();
    assert!(
        matches!(&refused, Error::Draining { pool } if pool == "red"),
        "{refused:?}"
    );
    let unknown = client.drain_pool("purple", Duration::ZERO).unwrap_err();
    assert!(matches!(unknown, Error::Config { .. }), "{unknown:?}");
    drop(blue_list);
    assert_nothing_left(client);
    // A reroute to a pool the client does not have is refused at start.
    let bad =
        PoolClient::start_all([config(1).name("blue").reroute_while_draining("teal")]).unwrap_err();
    assert!(
        matches!(&bad, Error::Config { message } if message.contains("no other pool named `teal`")),
        "{bad:?}"
    );
}
