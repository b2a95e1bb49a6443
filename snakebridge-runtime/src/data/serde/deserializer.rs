//! A `serde::Deserializer` over owned [`Value`]s.

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, Unexpected, VariantAccess,
    Visitor,
};

use super::error::{DeError, function_error, ref_error};
use super::lossless::{HANDOVER, MAGIC};
use crate::data::error::Result;
use crate::data::value::{FromValue, Value};

/// Deserializes out of an owned [`Value`].
pub(super) struct ValueDeserializer(pub(super) Value);

/// Elements and entries handed to serde's `SeqDeserializer` / `MapDeserializer`.
pub(super) struct Element(pub(super) Value);

impl<'de> IntoDeserializer<'de, DeError> for Element {
    type Deserializer = ValueDeserializer;

    fn into_deserializer(self) -> ValueDeserializer {
        ValueDeserializer(self.0)
    }
}

pub(super) fn visit_items<'de, V: Visitor<'de>>(
    items: Vec<Value>,
    visitor: V,
) -> Result<V::Value, DeError> {
    let mut seq = SeqDeserializer::new(items.into_iter().map(Element));
    let out = visitor.visit_seq(&mut seq)?;
    seq.end()?;
    Ok(out)
}

pub(super) fn visit_dict<'de, V: Visitor<'de>>(
    items: Vec<(Value, Value)>,
    visitor: V,
) -> Result<V::Value, DeError> {
    let mut map = MapDeserializer::new(items.into_iter().map(|(k, v)| (Element(k), Element(v))));
    let out = visitor.visit_map(&mut map)?;
    map.end()?;
    Ok(out)
}

pub(super) fn unexpected(value: &Value) -> Unexpected<'_> {
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
pub(super) fn int_bytes(items: &[Value]) -> Option<Vec<u8>> {
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
            Value::Function(f) => Err(DeError(function_error(&f))),
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
pub(super) struct EnumDeserializer {
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
pub(super) struct VariantDeserializer(pub(super) Option<Value>);

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
