//! What a `list[T]` parameter of generated code takes: any vector, slice or array of what an
//! element of type `T` takes, as a scalar parameter of that type would (`list[str]` takes
//! `vec!["a", "b"]`, `&["a", "b"]`, `Vec<String>`, `&[&str]`; `list[float]` takes
//! `vec![1.0, 2.5]` or `[1, 2]`), so that a list parameter is as easy to call as a scalar one.
//!
//! Generated code declares such a parameter `impl __sb::ListArg<T>` and passes
//! `__sb::ListArg::into_list(x)`: one line per parameter, one trait for every element type.

use crate::data::value::{Bytes, IntoValue, Value};

use super::PyClass;

/// A Rust value that can stand for one element of Rust type `T` of a list parameter: what a
/// scalar parameter of type `T` takes (`Into<i64>` for `i64`, `Into<String>` for `String`, ...),
/// a generated class or a reference to one for that class, and a nested list for `Vec<T>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an element of a Python `list` whose items are `{T}`",
    note = "pass what a `{T}` parameter takes, or a `Vec<{T}>`"
)]
pub trait ElemArg<T> {
    /// The element as a value, converted as the scalar parameter would convert it.
    fn into_elem(self) -> Value;
}

impl<E: Into<i64>> ElemArg<i64> for E {
    fn into_elem(self) -> Value {
        self.into().into_value()
    }
}

impl<E: Into<f64>> ElemArg<f64> for E {
    fn into_elem(self) -> Value {
        self.into().into_value()
    }
}

impl<E: Into<String>> ElemArg<String> for E {
    fn into_elem(self) -> Value {
        self.into().into_value()
    }
}

impl<E: Into<Bytes>> ElemArg<Bytes> for E {
    fn into_elem(self) -> Value {
        self.into().into_value()
    }
}

impl ElemArg<bool> for bool {
    fn into_elem(self) -> Value {
        self.into_value()
    }
}

impl<C: PyClass> ElemArg<C> for C {
    fn into_elem(self) -> Value {
        Value::Ref(self.into_py_ref())
    }
}

impl<C: PyClass> ElemArg<C> for &C {
    fn into_elem(self) -> Value {
        Value::Ref(self.as_py_ref().clone())
    }
}

impl<T, E: ElemArg<T>> ElemArg<Option<T>> for Option<E> {
    fn into_elem(self) -> Value {
        self.map_or(Value::None, ElemArg::into_elem)
    }
}

impl<T, L: ListArg<T>> ElemArg<Vec<T>> for L {
    fn into_elem(self) -> Value {
        self.into_list()
    }
}

/// A Rust collection that can stand for a Python `list` of elements of Rust type `T`: a
/// `Vec`, slice or array (owned or borrowed) of anything [`ElemArg<T>`].
///
/// ```
/// use snakebridge_runtime::__private::ListArg;
/// use snakebridge_runtime::Value;
///
/// fn words(w: impl ListArg<String>) -> Value {
///     w.into_list()
/// }
/// let expected = Value::List(vec![Value::Str("a".into()), Value::Str("b".into())]);
/// assert_eq!(words(vec!["a", "b"]), expected);
/// assert_eq!(words(&["a", "b"]), expected);
/// assert_eq!(words(vec![String::from("a"), String::from("b")]), expected);
/// assert_eq!(words(&["a", "b"][..]), expected);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be passed as a Python `list` whose items are `{T}`",
    note = "pass a `Vec`, slice or array of what a `{T}` parameter takes"
)]
pub trait ListArg<T> {
    /// The collection as a Python list value.
    fn into_list(self) -> Value;
}

impl<T, E: ElemArg<T>> ListArg<T> for Vec<E> {
    fn into_list(self) -> Value {
        Value::List(self.into_iter().map(ElemArg::into_elem).collect())
    }
}

impl<T, E: ElemArg<T>, const N: usize> ListArg<T> for [E; N] {
    fn into_list(self) -> Value {
        Value::List(self.into_iter().map(ElemArg::into_elem).collect())
    }
}

impl<T, E: ElemArg<T> + Clone> ListArg<T> for &[E] {
    fn into_list(self) -> Value {
        Value::List(self.iter().cloned().map(ElemArg::into_elem).collect())
    }
}

impl<T, E: ElemArg<T> + Clone, const N: usize> ListArg<T> for &[E; N] {
    fn into_list(self) -> Value {
        self.as_slice().into_list()
    }
}

impl<T, E: ElemArg<T> + Clone> ListArg<T> for &Vec<E> {
    fn into_list(self) -> Value {
        self.as_slice().into_list()
    }
}
