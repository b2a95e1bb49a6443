//! The kinds of first argument an overloaded callable is told apart by (`numpy.sqrt(f64) -> f64`,
//! `numpy.sqrt(Vec<f64>) -> ndarray`).
//!
//! The code generator emits one `__py_overloads!` arm per kind an overload's first parameter
//! allows (`int => f64; array => ndarray;`), spelled by [`OverloadKind::keyword`]; the runtime's
//! macro turns each arm into an impl for its `kind::` type ([`OverloadKind::runtime_type`]),
//! and its `ArgKind` sorts every Rust argument type into one of them. `overload_contract` in the
//! runtime's tests passes every keyword to the macro and checks the type each lands on.
//!
//! ```
//! use snakebridge_contract::OverloadKind;
//!
//! assert_eq!(OverloadKind::Float.keyword(), "float");
//! assert_eq!(OverloadKind::Float.runtime_type(), "Float");
//! assert!(!OverloadKind::DATA.contains(&OverloadKind::Class));
//! ```

/// One kind of first argument. Besides these, every overload trait is implemented for the
/// runtime's `kind::Dynamic` (a `Value`, a `PyRef`, ...: what no stub tells apart), which
/// gives a `Value` and has no arm of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverloadKind {
    /// Every Rust integer (Python `int`).
    Int,
    /// `f32`, `f64` (Python `float`).
    Float,
    /// What crosses as a Python `str` (`&str`, `String`, `char`, paths, ...).
    Str,
    /// The runtime's `Bytes`.
    Bytes,
    /// `bool`.
    Bool,
    /// Sequences and array data (`NdArray`, `Vec<T>`, slices, tuples, `ndarray` arrays):
    /// numpy's `ArrayLike`.
    Array,
    /// A generated class (or a reference to one); its arm names the class
    /// (`class ndarray => ndarray;`).
    Class,
}

impl OverloadKind {
    /// Every kind, in the order the runtime's macro lists its arms.
    pub const ALL: [OverloadKind; 7] = [
        Self::Int,
        Self::Float,
        Self::Str,
        Self::Bytes,
        Self::Bool,
        Self::Array,
        Self::Class,
    ];

    /// The kinds of Rust data (every kind but classes): every overload trait covers them all,
    /// so that each argument the untyped form took still compiles.
    pub const DATA: [OverloadKind; 6] = [
        Self::Int,
        Self::Float,
        Self::Str,
        Self::Bytes,
        Self::Bool,
        Self::Array,
    ];

    /// The kind's keyword in an arm of `__py_overloads!` (`int => f64;`).
    pub const fn keyword(self) -> &'static str {
        match self {
            Self::Int => "int",
            Self::Float => "float",
            Self::Str => "str",
            Self::Bytes => "bytes",
            Self::Bool => "bool",
            Self::Array => "array",
            Self::Class => "class",
        }
    }

    /// The name of the runtime's type for the kind, in its `kind` module (`kind::Float`;
    /// `kind::Class<C>` for a class).
    pub const fn runtime_type(self) -> &'static str {
        match self {
            Self::Int => "Int",
            Self::Float => "Float",
            Self::Str => "Str",
            Self::Bytes => "Bytes",
            Self::Bool => "Bool",
            Self::Array => "Array",
            Self::Class => "Class",
        }
    }
}
