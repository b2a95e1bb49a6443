//! Python coroutines and async generators through both clients: an `async def` called from
//! Rust gives its value (blocking `call` and `call_async` alike), its exception as the error,
//! and an async generator streams item by item with the stream's flow control; dropping the
//! stream early closes the async generator (its `finally` runs).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_core::Stream as _;
use snakebridge_runtime::client::RuntimeClient;
use snakebridge_runtime::{
    Call, Error, ExceptionKind, PoolClient, PyFn, PyRef, Result, Value, call, in_session,
    with_client,
};
use support::{block_on, embedded, eventually, pool, within};

fn temp_path(what: &str) -> std::path::PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "sb-coro-{}-{what}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

fn coroutine_values(client: Arc<dyn RuntimeClient>) {
    with_client(client, || {
        let blocking: i64 = call("snakebridge_async", "doubled_later", (21,)).unwrap();
        assert_eq!(blocking, 42);
        let future = Call::<i64>::function("snakebridge_async", "doubled_later", (8,)).call_async();
        assert_eq!(block_on(future).unwrap(), 16);
        let failed = call::<Value>("snakebridge_async", "failing_later", ());
        match failed {
            Err(Error::Python(e)) => {
                assert_eq!(e.kind, ExceptionKind::ValueError);
                assert!(e.message.contains("failed after an await"), "{}", e.message);
            }
            other => panic!("expected the coroutine's ValueError, got {other:?}"),
        }
    })
}

fn async_generator_streams(client: Arc<dyn RuntimeClient>) {
    with_client(client, || {
        // More items than a pool stream's window (64): credit flows back as Rust reads.
        let items: Vec<i64> = Call::<Value>::function("snakebridge_async", "countdown", (150,))
            .stream::<i64>()
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(items, (1..=150).rev().collect::<Vec<i64>>());
        // Dropped after two items: the async generator is closed, its `finally` runs.
        let closed = temp_path("closed");
        let closed_arg = closed.to_str().unwrap().to_string();
        let mut stream = Call::<Value>::function("snakebridge_async", "countdown", (1000,))
            .kwarg("closed", closed_arg)
            .stream::<i64>()
            .unwrap();
        assert_eq!(stream.next().unwrap().unwrap(), 1000);
        assert_eq!(stream.next().unwrap().unwrap(), 999);
        assert!(!closed.exists());
        drop(stream);
        // The pool closes it when its worker reads the close message: ask it something.
        let _: i64 = call("operator", "add", (1, 1)).unwrap();
        assert!(eventually(Duration::from_secs(10), || closed.exists()));
        let _ = std::fs::remove_file(closed);
    })
}

#[test]
fn pool_coroutines_give_their_values() {
    coroutine_values(pool(1));
}

#[test]
fn embedded_coroutines_give_their_values() {
    coroutine_values(embedded());
}

#[test]
fn pool_async_generators_stream() {
    async_generator_streams(pool(1));
}

#[test]
fn embedded_async_generators_stream() {
    async_generator_streams(embedded());
}

/// Fifty coroutines awaited at once by `client` (on a pool: its one worker).
fn fifty_coroutines_run_at_once(client: Arc<dyn RuntimeClient>, label: &str) {
    // Each returns only once all fifty wait together: run one at a time, the first times out.
    let key = format!("fifty-{label}");
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
    // The figure of the issue: fifty `asyncio.sleep(0.05)` awaited at once (reported).
    let started = std::time::Instant::now();
    let futures: Vec<_> = with_client(client, || {
        (0..50i64)
            .map(|i| {
                Call::<i64>::function("snakebridge_async", "doubled_later", (i, 0.05)).call_async()
            })
            .collect()
    });
    for (i, f) in futures.into_iter().enumerate() {
        assert_eq!(block_on(f).unwrap(), 2 * i as i64);
    }
    eprintln!(
        "{label}: 50 concurrent awaits of asyncio.sleep(0.05) took {:?} (one at a time: 2.5 s)",
        started.elapsed()
    );
}

#[test]
fn fifty_embedded_coroutines_run_at_once() {
    fifty_coroutines_run_at_once(embedded(), "embedded");
}

#[test]
fn fifty_coroutines_run_at_once_on_one_pool_worker() {
    fifty_coroutines_run_at_once(pool(1), "pool of 1");
}

