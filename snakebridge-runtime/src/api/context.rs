//! Python's `with` statement for Rust closures: [`with_context`].

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use super::{call, call_method};
use crate::data::error::{Error, Result};
use crate::data::pyref::PyRef;
use crate::data::value::{FromValue, Value};

/// Runs `body` inside the context manager `manager`, as Python's `with manager as value:` does:
/// `body` gets what `__enter__` returned, and `__exit__` always runs after it — with
/// `(None, None, None)` when `body` returns `Ok`, with the exception when it returns an `Err`
/// (the Python exception itself for a Python error, a `RuntimeError` carrying the message for
/// any other) and with a `RuntimeError` when it panics (the panic then continues).
///
/// An `Err` from `body` is returned even when `__exit__` suppresses the exception (there is no
/// value to return instead); an error raised by `__exit__` itself is returned when `body`
/// succeeded.
///
/// ```no_run
/// use snakebridge_runtime::{PyRef, construct, with_context};
/// let tmp = construct("tempfile", "TemporaryDirectory", ())?;
/// let listed: Vec<String> = with_context(&tmp, |dir: String| {
///     snakebridge_runtime::call("os", "listdir", (dir,))
/// })?;
/// assert!(listed.is_empty()); // and the directory is gone now
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
#[track_caller]
pub fn with_context<T: FromValue, R>(
    manager: &PyRef,
    body: impl FnOnce(T) -> Result<R>,
) -> Result<R> {
    let entered: T = call_method(manager, "__enter__", ())?;
    match catch_unwind(AssertUnwindSafe(|| body(entered))) {
        Ok(Ok(value)) => {
            exit_clean(manager)?;
            Ok(value)
        }
        Ok(Err(error)) => {
            // The body's error is what the caller gets; a failing `__exit__` must not hide it.
            match error_exception(&error) {
                Ok(exc) => drop(exit_with(manager, &exc)),
                // No exception object to hand over: `__exit__` still runs, so the resource is
                // released.
                Err(_) => drop(exit_clean(manager)),
            }
            Err(error)
        }
        Err(panic) => {
            let message = panic_message(panic.as_ref());
            match runtime_error(&format!("Rust panic: {message}")) {
                Ok(exc) => drop(exit_with(manager, &exc)),
                Err(_) => drop(exit_clean(manager)),
            }
            resume_unwind(panic)
        }
    }
}

/// `__exit__(None, None, None)`.
fn exit_clean(manager: &PyRef) -> Result<()> {
    let _: Value = call_method(manager, "__exit__", (Value::None, Value::None, Value::None))?;
    Ok(())
}

/// `__exit__(type(exc), exc, exc.__traceback__)`.
fn exit_with(manager: &PyRef, exc: &PyRef) -> Result<()> {
    let ty: PyRef = call("builtins", "type", (exc,))?;
    let traceback: Value = exc.getattr("__traceback__")?;
    let _: Value = call_method(manager, "__exit__", (ty, exc, traceback))?;
    Ok(())
}

/// The Python exception an `Err` stands for: the exception object of a Python error, else a
/// `RuntimeError` with the error's message.
fn error_exception(error: &Error) -> Result<PyRef> {
    match error {
        Error::Python(p) if p.exception.is_some() => Ok(p.exception.clone().expect("checked")),
        other => runtime_error(&other.to_string()),
    }
}

fn runtime_error(message: &str) -> Result<PyRef> {
    call("builtins", "RuntimeError", (message,))
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
