//! Overloads told apart by the first argument's Rust type (`os.path.join(&str, ..) -> String`,
//! `numpy.sqrt(f64) -> f64`, `numpy.sqrt(Vec<f64>) -> ndarray`).
//!
//! Two halves. Here, once: [`ArgKind`] sorts every Rust argument type into a [`kind`] (`i8` and
//! `u64` are [`kind::Int`], `Vec<T>` and tuples [`kind::Array`], a generated class
//! [`kind::Class<C>`](kind::Class), a `Value` [`kind::Dynamic`], ...). In generated code, per
//! overloaded callable: a trait implemented by the kinds, whose `Output` is the result type
//! (`__py_overloads!`), so that each callable costs a handful of impls however many Rust types
//! a kind stands for.
//!
//! The kinds and the keywords of `__py_overloads!`'s arms (`int`, `float`, ..., `class`) are the
//! contract's [`OverloadKind`](snakebridge_contract::OverloadKind) list, which the generator
//! emits from; `tests/overload_contract.rs` passes every keyword to the macro and checks the
//! `kind` type each arm lands on.

use std::marker::PhantomData;

use crate::data::array::NdArray;
use crate::data::pyref::PyRef;
use crate::data::value::{Bytes, Date, DateTime, IntoValue, Time, Value};

use super::PyClass;

/// The kinds of first argument an overload can be told apart by: one type per
/// [`OverloadKind`](snakebridge_contract::OverloadKind), named by its `runtime_type`, and
/// `Dynamic`.
pub mod kind {
    use super::PhantomData;

    /// Every Rust integer (Python `int`).
    pub struct Int;
    /// `f32`, `f64` (Python `float`).
    pub struct Float;
    /// What crosses as a Python `str`: `&str`, `String`, `&String`, `Cow<str>`, `char`,
    /// `&Path`, `PathBuf`.
    pub struct Str;
    /// The runtime's `Bytes`.
    pub struct Bytes;
    /// `bool`.
    pub struct Bool;
    /// Sequences and array data: `NdArray`, `Vec<T>`, `&[T]`, `[T; N]`, tuples, and with the
    /// `ndarray` feature `Array`, `&ArrayBase`, `ArrayView` (numpy's `ArrayLike`).
    pub struct Array;
    /// A generated class `C` (or a reference to one).
    pub struct Class<C>(PhantomData<C>);
    /// What no stub tells apart: `Value`, `PyRef` (and references), `Option`, maps, sets,
    /// dates, `()`. Every overload trait gives a `Value` for it.
    pub struct Dynamic;
}

/// The [`kind`] of a Rust argument type, for picking an overloaded callable's result.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the first argument of an overloaded Python callable",
    note = "pass it as a `Value` (`snakebridge::Value`) or a `PyRef`: either gives a `Value`"
)]
pub trait ArgKind: IntoValue {
    /// The kind.
    type Kind;
}

macro_rules! kinds {
    ($kind:ident: $($t:ty),* $(,)?) => {
        $(impl ArgKind for $t { type Kind = kind::$kind; })*
    };
}

