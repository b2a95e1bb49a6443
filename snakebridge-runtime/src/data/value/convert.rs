//! [`IntoValue`] and [`FromValue`]: the conversions between [`Value`] and ordinary Rust types
//! (scalars, strings, paths, bytes, dates, options, sequences, sets, maps, tuples up to the
//! contract's arity, refs), and `From<T> for Value` for the common ones.
//!
//! Over 600 lines: one short impl per common type, with its fast path for typed callbacks
//! ([`FromValue::from_scalar`]) beside its `from_value`, so that the two are read together.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasher, Hash};

use num_bigint::BigInt;

use super::{Bytes, Date, DateTime, Scalar, Time, Value};
use crate::data::error::{Error, Result};
use crate::data::pyref::PyRef;
use crate::data::return_policy::ReturnPolicy;

/// Conversion of a Rust value into a [`Value`].
///
/// Implemented for the Rust types with a natural Python counterpart; implement it for your own
/// types, or go through serde with [`crate::data::serde::to_value`].
pub trait IntoValue {
    /// Performs the conversion.
    fn into_value(self) -> Value;

    /// The value as a [`Scalar`] when it is one, for a client to convert in place (a typed
    /// callback's result): `Some` only when [`into_value`](Self::into_value) would make
    /// exactly [`Scalar::to_value`] of it.
    #[doc(hidden)]
    #[inline(always)]
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        None
    }
}

/// Conversion of a [`Value`] into a Rust type, failing with [`Error::Decode`] on a mismatch.
pub trait FromValue: Sized {
    /// How a call whose result becomes `Self` asks for it: [`ReturnPolicy::Auto`] (plain data by
    /// value, other objects as refs) for most types, [`ReturnPolicy::Ref`] for [`PyRef`] and
    /// generated classes, so that even plain data comes back as a handle when that is asked for.
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Auto;

    /// Performs the conversion.
    fn from_value(value: Value) -> Result<Self>;

    /// Converts what constructing a class (`module.Class(...)`) returned. The same as
    /// [`from_value`](Self::from_value), except for generated classes, which check a result's
    /// type but take a constructor's as it is: Python's `Class(...)` may return another type by
    /// design (sympy's `Add(x)` is `x`).
    #[doc(hidden)]
    fn from_constructed(value: Value) -> Result<Self> {
        Self::from_value(value)
    }

    /// Whether [`from_constructed`](Self::from_constructed) differs from `from_value` (a
    /// generated class): a call decoding any other type compiles no test of the call's kind.
    #[doc(hidden)]
    const CHECKS_INSTANCES: bool = false;

    /// Whether [`from_scalar`](Self::from_scalar) may convert (a typed callback reads its
    /// argument as a [`Scalar`] only then: the plain scalar types and `Option`s of them).
    #[doc(hidden)]
    const FROM_SCALAR: bool = false;

    /// Converts a scalar read in place, without a [`Value`]: `Some` exactly when
    /// [`from_value`](Self::from_value) of [`Scalar::to_value`] succeeds, and to the same
    /// result; `None` sends it the general way (which then reports any error).
    #[doc(hidden)]
    #[inline(always)]
    fn from_scalar(scalar: Scalar<'_>) -> Option<Self> {
        let _ = scalar;
        None
    }
}

fn mismatch<T>(expected: &str, got: &Value) -> Result<T> {
    let message = match got {
        // Not data but an object that stayed in Python: say how to get at its data.
        Value::Ref(_) => format!(
            "Python returned an object that stays in Python ({got:?}); {}",
            snakebridge_contract::NOT_DATA_HINT
        ),
        _ => format!("Python returned {} {got:?}", got.type_name()),
    };
    Err(Error::decode(expected, message))
}

impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}

impl IntoValue for &Value {
    fn into_value(self) -> Value {
        self.clone()
    }
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self> {
        Ok(value)
    }
}

impl IntoValue for () {
    fn into_value(self) -> Value {
        Value::None
    }
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        Some(Scalar::None)
    }
}

impl FromValue for () {
    const FROM_SCALAR: bool = true;
    fn from_scalar(scalar: Scalar<'_>) -> Option<Self> {
        matches!(scalar, Scalar::None).then_some(())
    }
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::None => Ok(()),
            other => mismatch("()", &other),
        }
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        Some(Scalar::Bool(*self))
    }
}

impl FromValue for bool {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    const FROM_SCALAR: bool = true;
    fn from_scalar(scalar: Scalar<'_>) -> Option<Self> {
        match scalar {
            Scalar::Bool(b) => Some(b),
            _ => None,
        }
    }
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Bool(b) => Ok(b),
            other => mismatch("bool", &other),
        }
    }
}