/// Drops the future of a coroutine that awaits for a minute: the Python task sees
/// `CancelledError`, and `client` serves on.
fn dropping_a_coroutine_future_cancels_its_task(client: Arc<dyn RuntimeClient>) {
    let (started, cancelled) = (temp_path("started"), temp_path("cancelled"));
    let future = with_client(client.clone(), || {
        Call::<String>::function(
            "snakebridge_async",
            "cancellable",
            (started.to_str().unwrap(), cancelled.to_str().unwrap()),
        )
        .call_async()
    });
    assert!(eventually(Duration::from_secs(60), || started.exists()));
    assert!(!cancelled.exists());
    drop(future);
    assert!(
        eventually(Duration::from_secs(30), || cancelled.exists()),
        "the Python task never saw CancelledError"
    );
    // The loop and the runner serve on.
    let after = with_client(client, || {
        block_on(Call::<i64>::function("snakebridge_async", "doubled_later", (5,)).call_async())
    });
    assert_eq!(after.unwrap(), 10);
    for p in [started, cancelled] {
        let _ = std::fs::remove_file(p);
    }
}

#[test]
fn dropping_an_embedded_coroutine_future_cancels_its_task() {
    let before = snakebridge_runtime::EmbeddedClient::live_refs();
    dropping_a_coroutine_future_cancels_its_task(embedded());
    assert!(eventually(Duration::from_secs(10), || {
        snakebridge_runtime::EmbeddedClient::live_refs() <= before
    }));
}

/// The threads of this process whose name starts with `prefix`.
fn threads_named(prefix: &str) -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with(prefix))
        .count()
}

/// What a pool worker holds for Rust: its refs and its tasks.
fn worker_holds(pool: &Arc<PoolClient>) -> (i64, i64) {
    with_client(pool.clone(), || {
        let refs: i64 = call("snakebridge_async", "live_refs", ()).unwrap();
        let tasks: i64 = call("snakebridge_async", "pending_tasks", ()).unwrap();
        (refs, tasks)
    })
}

#[test]
fn dropping_a_pool_coroutine_future_cancels_its_task_and_leaks_nothing() {
    let pool = pool(1);
    let pids = pool.worker_pids();
    dropping_a_coroutine_future_cancels_its_task(pool.clone());
    // The same worker (none crashed or was killed), holding no ref and no task, and the
    // thread that waited for its tasks gone.
    assert_eq!(pool.worker_pids(), pids);
    assert_eq!(worker_holds(&pool), (0, 0));
    let watcher = format!("sb-tasks {}", pids[0]);
    assert!(
        eventually(Duration::from_secs(10), || threads_named(&watcher) == 0),
        "the tasks' watcher thread is still there"
    );
}

#[test]
fn a_pool_coroutine_past_its_timeout_is_cancelled_and_its_worker_serves_on() {
    let pool = pool(1);
    let pids = pool.worker_pids();
    let (started, cancelled) = (temp_path("started"), temp_path("cancelled"));
    let (slow, quick) = with_client(pool.clone(), || {
        let slow = Call::<String>::function(
            "snakebridge_async",
            "cancellable",
            (started.to_str().unwrap(), cancelled.to_str().unwrap()),
        )
        .timeout(Duration::from_millis(300))
        .call_async();
        let quick = Call::<i64>::function("snakebridge_async", "doubled_later", (4, 0.5));
        (slow, quick.call_async())
    });
    let timed_out = block_on(slow);
    assert!(
        matches!(timed_out, Err(Error::Timeout { after }) if after == Duration::from_millis(300)),
        "{timed_out:?}"
    );
    assert!(
        eventually(Duration::from_secs(30), || cancelled.exists()),
        "the timed-out task never saw CancelledError"
    );
    // The other coroutine of the worker was not cut short: the worker lives on.
    assert_eq!(block_on(quick).unwrap(), 8);
    assert_eq!(pool.worker_pids(), pids);
    assert_eq!(worker_holds(&pool), (0, 0));
    for p in [started, cancelled] {
        let _ = std::fs::remove_file(p);
    }
}

#[test]
fn a_coroutine_that_cancels_itself_fails_its_future() {
    for client in [pool(1) as Arc<dyn RuntimeClient>, embedded()] {
        let future = with_client(client, || {
            Call::<Value>::function("snakebridge_async", "cancels_itself", ()).call_async()
        });
        let (failed, _) = within(
            Duration::from_secs(30),
            "a self-cancelled coroutine",
            || block_on(future),
        );
        assert!(
            matches!(&failed, Err(Error::Python(e)) if e.class.contains("CancelledError")),
            "{failed:?}"
        );
    }
}

