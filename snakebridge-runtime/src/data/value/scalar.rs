//! [`Scalar`]: a plain value read where it lies (a Python object's `None`, `bool`, `int`,
//! `float` or `str`) without making a [`Value`] of it, the fast path of a typed callback's
//! arguments ([`FromValue::from_scalar`]).
//!
//! The rule that keeps the fast path invisible: a type takes a scalar only where it would take
//! the [`Value`] the scalar stands for ([`Scalar::to_value`]), and then to the same result;
//! everything else (a mismatch, an int out of range) goes the general way, so its errors are
//! the general path's, word for word.

#[cfg(doc)]
use super::FromValue;
use super::Value;

/// A scalar borrowed from where it lies: what a client reads from an argument before deciding
/// whether the general conversion (through a [`Value`]) is needed at all.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    /// `None`.
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An `int` that fits in `i64`.
    Int(i64),
    /// A `float`.
    Float(f64),
    /// A `str`, as UTF-8.
    Str(&'a str),
}

impl Scalar<'_> {
    /// The value the general path makes of the same object.
    pub fn to_value(self) -> Value {
        match self {
            Scalar::None => Value::None,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) => Value::Int(i),
            Scalar::Float(x) => Value::Float(x),
            Scalar::Str(s) => Value::Str(s.to_owned()),
        }
    }

    /// As `f64::from_value` takes it: a float, or an int (as Python passes ints for floats).
    #[inline(always)]
    pub(crate) fn float(self) -> Option<f64> {
        match self {
            Scalar::Float(x) => Some(x),
            Scalar::Int(i) => Some(i as f64),
            _ => None,
        }
    }

    /// As the integer types take it: an int, or a bool (0 or 1); the caller checks the range.
    #[inline(always)]
    pub(crate) fn int(self) -> Option<i64> {
        match self {
            Scalar::Int(i) => Some(i),
            Scalar::Bool(b) => Some(i64::from(b)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::Scalar;
    use crate::data::value::{FromValue, IntoValue, Value};

    fn scalar() -> impl Strategy<Value = (Option<i64>, Option<f64>, Option<bool>, String, u8)> {
        (
            prop_oneof![any::<i64>(), -300i64..300].prop_map(Some),
            prop_oneof![any::<f64>(), Just(-0.0), Just(f64::NAN)].prop_map(Some),
            any::<bool>().prop_map(Some),
            ".*",
            0u8..5,
        )
    }

    /// The fast path takes a scalar exactly when the general path takes its value, to the same
    /// result (compared through `into_value`: NaN equals NaN there).
    fn takes_alike<T: FromValue + IntoValue>(s: Scalar<'_>) {
        let fast = T::from_scalar(s).map(IntoValue::into_value);
        let general = T::from_value(s.to_value()).ok().map(IntoValue::into_value);
        assert_eq!(fast, general, "{} from {s:?}", std::any::type_name::<T>());
    }

    /// A result made in place is the value `into_value` makes.
    fn gives_alike<T: IntoValue + Clone>(x: T) {
        if let Some(s) = x.as_scalar() {
            assert_eq!(s.to_value(), x.clone().into_value());
        }
    }

    proptest! {
        #[test]
        fn scalars_convert_as_their_values_do((i, x, b, text, kind) in scalar()) {
            let s = match kind {
                0 => Scalar::Int(i.unwrap()),
                1 => Scalar::Float(x.unwrap()),
                2 => Scalar::Bool(b.unwrap()),
                3 => Scalar::Str(&text),
                _ => Scalar::None,
            };
            takes_alike::<i64>(s);
            takes_alike::<i32>(s);
            takes_alike::<i8>(s);
            takes_alike::<u8>(s);
            takes_alike::<u64>(s);
            takes_alike::<usize>(s);
            takes_alike::<i128>(s);
            takes_alike::<f64>(s);
            takes_alike::<f32>(s);
            takes_alike::<bool>(s);
            takes_alike::<String>(s);
            takes_alike::<()>(s);
            takes_alike::<Option<i64>>(s);
            takes_alike::<Option<f64>>(s);
            takes_alike::<Option<String>>(s);
            takes_alike::<Option<()>>(s);
        }

        #[test]
        fn results_in_place_are_their_values(i in any::<i64>(), u in any::<u64>(), w in any::<i128>(), x in any::<f64>(), text in ".*") {
            gives_alike(i);
            gives_alike(u);
            gives_alike(w);
            gives_alike(i as i32);
            gives_alike(x);
            gives_alike(x as f32);
            gives_alike(i % 2 == 0);
            gives_alike(text.clone());
            gives_alike(text.as_str());
            gives_alike(());
            gives_alike(Some(x));
            gives_alike(None::<String>);
            gives_alike(Some(u));
        }
    }

    #[test]
    fn ints_beyond_i64_are_not_scalars() {
        assert_eq!(u64::MAX.as_scalar(), None);
        assert_eq!(Value::Int(7), Scalar::Int(7).to_value());
    }
}
