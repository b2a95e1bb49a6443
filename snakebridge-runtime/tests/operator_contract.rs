//! The contract's `OPERATORS` and the runtime's `__py_ops!` agree: every listed operator
//! expands (this file would not compile otherwise), and the list below is the contract's.

use snakebridge_runtime::{PyRef, Value};

#[repr(transparent)]
pub struct Probe {
    __sb_ref: PyRef,
}
snakebridge_runtime::__private::__py_class!(Probe, "builtins", "object");

// Every operator of the contract, in its order.
snakebridge_runtime::__private::__py_ops!(Probe => Value; []; add, sub, mul, truediv, mod, and, or, xor,
    lshift, rshift, radd, rsub, rmul, rtruediv, rmod, neg, invert, pow, matmul, floordiv, lt, le,
    gt, ge, pos, abs, iadd, isub, imul, itruediv);

const LISTED: &[&str] = &[
    "add", "sub", "mul", "truediv", "mod", "and", "or", "xor", "lshift", "rshift", "radd", "rsub",
    "rmul", "rtruediv", "rmod", "neg", "invert", "pow", "matmul", "floordiv", "lt", "le", "gt",
    "ge", "pos", "abs", "iadd", "isub", "imul", "itruediv",
];

#[test]
fn every_contract_operator_is_implemented_by_the_macro() {
    assert_eq!(LISTED, snakebridge_runtime::client::contract::OPERATORS);
    // The impls exist (type-checked, not called: no Python needed).
    fn _uses(p: &Probe) {
        let _ = p + 1;
        let _ = 1 + p;
        let _ = -p;
        let _ = p.pow(2);
        let _ = p.lt(1);
        let _ = p.abs();
    }
}