#[test]
fn a_coroutines_result_belongs_to_the_session_it_was_made_in() {
    let pool = pool(1);
    let session = pool.session().unwrap();
    let made = in_session(&session, || {
        Call::<PyRef>::function("snakebridge_async", "counter_later", ()).call_async()
    });
    // Meanwhile a plain call outside the session, on the same worker's serving thread.
    let outside = with_client(pool.clone(), || {
        call::<PyRef>("collections", "Counter", ("x",))
    });
    let made = block_on(made).unwrap();
    let outside = outside.unwrap();
    assert_eq!(worker_holds(&pool), (2, 0));
    // Closing the session releases the task's object (its ref still alive in Rust), not the
    // other one.
    session.close();
    assert_eq!(worker_holds(&pool), (1, 0));
    drop((made, outside));
}

#[test]
fn a_drain_waits_for_the_coroutines_a_worker_awaits() {
    let pool = pool(1);
    let future = with_client(pool.clone(), || {
        Call::<i64>::function("snakebridge_async", "doubled_later", (21, 0.5)).call_async()
    });
    // Out as a task: the worker's slot is free, the coroutine still in flight.
    assert!(eventually(Duration::from_secs(60), || worker_holds(&pool)
        .1
        == 1));
    assert_eq!(pool.drain(Duration::from_secs(30)), 0);
    assert_eq!(block_on(future).unwrap(), 42);
}

#[test]
fn a_coroutine_that_blocks_its_loop_past_its_timeout_has_its_worker_replaced() {
    let pool = pool(1);
    let pids = pool.worker_pids();
    let blocked = with_client(pool.clone(), || {
        Call::<f64>::function("snakebridge_async", "blocks_its_loop", (60.0,))
            .timeout(Duration::from_millis(300))
            .call_async()
    });
    let timed_out = block_on(blocked);
    assert!(
        matches!(timed_out, Err(Error::Timeout { .. })),
        "{timed_out:?}"
    );
    // The cancel cannot reach a blocked loop: after the grace the worker is killed, replaced,
    // and the pool serves (a minute's sleep was not waited for).
    assert!(
        eventually(Duration::from_secs(30), || {
            let now = pool.worker_pids();
            now.len() == 1 && now != pids
        }),
        "the worker with the blocked loop is still there"
    );
    let after = with_client(pool.clone(), || {
        block_on(Call::<i64>::function("snakebridge_async", "doubled_later", (3,)).call_async())
    });
    assert_eq!(after.unwrap(), 6);
}

#[test]
fn a_crash_under_a_hundred_pending_coroutines_fails_them_all_and_retries_the_idempotent() {
    let pool = pool(1);
    let first = pool.worker_pids()[0];
    let gate = temp_path("gate");
    let gate_arg = gate.to_str().unwrap().to_string();
    let futures: Vec<_> = with_client(pool.clone(), || {
        (0..100)
            .map(|i| {
                Call::<u32>::function("snakebridge_async", "pid_after", (gate_arg.as_str(),))
                    .idempotent(i % 2 == 0)
                    .call_async()
            })
            .collect()
    });
    // All hundred out on the one worker (whose slot they leave free for this call).
    assert!(eventually(Duration::from_secs(60), || worker_holds(&pool)
        .1
        == 100));
    let crash = with_client(pool.clone(), || call::<Value>("os", "_exit", (9,)));
    assert!(matches!(crash, Err(Error::WorkerCrash { .. })), "{crash:?}");
    std::fs::write(&gate, b"open").unwrap();
    let (results, _) = within(Duration::from_secs(120), "the hundred futures", move || {
        futures.into_iter().map(block_on).collect::<Vec<_>>()
    });
    for (i, r) in results.into_iter().enumerate() {
        if i % 2 == 0 {
            // Sent once more, to the replacement.
            let pid = r.unwrap_or_else(|e| panic!("idempotent call {i}: {e:?}"));
            assert_ne!(pid, first, "call {i}");
        } else {
            assert!(
                matches!(&r, Err(Error::WorkerCrash { cause, .. }) if cause.contains("code 9")),
                "call {i}: {r:?}"
            );
        }
    }
    let after: i64 = with_client(pool.clone(), || call("operator", "neg", (4,))).unwrap();
    assert_eq!(after, -4);
    let _ = std::fs::remove_file(gate);
}

