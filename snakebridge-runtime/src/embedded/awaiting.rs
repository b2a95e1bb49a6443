//! Coroutines and async iterators in the embedded interpreter, by the worker's own rules
//! (`python/snakebridge_worker/awaiting.py`, loaded here from the same source): a call whose
//! result is awaitable is awaited on the calling thread's event loop (the runtime's runner
//! thread for a `call_async`, never an executor's), and a stream over an async iterator is
//! driven item by item on it. A `call_async` whose result is awaitable goes to the event loop
//! thread instead ([`schedule`]), beside every other one, and its runner is free at once.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyCFunction, PyDict};

/// The module's source, as the worker package ships it.
const SOURCE: &str = include_str!("../../python/snakebridge_worker/awaiting.py");
const NAME: &str = "snakebridge_worker.awaiting";
const FILE: &str = "snakebridge_worker/awaiting.py";

struct Awaiting {
    settle: Py<PyAny>,
    iterate: Py<PyAny>,
    schedule: Py<PyAny>,
    awaitable_callback: Py<PyAny>,
}

static AWAITING: PyOnceLock<Awaiting> = PyOnceLock::new();

fn module(py: Python<'_>) -> PyResult<&Awaiting> {
    AWAITING.get_or_try_init(py, || {
        let builtins = py.import("builtins")?;
        let code = builtins.getattr("compile")?.call1((SOURCE, FILE, "exec"))?;
        let namespace = PyDict::new(py);
        namespace.set_item("__name__", NAME)?;
        builtins.getattr("exec")?.call1((code, &namespace))?;
        let get = |name: &str| -> PyResult<Py<PyAny>> {
            namespace
                .get_item(name)?
                .map(Bound::unbind)
                .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(format!("{FILE}: {name}")))
        };
        Ok(Awaiting {
            settle: get("settle")?,
            iterate: get("iterate")?,
            schedule: get("schedule")?,
            awaitable_callback: get("awaitable_callback")?,
        })
    })
}

/// True when `obj`'s type fills the `__await__` slot (a coroutine, a future, a class defining
/// `__await__`): two pointer reads, so every call can ask.
#[inline]
pub(super) fn is_awaitable(obj: &Bound<'_, PyAny>) -> bool {
    // SAFETY: `obj` is a live object, so its type object is too; `tp_as_async` is null or
    // points to the type's async slots.
    unsafe {
        let ty = pyo3::ffi::Py_TYPE(obj.as_ptr());
        let slots = (*ty).tp_as_async;
        !slots.is_null() && (*slots).am_await.is_some()
    }
}

/// `obj` awaited to its result (the awaitable's exception as the error).
pub(super) fn settle<'py>(obj: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = obj.py();
    module(py)?.settle.bind(py).call1((obj,))
}

/// (iterator, source) of a stream's result: `iter(obj)`, or a generator driving an async
/// iterator (closing it closes the async generator).
pub(super) fn iterate<'py>(
    obj: Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let py = obj.py();
    module(py)?.iterate.bind(py).call1((obj,))?.extract()
}

/// `call` (a blocking callable) as a function whose call returns an awaitable that runs `call`
/// on a thread of the running event loop's default executor (an async Rust callback).
pub(super) fn awaitable_callback(call: Bound<'_, PyAny>) -> PyResult<Bound<'_, PyAny>> {
    let py = call.py();
    module(py)?.awaitable_callback.bind(py).call1((call,))
}

/// Runs awaitable `obj` as a task of the interpreter's event loop thread; `done` gets its
/// outcome on that thread when it ends (its value, its exception, or `CancelledError`).
/// Returns the Python callable that cancels the task (from any thread).
pub(super) fn schedule<'py, F>(obj: Bound<'py, PyAny>, done: F) -> PyResult<Bound<'py, PyAny>>
where
    F: for<'a> FnOnce(PyResult<Bound<'a, PyAny>>) + Send + 'static,
{
    let py = obj.py();
    // Called once; a `Fn` for Python, so the closure sits in a slot it is taken from.
    let done = std::sync::Mutex::new(Some(done));
    let callback =
        PyCFunction::new_closure(py, None, None, move |args, _kwargs| -> PyResult<()> {
            let outcome = args.get_item(0)?.call_method0("result");
            let taken = done.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(done) = taken {
                done(outcome);
            }
            Ok(())
        })?;
    module(py)?.schedule.bind(py).call1((obj, callback))
}
