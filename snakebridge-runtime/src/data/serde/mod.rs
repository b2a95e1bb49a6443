//! serde <-> [`Value`]: a `serde::Serializer` producing values and a `serde::Deserializer` over
//! them (no detour through JSON), behind [`to_value`] and [`from_value`], and `Value`'s own
//! `Serialize` / `Deserialize` impls.

use crate::data::error::{Error, Result};
use crate::data::value::Value;

mod deserializer;
mod error;
mod lossless;
mod serializer;
#[cfg(test)]
mod tests;

use deserializer::ValueDeserializer;
use serializer::ValueSerializer;

/// Converts any serde-serializable value into a [`Value`], without a detour through JSON, so
/// that what JSON cannot hold survives (NaN and ±inf, ints beyond 64 bits, bytes, non-string
/// map keys, field order):
///
/// | Rust (serde data model) | [`Value`] |
/// |---|---|
/// | `()`, `None`, unit struct | [`Value::None`] |
/// | `Some(x)`, newtype struct | the value of `x` |
/// | `bool`; `String`, `&str`, `char` | [`Value::Bool`]; [`Value::Str`] |
/// | integers (`i8` ... `u128`) | [`Value::Int`], or [`Value::BigInt`] beyond `i64` |
/// | `f32`, `f64` | [`Value::Float`] |
/// | bytes (`serialize_bytes`, e.g. `serde_bytes::ByteBuf`) | [`Value::Bytes`] |
/// | sequence (`Vec`, `HashSet`, ...) | [`Value::List`] |
/// | tuple, tuple struct | [`Value::Tuple`] |
/// | map (keys of any type) | [`Value::Dict`], entries in iteration order |
/// | struct | [`Value::Dict`] with [`Value::Str`] keys, in declaration order |
/// | enum (externally tagged, as serde_json does) | unit variant: `Str(name)`; others: `Dict {name: content}` |
/// | [`Value`] itself | the same value, refs included |
///
/// A plain `Vec<u8>` is a sequence, so it becomes a list of ints; wrap it in
/// [`Bytes`](crate::Bytes) with [`IntoValue`](crate::IntoValue), or use `serde_bytes`, for Python
/// `bytes`.
///
/// ```
/// use std::collections::BTreeMap;
/// use snakebridge_runtime::{to_value, Value};
///
/// #[derive(serde::Serialize)]
/// struct Point { x: f64, y: f64, label: Option<String> }
///
/// let v = to_value(&Point { x: 1.0, y: f64::NAN, label: None })?;
/// assert_eq!(v, Value::Dict(vec![
///     (Value::Str("x".into()), Value::Float(1.0)),
///     (Value::Str("y".into()), Value::Float(f64::NAN)),
///     (Value::Str("label".into()), Value::None),
/// ]));
///
/// let squares: BTreeMap<i64, u64> = [(2, 4), (3, u64::MAX)].into();
/// let v = to_value(&squares)?;
/// assert_eq!(v.get(2), Some(&Value::Int(4)));
/// assert!(matches!(v.get(3), Some(Value::BigInt(_))));
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
pub fn to_value<T: serde::Serialize + ?Sized>(value: &T) -> Result<Value> {
    value
        .serialize(ValueSerializer)
        .map_err(|e| Error::encode(e.0))
}

/// Converts a [`Value`] into any serde-deserializable type: the inverse of [`to_value`].
///
/// It is lenient where Python is: a sequence can come from a list, tuple, set or frozenset, a
/// float from an int, a byte buffer from `bytes` or a list of ints (and a `Vec<u8>` from
/// `bytes`), an enum from its variant name or a one-entry dict `{variant: content}`, a `String`
/// from a date, time or datetime (its ISO 8601 form), and a pair `(f64, f64)` from a complex
/// number. `Option<T>` is `None` for [`Value::None`]. Integers are range checked.
///
/// Fails with [`Error::Decode`] (its `what` is the Rust type asked for) when the value does not
/// fit: a wrong type, an integer out of range, a missing field, or a [`Value::Ref`] where plain
/// data is expected.
///
/// ```
/// use snakebridge_runtime::{from_value, Value, Error};
///
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// enum Shape { Circle { r: f64 }, Empty }
///
/// let v = Value::Dict(vec![(
///     Value::Str("Circle".into()),
///     Value::Dict(vec![(Value::Str("r".into()), Value::Int(2))]),
/// )]);
/// assert_eq!(from_value::<Shape>(v)?, Shape::Circle { r: 2.0 });
/// assert_eq!(from_value::<Shape>(Value::Str("Empty".into()))?, Shape::Empty);
///
/// let err = from_value::<u8>(Value::Int(300)).unwrap_err();
/// assert!(matches!(err, Error::Decode { .. }));
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
pub fn from_value<T: serde::de::DeserializeOwned>(value: Value) -> Result<T> {
    T::deserialize(ValueDeserializer(value))
        .map_err(|e| Error::decode(std::any::type_name::<T>(), e.0))
}