/// Rust callbacks passed to async calls: called during a plain call, and by a coroutine after
/// its await (the callback lives until the task ends).
fn callbacks_in_async_calls(client: Arc<dyn RuntimeClient>) {
    with_client(client, || {
        let add = PyFn::new(|a: i64, b: i64| -> Result<i64> { Ok(a + b) });
        let sum = Call::<i64>::function("functools", "reduce", (add, vec![1, 2, 3, 4]));
        assert_eq!(block_on(sum.call_async()).unwrap(), 10);
        let triple = PyFn::new(|x: i64| -> Result<i64> { Ok(3 * x) });
        let later = Call::<i64>::function("snakebridge_async", "apply_later", (triple, 14));
        assert_eq!(block_on(later.call_async()).unwrap(), 42);
    })
}

#[test]
fn pool_callbacks_in_async_calls() {
    callbacks_in_async_calls(pool(1));
}

#[test]
fn embedded_callbacks_in_async_calls() {
    callbacks_in_async_calls(embedded());
}

/// Async Rust closures passed to Python are awaitable there: gathered, from a blocking call's
/// coroutine and from a task's, and awaiting one leaves the loop free for its other tasks.
fn async_closures_are_awaitable(client: Arc<dyn RuntimeClient>) {
    with_client(client, || {
        let tenfold = PyFn::new_async(|x: i64| async move { Ok(10 * x) });
        assert!(tenfold.is_async());
        let blocking: Vec<i64> =
            call("snakebridge_async", "awaited_each", (tenfold.clone(), 5)).unwrap();
        assert_eq!(blocking, [0, 10, 20, 30, 40]);
        let future = Call::<Vec<i64>>::function("snakebridge_async", "awaited_each", (tenfold, 3));
        assert_eq!(block_on(future.call_async()).unwrap(), [0, 10, 20]);
        // A Rust future that takes 200 ms: the coroutine's neighbour ticks meanwhile.
        let slow = PyFn::new_async(|| async {
            std::thread::sleep(Duration::from_millis(200));
            Ok(())
        });
        let ticks = Call::<i64>::function("snakebridge_async", "ticks_while", (slow,));
        let ticks = block_on(ticks.call_async()).unwrap();
        eprintln!("a 5 ms ticker ticked {ticks} times beside a 200 ms async Rust callback");
        assert!(ticks >= 5, "the loop was blocked: {ticks} ticks");
        // An error of the closure raises in Python, and comes back as the call's error.
        let failing = PyFn::new_async(|_: i64| async {
            Err::<i64, _>(Error::Callback {
                message: "no such key".into(),
            })
        });
        let failed = call::<Value>("snakebridge_async", "awaited_each", (failing, 1));
        assert!(
            matches!(&failed, Err(Error::Python(e)) if e.message.contains("no such key")),
            "{failed:?}"
        );
    })
}

#[test]
fn pool_async_closures_are_awaitable() {
    async_closures_are_awaitable(pool(1));
}

#[test]
fn embedded_async_closures_are_awaitable() {
    async_closures_are_awaitable(embedded());
}

#[test]
fn a_pool_workers_other_tasks_answer_while_a_task_awaits_a_rust_callback() {
    let pool = pool(1);
    let other_done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The callback's future ends once the other task's future did (or after 20 s).
    let waiting = PyFn::new_async({
        let other_done = other_done.clone();
        move || {
            let other_done = other_done.clone();
            async move {
                let deadline = std::time::Instant::now() + Duration::from_secs(20);
                while !other_done.load(Ordering::Acquire) && std::time::Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Ok(other_done.load(Ordering::Acquire))
            }
        }
    });
    let (first, other) = with_client(pool.clone(), || {
        let first = Call::<bool>::function("snakebridge_async", "await_callback", (waiting,));
        let other = Call::<i64>::function("snakebridge_async", "doubled_later", (2, 0.05));
        (first.call_async(), other.call_async())
    });
    let (results, _) = within(
        Duration::from_secs(60),
        "two tasks of one worker",
        move || {
            let other = block_on(other);
            other_done.store(true, Ordering::Release);
            (other, block_on(first))
        },
    );
    assert_eq!(results.0.unwrap(), 4);
    assert!(
        results.1.unwrap(),
        "the callback ended before the other task answered"
    );
}

/// The next item of an async stream, awaited.
async fn next_item<S: futures_core::Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx| std::pin::Pin::new(&mut *stream).poll_next(cx)).await
}

