//! Rust callbacks ([`PyFn`]) as Python callables in the embedded interpreter.
//!
//! A `PyFn` converted into Python ([`wrap`], from `convert::to_py`) becomes a `RustCallback`
//! object whose `__call__` converts Python's arguments (each by its [`PyFn::policy`]), runs the
//! closure where Python called it (with the GIL held: the closure may call Python again, at any
//! depth, through the embedded client's re-entrant attach) and raises what the closure's failure
//! means ([`raise`]).
//!
//! Lifetime: each object is registered on its thread's stack of live callbacks; the call that
//! converted it ends a [`Scope`] when it returns, and the objects made since the scope began are
//! emptied (their closure released). Python code that kept one and calls it later gets a
//! `RuntimeError` saying so. A stream keeps its callbacks until it ends ([`Scope::keep`]).

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

use super::convert::{from_py, to_py};
use crate::data::pyfn::{AnyArgs, PyFn, Raise};
use crate::data::pyref::RefHandle;
use crate::data::value::Value;

/// Where a callback object finds its closure: `None` once the call it was passed to ended.
pub(super) type Slot = Arc<Mutex<Option<PyFn>>>;

thread_local! {
    /// The slots of the callback objects made on this thread by calls still running, in the
    /// order they were made (nested calls push after their caller's).
    static LIVE: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
}

/// The Python object over a [`PyFn`].
#[pyclass(frozen, name = "RustCallback", module = "snakebridge")]
pub(super) struct RustCallback {
    slot: Slot,
    /// The callback's description, for messages once the closure is gone.
    describe: String,
}

/// `f` as a new Python callable, live until the innermost [`Scope`] of this thread ends.
pub(super) fn wrap<'py>(py: Python<'py>, f: &PyFn) -> PyResult<Bound<'py, PyAny>> {
    let slot: Slot = Arc::new(Mutex::new(Some(f.clone())));
    LIVE.with(|live| live.borrow_mut().push(slot.clone()));
    let object = RustCallback {
        slot,
        describe: format!("{f:?}"),
    };
    Ok(Bound::new(py, object)?.into_any())
}

/// The callbacks a call converts: those made on this thread between [`Scope::enter`] and the
/// scope's end (its drop, or [`Scope::keep`]).
pub(super) struct Scope {
    mark: usize,
}

impl Scope {
    /// Begins the scope of a call.
    #[inline]
    pub(super) fn enter() -> Scope {
        Scope {
            mark: LIVE.with(|live| live.borrow().len()),
        }
    }

    /// Ends the scope without ending its callbacks: they are returned, for a stream to end
    /// when it does ([`end`]).
    pub(super) fn keep(self) -> Vec<Slot> {
        let kept = take_since(self.mark);
        std::mem::forget(self);
        kept
    }
}

impl Drop for Scope {
    #[inline]
    fn drop(&mut self) {
        if LIVE.with(|live| live.borrow().len()) > self.mark {
            end(take_since(self.mark));
        }
    }
}

fn take_since(mark: usize) -> Vec<Slot> {
    LIVE.with(|live| {
        let mut live = live.borrow_mut();
        let mark = mark.min(live.len());
        live.split_off(mark)
    })
}

/// Ends these callbacks: their objects raise from now on, and their closures are released
/// (dropped here, outside every lock: a closure may hold refs whose drop runs Python).
pub(super) fn end(slots: Vec<Slot>) {
    let closures: Vec<Option<PyFn>> = slots
        .iter()
        .map(|slot| slot.lock().unwrap_or_else(|e| e.into_inner()).take())
        .collect();
    drop(closures);
}

#[pymethods]
impl RustCallback {
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // A clone, so that no lock is held while the closure runs (it may re-enter Python,
        // which may call this object again from here or from another thread).
        let f = self.slot.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let Some(f) = f else {
            return Err(PyRuntimeError::new_err(format!(
                "the Rust callback {} was called after the call it was passed to had returned; \
                 a Rust callback lives only while that call runs (use it from a stream to \
                 keep it while Python iterates)",
                self.describe
            )));
        };
        let arguments = arguments(&f, args, kwargs).map_err(PyTypeError::new_err)?;
        match f.invoke(arguments) {
            Ok(value) => to_py(py, &value).map_err(|e| {
                PyRuntimeError::new_err(format!(
                    "the result of the Rust callback {f:?} cannot cross to Python: {e}"
                ))
            }),
            Err(failure) => Err(raise(py, failure)),
        }
    }

    fn __repr__(&self) -> String {
        let state = if self.slot.lock().is_ok_and(|s| s.is_some()) {
            ""
        } else {
            " (ended)"
        };
        format!("<snakebridge Rust callback {}{state}>", self.describe)
    }
}

/// Python's arguments as values, each positional one by the policy of its type in `f`.
fn arguments(
    f: &PyFn,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> Result<AnyArgs, String> {
    let positional = args
        .iter()
        .enumerate()
        .map(|(i, arg)| {
            from_py(&arg, f.policy(i))
                .map_err(|e| format!("argument {} of the Rust callback {f:?}: {e}", i + 1))
        })
        .collect::<Result<Vec<Value>, String>>()?;
    let mut keywords = Vec::new();
    for (key, value) in kwargs.into_iter().flat_map(|k| k.iter()) {
        let key = key
            .cast::<PyString>()
            .map_err(|e| e.to_string())?
            .to_string();
        let value = from_py(&value, crate::data::return_policy::ReturnPolicy::Auto)
            .map_err(|e| format!("keyword `{key}` of the Rust callback {f:?}: {e}"))?;
        keywords.push((key, value));
    }
    Ok(AnyArgs {
        args: positional,
        kwargs: keywords,
    })
}

/// The Python exception for a callback's failure: the original exception of a Python error
/// whose object lives in this interpreter, else a `TypeError` or `RuntimeError`.
fn raise(py: Python<'_>, failure: Raise) -> PyErr {
    if let Raise::Error(crate::data::error::Error::Python(e)) = &failure
        && let Some(exception) = &e.exception
        && let RefHandle::Embedded(object) = &exception.inner.handle
    {
        return PyErr::from_value(object.bind(py).clone());
    }
    match failure {
        Raise::TypeError(message) => PyTypeError::new_err(message),
        other => PyRuntimeError::new_err(other.message()),
    }
}
