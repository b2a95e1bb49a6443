//! The rules the embedded client shares with the pool's worker, from one Python source:
//! `python/snakebridge_worker/rules.py` (which objects carry an array, the dict a map result
//! asks for, and which objects hold items a data result takes). The worker imports that module; this client loads the same source into
//! its interpreter when the interpreter starts (before any user code runs, so builtins patched
//! later do not reach the rules) and calls it, so the two clients cannot drift apart.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

use crate::data::error::{Error, Result};

/// The module's source, as the worker package ships it.
const SOURCE: &str = include_str!("../../python/snakebridge_worker/rules.py");
/// The name its functions and tracebacks carry (it is not put in `sys.modules`).
const NAME: &str = "snakebridge_worker.rules";
const FILE: &str = "snakebridge_worker/rules.py";

/// The loaded module's functions.
struct Rules {
    carries_array: Py<PyAny>,
    items_kind: Py<PyAny>,
    keyed_data: Py<PyAny>,
    keyed_data_error: Py<PyType>,
}

static RULES: PyOnceLock<Rules> = PyOnceLock::new();

/// Loads the rules into the interpreter (at start; later calls do nothing).
pub(super) fn load(py: Python<'_>) -> PyResult<()> {
    rules(py).map(drop)
}

fn rules(py: Python<'_>) -> PyResult<&Rules> {
    RULES.get_or_try_init(py, || {
        let builtins = py.import("builtins")?;
        let code = builtins.getattr("compile")?.call1((SOURCE, FILE, "exec"))?;
        let namespace = PyDict::new(py);
        namespace.set_item("__name__", NAME)?;
        builtins.getattr("exec")?.call1((code, &namespace))?;
        let get = |name: &str| -> PyResult<Bound<'_, PyAny>> {
            namespace
                .get_item(name)?
                .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(format!("{FILE}: {name}")))
        };
        Ok(Rules {
            carries_array: get("carries_array")?.unbind(),
            items_kind: get("items_kind")?.unbind(),
            keyed_data: get("keyed_data")?.unbind(),
            keyed_data_error: get("KeyedDataError")?.cast_into::<PyType>()?.unbind(),
        })
    })
}

/// True for an object (not a class) whose type has `__array__`: it carries an array (a pandas
/// Series or DataFrame). The rule's `carries_array`.
///
/// No Rust fast path: the conversions ask only after every plain type (`None`, numbers,
/// strings, containers, dates) has been handled, so scalar calls never get here; what does
/// get here is an unusual object on its way through `numpy.asarray`, where one Python call is
/// noise.
pub(crate) fn carries_array(obj: &Bound<'_, PyAny>) -> bool {
    let py = obj.py();
    rules(py)
        .and_then(|r| r.carries_array.bind(py).call1((obj,)))
        .and_then(|found| found.is_truthy())
        .unwrap_or(false)
}

/// How a data result takes the items of an object that is no plain container (the rule's
/// `items_kind`): [`ItemsKind::List`] for a `collections.abc.Sequence` (`range`, `deque`,
/// `array.array`), [`ItemsKind::Set`] for a `collections.abc.Set` (a dict's `keys()`), `None`
/// for anything else (byte buffers, mappings, iterators and other iterables, which iterating
/// would consume). Asked only where the object would otherwise be refused as not data.
pub(crate) fn items_kind(obj: &Bound<'_, PyAny>) -> Option<ItemsKind> {
    let py = obj.py();
    let kind = rules(py)
        .and_then(|r| r.items_kind.bind(py).call1((obj,)))
        .ok()?;
    match kind.extract::<String>().ok()?.as_str() {
        "list" => Some(ItemsKind::List),
        "set" => Some(ItemsKind::Set),
        _ => None,
    }
}

/// What [`items_kind`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemsKind {
    /// A sequence: its items in order, as a list.
    List,
    /// A set: its items, as a set.
    Set,
}

/// The dict of `obj`'s items when it holds keyed data and is not a dict already: a numpy
/// structured array (field → column), a `collections.abc.Mapping`, or an object that carries
/// an array and has `items()` (a pandas Series: index → value; a DataFrame: column → column).
/// `None` for anything else, which then converts as data does. Repeated keys, and whatever the
/// object raises, are an [`Error::Decode`] of `"a map from <type>"`. The rule's `keyed_data`.
pub(crate) fn keyed_data<'py>(obj: &Bound<'py, PyAny>) -> Result<Option<Bound<'py, PyDict>>> {
    // A dict converts as it is: the rule's first case, without a call into Python.
    if obj.is_instance_of::<PyDict>() {
        return Ok(None);
    }
    let py = obj.py();
    let unexpected = |e: PyErr| {
        let ty = obj
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        Error::decode(format!("a map from {ty}"), e.to_string())
    };
    let rules = rules(py).map_err(unexpected)?;
    match rules.keyed_data.bind(py).call1((obj,)) {
        Ok(found) if found.is_none() => Ok(None),
        Ok(found) => found
            .cast_into::<PyDict>()
            .map(Some)
            .map_err(|e| unexpected(e.into())),
        Err(e) if e.is_instance(py, rules.keyed_data_error.bind(py)) => {
            let value = e.value(py);
            let field = |name: &str| -> String {
                value
                    .getattr(name)
                    .and_then(|v| v.extract())
                    .unwrap_or_default()
            };
            Err(Error::decode(field("what"), field("message")))
        }
        Err(e) => Err(unexpected(e)),
    }
}