fn async_streams(client: Arc<dyn RuntimeClient>) {
    // An async generator and a plain one, consumed as `futures_core::Stream`s, each past a pool
    // stream's window (64 items).
    let (mut from_async, mut from_sync) = with_client(client.clone(), || {
        (
            Call::<Value>::function("snakebridge_async", "countdown", (150,)).stream_async::<i64>(),
            Call::<Value>::function("builtins", "range", (100,)).stream_async::<i64>(),
        )
    });
    let (a, b) = block_on(Box::pin(async move {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        while let Some(item) = next_item(&mut from_async).await {
            a.push(item.unwrap());
        }
        while let Some(item) = next_item(&mut from_sync).await {
            b.push(item.unwrap());
        }
        (a, b)
    }));
    assert_eq!(a, (1..=150).rev().collect::<Vec<i64>>());
    assert_eq!(b, (0..100).collect::<Vec<i64>>());
    // Dropped after two items: the async generator is closed (on a runner), `finally` runs.
    let closed = temp_path("closed");
    let mut early = with_client(client.clone(), || {
        Call::<Value>::function("snakebridge_async", "countdown", (1000,))
            .kwarg("closed", closed.to_str().unwrap())
            .stream_async::<i64>()
    });
    let first_two = block_on(Box::pin(async move {
        let x = next_item(&mut early).await.unwrap().unwrap();
        let y = next_item(&mut early).await.unwrap().unwrap();
        drop(early);
        (x, y)
    }));
    assert_eq!(first_two, (1000, 999));
    // The close is sent by a runner: poke the client until it has been handled.
    let closed_in_time = eventually(Duration::from_secs(10), || {
        let _: i64 = with_client(client.clone(), || call("operator", "add", (1, 1))).unwrap();
        closed.exists()
    });
    assert!(
        closed_in_time,
        "the dropped async stream's generator was not closed"
    );
    let _ = std::fs::remove_file(closed);
}

/// Async streams dropped while a fetch of theirs is in flight (or idle), racing calls of the
/// same client: every call completes (no wake-up is lost) and every stream is closed.
fn stream_closes_racing_calls(client: Arc<dyn RuntimeClient>) {
    for round in 0..60i64 {
        let closed = temp_path("closed");
        let (mut stream, sum) = with_client(client.clone(), || {
            let stream = Call::<Value>::function("snakebridge_async", "countdown", (1000,))
                .kwarg("closed", closed.to_str().unwrap())
                .stream_async::<i64>();
            (
                stream,
                Call::<i64>::function("operator", "add", (round, 1)).call_async(),
            )
        });
        let (got, _) = within(Duration::from_secs(30), "a call racing a stream's close", {
            move || {
                block_on(Box::pin(async move {
                    if round % 3 == 1 {
                        // Dropped while the fetch that opens it is in flight.
                        let noop = std::task::Waker::noop();
                        let mut cx = std::task::Context::from_waker(noop);
                        let _ = std::pin::Pin::new(&mut stream).poll_next(&mut cx);
                        drop(stream);
                        return sum.await;
                    }
                    assert_eq!(next_item(&mut stream).await.unwrap().unwrap(), 1000);
                    if round % 3 == 0 {
                        // A fetch in flight when the stream drops: the fetch closes it.
                        let noop = std::task::Waker::noop();
                        let mut cx = std::task::Context::from_waker(noop);
                        let _ = std::pin::Pin::new(&mut stream).poll_next(&mut cx);
                    }
                    drop(stream);
                    sum.await
                }))
            }
        });
        assert_eq!(got.unwrap(), round + 1);
        if round % 3 == 1 {
            // Dropped before it may even have opened: nothing to close then.
            continue;
        }
        let closed_in_time = eventually(Duration::from_secs(10), || {
            let _: i64 = with_client(client.clone(), || call("operator", "add", (1, 1))).unwrap();
            closed.exists()
        });
        assert!(
            closed_in_time,
            "round {round}: the dropped stream was not closed"
        );
        let _ = std::fs::remove_file(closed);
    }
}

#[test]
fn pool_stream_closes_racing_calls() {
    stream_closes_racing_calls(pool(1));
}

#[test]
fn embedded_stream_closes_racing_calls() {
    stream_closes_racing_calls(embedded());
}

#[test]
fn pool_async_streams() {
    async_streams(pool(1));
}

#[test]
fn embedded_async_streams() {
    async_streams(embedded());
}