macro_rules! int_conversions {
    ($($t:ty),*) => {$(
        impl IntoValue for $t {
            fn into_value(self) -> Value {
                match i64::try_from(self) {
                    Ok(i) => Value::Int(i),
                    Err(_) => Value::BigInt(BigInt::from(self)),
                }
            }
            #[inline(always)]
            fn as_scalar(&self) -> Option<Scalar<'_>> {
                i64::try_from(*self).ok().map(Scalar::Int)
            }
        }

        impl FromValue for $t {
            const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
            const FROM_SCALAR: bool = true;
            #[inline(always)]
            fn from_scalar(scalar: Scalar<'_>) -> Option<Self> {
                scalar.int().and_then(|i| <$t>::try_from(i).ok())
            }
            fn from_value(value: Value) -> Result<Self> {
                let out_of_range = |v: &dyn fmt::Display| {
                    Error::decode(stringify!($t), format!("Python int {v} is out of range"))
                };
                // As for f64: plain ints own nothing, skip the drop glue.
                let value = std::mem::ManuallyDrop::new(value);
                if let Value::Int(i) = *value {
                    return <$t>::try_from(i).map_err(|_| out_of_range(&i));
                }
                match std::mem::ManuallyDrop::into_inner(value) {
                    Value::BigInt(i) => <$t>::try_from(&i).map_err(|_| out_of_range(&i)),
                    Value::Bool(b) => Ok(<$t>::from(b)),
                    other => mismatch(stringify!($t), &other),
                }
            }
        }
    )*};
}

int_conversions!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

impl IntoValue for BigInt {
    fn into_value(self) -> Value {
        Value::from_bigint(self)
    }
}

impl FromValue for BigInt {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Int(i) => Ok(BigInt::from(i)),
            Value::BigInt(i) => Ok(i),
            other => mismatch("BigInt", &other),
        }
    }
}

impl IntoValue for f64 {
    #[inline]
    fn into_value(self) -> Value {
        Value::Float(self)
    }
    #[inline(always)]
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        Some(Scalar::Float(*self))
    }
}

impl IntoValue for f32 {
    fn into_value(self) -> Value {
        Value::Float(self.into())
    }
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        Some(Scalar::Float((*self).into()))
    }
}

impl FromValue for f64 {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    const FROM_SCALAR: bool = true;
    #[inline(always)]
    fn from_scalar(scalar: Scalar<'_>) -> Option<Self> {
        scalar.float()
    }
    /// Accepts `int` too, as Python does wherever a float is expected (`statistics.mean([1, 3])`
    /// returns the int `2`).
    #[inline(always)]
    fn from_value(value: Value) -> Result<Self> {
        // The hot path of every float-returning call: a float or int owns nothing, so skip the
        // drop glue a by-value `match` would run on the whole `Value` afterwards.
        let value = std::mem::ManuallyDrop::new(value);
        match *value {
            Value::Float(x) => Ok(x),
            Value::Int(i) => Ok(i as f64),
            _ => f64_from_other(std::mem::ManuallyDrop::into_inner(value)),
        }
    }
}

/// [`f64::from_value`] of anything but a float or an int.
#[cold]
fn f64_from_other(value: Value) -> Result<f64> {
    match &value {
        Value::BigInt(i) => {
            use num_bigint::ToBigInt;
            let approx: f64 = i.to_string().parse().unwrap_or(f64::NAN);
            // Only exact conversions are accepted, so no precision is silently lost.
            if approx.is_finite() && approx.to_bigint().as_ref() == Some(i) {
                Ok(approx)
            } else {
                mismatch("f64 (exactly)", &value)
            }
        }
        other => mismatch("f64", other),
    }
}

impl FromValue for f32 {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    const FROM_SCALAR: bool = true;
    fn from_scalar(scalar: Scalar<'_>) -> Option<Self> {
        scalar.float().map(|x| x as f32)
    }
    fn from_value(value: Value) -> Result<Self> {
        f64::from_value(value).map(|x| x as f32)
    }
}

impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::Str(self)
    }
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        Some(Scalar::Str(self))
    }
}

impl IntoValue for &String {
    fn into_value(self) -> Value {
        Value::Str(self.clone())
    }
}

impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::Str(self.to_owned())
    }
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        Some(Scalar::Str(self))
    }
}

impl IntoValue for char {
    fn into_value(self) -> Value {
        Value::Str(self.to_string())
    }
}

impl IntoValue for std::borrow::Cow<'_, str> {
    fn into_value(self) -> Value {
        Value::Str(self.into_owned())
    }
}

impl FromValue for String {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    const FROM_SCALAR: bool = true;
    fn from_scalar(scalar: Scalar<'_>) -> Option<Self> {
        match scalar {
            Scalar::Str(s) => Some(s.to_owned()),
            _ => None,
        }
    }
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Str(s) => Ok(s),
            other => mismatch("String", &other),
        }
    }
}

