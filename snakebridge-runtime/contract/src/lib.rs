//! The contract between snakebridge's code generator (`#[python_module]`, at compile time) and its
//! runtime: every fact both sides rely on is written here once, and both depend on this crate.
//!
//! - [`builder`]: the method names the runtime's call builders define, which a generated setter
//!   for a Python parameter must not take.
//! - [`MAX_TUPLE_ARITY`]: the largest Rust tuple the runtime converts (as call arguments and as a
//!   typed result), so the generator emits tuples up to it and `Vec`s beyond.
//! - [`MAX_SITE_ARGS`]: the most scalar arguments of a typed site call (`SiteCall`).
//! - [`ExceptionKind`]: the Python exception classes a caller can match without comparing strings,
//!   in the order an exception's class is tested against them.
//! - [`interpreter`]: the one rule that chooses the Python interpreter, used by the introspector,
//!   the embedded client's environment and the pool's workers alike.
//! - [`OverloadKind`]: the kinds of first argument an overloaded callable is told apart by,
//!   as the generator's `__py_overloads!` arms spell them and the runtime implements them.
//! - [`python_package`]: Python packages shipped inside a crate and imported from memory by a
//!   child interpreter (the pool's worker, the introspector).
//!
//! ```
//! use snakebridge_contract::{builder, interpreter, MAX_TUPLE_ARITY};
//!
//! assert!(builder::is_reserved("call_as", false, false));
//! assert!(builder::is_reserved("kwarg", false, true));
//! assert_eq!(MAX_TUPLE_ARITY, 17);
//! let chosen = interpreter::choose(|var| (var == "PYO3_PYTHON").then(|| "/opt/py/bin/python".into()));
//! assert_eq!(chosen.source, interpreter::Source::Pyo3Python);
//! ```

#![warn(missing_docs)]
pub mod builder;
mod exception;
pub mod interpreter;
mod overload;
pub mod python_package;

pub use exception::ExceptionKind;
pub use overload::OverloadKind;

/// The largest tuple the runtime converts: `IntoArgs` for argument tuples, `IntoValue` and
/// `FromValue` for tuple values. The generator passes up to this many positional arguments as a
/// tuple (no allocation) and more as a `Vec`, and maps `tuple[A, ...]` annotations up to this
/// arity to Rust tuples. 17: as far as the peers go (Python modules typed for them return
/// tuples of up to 17 items). Beyond 12 a tuple has no `Debug` or `PartialEq` from std.
pub const MAX_TUPLE_ARITY: usize = 17;

/// The most arguments of a typed site call (the runtime's `SiteCall`: a module function whose
/// arguments are all `int`, `float`, `bool` or `str` and which takes no optional ones). The
/// generator returns a `SiteCall` from such functions of at most this many arguments (a
/// `Call` beyond); the runtime implements its argument tuples up to it.
pub const MAX_SITE_ARGS: usize = 4;

/// How deep values may nest on every path that walks them (the embedded client's conversions
/// both ways, the pool's wire on both sides, the serde bridge): Python's own default recursion
/// limit. Deeper data is an `Error` naming where it went too deep, never a stack overflow.
pub const MAX_NESTING: usize = 1000;

/// The Python operators generated classes get, by dunder name without underscores: what the
/// code generator emits and the runtime's `__py_ops!` implements (`operator_contract` in the
/// runtime's tests passes each to the macro). Reflected forms (`radd`, ...) implement the
/// operator on `i64` and `f64` left operands.
pub const OPERATORS: &[&str] = &[
    "add", "sub", "mul", "truediv", "mod", "and", "or", "xor", "lshift", "rshift", "radd", "rsub",
    "rmul", "rtruediv", "rmod", "neg", "invert", "pow", "matmul", "floordiv", "lt", "le", "gt",
    "ge", "pos", "abs", "iadd", "isub", "imul", "itruediv",
];

/// The advice of the `Decode` error when an object that is not data comes back where data was
/// asked for (the embedded client's converter and the pool's worker both give it; the worker
/// receives it in its environment).
pub const NOT_DATA_HINT: &str = "the object is not plain data: take it as a PyRef (or its \
generated class) and convert there, e.g. `.call_method(\"tolist\", ())`, or for a numpy array \
ask for an `ndarray::Array`/`NdArray` (`.call_as::<Array1<_>>()`, `PyRef::to_array`)";
