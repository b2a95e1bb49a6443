//! Python coroutines and async generators through both clients: an `async def` called from
//! Rust gives its value (blocking `call` and `call_async` alike), its exception as the error,
//! and an async generator streams item by item with the stream's flow control; dropping the
//! stream early closes the async generator (its `finally` runs).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use snakebridge_runtime::client::RuntimeClient;
use snakebridge_runtime::{Call, Error, ExceptionKind, PyFn, Result, Value, call, with_client};
use support::{embedded, eventually, pool};

fn temp_path(what: &str) -> std::path::PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "sb-coro-{}-{what}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Polls one future to its end on this thread (parking between polls).
fn block_on<F: std::future::Future + Unpin>(mut future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    loop {
        if let std::task::Poll::Ready(out) = std::pin::Pin::new(&mut future).poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
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

#[test]
fn fifty_embedded_coroutines_run_at_once() {
    let client = embedded();
    // Each returns only once all fifty wait together: one at a time, the first would time out.
    let futures: Vec<_> = with_client(client.clone(), || {
        (0..50)
            .map(|_| {
                Call::<i64>::function("snakebridge_async", "rendezvous", ("fifty", 50)).call_async()
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
        "embedded: 50 concurrent awaits of asyncio.sleep(0.05) took {:?} (one at a time: 2.5 s)",
        started.elapsed()
    );
}

#[test]
fn dropping_an_embedded_coroutine_future_cancels_its_task() {
    let client = embedded();
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

#[test]
fn pool_async_streams() {
    async_streams(pool(1));
}

#[test]
fn embedded_async_streams() {
    async_streams(embedded());
}
