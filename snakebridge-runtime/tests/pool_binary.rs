//! The pool's binary frames (`PROTOCOL.md`, "Binary frames") against real workers: a call of
//! plain data goes binary and converts exactly as the same values do through the JSON form,
//! both ways; the crash barrier, timeouts, sessions and errors work the same.

#![cfg(unix)]

mod support;

use std::sync::Arc;

use snakebridge_runtime::{Error, PoolClient, Value, call, in_session, with_client};

fn pool() -> Arc<PoolClient> {
    PoolClient::start(support::config(1)).unwrap()
}

/// Plain values (the binary form's kinds), the edges of each.
fn plain_values() -> Vec<Value> {
    vec![
        Value::None,
        Value::Bool(true),
        Value::Bool(false),
        Value::Int(0),
        Value::Int(i64::MIN),
        Value::Int(i64::MAX),
        Value::Float(-0.0),
        Value::Float(f64::INFINITY),
        Value::Float(f64::NEG_INFINITY),
        Value::Float(f64::NAN),
        Value::Float(5e-324),
        Value::Str(String::new()),
        Value::Str("é\u{1F600}\0\"{".into()),
        Value::Bytes(vec![0, 255, 10]),
        Value::List(vec![Value::Int(1), Value::Str("a".into()), Value::None]),
        Value::Tuple(vec![
            Value::Float(1.5),
            Value::List(vec![Value::Bool(true)]),
        ]),
        Value::Tuple(vec![]),
    ]
}

/// What Python makes of a value sent binary (as a positional argument) and through JSON (the
/// same value inside a dict, which has no binary form): the same `repr` (which names the type too).
#[test]
fn arguments_convert_in_python_exactly_as_through_json() {
    with_client(pool(), || {
        for v in plain_values() {
            let binary: String = call("builtins", "repr", (v.clone(),)).unwrap();
            let json: String = call(
                "builtins",
                "repr",
                (Value::Dict(vec![(Value::Str("k".into()), v.clone())]),),
            )
            .unwrap();
            assert_eq!(format!("{{'k': {binary}}}"), json, "{v:?}");
        }
    });
}

/// A plain result comes back binary; the same value inside a list (no binary result form)
/// through JSON: both decode to the same Rust value.
#[test]
fn results_convert_in_rust_exactly_as_through_json() {
    with_client(pool(), || {
        for v in plain_values() {
            let binary: Value = call("copy", "copy", (v.clone(),)).unwrap();
            let json: Value = call("builtins", "list", ((v.clone(),),)).unwrap();
            let Value::List(items) = json else {
                panic!("not a list")
            };
            assert_eq!(items.len(), 1);
            assert_eq!(binary, items[0], "{v:?}");
            assert_eq!(binary, v);
        }
    });
}

/// Errors, keyword arguments, a session and a timeout on binary calls behave as on JSON ones.
#[test]
fn binary_calls_keep_errors_keywords_sessions_and_timeouts() {
    let pool = pool();
    with_client(pool.clone(), || {
        let err = call::<Value>("operator", "truediv", (1, 0)).unwrap_err();
        assert!(
            matches!(&err, Error::Python(e) if e.class == "ZeroDivisionError"),
            "{err:?}"
        );
        let err = call::<Value>("no_such_module_anywhere", "f", (1,)).unwrap_err();
        assert!(
            matches!(&err, Error::Python(e) if e.class == "ModuleNotFoundError"),
            "{err:?}"
        );
        let rounded: f64 = snakebridge_runtime::Call::function("builtins", "round", (1.23456,))
            .kwarg("ndigits", 2)
            .call()
            .unwrap();
        assert_eq!(rounded, 1.23);
        let session = pool.session().unwrap();
        in_session(&session, || {
            let _: Value = call("snakebridge_faults", "remember", ("k", 5)).unwrap();
            let back: i64 = call("snakebridge_faults", "recall", ("k",)).unwrap();
            assert_eq!(back, 5);
        });
        drop(session);
        let err = snakebridge_runtime::Call::<Value>::function("time", "sleep", (5,))
            .timeout(std::time::Duration::from_millis(100))
            .call()
            .unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
        // The replacement worker learns the site afresh.
        let n: i64 = call("operator", "add", (1, 2)).unwrap();
        assert_eq!(n, 3);
    });
}

