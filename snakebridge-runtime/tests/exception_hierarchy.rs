//! The contract's exception hierarchy (`ExceptionKind::base`) is Python's: every kind's class is
//! a builtin, its base kind's class is a real base of it, and no kind that the contract leaves
//! without a base has a kind among its bases (so `is_python` matches exactly what Python's
//! `except` would).

#![cfg(feature = "embedded")]

use snakebridge_runtime::{ExceptionKind, call};

fn issubclass(class: &str, base: &str) -> bool {
    let code = format!("issubclass({class}, {base})");
    call(
        "builtins",
        "eval",
        (code, snakebridge_runtime::Value::Dict(vec![])),
    )
    .unwrap()
}

#[test]
fn the_contracts_hierarchy_is_pythons() {
    for &kind in ExceptionKind::ALL {
        for &other in ExceptionKind::ALL {
            let python = issubclass(kind.class_name(), other.class_name());
            assert_eq!(
                kind.is_a(other),
                python,
                "{kind:?}.is_a({other:?}) disagrees with Python's issubclass"
            );
        }
    }
}
