//! [`Value`]: the Rust model of everything that crosses the boundary, and its conversions from
//! and to ordinary Rust types ([`IntoValue`] / [`FromValue`]).
//!
//! The model is lossless for Python's plain data: an `int` of any size, a `float` including NaN,
//! ±inf and -0.0, `str`, `bytes`, `list`, `tuple`, `dict` (insertion order and non-string keys
//! kept), `set`, `frozenset`, `datetime`/`date`/`time`, `complex` and `None`. Everything else stays
//! in Python and is represented by a [`PyRef`].
//!
//! This file holds the type ([`Value`], and [`Bytes`], which marks a buffer as Python `bytes`);
//! `time.rs` the date types ([`Date`], [`Time`], [`DateTime`]: fields, ISO 8601 text);
//! `convert.rs` the [`IntoValue`] / [`FromValue`] traits and their impls for Rust types;
//! `scalar.rs` [`Scalar`], a plain value read in place (a typed callback's fast path).
//! Every item is reached as `crate::data::value::X`.

mod convert;
mod scalar;
mod time;

pub(crate) use convert::covers_tuple_arities;
pub use convert::{FromValue, IntoValue};
pub use scalar::Scalar;
pub use time::{Date, DateTime, Time};

use std::fmt;
use std::hash::Hash;

use num_bigint::BigInt;

use crate::data::array::NdArray;
use crate::data::error::Result;
use crate::data::pyfn::PyFn;
use crate::data::pyref::PyRef;

/// A value that crosses between Rust and Python.
///
/// ```
/// use snakebridge_runtime::{Value, IntoValue};
///
/// let v = vec![(1, "one"), (2, "two")].into_value();
/// assert_eq!(v, Value::List(vec![
///     Value::Tuple(vec![Value::Int(1), Value::Str("one".into())]),
///     Value::Tuple(vec![Value::Int(2), Value::Str("two".into())]),
/// ]));
/// ```
///
/// Equality is structural (sets ignore order); floats compare by bit pattern except that every
/// NaN equals every NaN, so `-0.0 != 0.0` and a NaN round trip compares equal.
#[derive(Clone, Default)]
pub enum Value {
    /// `None`.
    #[default]
    None,
    /// `bool`.
    Bool(bool),
    /// An `int` that fits in `i64`.
    Int(i64),
    /// An `int` that does not fit in `i64`. Constructors keep the invariant; use
    /// [`Value::from_bigint`] to normalise.
    BigInt(BigInt),
    /// `float`.
    Float(f64),
    /// `str`.
    Str(String),
    /// `bytes`.
    Bytes(Vec<u8>),
    /// `list`.
    List(Vec<Value>),
    /// `tuple`.
    Tuple(Vec<Value>),
    /// `dict`: key/value pairs in insertion order; keys may be any hashable value.
    Dict(Vec<(Value, Value)>),
    /// `set` (elements in Python's iteration order).
    Set(Vec<Value>),
    /// `frozenset`.
    FrozenSet(Vec<Value>),
    /// `datetime.datetime`.
    DateTime(DateTime),
    /// `datetime.date`.
    Date(Date),
    /// `datetime.time`.
    Time(Time),
    /// `complex`.
    Complex {
        /// Real part.
        re: f64,
        /// Imaginary part.
        im: f64,
    },
    /// A numpy array of a numeric or bool dtype, by value (see [`NdArray`]: owned Rust buffers
    /// cross without a copy).
    Array(NdArray),
    /// Any other object, left in the runtime that made it.
    Ref(PyRef),
    /// A Rust function Python can call (a callback; see [`PyFn`]): Rust sends it, Python never
    /// returns one.
    Function(PyFn),
}

impl Value {
    /// An `int` from a big integer, stored as [`Value::Int`] when it fits.
    pub fn from_bigint(i: BigInt) -> Value {
        match i64::try_from(&i) {
            Ok(small) => Value::Int(small),
            Err(_) => Value::BigInt(i),
        }
    }

