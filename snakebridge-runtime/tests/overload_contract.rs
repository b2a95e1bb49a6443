//! The contract's `OverloadKind` list and the runtime's `__py_overloads!` agree: every kind's
//! keyword is an arm the macro takes (this file would not compile otherwise), each arm lands on
//! the `kind::` type the contract names, and the list below is the contract's, in its order.

use std::any::type_name;

use snakebridge_runtime::__private::{ArgKind, kind};
use snakebridge_runtime::client::contract::OverloadKind;
use snakebridge_runtime::{PyRef, Value};

#[repr(transparent)]
pub struct Probe {
    __sb_ref: PyRef,
}
snakebridge_runtime::__private::__py_class!(Probe, "builtins", "object");

// One arm per kind of the contract, each with its own result type so that the test can tell
// which `kind::` type an arm was implemented for.
snakebridge_runtime::__private::__py_overloads! {
    /// The probe's result per kind.
    ProbeArg("not a kind the probe takes");
    int => i8; float => i16; str => i32; bytes => i64; bool => u8; array => u16;
    class Probe => u32;
}

/// The keywords passed above, in order.
const LISTED: &[&str] = &["int", "float", "str", "bytes", "bool", "array", "class"];

/// The result type of a call whose first argument is an `A`.
fn output_of<A: ArgKind>(_: A) -> &'static str
where
    A::Kind: ProbeArg,
{
    type_name::<<A::Kind as ProbeArg>::Output>()
}

/// The last path segment of the `kind::` type `A` is sorted into (`Float`, `Class`).
fn kind_name<A: ArgKind>() -> &'static str {
    let name = type_name::<A::Kind>();
    let name = name.split('<').next().unwrap_or(name);
    name.rsplit("::").next().unwrap_or(name)
}

fn kind_of<A: ArgKind>(_: A) -> &'static str {
    kind_name::<A>()
}

#[test]
fn every_contract_kind_is_an_arm_of_the_macro() {
    let keywords: Vec<&str> = OverloadKind::ALL.iter().map(|k| k.keyword()).collect();
    assert_eq!(LISTED, keywords);
    assert!(
        OverloadKind::DATA
            .iter()
            .all(|k| OverloadKind::ALL.contains(k) && *k != OverloadKind::Class)
    );
}

/// Each keyword's arm is the impl for the runtime type the contract names: an argument of that
/// kind gets the arm's result.
#[test]
fn each_arm_lands_on_the_contracts_runtime_type() {
    let cases: [(OverloadKind, &str, &str); 7] = [
        (OverloadKind::Int, kind_of(1i64), output_of(1i64)),
        (OverloadKind::Float, kind_of(1.0), output_of(1.0)),
        (OverloadKind::Str, kind_of("s"), output_of("s")),
        (
            OverloadKind::Bytes,
            kind_of(snakebridge_runtime::Bytes::default()),
            output_of(snakebridge_runtime::Bytes::default()),
        ),
        (OverloadKind::Bool, kind_of(true), output_of(true)),
        (OverloadKind::Array, kind_of(vec![1]), output_of(vec![1])),
        (
            OverloadKind::Class,
            // A generated class, without making one (that would need Python).
            kind_name::<Probe>(),
            type_name::<<kind::Class<Probe> as ProbeArg>::Output>(),
        ),
    ];
    let results = ["i8", "i16", "i32", "i64", "u8", "u16", "u32"];
    for ((kind, runtime_type, output), result) in cases.into_iter().zip(results) {
        assert_eq!(runtime_type, kind.runtime_type(), "{kind:?}");
        assert_eq!(output, result, "{kind:?}: the `{}` arm", kind.keyword());
    }
    // What no kind covers gives a `Value`.
    assert_eq!(output_of(Value::None), type_name::<Value>());
}
