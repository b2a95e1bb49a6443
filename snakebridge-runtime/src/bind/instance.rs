//! The check that a result decoded as a generated class is an instance of it (subclasses
//! allowed): a `Call<Point>` whose Python function returned a `str` is an [`Error::Decode`]
//! naming both types, not a `Point` over a string.
//!
//! Every ref carries its object's exact type name (`PyRef::type_name`, on both clients), so the
//! check is a string comparison with the type names already found to be instances of the class;
//! only a type not seen yet asks Python `isinstance(obj, Class)` through the current client
//! (once per type, or every time for a type that is not an instance, which fails anyway).
//!
//! Constructors are not checked ([`FromValue::from_constructed`]): Python's `Class(...)` may
//! return another type by design (sympy's `Add(x)` is `x`).

use std::sync::{Mutex, OnceLock};

use crate::data::error::{Error, Result};
use crate::data::pyref::PyRef;
use crate::data::value::{FromValue, Value};

use super::PyClass;

/// The type names found to be instances of one generated class: a `static` in the class's
/// `FromValue` impl (`__py_class!`).
pub struct InstanceCheck {
    /// The first type found (almost always the class itself): read without a lock.
    first: OnceLock<Box<str>>,
    /// Further types found (subclasses).
    more: Mutex<Vec<Box<str>>>,
}

impl InstanceCheck {
    /// No type found yet.
    #[allow(clippy::new_without_default)] // only ever a `static`
    pub const fn new() -> InstanceCheck {
        InstanceCheck {
            first: OnceLock::new(),
            more: Mutex::new(Vec::new()),
        }
    }

    /// `value` as the class `C`: a ref to an instance of `C`, else an [`Error::Decode`] naming
    /// `C` and the type Python returned.
    #[inline]
    pub fn check<C: PyClass>(&'static self, value: Value) -> Result<C> {
        let r = <PyRef as FromValue>::from_value(value)?;
        if self.first.get().is_some_and(|t| **t == *r.type_name()) {
            return Ok(C::from_ref_unchecked(r));
        }
        self.check_slow::<C>(r)
    }

    #[cold]
    #[inline(never)]
    fn check_slow<C: PyClass>(&'static self, r: PyRef) -> Result<C> {
        let type_name = r.type_name();
        // The lock is never held across the Python call (which may wait for the interpreter).
        let known = || self.more.lock().unwrap_or_else(|e| e.into_inner());
        if known().iter().any(|t| **t == *type_name) {
            return Ok(C::from_ref_unchecked(r));
        }
        match is_instance(&r, C::MODULE, C::NAME) {
            // A class that cannot be looked up (a nested class, a module that moved it) is
            // not held against the result: only a definite "not an instance" is an error.
            Err(_) => return Ok(C::from_ref_unchecked(r)),
            Ok(false) => {
                return Err(Error::decode(
                    format!("{}.{}", C::MODULE, C::NAME),
                    format!(
                        "Python returned a `{type_name}`, which is not an instance of `{}.{}` \
                         (nor of a subclass); ask for a `Value` or a `PyRef` to take it as it is",
                        C::MODULE,
                        C::NAME
                    ),
                ));
            }
            Ok(true) => {}
        }
        if let Err(name) = self.first.set(type_name.into()) {
            known().push(name);
        }
        Ok(C::from_ref_unchecked(r))
    }
}

/// `isinstance(obj, module.name)`, asked through the current client in one call whose only
/// ref is `obj` (a pool runs it on the worker that holds `obj`; a class looked up by a call of
/// its own could live in another worker). The module and name travel as data, never as code.
fn is_instance(obj: &PyRef, module: &'static str, name: &'static str) -> Result<bool> {
    const CHECK: &str = "isinstance(o, __import__('functools').reduce(getattr, n.split('.'), \
                         __import__('importlib').import_module(m)))";
    let names = Value::Dict(vec![
        (Value::from("o"), Value::Ref(obj.clone())),
        (Value::from("m"), Value::from(module)),
        (Value::from("n"), Value::from(name)),
    ]);
    crate::api::call("builtins", "eval", (CHECK, names))
}