kinds!(Int: i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
kinds!(Float: f32, f64);
kinds!(Bool: bool);
kinds!(Bytes: Bytes);
kinds!(Str: &str, String, &String, std::borrow::Cow<'_, str>, char, &std::path::Path, std::path::PathBuf);
kinds!(Array: NdArray);
kinds!(Dynamic: Value, &Value, PyRef, &PyRef, (), Date, Time, DateTime);

impl<T: IntoValue> ArgKind for Vec<T> {
    type Kind = kind::Array;
}
impl<T: IntoValue + Clone> ArgKind for &[T] {
    type Kind = kind::Array;
}
impl<T: IntoValue, const N: usize> ArgKind for [T; N] {
    type Kind = kind::Array;
}
impl<T: IntoValue> ArgKind for Option<T> {
    type Kind = kind::Dynamic;
}
impl<K: IntoValue, V: IntoValue, S> ArgKind for std::collections::HashMap<K, V, S> {
    type Kind = kind::Dynamic;
}
impl<K: IntoValue, V: IntoValue> ArgKind for std::collections::BTreeMap<K, V> {
    type Kind = kind::Dynamic;
}
impl<T: IntoValue, S> ArgKind for std::collections::HashSet<T, S> {
    type Kind = kind::Dynamic;
}
impl<T: IntoValue> ArgKind for std::collections::BTreeSet<T> {
    type Kind = kind::Dynamic;
}

// A reference to a generated class (the class itself gets its impl from `__py_class!`: a
// second blanket impl for `C` would overlap this one). No other crate can implement `PyClass`
// for the referenced types above (orphan rules), so this does not overlap them.
impl<'a, C: PyClass> ArgKind for &'a C
where
    &'a C: IntoValue,
{
    type Kind = kind::Class<C>;
}

macro_rules! tuple_kinds {
    ($($name:ident)+) => {
        impl<$($name: IntoValue),+> ArgKind for ($($name,)+) {
            type Kind = kind::Array;
        }
    };
}
tuple_kinds!(A);
tuple_kinds!(A B);
tuple_kinds!(A B C);
tuple_kinds!(A B C D);
tuple_kinds!(A B C D E);
tuple_kinds!(A B C D E F);
tuple_kinds!(A B C D E F G);
tuple_kinds!(A B C D E F G H);
tuple_kinds!(A B C D E F G H I);
tuple_kinds!(A B C D E F G H I J);
tuple_kinds!(A B C D E F G H I J K);
tuple_kinds!(A B C D E F G H I J K L);
tuple_kinds!(A B C D E F G H I J K L M);
tuple_kinds!(A B C D E F G H I J K L M N);
tuple_kinds!(A B C D E F G H I J K L M N O);
tuple_kinds!(A B C D E F G H I J K L M N O P);
tuple_kinds!(A B C D E F G H I J K L M N O P Q);
// The tuples above go up to the contract's arity, as the runtime's conversions do.
const _: () = assert!(
    snakebridge_contract::MAX_TUPLE_ARITY == 17,
    "ArgKind must cover tuples up to snakebridge_contract::MAX_TUPLE_ARITY"
);

#[cfg(feature = "ndarray")]
mod ndarray_kinds {
    use ndarray::{Array, ArrayBase, ArrayView, Data, Dimension};

    use super::{ArgKind, kind};
    use crate::data::array::Element;

    impl<T: Element, D: Dimension> ArgKind for Array<T, D> {
        type Kind = kind::Array;
    }
    impl<S: Data, D: Dimension> ArgKind for &ArrayBase<S, D>
    where
        S::Elem: Element,
    {
        type Kind = kind::Array;
    }
    impl<T: Element, D: Dimension> ArgKind for ArrayView<'_, T, D> {
        type Kind = kind::Array;
    }
}

/// Declares an overloaded callable's result trait, implemented by the argument kinds.
///
/// ```text
/// __py_overloads! {
///     /// The first argument's types of `numpy.sqrt` and the result each gives.
///     SqrtArg("an argument of kind `{Self}` is not one the overloads of `numpy.sqrt` take");
///     int => f64; float => f64; bool => f64;
///     array => ndarray; class ndarray => ndarray;
/// }
/// ```
///
/// declares `pub trait SqrtArg { type Output: FromValue; }` (the message is the compiler's
/// error for a kind it is not implemented for) and implements it for `kind::Int`,
/// `kind::Float`, ..., `kind::Class<ndarray>`, and `kind::Dynamic` (a `Value`). The generated
/// function is `fn sqrt<A: ArgKind>(x: A) -> SqrtCall<<A::Kind as SqrtArg>::Output> where
/// A::Kind: SqrtArg`. The generator lists every kind of data (`str => Value;` where the stubs
/// do not say), so that every argument the untyped form took still compiles. The arms' keywords
/// are the contract's [`OverloadKind::keyword`](snakebridge_contract::OverloadKind::keyword)s.
#[doc(hidden)]
#[macro_export]
macro_rules! __py_overloads {
    ($(#[$meta:meta])* $name:ident($message:literal); $($kind:ident $($class:ty)? => $out:ty;)*) => {
        $(#[$meta])*
        #[diagnostic::on_unimplemented(
            message = $message,
            label = "the stubs' overloads do not take this type",
            note = "pass an object the stubs do not name as a `PyRef` (`&*obj`), or a `Value`: \
                    either gives a `Value`"
        )]
        pub trait $name {
            /// The result type of a call with an argument of this kind.
            type Output: $crate::__private::FromValue;
        }
        $($crate::__private::__py_overloads!(@arm $name, $kind $($class)?, $out);)*
        impl $name for $crate::__private::kind::Dynamic { type Output = $crate::__private::Value; }
    };
    (@arm $name:ident, int, $out:ty) => { impl $name for $crate::__private::kind::Int { type Output = $out; } };
    (@arm $name:ident, float, $out:ty) => { impl $name for $crate::__private::kind::Float { type Output = $out; } };
    (@arm $name:ident, str, $out:ty) => { impl $name for $crate::__private::kind::Str { type Output = $out; } };
    (@arm $name:ident, bytes, $out:ty) => { impl $name for $crate::__private::kind::Bytes { type Output = $out; } };
    (@arm $name:ident, bool, $out:ty) => { impl $name for $crate::__private::kind::Bool { type Output = $out; } };
    (@arm $name:ident, array, $out:ty) => { impl $name for $crate::__private::kind::Array { type Output = $out; } };
    (@arm $name:ident, class $class:ty, $out:ty) => {
        impl $name for $crate::__private::kind::Class<$class> { type Output = $out; }
    };
}
