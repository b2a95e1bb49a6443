//! The element types of an [`NdArray`](super::NdArray): [`DType`] (numpy's names, sizes,
//! parsing), the sealed [`Element`] trait for the Rust types that are one, and `with_element!`,
//! which runs code generic over the Rust type of a runtime dtype.

use std::fmt;

use crate::data::value::Value;

/// The element type of an [`NdArray`](super::NdArray), named as numpy names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DType {
    /// `bool` (one byte, 0 or 1).
    Bool,
    /// `int8`.
    Int8,
    /// `int16`.
    Int16,
    /// `int32`.
    Int32,
    /// `int64`.
    Int64,
    /// `uint8`.
    UInt8,
    /// `uint16`.
    UInt16,
    /// `uint32`.
    UInt32,
    /// `uint64`.
    UInt64,
    /// `float16` (IEEE 754 half precision: [`f16`](struct@f16)).
    Float16,
    /// `float32`.
    Float32,
    /// `float64`.
    Float64,
    /// `complex64` (two `float32`s).
    Complex64,
    /// `complex128` (two `float64`s).
    Complex128,
}

impl DType {
    /// Every dtype, for lookups.
    pub const ALL: [DType; 14] = [
        DType::Bool,
        DType::Int8,
        DType::Int16,
        DType::Int32,
        DType::Int64,
        DType::UInt8,
        DType::UInt16,
        DType::UInt32,
        DType::UInt64,
        DType::Float16,
        DType::Float32,
        DType::Float64,
        DType::Complex64,
        DType::Complex128,
    ];

    /// numpy's name of the dtype (`"float64"`), also its name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::Int8 => "int8",
            DType::Int16 => "int16",
            DType::Int32 => "int32",
            DType::Int64 => "int64",
            DType::UInt8 => "uint8",
            DType::UInt16 => "uint16",
            DType::UInt32 => "uint32",
            DType::UInt64 => "uint64",
            DType::Float16 => "float16",
            DType::Float32 => "float32",
            DType::Float64 => "float64",
            DType::Complex64 => "complex64",
            DType::Complex128 => "complex128",
        }
    }

    /// The dtype numpy calls `name`.
    pub fn from_name(name: &str) -> Option<DType> {
        DType::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::Int8 | DType::UInt8 => 1,
            DType::Int16 | DType::UInt16 | DType::Float16 => 2,
            DType::Int32 | DType::UInt32 | DType::Float32 => 4,
            DType::Int64 | DType::UInt64 | DType::Float64 | DType::Complex64 => 8,
            DType::Complex128 => 16,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A Rust element type with a numpy dtype: `bool`, `i8`, `i16`, `i32`, `i64`, `u8`, `u16`,
/// `u32`, `u64`, [`f16`](struct@f16), `f32`, `f64`, [`Complex<f32>`] and [`Complex<f64>`].
/// Sealed: these are the types whose every bit pattern numpy and Rust read alike (bools are
/// checked to be 0 or 1 where bytes arrive from outside).
pub trait Element: Copy + Send + Sync + PartialEq + fmt::Debug + 'static + sealed::Sealed {
    /// The matching dtype.
    const DTYPE: DType;
    /// The element as a plain value (for list conversions).
    fn to_value(self) -> Value;
}

macro_rules! elements {
    ($($t:ty => $dtype:ident, $variant:ident;)*) => {$(
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const DTYPE: DType = DType::$dtype;
            fn to_value(self) -> Value {
                Value::$variant(self.into())
            }
        }
    )*};
}

elements! {
    bool => Bool, Bool;
    i8 => Int8, Int;
    i16 => Int16, Int;
    i32 => Int32, Int;
    i64 => Int64, Int;
    u8 => UInt8, Int;
    u16 => UInt16, Int;
    u32 => UInt32, Int;
    f16 => Float16, Float;
    f32 => Float32, Float;
    f64 => Float64, Float;
}

/// Half-precision floats as numpy stores them (`float16`): re-exported from `half`. A
/// `float16` element reads as the `f64` of the same value (`Value::Float`); convert with
/// `f16::from_f64`/`f16::to_f64`.
pub use half::f16;

/// Complex numbers as numpy stores them (`complex64`, `complex128`): re-exported from
/// `num-complex`.
pub use num_complex::Complex;

macro_rules! complex_elements {
    ($($t:ty => $dtype:ident;)*) => {$(
        impl sealed::Sealed for Complex<$t> {}
        impl Element for Complex<$t> {
            const DTYPE: DType = DType::$dtype;
            fn to_value(self) -> Value {
                Value::Complex {
                    re: self.re.into(),
                    im: self.im.into(),
                }
            }
        }
    )*};
}

complex_elements! {
    f32 => Complex64;
    f64 => Complex128;
}

impl sealed::Sealed for u64 {}
impl Element for u64 {
    const DTYPE: DType = DType::UInt64;
    fn to_value(self) -> Value {
        match i64::try_from(self) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::BigInt(self.into()),
        }
    }
}

/// Calls `$body` with `$T` bound to the Rust element type of `$dtype`.
macro_rules! with_element {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::data::array::DType::Bool => {
                type $T = bool;
                $body
            }
            $crate::data::array::DType::Int8 => {
                type $T = i8;
                $body
            }
            $crate::data::array::DType::Int16 => {
                type $T = i16;
                $body
            }
            $crate::data::array::DType::Int32 => {
                type $T = i32;
                $body
            }
            $crate::data::array::DType::Int64 => {
                type $T = i64;
                $body
            }
            $crate::data::array::DType::UInt8 => {
                type $T = u8;
                $body
            }
            $crate::data::array::DType::UInt16 => {
                type $T = u16;
                $body
            }
            $crate::data::array::DType::UInt32 => {
                type $T = u32;
                $body
            }
            $crate::data::array::DType::UInt64 => {
                type $T = u64;
                $body
            }
            $crate::data::array::DType::Float16 => {
                type $T = $crate::data::array::f16;
                $body
            }
            $crate::data::array::DType::Float32 => {
                type $T = f32;
                $body
            }
            $crate::data::array::DType::Float64 => {
                type $T = f64;
                $body
            }
            $crate::data::array::DType::Complex64 => {
                type $T = $crate::data::array::Complex<f32>;
                $body
            }
            $crate::data::array::DType::Complex128 => {
                type $T = $crate::data::array::Complex<f64>;
                $body
            }
        }
    };
}
#[allow(unused_imports)] // used by the embedded client
pub(crate) use with_element;
