//! serde <-> [`Value`]: a `serde::Serializer` producing values and a `serde::Deserializer` over
//! them (no detour through JSON), behind [`to_value`] and [`from_value`], and `Value`'s own
//! `Serialize` / `Deserialize` impls.

use std::cell::RefCell;
use std::fmt;

use num_bigint::BigInt;
use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, Unexpected, VariantAccess,
    Visitor,
};
use serde::ser::{self, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::value::{FromValue, Value};

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

// ---------------------------------------------------------------------------------------------
// Errors

/// The serializer's error, turned into [`Error::Encode`] by [`to_value`].
#[derive(Debug)]
struct SerError(String);

impl fmt::Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SerError(msg.to_string())
    }
}

/// The deserializer's error, turned into [`Error::Decode`] by [`from_value`].
#[derive(Debug)]
struct DeError(String);

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError(msg.to_string())
    }
}

fn ref_error(r: &crate::pyref::PyRef) -> String {
    format!(
        "a Python object ref ({}, #{}) is not plain data; convert it to data in Python first, \
         or keep it as a snakebridge_runtime::Value",
        r.type_name(),
        r.id()
    )
}

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
const MAGIC: &str = "$snakebridge::private::Value";

enum Capture {
    Idle,
    Armed,
    Taken(Value),
}

thread_local! {
    /// Serializer side: armed by `ValueSerializer`, filled by `Lossless`.
    static CAPTURE: RefCell<Capture> = const { RefCell::new(Capture::Idle) };
    /// Deserializer side: filled by `ValueDeserializer`, emptied by `ValueVisitor::visit_unit`.
    static HANDOVER: RefCell<Option<Value>> = const { RefCell::new(None) };
}

/// Serializes as written in the module docs; see [`Value`]'s `Serialize` impl.
struct Lossless<'a>(&'a Value);

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
            Value::Array(a) => a.to_list_value().serialize(serializer),
            other => other.serialize(serializer),
        }
    }
}

/// Serializes a value in its natural serde form, as serde_json shows it: `None` as unit, ints,
/// floats, strings, bytes, lists and sets as sequences, tuples (and a complex number, as
/// `(re, im)`) as tuples, dicts as maps (with their keys as they are), and dates and times as
/// their ISO 8601 string. Ints beyond `i64` are serialized as `i128`/`u128` when they fit and as
/// their decimal string beyond 128 bits. A [`Value::Ref`] cannot be serialized: the object is
/// not data (an error).
///
/// With [`to_value`] the conversion is exact instead: every variant, refs included, comes back
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
            | Value::Ref(_) => serializer.serialize_newtype_struct(MAGIC, &Lossless(self)),
        }
    }
}

/// Deserializes any self-describing data: null/unit as `None`, integers as `Int` (or `BigInt`
/// beyond `i64`), floats, strings, bytes, sequences as `List` and maps as `Dict` (keys of any
/// type).
///
/// With [`from_value`] the conversion is exact instead: `from_value::<Value>(v)` is `v`, and a
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

struct ValueVisitor;

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

// ---------------------------------------------------------------------------------------------
// Serializer

/// Serializes into a [`Value`].
struct ValueSerializer;

fn int_value<T>(i: T) -> Value
where
    i64: TryFrom<T>,
    BigInt: From<T>,
    T: Copy,
{
    match i64::try_from(i) {
        Ok(small) => Value::Int(small),
        Err(_) => Value::BigInt(BigInt::from(i)),
    }
}

impl Serializer for ValueSerializer {
    type Ok = Value;
    type Error = SerError;
    type SerializeSeq = SeqSerializer;
    type SerializeTuple = SeqSerializer;
    type SerializeTupleStruct = SeqSerializer;
    type SerializeTupleVariant = VariantSerializer<SeqSerializer>;
    type SerializeMap = MapSerializer;
    type SerializeStruct = MapSerializer;
    type SerializeStructVariant = VariantSerializer<MapSerializer>;

    fn serialize_bool(self, v: bool) -> Result<Value, SerError> {
        Ok(Value::Bool(v))
    }

    fn serialize_i8(self, v: i8) -> Result<Value, SerError> {
        Ok(Value::Int(v.into()))
    }

    fn serialize_i16(self, v: i16) -> Result<Value, SerError> {
        Ok(Value::Int(v.into()))
    }

    fn serialize_i32(self, v: i32) -> Result<Value, SerError> {
        Ok(Value::Int(v.into()))
    }