    /// The Python type name of this value (`"int"`, `"dict"`, `"ref"`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "None",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::BigInt(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
            Value::Set(_) => "set",
            Value::FrozenSet(_) => "frozenset",
            Value::DateTime(_) => "datetime",
            Value::Date(_) => "date",
            Value::Time(_) => "time",
            Value::Complex { .. } => "complex",
            Value::Array(_) => "ndarray",
            Value::Ref(_) => "ref",
            Value::Function(_) => "function",
        }
    }

    /// True for the variants that own no memory (their drop does nothing).
    #[inline]
    pub(crate) fn owns_nothing(&self) -> bool {
        matches!(
            self,
            Value::None
                | Value::Bool(_)
                | Value::Int(_)
                | Value::Float(_)
                | Value::Complex { .. }
                | Value::Date(_)
                | Value::Time(_)
                | Value::DateTime(_)
        )
    }

    /// Drops this value without recursion, however deep it is nested.
    ///
    /// An ordinary drop of a [`Value`] recurses once per level of nesting, as `Vec`'s does, so
    /// a value built by hand tens of thousands of levels deep overflows the stack when it goes
    /// out of scope. `Value` does not implement `Drop` itself (that would forbid moving out of
    /// its variants in a `match`); values the runtime decodes are never deeper than
    /// [`MAX_NESTING`](crate::client::contract::MAX_NESTING), and the arguments of a call are dropped this way.
    /// Call it on values of unbounded depth that you build yourself.
    ///
    /// ```
    /// use snakebridge_runtime::Value;
    /// let mut deep = Value::None;
    /// for _ in 0..200_000 {
    ///     deep = Value::List(vec![deep]);
    /// }
    /// deep.drop_deep(); // `drop(deep)` would overflow the stack
    /// ```
    pub fn drop_deep(self) {
        let mut stack = vec![self];
        while let Some(value) = stack.pop() {
            match value {
                Value::List(items)
                | Value::Tuple(items)
                | Value::Set(items)
                | Value::FrozenSet(items) => stack.extend(items),
                Value::Dict(pairs) => {
                    for (k, v) in pairs {
                        stack.push(k);
                        stack.push(v);
                    }
                }
                // Leaves: their drop does not recurse.
                _ => {}
            }
        }
    }

    /// True when dropping this value could recurse (a container holding a non-empty container).
    #[inline]
    pub(crate) fn nests_containers(&self) -> bool {
        let container = |v: &Value| match v {
            Value::List(items)
            | Value::Tuple(items)
            | Value::Set(items)
            | Value::FrozenSet(items) => !items.is_empty(),
            Value::Dict(pairs) => !pairs.is_empty(),
            _ => false,
        };
        match self {
            Value::List(items)
            | Value::Tuple(items)
            | Value::Set(items)
            | Value::FrozenSet(items) => items.iter().any(container),
            Value::Dict(pairs) => pairs.iter().any(|(k, v)| container(k) || container(v)),
            _ => false,
        }
    }

    /// True for `None`.
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// The ref, if this value is one.
    pub fn as_ref(&self) -> Option<&PyRef> {
        match self {
            Value::Ref(r) => Some(r),
            _ => None,
        }
    }

    /// Looks a key up in a [`Value::Dict`] (linear: dicts keep their order, not an index).
    pub fn get(&self, key: impl IntoValue) -> Option<&Value> {
        let key = key.into_value();
        match self {
            Value::Dict(items) => items.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Converts this value into a Rust type (shorthand for [`FromValue::from_value`]).
    ///
    /// ```
    /// # use snakebridge_runtime::Value;
    /// let v = Value::List(vec![Value::Int(1), Value::Int(2)]);
    /// let numbers: Vec<i64> = v.extract().unwrap();
    /// assert_eq!(numbers, [1, 2]);
    /// ```
    pub fn extract<T: FromValue>(self) -> Result<T> {
        T::from_value(self)
    }
}

fn float_eq(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (None, None) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (BigInt(a), BigInt(b)) => a == b,
            (Float(a), Float(b)) => float_eq(*a, *b),
            (Str(a), Str(b)) => a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => a == b,
            // Sets are unordered: Python iterates them in hash order, not insertion order.
            (Set(a), Set(b)) | (FrozenSet(a), FrozenSet(b)) => {
                a.len() == b.len() && a.iter().all(|x| b.contains(x))
            }
            (Dict(a), Dict(b)) => a == b,
            (DateTime(a), DateTime(b)) => a == b,
            (Date(a), Date(b)) => a == b,
            (Time(a), Time(b)) => a == b,
            (Complex { re: r1, im: i1 }, Complex { re: r2, im: i2 }) => {
                float_eq(*r1, *r2) && float_eq(*i1, *i2)
            }
            (Array(a), Array(b)) => a == b,
            (Ref(a), Ref(b)) => a == b,
            (Function(a), Function(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("None"),
            Value::Bool(b) => write!(f, "{}", if *b { "True" } else { "False" }),
            Value::Int(i) => write!(f, "{i}"),
            Value::BigInt(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Bytes(b) => write!(f, "b{:?}", String::from_utf8_lossy(b)),
            Value::List(items) => f.debug_list().entries(items).finish(),
            Value::Tuple(items) => {
                let mut t = f.debug_tuple("");
                for item in items {
                    t.field(item);
                }
                t.finish()
            }
            Value::Dict(items) => f
                .debug_map()
                .entries(items.iter().map(|(k, v)| (k, v)))
                .finish(),
            Value::Set(items) => f.debug_set().entries(items).finish(),
            Value::FrozenSet(items) => {
                f.write_str("frozenset(")?;
                f.debug_set().entries(items).finish()?;
                f.write_str(")")
            }
            Value::DateTime(d) => write!(f, "datetime({d})"),
            Value::Date(d) => write!(f, "date({d})"),
            Value::Time(t) => write!(f, "time({t})"),
            Value::Complex { re, im } => write!(f, "({re:?}{im:+?}j)"),
            Value::Array(a) => write!(f, "{a:?}"),
            Value::Ref(r) => write!(f, "{r:?}"),
            Value::Function(func) => write!(f, "{func:?}"),
        }
    }
}

/// Marks a byte buffer to cross as Python `bytes` (a plain `Vec<u8>` crosses as a `list` of
/// ints, as serde would have it).
///
/// ```
/// use snakebridge_runtime::{Bytes, IntoValue, Value};
/// assert_eq!(Bytes(vec![0, 255]).into_value(), Value::Bytes(vec![0, 255]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Bytes(pub Vec<u8>);

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl From<&[u8]> for Bytes {
    fn from(v: &[u8]) -> Self {
        Bytes(v.to_vec())
    }
}

impl From<&Vec<u8>> for Bytes {
    fn from(v: &Vec<u8>) -> Self {
        Bytes(v.clone())
    }
}

impl<const N: usize> From<&[u8; N]> for Bytes {
    /// `b"abc"` literals.
    fn from(v: &[u8; N]) -> Self {
        Bytes(v.to_vec())
    }
}

impl<const N: usize> From<[u8; N]> for Bytes {
    fn from(v: [u8; N]) -> Self {
        Bytes(v.to_vec())
    }
}

impl From<&str> for Bytes {
    /// The UTF-8 bytes of the string.
    fn from(v: &str) -> Self {
        Bytes(v.as_bytes().to_vec())
    }
}
