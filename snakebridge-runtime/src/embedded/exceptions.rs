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

/// Converts a Python exception into [`Error::Python`], keeping class, message, traceback and
/// its chain (`__cause__`, `__context__`).
pub(crate) fn python_error_ctx(py: Python<'_>, err: PyErr, context: CallContext) -> Error {
    let value = err.value(py).clone().into_any();
    // The fetched traceback: on Python < 3.12 `value.__traceback__` may hold only the innermost
    // frame of an exception that never passed an `except`.
    let traceback = err.traceback(py).map(|t| t.into_any());
    let mut done = Converted::new();
    Error::Python(Box::new(exception_of(
        py, &value, traceback, true, &context, &mut done,
    )))
}

/// How many exceptions of a chain are kept (as the worker's `exceptions.py` keeps them): a chain
/// that long is a loop of retries, whose first links say nothing more.
const MAX_CHAIN: usize = 32;

/// The exceptions of a chain converted so far (by object), so that an exception met twice (the
/// `__cause__` that is also the `__context__`) is converted once; `None` while it is being
/// converted (a chain that loops back to it ends there).
type Converted = Vec<(*mut pyo3::ffi::PyObject, Option<Box<PythonError>>)>;

/// The [`PythonError`] of exception `value`, with its chain; `chain` formats the traceback with
/// the chain's text (the top exception's, as Python prints it), links without.
fn exception_of(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    traceback: Option<Bound<'_, PyAny>>,
    chain: bool,
    context: &CallContext,
    done: &mut Converted,
) -> PythonError {
    let at = done.len();
    done.push((value.as_ptr(), None));
    let ty = value.get_type();
    let class = qualified_name(&ty).unwrap_or_else(|| "<unknown exception>".to_owned());
    let message = value
        .str()
        .map(|s| s.to_string())
        .unwrap_or_else(|_| "<unprintable exception>".to_owned());
    let traceback_text = py
        .import("traceback")
        .and_then(|tb| {
            let args = (value.get_type(), value, traceback);
            let kwargs = pyo3::types::PyDict::new(py);
            kwargs.set_item("chain", chain)?;
            tb.call_method("format_exception", args, Some(&kwargs))
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
    let mut link = |attr: &str| -> Option<Box<PythonError>> {
        let next = value.getattr(attr).ok().filter(|n| !n.is_none())?;
        if let Some((_, converted)) = done.iter().find(|(p, _)| *p == next.as_ptr()) {
            return converted.clone();
        }
        if done.len() >= MAX_CHAIN {
            return None;
        }
        let tb = next.getattr("__traceback__").ok().filter(|t| !t.is_none());
        Some(Box::new(exception_of(py, &next, tb, false, context, done)))
    };
    let cause = link("__cause__");
    let exception_context = link("__context__");
    let error = PythonError {
        kind: exception_kind(py, value),
        class,
        message,
        traceback: traceback_text,
        context: context.clone(),
        mro,
        exception: Some(super::convert::make_ref(&detached(py, value))),
        cause,
        exception_context,
    };
    if at > 0 {
        // A link another link may name again (the top is only ever met as an ancestor).
        done[at].1 = Some(Box::new(error.clone()));
    }
    error
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

fn exception_kind(py: Python<'_>, value: &Bound<'_, PyAny>) -> ExceptionKind {
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
    classes
        .iter()
        .find(|(_, class)| value.is_instance(class.bind(py)).unwrap_or(false))
        .map_or(ExceptionKind::Other, |(kind, _)| *kind)
}
