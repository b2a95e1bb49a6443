//! `Value`'s own `Serialize` / `Deserialize`, lossless through this module's serializer and
//! deserializer.

use std::cell::RefCell;
use std::fmt;

use num_bigint::BigInt;
use serde::de::{self, Deserializer, Visitor};
use serde::ser::{self, Serialize, Serializer};

use super::error::{function_error, ref_error};
use crate::data::error::Result;
use crate::data::value::Value;

// ---------------------------------------------------------------------------------------------
// Value as a serde type, losslessly with this module's serializer and deserializer.
//
// Variants the serde data model cannot express (sets, big ints, dates, complex numbers, refs) are
// serialized as a newtype struct with a private name around their natural form. Other serializers
// see through the newtype (serde_json writes the natural form); `ValueSerializer` recognises the
// name and arms a thread-local capture slot that the wrapper fills with the exact value.
// Deserializing asks for a newtype struct with the same private name: other deserializers hand
// the visitor their data as usual, `ValueDeserializer` hands the whole value over through a
// thread-local slot.

/// The private newtype name of the lossless hand-over.
pub(super) const MAGIC: &str = "$snakebridge::private::Value";

pub(super) enum Capture {
    Idle,
    Armed,
    Taken(Value),
}

thread_local! {
    /// Serializer side: armed by `ValueSerializer`, filled by `Lossless`.
    pub(super) static CAPTURE: RefCell<Capture> = const { RefCell::new(Capture::Idle) };
    /// Deserializer side: filled by `ValueDeserializer`, emptied by `ValueVisitor::visit_unit`.
    pub(super) static HANDOVER: RefCell<Option<Value>> = const { RefCell::new(None) };
}

/// Serializes as written in the module docs; see [`Value`]'s `Serialize` impl.
pub(super) struct Lossless<'a>(&'a Value);

impl Serialize for Lossless<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let armed = CAPTURE.with(|c| {
            let mut c = c.borrow_mut();
            if matches!(*c, Capture::Armed) {
                *c = Capture::Taken(self.0.clone());
                true
            } else {
                false
            }
        });
        if armed {
            return serializer.serialize_unit();
        }
        match self.0 {
            Value::BigInt(i) => {
                if let Ok(small) = i128::try_from(i) {
                    serializer.serialize_i128(small)
                } else if let Ok(big) = u128::try_from(i) {
                    serializer.serialize_u128(big)
                } else {
                    serializer.collect_str(i)
                }
            }
            Value::Set(items) | Value::FrozenSet(items) => serializer.collect_seq(items),
            Value::DateTime(d) => serializer.collect_str(d),
            Value::Date(d) => serializer.collect_str(d),
            Value::Time(t) => serializer.collect_str(t),
            Value::Complex { re, im } => (re, im).serialize(serializer),
            Value::Ref(r) => Err(ser::Error::custom(ref_error(r))),
            Value::Function(f) => Err(ser::Error::custom(function_error(f))),
            Value::Array(a) => a.to_list_value().serialize(serializer),
            other => other.serialize(serializer),
        }
    }
}

/// Serializes a value in its natural serde form, as serde_json shows it: `None` as unit, ints,
/// floats, strings, bytes, lists and sets as sequences, tuples (and a complex number, as
/// `(re, im)`) as tuples, dicts as maps (with their keys as they are), and dates and times as
/// their ISO 8601 string. Ints beyond `i64` are serialized as `i128`/`u128` when they fit and as
/// their decimal string beyond 128 bits. A [`Value::Ref`] or [`Value::Function`] cannot be
/// serialized: the object is not data (an error).
///
/// With [`to_value`](crate::to_value) the conversion is exact instead: every variant, refs and functions included, comes back
/// as it was.
///
/// ```
/// use snakebridge_runtime::{to_value, Value, Date};
///
/// let v = Value::Set(vec![Value::Date(Date { year: 2024, month: 2, day: 29 })]);
/// assert_eq!(serde_json::to_string(&v).unwrap(), r#"["2024-02-29"]"#);
/// assert_eq!(to_value(&v)?, v);
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use ser::{SerializeMap, SerializeTuple};
        match self {
            Value::None => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Float(x) => serializer.serialize_f64(*x),
            Value::Str(s) => serializer.serialize_str(s),
            Value::Bytes(b) => serializer.serialize_bytes(b),
            Value::List(items) => serializer.collect_seq(items),
            Value::Tuple(items) => {
                let mut t = serializer.serialize_tuple(items.len())?;
                for item in items {
                    t.serialize_element(item)?;
                }
                t.end()
            }
            Value::Dict(items) => {
                let mut m = serializer.serialize_map(Some(items.len()))?;
                for (k, v) in items {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            Value::BigInt(_)
            | Value::Set(_)
            | Value::FrozenSet(_)
            | Value::DateTime(_)
            | Value::Date(_)
            | Value::Time(_)
            | Value::Complex { .. }
            | Value::Array(_)
            | Value::Ref(_)
            | Value::Function(_) => serializer.serialize_newtype_struct(MAGIC, &Lossless(self)),
        }
    }
}

/// Deserializes any self-describing data: null/unit as `None`, integers as `Int` (or `BigInt`
/// beyond `i64`), floats, strings, bytes, sequences as `List` and maps as `Dict` (keys of any
/// type).
///
/// With [`from_value`](crate::from_value) the conversion is exact instead: `from_value::<Value>(v)` is `v`, and a
/// `Value` field of a struct receives its value unchanged (refs included).
///
/// ```
/// use snakebridge_runtime::Value;
///
/// let v: Value = serde_json::from_str(r#"{"a": [1, 2.5, null]}"#).unwrap();
/// assert_eq!(v, Value::Dict(vec![(
///     Value::Str("a".into()),
///     Value::List(vec![Value::Int(1), Value::Float(2.5), Value::None]),
/// )]));
/// ```
impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_newtype_struct(MAGIC, ValueVisitor)
    }
}

pub(super) struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Value::from_bigint(BigInt::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from_bigint(BigInt::from(v)))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(Value::from_bigint(BigInt::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }

    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Bytes(v.to_vec()))
    }

    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Bytes(v))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        serde::Deserialize::deserialize(d)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        // `ValueDeserializer` hands its value over here (see `MAGIC`); anything else is None.
        Ok(HANDOVER
            .with(|h| h.borrow_mut().take())
            .unwrap_or(Value::None))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some(entry) = map.next_entry()? {
            items.push(entry);
        }
        Ok(Value::Dict(items))
    }
}
