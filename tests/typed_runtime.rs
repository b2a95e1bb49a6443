//! What typed Python's annotations promise, delivered at run time through both clients (issue
//! 33): `Sequence[T]`/`Collection[T]` results from objects that are no lists, `Iterable[T]`
//! results that are generators, `Generator[Y, S, R]` driven with `send` to its return value,
//! tuples up to the contract's 17 both ways, exception chains, `float16` arrays. The module is
//! `tests/python/typed_runtime.py`; every test runs embedded and through a pool.

mod common;

use std::sync::{Arc, OnceLock};

use snakebridge::array::f16;
use snakebridge::{
    DType, Error, ExceptionKind, NdArray, PoolClient, PoolConfig, PyRef, PythonError, python_module,
};

#[python_module(
    "typed_runtime",
    include = [
        "numbers_range", "numbers_deque", "halves_array", "key_set", "squares",
        "running_total", "guarded_total", "echo_back", "twelve", "echo_twelve", "seventeen",
        "sum_seventeen", "lookup", "cleanup_fails", "half_steps", "sum_float16",
    ]
)]
pub mod typed {}

fn shared_pool() -> Arc<PoolClient> {
    static POOL: OnceLock<Arc<PoolClient>> = OnceLock::new();
    POOL.get_or_init(|| {
        PoolClient::start(PoolConfig::new().name("typed-runtime").size(1).env(
            "PYTHONPATH",
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python"),
        ))
        .expect("a pool")
    })
    .clone()
}

/// Each test, once embedded and once through the pool.
macro_rules! both_clients {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $(#[test] fn $name() {
                super::common::add_test_modules();
                super::$name()
            })*
        }
        mod pool {
            $(#[test] fn $name() { snakebridge::with_client(super::shared_pool(), super::$name) })*
        }
    };
}

both_clients!(
    sequence_results_decode_from_a_range_a_deque_and_an_array,
    collection_results_decode_from_a_set_like_view,
    iterable_results_stream_a_generator,
    objects_that_are_no_collection_stay_refused,
    a_generator_is_driven_by_send_to_its_return_value,
    a_generator_dropped_early_is_closed,
    a_generator_that_raises_ends_with_the_error,
    a_plain_iterator_driven_as_a_generator_takes_only_next,
    twelve_and_seventeen_tuples_cross_both_ways,
    an_explicit_cause_is_a_python_error_to_walk,
    an_implicit_context_is_a_python_error_to_walk,
    float16_arrays_convert_both_ways,
);

/// Empty globals for `eval` (the embedded client calls it from no Python frame, whose globals
/// it would otherwise take).
fn globals() -> std::collections::HashMap<String, i64> {
    std::collections::HashMap::new()
}

fn python_error(err: Error) -> PythonError {
    match err {
        Error::Python(e) => *e,
        other => panic!("not a Python error: {other:?}"),
    }
}

fn sequence_results_decode_from_a_range_a_deque_and_an_array() {
    let range: Vec<i64> = typed::numbers_range(5).call().unwrap();
    assert_eq!(range, [0, 1, 2, 3, 4]);
    let deque: Vec<i64> = typed::numbers_deque(3).call().unwrap();
    assert_eq!(deque, [0, 1, 2]);
    let halves: Vec<f64> = typed::halves_array(4).call().unwrap();
    assert_eq!(halves, [0.0, 0.5, 1.0, 1.5]);
    // Nested: a list of ranges asked for as data.
    let nested: Vec<Vec<i64>> =
        snakebridge::call("builtins", "eval", ("[range(2), range(3)]", globals())).unwrap();
    assert_eq!(nested, [vec![0, 1], vec![0, 1, 2]]);
}

fn collection_results_decode_from_a_set_like_view() {
    let mut keys: Vec<String> = typed::key_set(3).call().unwrap();
    keys.sort();
    assert_eq!(keys, ["k0", "k1", "k2"]);
}

fn iterable_results_stream_a_generator() {
    // `-> Iterable[int]` returning a generator expression: a stream, as a stub's would be.
    let squares: Vec<i64> = typed::squares(4)
        .call()
        .unwrap()
        .collect::<snakebridge::Result<_>>()
        .unwrap();
    assert_eq!(squares, [0, 1, 4, 9]);
}

fn objects_that_are_no_collection_stay_refused() {
    // A generator asked for as a Vec is not consumed to decode it, and a byte buffer is not a
    // list of ints: both stay refused as not data, as before.
    for expr in ["(i for i in range(3))", "bytearray(b'ab')"] {
        let err = snakebridge::call::<Vec<i64>>("builtins", "eval", (expr, globals())).unwrap_err();
        assert!(
            matches!(&err, Error::Decode { message, .. } if message.contains("not plain data")),
            "{expr}: {err:?}"
        );
    }
}

fn a_generator_is_driven_by_send_to_its_return_value() {
    let mut total: snakebridge::GenStream<i64, i64, String> =
        typed::running_total(10).call().unwrap();
    assert_eq!(total.next().unwrap().unwrap(), 0);
    assert_eq!(total.send(4).unwrap().unwrap(), 4);
    assert_eq!(total.next().unwrap().unwrap(), 5);
    assert!(total.returned().is_none());
    assert!(
        total.send(7).is_none(),
        "12 reaches the limit: the generator returns"
    );
    assert_eq!(
        total.returned().map(String::as_str),
        Some("reached 12 in 3 steps")
    );
    assert!(total.is_finished());
    assert!(total.send(1).is_none(), "no step after the end");
    assert_eq!(
        total.into_returned().as_deref(),
        Some("reached 12 in 3 steps")
    );
}

