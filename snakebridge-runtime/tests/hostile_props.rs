//! Fuzzing the converters with hostile shapes, on both clients: random deep Rust values (up to
//! past `MAX_NESTING`) sent to Python and back, and random Python object graphs with shared
//! nodes and cycles brought to Rust. Nothing may abort; every outcome is the documented one.

#![cfg(feature = "embedded")]

mod support;

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use snakebridge_runtime::client::RuntimeClient;
use snakebridge_runtime::client::contract::MAX_NESTING;
use snakebridge_runtime::{Call, Error, PoolClient, PyRef, ReturnPolicy, Value, call, with_client};

const MODULE: &str = "snakebridge_hostile";

use support::embedded;

fn pool() -> Arc<PoolClient> {
    static POOL: OnceLock<Arc<PoolClient>> = OnceLock::new();
    POOL.get_or_init(|| support::pool(1)).clone()
}

fn clients() -> [Arc<dyn RuntimeClient>; 2] {
    [embedded(), pool()]
}

/// One level of a deep value: which container wraps the level below, and a sibling scalar.
#[derive(Debug, Clone)]
enum Level {
    List,
    Tuple,
    Dict,
    ListWithSibling(i64),
}

/// A spine of `levels` containers around a scalar (deep, not wide: depth is the point).
fn spine(levels: &[Level]) -> Value {
    let mut v = Value::Str("leaf".into());
    for level in levels {
        v = match level {
            Level::List => Value::List(vec![v]),
            Level::Tuple => Value::Tuple(vec![v]),
            Level::Dict => Value::Dict(vec![(Value::Str("k".into()), v)]),
            Level::ListWithSibling(i) => Value::List(vec![Value::Int(*i), v]),
        };
    }
    v
}

/// Whether a ref lies anywhere inside `v` (walked without recursion).
fn holds_a_ref(v: &Value) -> bool {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Ref(_) => return true,
            Value::List(items) | Value::Tuple(items) => stack.extend(items),
            Value::Dict(entries) => stack.extend(entries.iter().flat_map(|(k, v)| [k, v])),
            _ => {}
        }
    }
    false
}

fn level() -> impl Strategy<Value = Level> {
    prop_oneof![
        Just(Level::List),
        Just(Level::Tuple),
        Just(Level::Dict),
        any::<i64>().prop_map(Level::ListWithSibling),
    ]
}

/// Depths around the interesting points: shallow, serde_json's old 128, the limit.
fn depth() -> impl Strategy<Value = usize> {
    prop_oneof![
        0usize..20,
        120usize..140,
        (MAX_NESTING - 3)..(MAX_NESTING + 3),
        (MAX_NESTING + 3)..(MAX_NESTING + 200),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn deep_rust_values_round_trip_or_fail_cleanly(
        levels in depth().prop_flat_map(|d| proptest::collection::vec(level(), d))
    ) {
        let value = spine(&levels);
        for client in clients() {
            let back = with_client(client, || call::<Value>(MODULE, "identity", (value.clone(),)));
            if levels.len() <= MAX_NESTING {
                prop_assert_eq!(back.as_ref().ok(), Some(&value), "depth {}", levels.len());
            } else {
                prop_assert!(matches!(back, Err(Error::Encode { .. })), "{:?}", back.err());
            }
        }
    }

    #[test]
    fn python_graphs_with_shared_nodes_and_cycles_convert_as_documented(
        seed in any::<u32>(),
        nodes in 1i64..60,
        back_edges in 0i64..6,
    ) {
        for client in clients() {
            with_client(client, || -> Result<(), TestCaseError> {
                let (root, cyclic, depth): (PyRef, bool, i64) = {
                    let graph: PyRef = Call::<PyRef>::function(MODULE, "random_graph", (seed, nodes, back_edges))
                        .call()
                        .unwrap();
                    let root: PyRef = graph.call_method("__getitem__", (0,)).unwrap();
                    let cyclic: bool = graph.call_method("__getitem__", (1,)).unwrap();
                    let depth: i64 = graph.call_method("__getitem__", (2,)).unwrap();
                    (root, cyclic, depth)
                };
                prop_assert!(depth as usize <= MAX_NESTING);
                // By default: always converts; a cycle stays in Python as a ref.
                let auto = call::<Value>(MODULE, "identity", (&root,));
                prop_assert!(auto.is_ok(), "{:?}", auto.err());
                let auto = auto.unwrap();
                // By value: converts exactly when acyclic; a cycle is a Decode error saying so.
                let strict = Call::<Value>::function(MODULE, "identity", (&root,))
                    .returns(ReturnPolicy::Value)
                    .call();
                match strict {
                    Ok(strict) => {
                        prop_assert!(!cyclic);
                        // Acyclic (shared nodes included): the default gives the same data,
                        // with no ref in it.
                        prop_assert_eq!(&auto, &strict);
                    }
                    Err(Error::Decode { message, .. }) => {
                        prop_assert!(cyclic, "{}", message);
                        prop_assert!(message.contains("contains itself"), "{}", message);
                        prop_assert!(holds_a_ref(&auto), "the cycle is not a ref: {:?}", auto);
                    }
                    Err(other) => prop_assert!(false, "{other:?}"),
                }
                Ok(())
            })?;
        }
        prop_assert_eq!(pool().stats("default").unwrap().restarts, 0);
    }
}
