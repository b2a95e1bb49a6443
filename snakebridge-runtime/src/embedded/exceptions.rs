//! Python exceptions as [`Error::Python`]: class, message, traceback and the matchable
//! [`ExceptionKind`].

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

use crate::client::request::Request;
use crate::data::error::{CallContext, Error, ExceptionKind, PythonError};

pub(super) fn context_of(req: &Request) -> CallContext {
    CallContext {
        python_module: req.python_module.to_string(),
        function: req.display_name(),
        arity: req.arity(),
        rust_location: None,
    }
}

pub(super) fn python_error(py: Python<'_>, err: PyErr, req: &Request) -> Error {
    python_error_ctx(py, err, context_of(req))
}

/// Converts a Python exception into [`Error::Python`], keeping class, message and traceback.
pub(crate) fn python_error_ctx(py: Python<'_>, err: PyErr, context: CallContext) -> Error {
    let value = err.value(py);
    let ty = value.get_type();
    let class = qualified_name(&ty).unwrap_or_else(|| "<unknown exception>".to_owned());
    let message = value
        .str()
        .map(|s| s.to_string())
        .unwrap_or_else(|_| "<unprintable exception>".to_owned());
    let traceback = py
        .import("traceback")
        // The fetched traceback: on Python < 3.12 `value.__traceback__` may hold only the
        // innermost frame of an exception that never passed an `except`.
        .and_then(|tb| {
            tb.call_method1(
                "format_exception",
                (value.get_type(), value, err.traceback(py)),
            )
        })
        .and_then(|lines| lines.extract::<Vec<String>>())
        .map(|lines| lines.concat())
        .unwrap_or_default();
    let mro = ty
        .mro()
        .iter()
        .map(|c| {
            c.cast::<PyType>()
                .ok()
                .and_then(|c| qualified_name(c))
                .unwrap_or_default()
        })
        .collect();
    Error::Python(Box::new(PythonError {
        kind: exception_kind(py, &err),
        class,
        message,
        traceback,
        context,
        mro,
        exception: Some(super::convert::make_ref(&detached(py, value.as_any()))),
    }))
}

/// `module.Qualname` of a class, builtins bare (`ValueError`, `json.decoder.JSONDecodeError`):
/// how errors name exception classes, on both clients.
fn qualified_name(ty: &Bound<'_, PyType>) -> Option<String> {
    let (module, qualname) = (ty.module().ok()?, ty.qualname().ok()?);
    Some(if module.to_str().is_ok_and(|m| m == "builtins") {
        qualname.to_string()
    } else {
        format!("{module}.{qualname}")
    })
}

/// A copy of the exception without its traceback (`copy.copy` keeps the class, the args and the
/// attributes), so that the error does not keep the frames' locals alive and the raised object
/// (which user code may hold) is not touched; the exception itself when it cannot be copied.
fn detached<'py>(py: Python<'py>, exc: &Bound<'py, PyAny>) -> Bound<'py, PyAny> {
    let copy = py
        .import("copy")
        .and_then(|m| m.call_method1("copy", (exc,)))
        .ok()
        .filter(|c| c.get_type().is(exc.get_type()));
    match copy {
        Some(c) if c.setattr("__traceback__", py.None()).is_ok() => c,
        _ => exc.clone(),
    }
}

/// The builtin classes of [`ExceptionKind::ALL`], looked up by name once: the contract's list is
/// the only list, so the embedded client and the pool's worker classify alike.
static KIND_CLASSES: PyOnceLock<Vec<(ExceptionKind, Py<PyType>)>> = PyOnceLock::new();

fn exception_kind(py: Python<'_>, err: &PyErr) -> ExceptionKind {
    let classes = KIND_CLASSES.get_or_init(py, || {
        let builtins = py.import("builtins").ok();
        ExceptionKind::ALL
            .iter()
            .filter_map(|kind| {
                let class = builtins.as_ref()?.getattr(kind.class_name()).ok()?;
                Some((*kind, class.cast_into::<PyType>().ok()?.unbind()))
            })
            .collect()
    });
    let value = err.value(py);
    classes
        .iter()
        .find(|(_, class)| value.is_instance(class.bind(py)).unwrap_or(false))
        .map_or(ExceptionKind::Other, |(kind, _)| *kind)
}