fn a_generator_dropped_early_is_closed() {
    let log: PyRef = snakebridge::module_attr("typed_runtime", "finally_ran").unwrap();
    let before: i64 = snakebridge::call("builtins", "len", (&log,)).unwrap();
    let mut total = typed::guarded_total().call().unwrap();
    assert_eq!(total.next().unwrap().unwrap(), 0);
    assert_eq!(total.send(41).unwrap().unwrap(), 41);
    drop(total);
    let after: Vec<i64> = snakebridge::call("builtins", "list", (&log,)).unwrap();
    assert_eq!(after.len() as i64, before + 1, "{after:?}");
    assert_eq!(after.last(), Some(&41));
}

fn a_generator_that_raises_ends_with_the_error() {
    let mut echo = typed::echo_back().call().unwrap();
    assert_eq!(echo.next().unwrap().unwrap(), "ready");
    assert_eq!(echo.send("abc".to_owned()).unwrap().unwrap(), "ABC");
    let err = echo.send("boom".to_owned()).unwrap().unwrap_err();
    assert!(err.is_python(ExceptionKind::ValueError), "{err:?}");
    assert!(echo.is_finished() && echo.returned().is_none());
    assert!(echo.next().is_none());
}

fn a_plain_iterator_driven_as_a_generator_takes_only_next() {
    let mut items: snakebridge::GenStream<i64, i64, ()> =
        snakebridge::Call::<snakebridge::Value>::function("builtins", "iter", (vec![1, 2],))
            .generator()
            .unwrap();
    assert_eq!(items.next().unwrap().unwrap(), 1);
    let err = items.send(5).unwrap().unwrap_err();
    assert!(format!("{err}").contains("no `send`"), "{err}");
}

fn twelve_and_seventeen_tuples_cross_both_ways() {
    let t = typed::twelve(1).call().unwrap();
    assert_eq!(
        t,
        (
            1,
            "a".to_owned(),
            0.5,
            true,
            2,
            "b".to_owned(),
            1.5,
            false,
            3,
            "c".to_owned(),
            2.5,
            true
        )
    );
    assert_eq!(typed::echo_twelve(t.clone()).call().unwrap(), t);
    let s = typed::seventeen(10).call().unwrap();
    assert_eq!((s.0, s.15, s.16.as_str()), (10, 25, "280"));
    assert_eq!(typed::sum_seventeen(s).call().unwrap(), 280);
}

fn an_explicit_cause_is_a_python_error_to_walk() {
    let err = python_error(typed::lookup("x").call().unwrap_err());
    assert_eq!(err.class, "typed_runtime.NotFound");
    assert_eq!(err.kind, ExceptionKind::LookupError);
    let cause = err.cause().expect("raised from the ValueError");
    assert_eq!(cause.kind, ExceptionKind::ValueError);
    assert!(
        cause.message.contains("invalid literal"),
        "{}",
        cause.message
    );
    assert!(cause.traceback.contains("in lookup"), "{}", cause.traceback);
    // Raised inside `except ... as e`: its context is the cause too.
    assert_eq!(
        err.exception_context().map(|c| &c.message),
        Some(&cause.message)
    );
    assert_eq!(err.chain().count(), 1);
    // The cause's exception object is kept, as the top one's is.
    let args: Vec<String> = cause
        .exception
        .as_ref()
        .expect("a ref")
        .getattr("args")
        .unwrap();
    assert_eq!(args, std::slice::from_ref(&cause.message));
}

fn an_implicit_context_is_a_python_error_to_walk() {
    let err = python_error(typed::cleanup_fails().call().unwrap_err());
    assert_eq!(err.kind, ExceptionKind::RuntimeError);
    assert!(err.cause().is_none());
    let context = err
        .exception_context()
        .expect("raised while handling a KeyError");
    assert_eq!(context.kind, ExceptionKind::KeyError);
    assert_eq!(context.message, "'missing'");
    assert_eq!(
        err.chain().map(|e| e.class.as_str()).collect::<Vec<_>>(),
        ["KeyError"]
    );
    // The top traceback keeps the chain's text; a link's is its own.
    assert!(
        err.traceback
            .contains("During handling of the above exception")
    );
    assert!(!context.traceback.contains("During handling"));
}

fn float16_arrays_convert_both_ways() {
    let array: NdArray = snakebridge::Call::function("typed_runtime", "half_steps", (4,))
        .call()
        .unwrap();
    assert_eq!(
        array.dtype(),
        DType::Float16,
        "float16 elements, not a list of floats"
    );
    assert_eq!(array.shape(), [4]);
    assert_eq!(
        array.to_vec::<f16>().unwrap(),
        [0.0, 0.5, 1.0, 1.5].map(f16::from_f64)
    );
    // And from Rust: numpy receives a float16 array (the function asserts its dtype).
    let back = NdArray::from_vec(vec![f16::from_f64(0.25); 8]);
    assert_eq!(typed::sum_float16(back).call().unwrap(), 2.0);
    // A large one crosses the pool through shared memory rather than attachments.
    let large = NdArray::from_vec(vec![f16::from_f64(1.0); 20_000]);
    assert_eq!(typed::sum_float16(large).call().unwrap(), 20_000.0);
}
