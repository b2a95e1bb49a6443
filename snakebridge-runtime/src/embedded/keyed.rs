//! Objects that hold keyed data, as the dict a map result asks for
//! ([`ReturnPolicy::Map`](crate::data::return_policy::ReturnPolicy::Map)). The pool's worker
//! applies the same rule (`keyed_data` in `snakebridge_worker.py`).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping};

use crate::data::error::{Error, Result};

/// The dict of `obj`'s items when it holds keyed data and is not a dict already: a numpy
/// structured array (field → column), a `collections.abc.Mapping`, or an object that carries
/// an array and has `items()` (a pandas Series: index → value; a DataFrame: column → column).
/// `None` for anything else, which then converts as data does. Repeated keys are an error.
pub(crate) fn keyed_data<'py>(obj: &Bound<'py, PyAny>) -> Result<Option<Bound<'py, PyDict>>> {
    if obj.is_instance_of::<PyDict>() {
        return Ok(None);
    }
    let decode = |e: PyErr| keyed_error(obj, e.to_string());
    if let Some(columns) = super::array::structured_columns(obj).map_err(decode)? {
        return Ok(Some(columns));
    }
    let carries_items = obj.cast::<PyMapping>().is_ok()
        || (super::array::carries_array(obj) && obj.get_type().hasattr("items").unwrap_or(false));
    if !carries_items {
        return Ok(None);
    }
    let dict = PyDict::new(obj.py());
    let mut pairs = 0usize;
    for pair in obj
        .call_method0("items")
        .and_then(|items| items.try_iter())
        .map_err(decode)?
    {
        let (key, value): (Bound<'py, PyAny>, Bound<'py, PyAny>) =
            pair.and_then(|p| p.extract()).map_err(decode)?;
        dict.set_item(key, value).map_err(decode)?;
        pairs += 1;
    }
    if dict.len() != pairs {
        return Err(keyed_error(
            obj,
            format!(
                "its keys repeat ({pairs} items, {} distinct keys): a map would lose values; \
                 ask for a Vec of pairs or a PyRef instead",
                dict.len()
            ),
        ));
    }
    Ok(Some(dict))
}

fn keyed_error(obj: &Bound<'_, PyAny>, message: String) -> Error {
    let ty = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    Error::decode(format!("a map from {ty}"), message)
}
