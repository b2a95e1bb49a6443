//! `__py_overloads!`: the impls of a generated overload trait, which picks a Python callable's
//! result type from its first argument's Rust type (`os.path.join(&str, ..) -> String`,
//! `numpy.sqrt(f64) -> f64`, `numpy.sqrt(Vec<f64>) -> ndarray`).
//!
//! The generator names each arm by a kind (`int`, `float`, `str`, `bytes`, `bool`, `array`,
//! `class Path`); this file says which Rust types a kind stands for, so that the list (every
//! integer width, every array form, `ndarray` arrays only with that feature) is written once
//! and each generated trait stays a few lines. Primitive types are spelled
//! `::core::primitive::bool`: a module may bind a Python class named `bool` (numpy does), and
//! a bare `bool` in the expansion would name that struct.

/// Declares an overload trait and its impls, one line per arm.
///
/// ```text
/// __py_overloads! {
///     /// The first argument's types of `numpy.sqrt` and the result each gives.
///     SqrtArg("`{Self}` is not a first argument the overloads of `numpy.sqrt` take");
///     int => f64; float => f64; bool => f64;
///     array => ndarray; class ndarray => ndarray;
/// }
/// ```
///
/// declares `pub trait SqrtArg: IntoValue { type Output: FromValue; }` (with the message as the
/// compiler's error for a type it is not implemented for) and implements it for
/// every Rust integer and float, `bool`, the array forms (`NdArray`, `Vec<T>`, `&[T]`, `[T; N]`,
/// tuples, and with the `ndarray` feature `Array`, `&ArrayBase`, `ArrayView`), the class and a
/// reference to it. `Value`, `&Value`, `PyRef` and `&PyRef` always give a `Value` (they can
/// hold anything, so the stubs cannot say), and so do the runtime's other `IntoValue` types
/// (`Option`, maps, sets, dates, `()`), so that every argument the untyped form took still
/// compiles. The generator lists every kind of data (`int => Value;` where the stubs do not
/// say), so one kind's types are implemented once.
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
        pub trait $name: $crate::IntoValue {
            /// The result type of a call with this argument.
            type Output: $crate::FromValue;
        }
        $($crate::__py_overloads!(@arm $name, $kind $($class)?, $out);)*
        // What no stub tells apart: dynamic values, refs, and the rest of the runtime's
        // `IntoValue` types.
        $crate::__py_overloads!(@types $name, $crate::Value;
            $crate::Value, &$crate::Value, $crate::PyRef, &$crate::PyRef, (),
            $crate::Date, $crate::Time, $crate::DateTime);
        impl<T: $crate::IntoValue> $name for ::std::option::Option<T> {
            type Output = $crate::Value;
        }
        impl<K: $crate::IntoValue, V: $crate::IntoValue, S> $name
            for ::std::collections::HashMap<K, V, S>
        {
            type Output = $crate::Value;
        }
        impl<K: $crate::IntoValue, V: $crate::IntoValue> $name
            for ::std::collections::BTreeMap<K, V>
        {
            type Output = $crate::Value;
        }
        impl<T: $crate::IntoValue, S> $name for ::std::collections::HashSet<T, S> {
            type Output = $crate::Value;
        }
        impl<T: $crate::IntoValue> $name for ::std::collections::BTreeSet<T> {
            type Output = $crate::Value;
        }
    };
    (@arm $name:ident, int, $out:ty) => {
        $crate::__py_overloads!(@types $name, $out;
            ::core::primitive::i8, ::core::primitive::i16, ::core::primitive::i32,
            ::core::primitive::i64, ::core::primitive::i128, ::core::primitive::isize,
            ::core::primitive::u8, ::core::primitive::u16, ::core::primitive::u32,
            ::core::primitive::u64, ::core::primitive::u128, ::core::primitive::usize);
    };
    (@arm $name:ident, float, $out:ty) => {
        $crate::__py_overloads!(@types $name, $out; ::core::primitive::f32, ::core::primitive::f64);
    };
    (@arm $name:ident, bool, $out:ty) => {
        $crate::__py_overloads!(@types $name, $out; ::core::primitive::bool);
    };
    (@arm $name:ident, str, $out:ty) => {
        $crate::__py_overloads!(@types $name, $out; &::core::primitive::str, ::std::string::String, &::std::string::String,
            ::std::borrow::Cow<'_, ::core::primitive::str>, ::core::primitive::char,
            &::std::path::Path, ::std::path::PathBuf);
    };
    (@arm $name:ident, bytes, $out:ty) => {
        $crate::__py_overloads!(@types $name, $out; $crate::Bytes);
    };
    (@arm $name:ident, class $class:ty, $out:ty) => {
        $crate::__py_overloads!(@types $name, $out; $class, &$class);
    };
    (@arm $name:ident, array, $out:ty) => {
        impl $name for $crate::NdArray { type Output = $out; }
        impl<T: $crate::IntoValue> $name for ::std::vec::Vec<T> { type Output = $out; }
        impl<T: $crate::IntoValue + ::std::clone::Clone> $name for &[T] { type Output = $out; }
        impl<T: $crate::IntoValue, const N: usize> $name for [T; N] { type Output = $out; }
        $crate::__py_overloads!(@tuples $name, $out; A B C D E F G H);
        $crate::__py_overloads_ndarray!($name, $out);
    };
    // Tuples of every arity up to the contract's `MAX_TUPLE_ARITY`, as the runtime converts.
    (@tuples $name:ident, $out:ty;) => {};
    (@tuples $name:ident, $out:ty; $head:ident $($rest:ident)*) => {
        impl<$head: $crate::IntoValue, $($rest: $crate::IntoValue),*> $name for ($head, $($rest,)*) {
            type Output = $out;
        }
        $crate::__py_overloads!(@tuples $name, $out; $($rest)*);
    };
    (@types $name:ident, $out:ty; $($t:ty),*) => {
        $(impl $name for $t { type Output = $out; })*
    };
}

// `@tuples` lists the type parameters `A` to `H`: the contract's arity.
const _: () = assert!(
    snakebridge_contract::MAX_TUPLE_ARITY == 8,
    "__py_overloads! must list tuples up to snakebridge_contract::MAX_TUPLE_ARITY"
);

/// The `ndarray` arms of [`__py_overloads!`]'s `array` kind (nothing without the feature).
#[cfg(feature = "ndarray")]
#[doc(hidden)]
#[macro_export]
macro_rules! __py_overloads_ndarray {
    ($name:ident, $out:ty) => {
        impl<T: $crate::Element, D: $crate::ndarray::Dimension> $name
            for $crate::ndarray::Array<T, D>
        {
            type Output = $out;
        }
        impl<S: $crate::ndarray::Data, D: $crate::ndarray::Dimension> $name
            for &$crate::ndarray::ArrayBase<S, D>
        where
            S::Elem: $crate::Element,
        {
            type Output = $out;
        }
        impl<T: $crate::Element, D: $crate::ndarray::Dimension> $name
            for $crate::ndarray::ArrayView<'_, T, D>
        {
            type Output = $out;
        }
    };
}

/// The `ndarray` arms of [`__py_overloads!`]'s `array` kind (nothing without the feature).
#[cfg(not(feature = "ndarray"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __py_overloads_ndarray {
    ($name:ident, $out:ty) => {};
}