impl IntoValue for &std::path::Path {
    /// A path crosses as `str` (what `os.path` functions take); non-UTF-8 parts are replaced.
    fn into_value(self) -> Value {
        Value::Str(self.to_string_lossy().into_owned())
    }
}

impl IntoValue for std::path::PathBuf {
    fn into_value(self) -> Value {
        self.as_path().into_value()
    }
}

impl FromValue for std::path::PathBuf {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        String::from_value(value).map(Into::into)
    }
}

impl IntoValue for Bytes {
    fn into_value(self) -> Value {
        Value::Bytes(self.0)
    }
}

impl FromValue for Bytes {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Bytes(b) => Ok(Bytes(b)),
            other => mismatch("Bytes", &other),
        }
    }
}

impl IntoValue for Date {
    fn into_value(self) -> Value {
        Value::Date(self)
    }
}

impl FromValue for Date {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Date(d) => Ok(d),
            other => mismatch("Date", &other),
        }
    }
}

impl IntoValue for Time {
    fn into_value(self) -> Value {
        Value::Time(self)
    }
}

impl FromValue for Time {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Time(t) => Ok(t),
            other => mismatch("Time", &other),
        }
    }
}

impl IntoValue for DateTime {
    fn into_value(self) -> Value {
        Value::DateTime(self)
    }
}

impl FromValue for DateTime {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Value;
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::DateTime(d) => Ok(d),
            other => mismatch("DateTime", &other),
        }
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self) -> Value {
        self.map_or(Value::None, IntoValue::into_value)
    }
    #[inline(always)]
    fn as_scalar(&self) -> Option<Scalar<'_>> {
        match self {
            None => Some(Scalar::None),
            Some(x) => x.as_scalar(),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    // A ref asked for as optional must not wrap `None`: `re.match` with no match is `None`.
    const RETURN_POLICY: ReturnPolicy = match T::RETURN_POLICY {
        ReturnPolicy::Ref => ReturnPolicy::RefOrNone,
        other => other,
    };
    const FROM_SCALAR: bool = T::FROM_SCALAR;
    #[inline(always)]
    fn from_scalar(scalar: Scalar<'_>) -> Option<Self> {
        match scalar {
            Scalar::None => Some(None),
            other => T::from_scalar(other).map(Some),
        }
    }
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::None => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        Value::List(self.into_iter().map(IntoValue::into_value).collect())
    }
}

impl<T: IntoValue + Clone> IntoValue for &[T] {
    fn into_value(self) -> Value {
        Value::List(self.iter().cloned().map(IntoValue::into_value).collect())
    }
}

impl<T: IntoValue, const N: usize> IntoValue for [T; N] {
    fn into_value(self) -> Value {
        Value::List(self.into_iter().map(IntoValue::into_value).collect())
    }
}

