//! Cyclic and deeply nested data never aborts the process, on either client and in both
//! directions: nesting up to `contract::MAX_NESTING` converts, deeper is an `Error`, a value that
//! contains itself comes back with the cycle as a ref (or, asked for by value, as an error naming
//! the path), and a pool worker survives all of it.

#![cfg(feature = "embedded")]

mod support;

use std::sync::Arc;

use snakebridge_runtime::client::RuntimeClient;
use snakebridge_runtime::client::contract::MAX_NESTING;
use snakebridge_runtime::{Call, Error, PoolClient, ReturnPolicy, Value, call, with_client};

const MODULE: &str = "snakebridge_hostile";

use support::embedded;

fn nested(levels: usize) -> Value {
    let mut v = Value::Int(1);
    for _ in 0..levels {
        v = Value::List(vec![v]);
    }
    v
}

/// The depth of a value, counted without recursion.
fn depth(v: &Value) -> usize {
    let (mut deepest, mut stack) = (0, vec![(v, 0)]);
    while let Some((v, d)) = stack.pop() {
        if let Value::List(items) | Value::Tuple(items) = v {
            deepest = deepest.max(d + 1);
            stack.extend(items.iter().map(|i| (i, d + 1)));
        }
    }
    deepest
}

/// Every case, run on `client`.
fn cases(client: Arc<dyn RuntimeClient>) {
    with_client(client, || {
        // Deep data from Python: 200 and 500 levels (past serde_json's default limit of 128),
        // and the limit itself, convert.
        for levels in [200, 500, MAX_NESTING] {
            let v: Value = call(MODULE, "nested_list", (levels as i64,)).unwrap();
            assert_eq!(depth(&v), levels);
        }
        let dict: Value = call(MODULE, "nested_dict", (300,)).unwrap();
        assert!(matches!(dict, Value::Dict(_)));
        // Deeper than the limit: an error, not a crash.
        let err = call::<Value>(MODULE, "nested_list", (MAX_NESTING as i64 + 5,)).unwrap_err();
        // The README's promise: a `Decode` error that says where, the same on both clients.
        let Error::Decode { what, message } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(what, "list", "{err}");
        let at = format!(
            "nested more than {MAX_NESTING} levels deep (at {})",
            "[0]".repeat(MAX_NESTING)
        );
        assert!(message.starts_with(&at), "{err}");

        // Deep data to Python: 240 levels and the limit arrive whole; deeper is an encode error.
        for levels in [240, MAX_NESTING - 5] {
            let d: i64 = call(MODULE, "depth_of", (nested(levels),)).unwrap();
            assert_eq!(d as usize, levels);
        }
        let err = call::<i64>(MODULE, "depth_of", (nested(MAX_NESTING + 1),)).unwrap_err();
        assert!(matches!(err, Error::Encode { .. }), "{err:?}");
        assert!(err.to_string().contains("levels deep"), "{err}");
        // Far deeper than the stack: the same error, and dropping the refused argument (with
        // the request) does not overflow the stack.
        let err = call::<i64>(MODULE, "depth_of", (nested(200_000),)).unwrap_err();
        assert!(matches!(err, Error::Encode { .. }), "{err:?}");
        let err = Call::<i64>::function(MODULE, "depth_of", ())
            .kwarg("value", nested(200_000))
            .call()
            .unwrap_err();
        assert!(matches!(err, Error::Encode { .. }), "{err:?}");

        // A list that contains itself: by default the cycle stays in Python as a ref.
        let v: Value = call(MODULE, "self_list", ()).unwrap();
        let Value::List(items) = &v else {
            panic!("{v:?}")
        };
        assert_eq!(items[..2], [Value::Int(1), Value::Int(2)]);
        let Value::Ref(back) = &items[2] else {
            panic!("{v:?}")
        };
        assert_eq!(back.type_name(), "list");
        let len: i64 = call("builtins", "len", (back,)).unwrap();
        assert_eq!(len, 3);
        // Asked for by value, it is an error that says where the cycle closes.
        let err = Call::<Value>::function(MODULE, "self_list", ())
            .returns(ReturnPolicy::Value)
            .call()
            .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        assert!(err.to_string().contains("[2]"), "{err}");
        assert!(err.to_string().contains("contains itself"), "{err}");

        let v: Value = call(MODULE, "self_dict", ()).unwrap();
        let Value::List(items) = &v else {
            panic!("{v:?}")
        };
        let Value::Dict(entries) = &items[1] else {
            panic!("{v:?}")
        };
        assert!(matches!(entries[1].1, Value::Ref(_)), "{v:?}");
        let err = Call::<Value>::function(MODULE, "self_dict", ())
            .returns(ReturnPolicy::Value)
            .call()
            .unwrap_err();
        assert!(err.to_string().contains("[1][1]"), "{err}");

        // And the client still works.
        let root: f64 = call("math", "sqrt", (16.0,)).unwrap();
        assert_eq!(root, 4.0);
    });
}

#[test]
fn a_value_deeper_than_the_stack_drops_with_drop_deep() {
    let mut deep = nested(300_000);
    // Deep inside a dict, too.
    deep = Value::Dict(vec![(Value::Str("k".into()), deep)]);
    deep.drop_deep();
}

#[test]
fn embedded_client_survives_cycles_and_depth() {
    // On a thread with a small stack, as a user's worker thread might have.
    let client = embedded();
    support::on_small_stack(move || cases(client));
}

#[test]
fn pool_survives_cycles_and_depth_without_losing_a_worker() {
    let pool: Arc<PoolClient> = support::pool(1);
    let client: Arc<dyn RuntimeClient> = pool.clone();
    support::on_small_stack(move || cases(client));
    assert_eq!(
        pool.stats("default").unwrap().restarts,
        0,
        "no worker may die"
    );
    pool.shutdown();
}

#[test]
fn a_forked_child_never_answers_for_the_worker() {
    let pool: Arc<PoolClient> = support::pool(1);
    with_client(pool.clone(), || {
        // Through os.fork, and through libc's fork (no at-fork hook runs in that child).
        for f in ["fork_and_return", "fork_below_python_and_return"] {
            for _ in 0..3 {
                let who: String = call(MODULE, f, ()).unwrap();
                assert_eq!(who, "parent", "{f}");
            }
        }
        let root: f64 = call("math", "sqrt", (9.0,)).unwrap();
        assert_eq!(root, 3.0);
    });
    assert_eq!(pool.stats("default").unwrap().restarts, 0);
    pool.shutdown();
}

#[test]
fn an_empty_module_name_is_the_same_python_error_on_both_clients() {
    let pool: Arc<PoolClient> = support::pool(1);
    for client in [embedded(), pool.clone() as Arc<dyn RuntimeClient>] {
        let err = with_client(client, || call::<Value>("", "x", ())).unwrap_err();
        let Error::Python(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.class, "ValueError", "{err}");
        assert!(e.message.contains("Empty module name"), "{err}");
    }
    pool.shutdown();
}

#[test]
fn a_session_call_on_the_embedded_client_is_an_error_not_ignored() {
    let pool: Arc<PoolClient> = support::pool(1);
    let session = pool.session().unwrap();
    let err = with_client(embedded(), || {
        Call::<f64>::function("math", "sqrt", (4.0,))
            .session(&session)
            .call()
    })
    .unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    assert!(err.to_string().contains("in_session"), "{err}");
    drop(session);
    pool.shutdown();
}
