//! [`ArrayArg`]: what a parameter the stubs type as numeric array data takes (numpy's
//! `ArrayLike` and its numeric `_ArrayLike*_co` forms, scikit-learn's `MatrixLike`, a
//! docstring's `array-like`).
//!
//! Every Rust type whose [`ArgKind`] is array data ([`kind::Array`]: `Vec`, slices, arrays,
//! tuples, `NdArray`, the `ndarray` crate's arrays), a number ([`kind::Int`], [`kind::Float`],
//! [`kind::Bool`]: numpy reads a scalar as a 0-d array), a generated class (a bound `ndarray`
//! or `DataFrame`, [`kind::Class`]) or a dynamic value ([`kind::Dynamic`]: a `Value` or `PyRef`
//! another call returned, `Option` for `None`). Text and bytes are not array data: passing a
//! `&str` where a Python callable takes an array is a compile error.

use super::overloads::{ArgKind, kind};

/// A Rust argument a Python parameter typed as numeric array data accepts (see the module).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not array data, which this Python parameter takes",
    note = "pass a `Vec`, a slice, an array, a tuple, an `NdArray`, a number, or a `Value`/`PyRef` \
            holding an array"
)]
pub trait ArrayArg: ArgKind {}

/// The [`kind`]s [`ArrayArg`] takes.
#[diagnostic::on_unimplemented(
    message = "this Python parameter takes numeric array data, not a `{Self}` argument",
    note = "pass a `Vec`, a slice, an array, a tuple, an `NdArray`, a number, or a `Value`/`PyRef` \
            holding an array"
)]
pub trait ArrayKind {}

impl ArrayKind for kind::Array {}
impl ArrayKind for kind::Int {}
impl ArrayKind for kind::Float {}
impl ArrayKind for kind::Bool {}
impl ArrayKind for kind::Dynamic {}
impl<C> ArrayKind for kind::Class<C> {}

impl<T: ArgKind> ArrayArg for T where T::Kind: ArrayKind {}