    fn serialize_i64(self, v: i64) -> Result<Value, SerError> {
        Ok(Value::Int(v))
    }

    fn serialize_i128(self, v: i128) -> Result<Value, SerError> {
        Ok(int_value(v))
    }

    fn serialize_u8(self, v: u8) -> Result<Value, SerError> {
        Ok(Value::Int(v.into()))
    }

    fn serialize_u16(self, v: u16) -> Result<Value, SerError> {
        Ok(Value::Int(v.into()))
    }

    fn serialize_u32(self, v: u32) -> Result<Value, SerError> {
        Ok(Value::Int(v.into()))
    }

    fn serialize_u64(self, v: u64) -> Result<Value, SerError> {
        Ok(int_value(v))
    }

    fn serialize_u128(self, v: u128) -> Result<Value, SerError> {
        Ok(int_value(v))
    }

    fn serialize_f32(self, v: f32) -> Result<Value, SerError> {
        Ok(Value::Float(v.into()))
    }

    fn serialize_f64(self, v: f64) -> Result<Value, SerError> {
        Ok(Value::Float(v))
    }

    fn serialize_char(self, v: char) -> Result<Value, SerError> {
        Ok(Value::Str(v.to_string()))
    }

    fn serialize_str(self, v: &str) -> Result<Value, SerError> {
        Ok(Value::Str(v.to_owned()))
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<Value, SerError> {
        Ok(Value::Bytes(v.to_vec()))
    }

    fn serialize_none(self) -> Result<Value, SerError> {
        Ok(Value::None)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, SerError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Value, SerError> {
        Ok(Value::None)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, SerError> {
        Ok(Value::None)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, SerError> {
        Ok(Value::Str(variant.to_owned()))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value, SerError> {
        if name != MAGIC {
            return value.serialize(self);
        }
        CAPTURE.with(|c| *c.borrow_mut() = Capture::Armed);
        let natural = value.serialize(ValueSerializer);
        match CAPTURE.with(|c| std::mem::replace(&mut *c.borrow_mut(), Capture::Idle)) {
            Capture::Taken(exact) => Ok(exact),
            Capture::Idle | Capture::Armed => natural,
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, SerError> {
        Ok(Value::Dict(vec![(
            Value::Str(variant.to_owned()),
            value.serialize(self)?,
        )]))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSerializer, SerError> {
        Ok(SeqSerializer::new(len, false))
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqSerializer, SerError> {
        Ok(SeqSerializer::new(Some(len), true))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqSerializer, SerError> {
        Ok(SeqSerializer::new(Some(len), true))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSerializer<SeqSerializer>, SerError> {
        Ok(VariantSerializer {
            variant,
            inner: SeqSerializer::new(Some(len), true),
        })
    }

    fn serialize_map(self, len: Option<usize>) -> Result<MapSerializer, SerError> {
        Ok(MapSerializer::new(len))
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapSerializer, SerError> {
        Ok(MapSerializer::new(Some(len)))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSerializer<MapSerializer>, SerError> {
        Ok(VariantSerializer {
            variant,
            inner: MapSerializer::new(Some(len)),
        })
    }
}

/// Collects the elements of a sequence (a `List`) or tuple (a `Tuple`).
struct SeqSerializer {
    items: Vec<Value>,
    tuple: bool,
}

impl SeqSerializer {
    fn new(len: Option<usize>, tuple: bool) -> Self {
        SeqSerializer {
            items: Vec::with_capacity(len.unwrap_or(0).min(4096)),
            tuple,
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.items.push(value.serialize(ValueSerializer)?);
        Ok(())
    }

    fn finish(self) -> Value {
        if self.tuple {
            Value::Tuple(self.items)
        } else {
            Value::List(self.items)
        }
    }
}

impl ser::SerializeSeq for SeqSerializer {
    type Ok = Value;
    type Error = SerError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, SerError> {
        Ok(self.finish())
    }
}

impl ser::SerializeTuple for SeqSerializer {
    type Ok = Value;
    type Error = SerError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, SerError> {
        Ok(self.finish())
    }
}

impl ser::SerializeTupleStruct for SeqSerializer {
    type Ok = Value;
    type Error = SerError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.push(value)
    }

    fn end(self) -> Result<Value, SerError> {
        Ok(self.finish())
    }
}

/// Collects the entries of a map or the fields of a struct (a `Dict`).
struct MapSerializer {
    items: Vec<(Value, Value)>,
    key: Option<Value>,
}

impl MapSerializer {
    fn new(len: Option<usize>) -> Self {
        MapSerializer {
            items: Vec::with_capacity(len.unwrap_or(0).min(4096)),
            key: None,
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), SerError> {
        let value = value.serialize(ValueSerializer)?;
        self.items.push((Value::Str(key.to_owned()), value));
        Ok(())
    }
}

impl ser::SerializeMap for MapSerializer {
    type Ok = Value;
    type Error = SerError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        self.key = Some(key.serialize(ValueSerializer)?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| SerError("a map value was serialized before its key".into()))?;
        self.items.push((key, value.serialize(ValueSerializer)?));
        Ok(())
    }

    fn end(self) -> Result<Value, SerError> {
        Ok(Value::Dict(self.items))
    }
}

impl ser::SerializeStruct for MapSerializer {
    type Ok = Value;
    type Error = SerError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.field(key, value)
    }

    fn end(self) -> Result<Value, SerError> {
        Ok(Value::Dict(self.items))
    }
}

/// A tuple or struct variant: `{variant: (fields...)}` or `{variant: {field: value, ...}}`.
struct VariantSerializer<S> {
    variant: &'static str,
    inner: S,
}

impl<S> VariantSerializer<S> {
    fn wrap(variant: &str, value: Value) -> Value {
        Value::Dict(vec![(Value::Str(variant.to_owned()), value)])
    }
}

impl ser::SerializeTupleVariant for VariantSerializer<SeqSerializer> {
    type Ok = Value;
    type Error = SerError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.inner.push(value)
    }

    fn end(self) -> Result<Value, SerError> {
        Ok(Self::wrap(self.variant, self.inner.finish()))
    }
}

impl ser::SerializeStructVariant for VariantSerializer<MapSerializer> {
    type Ok = Value;
    type Error = SerError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.inner.field(key, value)
    }

    fn end(self) -> Result<Value, SerError> {
        Ok(Self::wrap(self.variant, Value::Dict(self.inner.items)))
    }
}

// ---------------------------------------------------------------------------------------------
// Deserializer

/// Deserializes out of an owned [`Value`].
struct ValueDeserializer(Value);

/// Elements and entries handed to serde's `SeqDeserializer` / `MapDeserializer`.
struct Element(Value);

impl<'de> IntoDeserializer<'de, DeError> for Element {
    type Deserializer = ValueDeserializer;

    fn into_deserializer(self) -> ValueDeserializer {
        ValueDeserializer(self.0)
    }
}

fn visit_items<'de, V: Visitor<'de>>(items: Vec<Value>, visitor: V) -> Result<V::Value, DeError> {
    let mut seq = SeqDeserializer::new(items.into_iter().map(Element));
    let out = visitor.visit_seq(&mut seq)?;
    seq.end()?;
    Ok(out)
}

fn visit_dict<'de, V: Visitor<'de>>(
    items: Vec<(Value, Value)>,
    visitor: V,
) -> Result<V::Value, DeError> {
    let mut map = MapDeserializer::new(items.into_iter().map(|(k, v)| (Element(k), Element(v))));
    let out = visitor.visit_map(&mut map)?;
    map.end()?;
    Ok(out)
}

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::None => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Int(i) => Unexpected::Signed(*i),
        Value::Float(x) => Unexpected::Float(*x),
        Value::Str(s) => Unexpected::Str(s),
        Value::Bytes(b) => Unexpected::Bytes(b),
        Value::List(_) | Value::Tuple(_) | Value::Set(_) | Value::FrozenSet(_) => Unexpected::Seq,
        Value::Dict(_) => Unexpected::Map,
        other => Unexpected::Other(other.type_name()),
    }
}

/// The bytes of a list or tuple of ints in `0..=255`.
fn int_bytes(items: &[Value]) -> Option<Vec<u8>> {
    items
        .iter()
        .map(|item| match item {
            Value::Int(i) => u8::try_from(*i).ok(),
            _ => None,
        })
        .collect()
}

macro_rules! deserialize_int {
    ($($method:ident $visit:ident $t:ty;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            let converted = match &self.0 {
                Value::Int(i) => <$t>::try_from(*i).map_err(|_| i.to_string()),
                Value::BigInt(i) => <$t>::try_from(i).map_err(|_| i.to_string()),
                _ => return self.deserialize_any(visitor),
            };
            match converted {
                Ok(n) => visitor.$visit(n),
                Err(text) => Err(DeError(format!(
                    "Python int {text} is out of range for {}",
                    stringify!($t)
                ))),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for ValueDeserializer {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::None => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Int(i) => visitor.visit_i64(i),
            Value::BigInt(i) => {
                if let Ok(small) = i128::try_from(&i) {
                    visitor.visit_i128(small)
                } else if let Ok(big) = u128::try_from(&i) {
                    visitor.visit_u128(big)
                } else {
                    Err(DeError(format!(
                        "Python int {i} does not fit in 128 bits; deserialize it into a \
                         snakebridge_runtime::Value (or use FromValue for num_bigint::BigInt)"
                    )))
                }
            }
            Value::Float(x) => visitor.visit_f64(x),
            Value::Str(s) => visitor.visit_string(s),
            Value::Bytes(b) => visitor.visit_byte_buf(b),
            Value::List(items)
            | Value::Tuple(items)
            | Value::Set(items)
            | Value::FrozenSet(items) => visit_items(items, visitor),
            Value::Dict(items) => visit_dict(items, visitor),
            Value::DateTime(d) => visitor.visit_string(d.to_string()),
            Value::Date(d) => visitor.visit_string(d.to_string()),
            Value::Time(t) => visitor.visit_string(t.to_string()),
            Value::Complex { re, im } => {
                visit_items(vec![Value::Float(re), Value::Float(im)], visitor)
            }
            Value::Array(a) => ValueDeserializer(a.to_list_value()).deserialize_any(visitor),
            Value::Ref(r) => Err(DeError(ref_error(&r))),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    deserialize_int! {
        deserialize_i8 visit_i8 i8;
        deserialize_i16 visit_i16 i16;
        deserialize_i32 visit_i32 i32;
        deserialize_i64 visit_i64 i64;
        deserialize_i128 visit_i128 i128;
        deserialize_u8 visit_u8 u8;
        deserialize_u16 visit_u16 u16;
        deserialize_u32 visit_u32 u32;
        deserialize_u64 visit_u64 u64;
        deserialize_u128 visit_u128 u128;
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Float(x) => visitor.visit_f64(x),
            // Python passes ints wherever floats go; FromValue decides how (exactly for big ints).
            v @ (Value::Int(_) | Value::BigInt(_)) => {
                let x = f64::from_value(v).map_err(|e| DeError(e.to_string()))?;
                visitor.visit_f64(x)
            }
            other => ValueDeserializer(other).deserialize_any(visitor),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.0 {
            Value::Str(s) if s.chars().count() == 1 => {
                visitor.visit_char(s.chars().next().unwrap_or_default())
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Bytes(b) => visitor.visit_byte_buf(b),
            Value::List(items) | Value::Tuple(items) => match int_bytes(&items) {
                Some(bytes) => visitor.visit_byte_buf(bytes),
                None => visit_items(items, visitor),
            },
            other => ValueDeserializer(other).deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::None => visitor.visit_none(),
            other => visitor.visit_some(ValueDeserializer(other)),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name != MAGIC {
            return visitor.visit_newtype_struct(self);
        }
        // Only `Value`'s own visitor asks for this name: hand the value over whole.
        HANDOVER.with(|h| *h.borrow_mut() = Some(self.0));
        let out = visitor.visit_unit();
        HANDOVER.with(|h| h.borrow_mut().take());
        out
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            // `Vec<u8>` from Python `bytes`.
            Value::Bytes(b) => visit_items(
                b.into_iter().map(|x| Value::Int(x.into())).collect(),
                visitor,
            ),
            other => ValueDeserializer(other).deserialize_any(visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_any(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Str(variant) => visitor.visit_enum(EnumDeserializer {
                variant: Value::Str(variant),
                value: None,
            }),
            Value::Dict(items) if items.len() == 1 => {
                let (variant, value) = items.into_iter().next().expect("one entry");
                visitor.visit_enum(EnumDeserializer {
                    variant,
                    value: Some(value),
                })
            }
            other => Err(DeError(format!(
                "expected enum {name} as a variant name (str) or a dict with one entry \
                 {{variant: value}}, got {} {other:?}",
                other.type_name()
            ))),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            // A field or variant index.
            Value::Int(i) if i >= 0 => visitor.visit_u64(i.unsigned_abs()),
            other => ValueDeserializer(other).deserialize_any(visitor),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

/// An enum: its variant (a name, or an index) and the variant's content, if any.
struct EnumDeserializer {
    variant: Value,
    value: Option<Value>,
}

impl<'de> EnumAccess<'de> for EnumDeserializer {
    type Error = DeError;
    type Variant = VariantDeserializer;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, VariantDeserializer), DeError> {
        let variant = seed.deserialize(ValueDeserializer(self.variant))?;
        Ok((variant, VariantDeserializer(self.value)))
    }
}

/// The content of an enum variant: `None` when the variant came as a plain name.
struct VariantDeserializer(Option<Value>);

impl<'de> VariantAccess<'de> for VariantDeserializer {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.0 {
            None | Some(Value::None) => Ok(()),
            Some(other) => Err(de::Error::invalid_type(unexpected(&other), &"unit variant")),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, DeError> {
        match self.0 {
            Some(value) => seed.deserialize(ValueDeserializer(value)),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"newtype variant",
            )),
        }
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Some(value) => ValueDeserializer(value).deserialize_tuple(len, visitor),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"tuple variant",
            )),
        }
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.0 {
            Some(value) => ValueDeserializer(value).deserialize_struct("", fields, visitor),
            None => Err(de::Error::invalid_type(
                Unexpected::UnitVariant,
                &"struct variant",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};
    use std::sync::Arc;

    use num_bigint::BigInt;
    use serde::{Deserialize, Serialize};

    use super::{from_value, to_value};
    use crate::error::Error;
    use crate::pyref::{PyRef, RefOwner};
    use crate::value::{Date, DateTime, Time, Value};

    fn s(text: &str) -> Value {
        Value::Str(text.into())
    }

    fn round_trip<T>(x: &T) -> T
    where
        T: Serialize + serde::de::DeserializeOwned,
    {
        from_value(to_value(x).expect("to_value")).expect("from_value")
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    enum Kind {
        Plain,
        Scaled(f64),
        Pair(i32, String),
        Named { id: u64, tags: Vec<String> },
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Unit;

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Meters(f64);

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Record {
        name: String,
        matrix: Vec<Vec<i64>>,
        counts: HashMap<String, Vec<u32>>,
        maybe: Option<Box<Record>>,
        kinds: Vec<Kind>,
        pair: (u8, char),
        unit: Unit,
        length: Meters,
    }

    fn record() -> Record {
        Record {
            name: "outer ✓".into(),
            matrix: vec![vec![1, -2], vec![], vec![i64::MIN, i64::MAX]],
            counts: [("a".into(), vec![1, 2]), ("b".into(), vec![])].into(),
            maybe: Some(Box::new(Record {
                name: "inner".into(),
                matrix: vec![],
                counts: HashMap::new(),
                maybe: None,
                kinds: vec![Kind::Plain],
                pair: (0, '\0'),
                unit: Unit,
                length: Meters(-0.0),
            })),
            kinds: vec![
                Kind::Plain,
                Kind::Scaled(f64::INFINITY),
                Kind::Pair(-7, "seven".into()),
                Kind::Named {
                    id: u64::MAX,
                    tags: vec!["x".into()],
                },
            ],
            pair: (255, 'é'),
            unit: Unit,
            length: Meters(1.5),
        }
    }

    #[test]
    fn nested_struct_round_trips() {
        let r = record();
        assert_eq!(round_trip(&r), r);
    }

    #[test]
    fn struct_shape_is_python_like() {
        let v = to_value(&record()).unwrap();
        let Value::Dict(items) = &v else {
            panic!("not a dict: {v:?}")
        };
        let keys: Vec<&Value> = items.iter().map(|(k, _)| k).collect();
        let expected = [
            "name", "matrix", "counts", "maybe", "kinds", "pair", "unit", "length",
        ]
        .map(s);
        assert_eq!(
            keys,
            expected.iter().collect::<Vec<_>>(),
            "declaration order"
        );
        assert_eq!(
            v.get("pair"),
            Some(&Value::Tuple(vec![Value::Int(255), s("é")]))
        );
        assert_eq!(v.get("unit"), Some(&Value::None));
        assert_eq!(v.get("length"), Some(&Value::Float(1.5)));
        let inner = v.get("maybe").unwrap();
        assert_eq!(inner.get("maybe"), Some(&Value::None));
        assert_eq!(
            v.get("kinds"),
            Some(&Value::List(vec![
                s("Plain"),
                Value::Dict(vec![(s("Scaled"), Value::Float(f64::INFINITY))]),
                Value::Dict(vec![(
                    s("Pair"),
                    Value::Tuple(vec![Value::Int(-7), s("seven")])
                )]),
                Value::Dict(vec![(
                    s("Named"),
                    Value::Dict(vec![
                        (s("id"), Value::BigInt(BigInt::from(u64::MAX))),
                        (s("tags"), Value::List(vec![s("x")])),
                    ])
                )]),
            ]))
        );
    }

    #[test]
    fn nan_and_infinities_are_kept() {
        for x in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            f64::MIN_POSITIVE / 4.0,
        ] {
            let v = to_value(&x).unwrap();
            assert_eq!(v, Value::Float(x));
            let back: f64 = from_value(v).unwrap();
            assert!(back.to_bits() == x.to_bits() || (x.is_nan() && back.is_nan()));
        }
        let f: f32 = from_value(to_value(&f32::NAN).unwrap()).unwrap();
        assert!(f.is_nan());
    }

    #[test]
    fn u64_max_is_a_big_int() {
        let v = to_value(&u64::MAX).unwrap();
        assert_eq!(v, Value::BigInt(BigInt::from(u64::MAX)));
        assert_eq!(from_value::<u64>(v.clone()).unwrap(), u64::MAX);
        assert_eq!(from_value::<u128>(v.clone()).unwrap(), u128::from(u64::MAX));
        assert!(matches!(from_value::<i64>(v), Err(Error::Decode { .. })));
        assert_eq!(to_value(&(i64::MAX as u64)).unwrap(), Value::Int(i64::MAX));
    }

    #[test]
    fn i128_and_u128_round_trip() {
        for x in [i128::MIN, i128::from(i64::MIN) - 1, -1, 0, i128::MAX] {
            assert_eq!(round_trip(&x), x);
        }
        assert_eq!(to_value(&-1i128).unwrap(), Value::Int(-1));
        assert_eq!(
            to_value(&i128::MIN).unwrap(),
            Value::BigInt(BigInt::from(i128::MIN))
        );
        assert_eq!(round_trip(&u128::MAX), u128::MAX);
    }

    #[test]
    fn integers_are_range_checked() {
        let err = from_value::<u8>(Value::Int(256)).unwrap_err();
        match err {
            Error::Decode { what, message } => {
                assert_eq!(what, "u8");
                assert!(
                    message.contains("256") && message.contains("out of range"),
                    "{message}"
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(from_value::<u32>(Value::Int(-1)).is_err());
        assert!(from_value::<i8>(Value::BigInt(BigInt::from(u64::MAX))).is_err());
        assert!(from_value::<i64>(Value::Str("1".into())).is_err());
        assert_eq!(from_value::<i16>(Value::Int(-300)).unwrap(), -300);
    }

    #[test]
    fn floats_accept_ints() {
        assert_eq!(from_value::<f64>(Value::Int(3)).unwrap(), 3.0);
        assert_eq!(from_value::<f32>(Value::Int(-2)).unwrap(), -2.0);
        let exact = Value::BigInt(BigInt::from(1u128 << 100));
        assert_eq!(from_value::<f64>(exact).unwrap(), 2f64.powi(100));
        let inexact = Value::BigInt(BigInt::from((1u128 << 100) + 1));
        assert!(from_value::<f64>(inexact).is_err());
    }

    /// A byte buffer that serializes with `serialize_bytes`, like `serde_bytes::ByteBuf`.
    #[derive(Debug, PartialEq)]
    struct ByteBuf(Vec<u8>);

    impl Serialize for ByteBuf {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(&self.0)
        }
    }

    impl<'de> Deserialize<'de> for ByteBuf {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl serde::de::Visitor<'_> for V {
                type Value = ByteBuf;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E>(self, v: &[u8]) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v.to_vec()))
                }
                fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
                    Ok(ByteBuf(v))
                }
            }
            d.deserialize_byte_buf(V)
        }
    }

    #[test]
    fn bytes_round_trip() {
        let buf = ByteBuf(vec![0, 1, 255, b'a']);
        let v = to_value(&buf).unwrap();
        assert_eq!(v, Value::Bytes(vec![0, 1, 255, b'a']));
        assert_eq!(from_value::<ByteBuf>(v.clone()).unwrap(), buf);
        // A list of ints (what a Vec<u8> serializes to) is accepted as bytes too...
        let list = to_value(&vec![0u8, 1, 255, b'a']).unwrap();
        assert_eq!(list, Value::List([0, 1, 255, 97].map(Value::Int).to_vec()));
        assert_eq!(from_value::<ByteBuf>(list).unwrap(), buf);
        // ... and a Vec<u8> can come from Python bytes.
        assert_eq!(from_value::<Vec<u8>>(v).unwrap(), buf.0);
        assert!(from_value::<ByteBuf>(Value::List(vec![Value::Int(256)])).is_err());
    }

    #[test]
    fn int_keys_are_kept() {
        let m: BTreeMap<i64, String> = [(-1, "minus".into()), (2, "two".into())].into();
        let v = to_value(&m).unwrap();
        assert_eq!(
            v,
            Value::Dict(vec![
                (Value::Int(-1), s("minus")),
                (Value::Int(2), s("two")),
            ])
        );
        assert_eq!(from_value::<BTreeMap<i64, String>>(v).unwrap(), m);
        let tuple_keys: HashMap<(i32, bool), ()> = [((1, true), ())].into();
        assert_eq!(round_trip(&tuple_keys), tuple_keys);
    }

    #[test]
    fn enums_from_str_or_single_entry_dict() {
        assert_eq!(from_value::<Kind>(s("Plain")).unwrap(), Kind::Plain);
        assert_eq!(
            from_value::<Kind>(Value::Dict(vec![(s("Plain"), Value::None)])).unwrap(),
            Kind::Plain
        );
        assert_eq!(
            from_value::<Kind>(Value::Dict(vec![(
                s("Pair"),
                Value::List(vec![Value::Int(1), s("a")])
            )]))
            .unwrap(),
            Kind::Pair(1, "a".into())
        );
        assert!(from_value::<Kind>(s("Nope")).is_err());
        assert!(from_value::<Kind>(s("Scaled")).is_err());
        assert!(from_value::<Kind>(Value::Dict(vec![])).is_err());
        assert!(from_value::<Kind>(Value::Int(0)).is_err());
    }

    #[test]
    fn python_shapes_deserialize_leniently() {
        let set = Value::Set(vec![Value::Int(3), Value::Int(1)]);
        let mut v: Vec<i32> = from_value(set).unwrap();
        v.sort();
        assert_eq!(v, [1, 3]);
        let t: (i32, String) = from_value(Value::List(vec![Value::Int(1), s("x")])).unwrap();
        assert_eq!(t, (1, "x".into()));
        assert!(from_value::<(i32, i32)>(Value::Tuple(vec![Value::Int(1); 3])).is_err());
        let c: (f64, f64) = from_value(Value::Complex { re: 1.0, im: -2.0 }).unwrap();
        assert_eq!(c, (1.0, -2.0));
        let d = Date {
            year: 2024,
            month: 2,
            day: 29,
        };
        assert_eq!(from_value::<String>(Value::Date(d)).unwrap(), "2024-02-29");
        let opt: Option<Option<i32>> = from_value(Value::None).unwrap();
        assert_eq!(opt, None);
        let ch: char = from_value(s("é")).unwrap();
        assert_eq!(ch, 'é');
        assert!(from_value::<char>(s("ab")).is_err());
    }

    #[test]
    fn missing_and_wrong_fields_are_decode_errors() {
        let err = from_value::<Record>(Value::Dict(vec![(s("name"), s("x"))])).unwrap_err();
        assert!(
            matches!(&err, Error::Decode { what, message } if what.ends_with("Record") && message.contains("missing field")),
            "{err}"
        );
        let err = from_value::<Record>(Value::Int(1)).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err}");
    }

    struct NoOwner;
    impl RefOwner for NoOwner {
        fn release(&self, _id: u64) {}
        fn describe(&self) -> String {
            "test".into()
        }
    }

    fn every_variant() -> Value {
        let time = Time {
            hour: 23,
            minute: 59,
            second: 1,
            microsecond: 7,
            utc_offset: Some(-3600),
        };
        let date = Date {
            year: 1,
            month: 12,
            day: 31,
        };
        let pyref = PyRef::remote(7, "pathlib.Path", Arc::new(NoOwner));
        Value::Dict(vec![
            (Value::None, Value::Bool(true)),
            (Value::Int(1), Value::BigInt(BigInt::from(u128::MAX) * 7)),
            (s("f"), Value::Float(f64::NAN)),
            (
                Value::Bytes(vec![1]),
                Value::List(vec![Value::Tuple(vec![])]),
            ),
            (
                Value::Tuple(vec![Value::Int(1)]),
                Value::Set(vec![Value::FrozenSet(vec![Value::Int(2)])]),
            ),
            (s("dt"), Value::DateTime(DateTime { date, time })),
            (s("d"), Value::Date(date)),
            (s("t"), Value::Time(time)),
            (
                s("c"),
                Value::Complex {
                    re: -0.0,
                    im: 1e300,
                },
            ),
            (s("r"), Value::Ref(pyref)),
            (
                s("$snakebridge::private::Value"),
                Value::BigInt(BigInt::from(-5)),
            ),
        ])
    }

    #[test]
    fn value_converts_exactly_through_the_bridge() {
        let v = every_variant();
        assert_eq!(to_value(&v).unwrap(), v);
        assert_eq!(from_value::<Value>(v.clone()).unwrap(), v);

        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        struct Holder {
            label: String,
            payload: Value,
            maybe: Option<Value>,
            list: Vec<Value>,
        }
        let h = Holder {
            label: "h".into(),
            payload: v.clone(),
            maybe: Some(Value::Set(vec![Value::Int(1)])),
            list: vec![v.clone(), Value::Float(f64::NAN)],
        };
        assert_eq!(round_trip(&h), h);
    }

    #[test]
    fn value_serializes_naturally_elsewhere() {
        let v = Value::Dict(vec![
            (s("t"), Value::Tuple(vec![Value::Int(1), Value::None])),
            (s("s"), Value::FrozenSet(vec![s("x")])),
            (s("big"), Value::BigInt(BigInt::from(u64::MAX))),
            (s("huge"), Value::BigInt(BigInt::from(u128::MAX) * 2)),
            (s("c"), Value::Complex { re: 1.0, im: 2.0 }),
            (
                s("time"),
                Value::Time(Time {
                    hour: 1,
                    minute: 2,
                    second: 3,
                    microsecond: 0,
                    utc_offset: Some(0),
                }),
            ),
        ]);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"t":[1,null],"s":["x"],"big":18446744073709551615,"huge":"680564733841876926926749214863536422910","c":[1.0,2.0],"time":"01:02:03+00:00"}"#
        );
        let with_ref = Value::List(vec![Value::Ref(PyRef::remote(3, "x.Y", Arc::new(NoOwner)))]);
        let err = serde_json::to_string(&with_ref).unwrap_err();
        assert!(err.to_string().contains("x.Y"), "{err}");

        let back: Value =
            serde_json::from_str(r#"{"a":[1,18446744073709551615,-2.5,"x",null,true]}"#).unwrap();
        assert_eq!(
            back,
            Value::Dict(vec![(
                s("a"),
                Value::List(vec![
                    Value::Int(1),
                    Value::BigInt(BigInt::from(u64::MAX)),
                    Value::Float(-2.5),
                    s("x"),
                    Value::None,
                    Value::Bool(true),
                ])
            )])
        );
    }

    #[test]
    fn flatten_and_untagged_see_the_natural_form() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct Open {
            id: u32,
            #[serde(flatten)]
            extra: BTreeMap<String, Value>,
        }
        #[derive(Deserialize, Debug, PartialEq)]
        #[serde(untagged)]
        enum Either {
            Number(i64),
            Text(String),
            Other(Value),
        }
        let v = Value::Dict(vec![
            (s("id"), Value::Int(3)),
            (s("tags"), Value::Tuple(vec![s("a")])),
        ]);
        let open: Open = from_value(v).unwrap();
        assert_eq!(open.id, 3);
        // Buffered by serde, so the tuple arrives as a sequence.
        assert_eq!(open.extra["tags"], Value::List(vec![s("a")]));
        assert_eq!(
            from_value::<Either>(Value::Int(5)).unwrap(),
            Either::Number(5)
        );
        assert_eq!(
            from_value::<Either>(s("x")).unwrap(),
            Either::Text("x".into())
        );
        assert_eq!(
            from_value::<Either>(Value::Float(0.5)).unwrap(),
            Either::Other(Value::Float(0.5))
        );
    }

    #[test]
    fn refs_are_not_plain_data() {
        let r = Value::Ref(PyRef::remote(9, "numpy.ndarray", Arc::new(NoOwner)));
        let err = from_value::<Vec<i32>>(r.clone()).unwrap_err();
        assert!(err.to_string().contains("numpy.ndarray"), "{err}");
        let err = from_value::<serde_json::Value>(r).unwrap_err();
        assert!(err.to_string().contains("ref"), "{err}");
    }

    #[test]
    fn serde_json_value_through_the_bridge() {
        let j = serde_json::json!({"a": [1, 2.5, "x", null, {"b": false}], "u": u64::MAX});
        let v = to_value(&j).unwrap();
        assert_eq!(v.get("u"), Some(&Value::BigInt(BigInt::from(u64::MAX))));
        assert_eq!(from_value::<serde_json::Value>(v).unwrap(), j);
    }
}