/// Calls whose arguments are all ints and floats are read whole by their shape in the worker
/// (`binary_calls.py`, `number_shape`): every shape arrives as sent, the same shape again (the
/// remembered reader), one with more arguments than it remembers shapes for, one with a
/// string among them, and one with keywords, each read as the general reader reads it.
#[test]
fn number_arguments_of_every_shape_arrive_as_sent() {
    let arguments =
        |args: Vec<Value>| -> String { call("snakebridge_faults", "arguments", args).unwrap() };
    with_client(pool(), || {
        use Value::{Float, Int, Str};
        assert_eq!(arguments(vec![]), "((), {})");
        for _ in 0..2 {
            assert_eq!(arguments(vec![Int(41), Int(1)]), "((41, 1), {})");
            assert_eq!(
                arguments(vec![Float(1.5), Int(i64::MIN), Float(-0.0), Int(i64::MAX)]),
                format!("((1.5, {}, -0.0, {}), {{}})", i64::MIN, i64::MAX)
            );
            assert_eq!(arguments(vec![Int(2), Float(4.0)]), "((2, 4.0), {})");
            assert_eq!(arguments(vec![Float(f64::NAN)]), "((nan,), {})");
        }
        let nine: Vec<Value> = (1..=9).map(Int).collect();
        assert_eq!(arguments(nine), "((1, 2, 3, 4, 5, 6, 7, 8, 9), {})");
        assert_eq!(
            arguments(vec![Int(3), Str("\u{3}".into()), Float(3.0)]),
            "((3, '\\x03', 3.0), {})"
        );
        let with_keywords: String =
            snakebridge_runtime::Call::function("snakebridge_faults", "arguments", (3, 4.5))
                .kwarg("k", 3)
                .call()
                .unwrap();
        assert_eq!(with_keywords, "((3, 4.5), {'k': 3})");
    });
}

/// After a binary call it answered, the worker reads the next frame itself while calls come
/// back to back (`binary_calls.py`, `serve`): whatever that frame is, it is served as the serve
/// loop would, in order. A tight loop whose every call is followed by a frame of another kind:
/// a JSON call, a binary call larger than one read of the pipe (it arrives in pieces), one with
/// keywords, one that raises, a call of a ref, then the loop again.
#[test]
fn any_frame_after_a_binary_call_is_served_in_order() {
    with_client(pool(), || {
        let big = "x".repeat(300_000);
        for i in 0..50_i64 {
            let n: i64 = call("operator", "add", (i, 1)).unwrap();
            assert_eq!(n, i + 1);
            let m: i64 = match i % 5 {
                // A dict argument has no binary form: a JSON call.
                0 => call(
                    "operator",
                    "getitem",
                    (std::collections::HashMap::from([("k", i)]), "k"),
                )
                .unwrap(),
                1 => call("builtins", "len", (big.as_str(),)).unwrap(),
                2 => snakebridge_runtime::Call::function("builtins", "int", ("11",))
                    .kwarg("base", 2)
                    .call()
                    .unwrap(),
                3 => {
                    let err = call::<i64>("operator", "floordiv", (i, 0)).unwrap_err();
                    assert!(
                        matches!(&err, Error::Python(e) if e.class == "ZeroDivisionError"),
                        "{err:?}"
                    );
                    i
                }
                _ => {
                    let list: snakebridge_runtime::PyRef =
                        call("builtins", "list", ((0..i).collect::<Vec<i64>>(),)).unwrap();
                    call("builtins", "len", (&list,)).unwrap()
                }
            };
            let want = match i % 5 {
                1 => 300_000,
                2 => 3,
                _ => i,
            };
            assert_eq!(m, want, "call {i}");
        }
    });
}

/// A call read on the worker's hot path (all arguments ints and floats) whose result is an int
/// beyond i64, or not a number at all, answers as the same call read by the full reader (a
/// keyword argument sends it there): a binary ok cannot carry the int, the JSON reply does.
#[test]
fn hot_path_results_beyond_a_binary_ok_answer_as_the_full_reader_does() {
    with_client(pool(), || {
        for (base, exp) in [(2_i64, 64_i64), (-2, 63), (2, 62), (-2, 65)] {
            for _ in 0..2 {
                let hot: Value = call("builtins", "pow", (base, exp)).unwrap();
                let full: Value = snakebridge_runtime::Call::function("builtins", "pow", (base,))
                    .kwarg("exp", exp)
                    .call()
                    .unwrap();
                assert_eq!(hot, full, "{base} ** {exp}");
            }
        }
        let hot: Value = call("operator", "eq", (1, 1.0)).unwrap();
        assert_eq!(hot, Value::Bool(true));
        let hot: Value = call("operator", "truediv", (1, 4)).unwrap();
        assert_eq!(hot, Value::Float(0.25));
    });
}

/// Refs dropped before a call of numbers ride on that call's frame (its release count is not
/// 0): the worker reads it with the full reader, releases them, and answers the call.
#[test]
fn refs_released_on_a_call_of_numbers_go() {
    with_client(pool(), || {
        let live = || call::<i64>("snakebridge_async", "live_refs", ()).unwrap();
        let before = live();
        let list: snakebridge_runtime::PyRef =
            call("builtins", "list", ((1_i64, 2_i64, 3_i64),)).unwrap();
        let other: snakebridge_runtime::PyRef = call("builtins", "list", ((4_i64,),)).unwrap();
        assert_eq!(live(), before + 2);
        drop(list);
        drop(other);
        let n: i64 = call("operator", "add", (40, 2)).unwrap();
        assert_eq!(n, 42);
        assert_eq!(live(), before);
    });
}
