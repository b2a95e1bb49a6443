//! A `serde::Serializer` producing [`Value`]s.

use num_bigint::BigInt;
use serde::ser::{self, Serialize, Serializer};

use super::error::SerError;
use super::lossless::{CAPTURE, Capture, MAGIC};
use crate::data::error::Result;
use crate::data::value::Value;

/// Serializes into a [`Value`].
pub(super) struct ValueSerializer;

pub(super) fn int_value<T>(i: T) -> Value
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
pub(super) struct SeqSerializer {
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
pub(super) struct MapSerializer {
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
pub(super) struct VariantSerializer<S> {
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
