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
/// any other) and with a `RuntimeError` carrying the panic's message when it panics (the panic
/// then continues).
///
/// Returns `Some` of what `body` returned; `None` when `body` failed and `__exit__` suppressed
/// the exception (returned a true value, as `contextlib.suppress` does): Python's `with` then
/// goes on as if nothing was raised, and there is no value to return. An `Err` of `body` that
/// `__exit__` does not suppress is returned as it is; an error raised by `__exit__` itself is
/// returned when `body` succeeded (when `body` failed, its error wins).
///
/// ```
/// use std::collections::HashMap;
/// use snakebridge_runtime::{PyRef, Value, construct, with_context};
/// let tmp = construct("tempfile", "TemporaryDirectory", ())?;
/// let listed = with_context(&tmp, |dir: String| {
///     snakebridge_runtime::call::<Vec<String>>("os", "listdir", (dir,))
/// })?;
/// assert_eq!(listed, Some(vec![])); // and the directory is gone now
///
/// // `contextlib.suppress(KeyError)` swallows the body's KeyError: no value, no error.
/// let key_error: PyRef = snakebridge_runtime::module_attr("builtins", "KeyError")?;
/// let suppress = construct("contextlib", "suppress", (key_error,))?;
/// let looked_up = with_context(&suppress, |_: Value| {
///     let map: HashMap<String, i64> = HashMap::new();
///     snakebridge_runtime::call::<i64>("operator", "getitem", (map, "b"))
/// })?;
/// assert_eq!(looked_up, None);
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
#[track_caller]
pub fn with_context<T: FromValue, R>(
    manager: &PyRef,
    body: impl FnOnce(T) -> Result<R>,
) -> Result<Option<R>> {
    let entered: T = call_method(manager, "__enter__", ())?;
    match catch_unwind(AssertUnwindSafe(|| body(entered))) {
        Ok(Ok(value)) => {
            exit_clean(manager)?;
            Ok(Some(value))
        }
        Ok(Err(error)) => {
            // The body's error is what the caller gets unless `__exit__` suppresses it; a
            // failing `__exit__` must not hide it.
            let suppressed = match error_exception(&error) {
                Ok(exc) => exit_with(manager, &exc).unwrap_or(false),
                // No exception object to hand over: `__exit__` still runs, so the resource is
                // released.
                Err(_) => {
                    drop(exit_clean(manager));
                    false
                }
            };
            if suppressed { Ok(None) } else { Err(error) }
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

/// `__exit__(type(exc), exc, exc.__traceback__)`; whether it suppresses the exception (its
/// result is true).
fn exit_with(manager: &PyRef, exc: &PyRef) -> Result<bool> {
    let ty: PyRef = call("builtins", "type", (exc,))?;
    let traceback: Value = exc.getattr("__traceback__")?;
    match call_method(manager, "__exit__", (ty, exc, traceback))? {
        Value::None => Ok(false),
        Value::Bool(suppress) => Ok(suppress),
        // Any other object: its truth, as Python's `with` takes it.
        other => call("builtins", "bool", (other,)),
    }
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