/// Elements of any Python sequence or set (`list`, `tuple`, `set`, `frozenset`), or of a numpy
/// array along its first axis.
fn elements(expected: &str, value: Value) -> Result<Vec<Value>> {
    match value {
        Value::List(v) | Value::Tuple(v) | Value::Set(v) | Value::FrozenSet(v) => Ok(v),
        Value::Array(a) if a.ndim() > 0 => elements(expected, a.to_list_value()),
        other => mismatch(expected, &other),
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::of_items(&[T::RETURN_POLICY]);
    fn from_value(value: Value) -> Result<Self> {
        elements("Vec", value)?
            .into_iter()
            .map(T::from_value)
            .collect()
    }
}

impl<T: IntoValue, S> IntoValue for HashSet<T, S> {
    fn into_value(self) -> Value {
        Value::Set(self.into_iter().map(IntoValue::into_value).collect())
    }
}

impl<T: FromValue + Eq + Hash, S: BuildHasher + Default> FromValue for HashSet<T, S> {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::of_items(&[T::RETURN_POLICY]);
    fn from_value(value: Value) -> Result<Self> {
        elements("HashSet", value)?
            .into_iter()
            .map(T::from_value)
            .collect()
    }
}

impl<T: IntoValue> IntoValue for BTreeSet<T> {
    fn into_value(self) -> Value {
        Value::Set(self.into_iter().map(IntoValue::into_value).collect())
    }
}

impl<T: FromValue + Ord> FromValue for BTreeSet<T> {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::of_items(&[T::RETURN_POLICY]);
    fn from_value(value: Value) -> Result<Self> {
        elements("BTreeSet", value)?
            .into_iter()
            .map(T::from_value)
            .collect()
    }
}

fn dict_items(expected: &str, value: Value) -> Result<Vec<(Value, Value)>> {
    match value {
        Value::Dict(items) => Ok(items),
        other => mismatch(expected, &other),
    }
}

impl<K: IntoValue, V: IntoValue, S> IntoValue for HashMap<K, V, S> {
    fn into_value(self) -> Value {
        Value::Dict(
            self.into_iter()
                .map(|(k, v)| (k.into_value(), v.into_value()))
                .collect(),
        )
    }
}

impl<K: FromValue + Eq + Hash, V: FromValue, S: BuildHasher + Default> FromValue
    for HashMap<K, V, S>
{
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::of_map(K::RETURN_POLICY, V::RETURN_POLICY);
    fn from_value(value: Value) -> Result<Self> {
        dict_items("HashMap", value)?
            .into_iter()
            .map(|(k, v)| Ok((K::from_value(k)?, V::from_value(v)?)))
            .collect()
    }
}

impl<K: IntoValue, V: IntoValue> IntoValue for BTreeMap<K, V> {
    fn into_value(self) -> Value {
        Value::Dict(
            self.into_iter()
                .map(|(k, v)| (k.into_value(), v.into_value()))
                .collect(),
        )
    }
}

impl<K: FromValue + Ord, V: FromValue> FromValue for BTreeMap<K, V> {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::of_map(K::RETURN_POLICY, V::RETURN_POLICY);
    fn from_value(value: Value) -> Result<Self> {
        dict_items("BTreeMap", value)?
            .into_iter()
            .map(|(k, v)| Ok((K::from_value(k)?, V::from_value(v)?)))
            .collect()
    }
}

/// Whether `arities` are exactly `1, 2, ..., MAX_TUPLE_ARITY`: what the tuple impls (here and
/// `IntoArgs` in the API) must cover for the contract to hold. Checked at compile time.
pub(crate) const fn covers_tuple_arities(arities: &[usize]) -> bool {
    let mut i = 0;
    while i < arities.len() {
        if arities[i] != i + 1 {
            return false;
        }
        i += 1;
    }
    arities.len() == snakebridge_contract::MAX_TUPLE_ARITY
}

macro_rules! tuple_conversions {
    ($(($($name:ident $idx:tt),+))+) => {$(
        impl<$($name: IntoValue),+> IntoValue for ($($name,)+) {
            fn into_value(self) -> Value {
                Value::Tuple(vec![$(self.$idx.into_value()),+])
            }
        }

        impl<$($name: FromValue),+> FromValue for ($($name,)+) {
            const RETURN_POLICY: ReturnPolicy = ReturnPolicy::of_items(&[$($name::RETURN_POLICY),+]);
            fn from_value(value: Value) -> Result<Self> {
                const LEN: usize = [$($idx),+].len();
                let items = match value {
                    Value::Tuple(v) | Value::List(v) if v.len() == LEN => v,
                    // A 1-D numpy array of the right length (`(f64, f64)` from a point).
                    Value::Array(a) if a.ndim() > 0 && a.shape().first() == Some(&LEN) => {
                        match a.to_list_value() {
                            Value::List(v) => v,
                            other => return mismatch(&format!("a tuple of {LEN}"), &other),
                        }
                    }
                    other => return mismatch(&format!("a tuple of {LEN}"), &other),
                };
                let mut items = items.into_iter();
                Ok(($($name::from_value(items.next().expect(stringify!($idx)))?,)+))
            }
        }
    )*
        // The contract's arity: every tuple up to it, no gap, none beyond (the generator emits
        // argument tuples and typed tuple results up to this size).
        const _: () = assert!(
            $crate::data::value::covers_tuple_arities(&[$([$($idx),+].len()),+]),
            "IntoValue/FromValue must cover tuples up to snakebridge_contract::MAX_TUPLE_ARITY"
        );
    };
}

tuple_conversions! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
    (A 0, B 1, C 2, D 3, E 4)
    (A 0, B 1, C 2, D 3, E 4, F 5)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15)
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15, Q 16)
}

impl IntoValue for PyRef {
    fn into_value(self) -> Value {
        Value::Ref(self)
    }
}

impl IntoValue for &PyRef {
    fn into_value(self) -> Value {
        Value::Ref(self.clone())
    }
}

impl FromValue for PyRef {
    const RETURN_POLICY: ReturnPolicy = ReturnPolicy::Ref;

    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Ref(r) => Ok(r),
            other => mismatch("PyRef (a Python object handle)", &other),
        }
    }
}

macro_rules! value_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                v.into_value()
            }
        }
    )*};
}

value_from!(
    bool, i32, i64, u32, u64, f64, String, &str, Bytes, PyRef, Date, Time, DateTime
);

impl<T: IntoValue> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Value {
        v.into_value()
    }
}

impl<T: IntoValue> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.into_value()
    }
}
