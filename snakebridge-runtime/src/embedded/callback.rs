//! Rust callbacks ([`PyFn`]) as Python callables in the embedded interpreter.
//!
//! A `PyFn` converted into Python ([`wrap`], from `convert::to_py`) becomes a Python function
//! over a Rust closure that converts Python's arguments (each by its [`PyFn::policy`]), runs the
//! closure where Python called it (with the GIL held: the closure may call Python again, at any
//! depth, through the embedded client's re-entrant attach) and raises what the closure's failure
//! means ([`raise`]).
//!
//! Lifetime: each object is registered on its thread's stack of live callbacks; the call that
//! converted it ends a [`Scope`] when it returns, and the objects made since the scope began are
//! ended. Python code that kept one and calls it later gets a `RuntimeError` saying so. A
//! stream keeps its callbacks until it ends ([`Scope::keep`]).

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyString, PyTuple};

use super::awaiting;
use super::convert::{from_py, scalar_at, scalar_to_py, to_py};
use crate::data::pyfn::{Arguments, CallbackFuture, Keywords, PyFn, Raise, Returned, block_on};
use crate::data::pyref::RefHandle;
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::{Scalar, Value};

/// Whether a callback object may still run its closure: false once the call it was passed to
/// ended. (A flag, not a lock around the closure: checking it costs a load per call.)
pub(super) type Slot = Arc<AtomicBool>;

thread_local! {
    /// The slots of the callback objects made on this thread by calls still running, in the
    /// order they were made (nested calls push after their caller's).
    static LIVE: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
    /// `LIVE`'s length, kept beside it so that a call's [`Scope`] (on every call's path)
    /// reads it without a borrow, and without the first-use check a thread-local with a
    /// destructor takes.
    static LIVE_LEN: Cell<usize> = const { Cell::new(0) };
}

/// `f` as a new Python callable, live until the innermost [`Scope`] of this thread ends.
///
/// A `builtin_function_or_method` over a Rust closure (pyo3's `PyCFunction::new_closure`):
/// Python calls it through C's own calling convention, as fast as any Rust function. An async
/// closure's ([`PyFn::is_async`]) is wrapped so that its call returns an awaitable that runs
/// it on a thread of the running loop's executor (`awaiting::awaitable_callback`).
pub(super) fn wrap<'py>(py: Python<'py>, f: &PyFn) -> PyResult<Bound<'py, PyAny>> {
    let slot: Slot = Arc::new(AtomicBool::new(true));
    LIVE.with(|live| {
        let mut live = live.borrow_mut();
        live.push(slot.clone());
        LIVE_LEN.set(live.len());
    });
    let f = f.clone();
    let is_async = f.is_async();
    let callable = PyCFunction::new_closure(
        py,
        Some(c"rust_callback"),
        Some(c"A Rust closure (snakebridge PyFn), callable while the call it was passed to runs."),
        move |args: &Bound<'_, PyTuple>, kwargs: Option<&Bound<'_, PyDict>>| {
            call(&slot, &f, args, kwargs).map(Bound::unbind)
        },
    )?;
    if is_async {
        return awaiting::awaitable_callback(callable.into_any());
    }
    Ok(callable.into_any())
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
            mark: LIVE_LEN.get(),
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
        if LIVE_LEN.get() > self.mark {
            end(take_since(self.mark));
        }
    }
}

fn take_since(mark: usize) -> Vec<Slot> {
    LIVE.with(|live| {
        let mut live = live.borrow_mut();
        let mark = mark.min(live.len());
        let taken = live.split_off(mark);
        LIVE_LEN.set(live.len());
        taken
    })
}

/// Ends these callbacks: their objects raise from now on. (Each closure goes when Python
/// lets go of its object: at once, unless Python code kept it.)
pub(super) fn end(slots: Vec<Slot>) {
    for slot in slots {
        slot.store(false, Ordering::Release);
    }
}

/// A call from Python of callback `f`, live while `slot` says so.
fn call<'py>(
    slot: &Slot,
    f: &PyFn,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = args.py();
    if !slot.load(Ordering::Acquire) {
        return Err(PyRuntimeError::new_err(format!(
            "the Rust callback {f:?} was called after the call it was passed to had returned; \
             a Rust callback lives only while that call runs (pass it to a stream to keep it \
             while Rust iterates)"
        )));
    }
    let keywords = keywords(f, kwargs).map_err(PyTypeError::new_err)?;
    // An async closure's future runs without the interpreter: the loop's other tasks go on.
    let wait = |mut future: CallbackFuture| py.detach(|| block_on(future.as_mut()));
    let mut frame = FromPython {
        f,
        args,
        result: None,
    };
    match f.invoke_in_place(&mut frame, keywords, wait) {
        Ok(Returned::InPlace) => frame.result.ok_or_else(|| {
            PyRuntimeError::new_err(format!("the Rust callback {f:?} returned no result"))
        }),
        Ok(Returned::Value(value)) => to_py(py, &value).map_err(|e| {
            PyRuntimeError::new_err(format!(
                "the result of the Rust callback {f:?} cannot cross to Python: {e}"
            ))
        }),
        Err(failure) => Err(raise(py, failure)),
    }
}

/// Python's positional arguments, each converted when the closure takes it, by the policy of
/// its type in `f`; and the closure's result when it is a scalar, made here in place.
struct FromPython<'a, 'py> {
    f: &'a PyFn,
    args: &'a Bound<'py, PyTuple>,
    result: Option<Bound<'py, PyAny>>,
}

impl Arguments for FromPython<'_, '_> {
    fn count(&self) -> usize {
        self.args.len()
    }

    fn take(&mut self, index: usize) -> Result<Value, Raise> {
        let item = self
            .args
            .get_borrowed_item(index)
            .map_err(|e| Raise::TypeError(e.to_string()))?;
        from_py(&item, self.f.policy(index)).map_err(|e| {
            Raise::TypeError(format!(
                "argument {} of the Rust callback {:?}: {e}",
                index + 1,
                self.f
            ))
        })
    }

    #[inline]
    fn scalar(&mut self, index: usize) -> Option<Scalar<'_>> {
        if index >= self.args.len() {
            return None;
        }
        // SAFETY: `index` is in the tuple, which holds its item for as long as `self` borrows
        // the tuple (so as long as the scalar borrows `self`); the GIL is held.
        unsafe { scalar_at(pyo3::ffi::PyTuple_GET_ITEM(self.args.as_ptr(), index as _)) }
    }

    #[inline]
    fn put_scalar(&mut self, scalar: Scalar<'_>) -> bool {
        // A failure (no memory for a str) leaves it to the general path, which reports it.
        self.result = scalar_to_py(self.args.py(), scalar);
        self.result.is_some()
    }
}

/// Python's keyword arguments as values.
fn keywords(f: &PyFn, kwargs: Option<&Bound<'_, PyDict>>) -> Result<Keywords, String> {
    let mut keywords = Vec::new();
    for (key, value) in kwargs.into_iter().flat_map(|k| k.iter()) {
        let key = key
            .cast::<PyString>()
            .map_err(|e| e.to_string())?
            .to_string();
        let value = from_py(&value, ReturnPolicy::Auto)
            .map_err(|e| format!("keyword `{key}` of the Rust callback {f:?}: {e}"))?;
        keywords.push((key, value));
    }
    Ok(keywords)
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
