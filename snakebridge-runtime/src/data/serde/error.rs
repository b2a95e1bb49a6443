//! The serializer's and deserializer's error types.

use std::fmt;

use serde::de::{self};
use serde::ser::{self};

/// The serializer's error, turned into [`Error::Encode`] by [`to_value`].
#[derive(Debug)]
pub(super) struct SerError(pub(super) String);

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
pub(super) struct DeError(pub(super) String);

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

pub(super) fn ref_error(r: &crate::data::pyref::PyRef) -> String {
    format!(
        "a Python object ref ({}, #{}) is not plain data; convert it to data in Python first, \
         or keep it as a snakebridge_runtime::Value",
        r.type_name(),
        r.id()
    )
}

/// Why a Rust callback cannot be serialized or deserialized.
pub(super) fn function_error(f: &crate::data::pyfn::PyFn) -> String {
    format!("a Rust callback ({f:?}) is not plain data; pass it to a call as a value")
}
