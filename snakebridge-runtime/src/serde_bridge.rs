//! serde <-> Value (being written).
use crate::error::{Error, Result};
use crate::value::Value;

/// Converts any serde-serializable value into a [`Value`].
pub fn to_value<T: serde::Serialize + ?Sized>(_value: &T) -> Result<Value> {
    Err(Error::encode("serde bridge not written yet"))
}

/// Converts a [`Value`] into any serde-deserializable type.
pub fn from_value<T: serde::de::DeserializeOwned>(_value: Value) -> Result<T> {
    Err(Error::decode("serde", "serde bridge not written yet"))
}
