//! Generator functions bound by `#[python_module]` stream, through the embedded interpreter and
//! through a pool of workers.

mod common;

use snakebridge::{ExceptionKind, PyRef, python_module, with_client};

/// The test helper module `tests/python/snakebridge_testmod.py`.
#[python_module("snakebridge_testmod", streaming = ["shout"])]
pub mod testmod {}

#[test]
fn generator_functions_stream_through_their_binding() {
    common::add_test_modules();
    let items: Vec<i64> = testmod::countdown(3)
        .call()
        .unwrap()
        .map(|item| item.unwrap().extract::<i64>().unwrap())
        .collect();
    assert_eq!(items, [3, 2, 1]);
}

#[test]
fn early_drop_runs_the_generators_finally() {
    common::add_test_modules();
    let log: PyRef = snakebridge::module_attr("snakebridge_testmod", "finally_ran").unwrap();
    let before: i64 = snakebridge::call("builtins", "len", (&log,)).unwrap();
    let mut stream = testmod::countdown(100).call().unwrap();
    assert_eq!(
        stream.next().unwrap().unwrap(),
        snakebridge::Value::Int(100)
    );
    drop(stream);
    let after: i64 = snakebridge::call("builtins", "len", (&log,)).unwrap();
    assert_eq!(after, before + 1);
}

#[test]
fn an_exception_mid_stream_is_the_next_items_error() {
    common::add_test_modules();
    let mut stream = testmod::fails_after(1).call().unwrap();
    assert!(stream.next().unwrap().is_ok());
    let err = stream.next().unwrap().unwrap_err();
    assert!(err.is_python(ExceptionKind::ValueError), "{err:?}");
    assert!(stream.next().is_none());
}

#[test]
fn the_streaming_list_marks_other_functions() {
    common::add_test_modules();
    // `shout` returns a str, and a str is iterable: streamed because `streaming` lists it.
    let letters: Vec<String> = testmod::shout("ab")
        .call()
        .unwrap()
        .map(|c| c.unwrap().extract::<String>().unwrap())
        .collect();
    assert_eq!(letters, ["A", "B"]);
}

#[cfg(unix)]
#[test]
fn generator_bindings_stream_through_the_pool() {
    use snakebridge::{PoolClient, PoolConfig};
    let pool = PoolClient::start(PoolConfig::new().name("streaming-bindings").size(1).env(
        "PYTHONPATH",
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python"),
    ))
    .unwrap();
    with_client(pool, || {
        let items: Vec<i64> = testmod::countdown(4)
            .call()
            .unwrap()
            .map(|item| item.unwrap().extract::<i64>().unwrap())
            .collect();
        assert_eq!(items, [4, 3, 2, 1]);
        let mut failing = testmod::fails_after(2).call().unwrap();
        assert!(failing.next().unwrap().is_ok());
        assert!(failing.next().unwrap().is_ok());
        assert!(
            failing
                .next()
                .unwrap()
                .unwrap_err()
                .is_python(ExceptionKind::ValueError)
        );
    });
}
