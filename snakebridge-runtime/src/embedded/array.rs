//! numpy arrays in the embedded interpreter, through rust-numpy: [`NdArray`]s become numpy arrays
//! over the same memory, numpy arrays become [`NdArray`]s with one copy, and a ref to a numpy
//! array lends a read-only `ndarray` view without any copy.

#[cfg(feature = "ndarray")]
use ndarray::ArrayViewD;
use numpy::{
    PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods};

use crate::data::array::{DType, NdArray, large_vec, with_element};
#[cfg(feature = "ndarray")]
use crate::data::array::{Element, raw_view};
use crate::data::error::{Error, Result};
#[cfg(feature = "ndarray")]
use crate::data::pyref::{PyRef, RefHandle};
use crate::data::value::Value;

/// The name of the capsules that own the Rust memory under numpy arrays.
const CAPSULE: &std::ffi::CStr = c"snakebridge.NdArray";

/// numpy must be importable before rust-numpy touches its C API (which panics otherwise).
fn require_numpy(py: Python<'_>, doing: &str) -> Result<()> {
    py.import("numpy").map(drop).map_err(|e| {
        Error::encode(format!(
            "{doing} needs numpy in the Python interpreter (pip install numpy): {e}"
        ))
    })
}

/// A read-only numpy array over the array's own memory: no copy. The numpy array's base object
/// is a capsule owning a clone of the `NdArray`, so the memory lives as long as numpy needs it.
/// Read-only because Rust may still share the buffer (`NdArray` clones are cheap).
pub(crate) fn array_to_py<'py>(py: Python<'py>, array: &NdArray) -> Result<Bound<'py, PyAny>> {
    require_numpy(py, "passing an array")?;
    let owner = PyCapsule::new_with_value(py, array.clone(), CAPSULE)
        .map_err(|e| Error::encode(format!("cannot wrap the array's buffer: {e}")))?;
    with_element!(array.dtype(), T => {
        let view = array.elements_view::<T>()?;
        // SAFETY: the view's memory belongs to the storage that `owner` keeps alive, and storage
        // is never written or reallocated while shared.
        let numpy_array = unsafe { PyArrayDyn::<T>::borrow_from_array(&view, owner.into_any()) };
        drop(numpy_array.readwrite().make_nonwriteable());
        Ok(numpy_array.into_any())
    })
}

/// The `numpy` module if it is already loaded (`sys.modules`): only then can an object be one
/// of its arrays or need it, so nothing here imports numpy.
fn loaded_numpy(py: Python<'_>) -> Option<Bound<'_, PyAny>> {
    let modules = py
        .import("sys")
        .and_then(|sys| sys.getattr("modules"))
        .ok()?;
    modules.get_item("numpy").ok()
}

/// True for instances of `numpy.ndarray` (and subclasses), checked without importing numpy.
fn is_numpy_array(obj: &Bound<'_, PyAny>) -> bool {
    loaded_numpy(obj.py()).is_some() && obj.cast::<PyUntypedArray>().is_ok()
}

/// The array an object carries (`numpy.asarray(obj)` for an object that carries an array, by
/// the rule shared with the pool's worker: `rules::carries_array`), converted as
/// [`array_from_py`] does; `None` for other objects and for arrays of Python objects.
pub(crate) fn carried_array(obj: &Bound<'_, PyAny>) -> Result<Option<Value>> {
    let Some(numpy) = loaded_numpy(obj.py()) else {
        return Ok(None);
    };
    if !super::rules::carries_array(obj) {
        return Ok(None);
    }
    let Ok(array) = numpy.call_method1("asarray", (obj,)) else {
        return Ok(None);
    };
    let object_dtype = array
        .getattr("dtype")
        .and_then(|d| d.getattr("kind"))
        .and_then(|k| k.extract::<String>())
        .map_or(true, |k| k == "O");
    if object_dtype {
        return Ok(None);
    }
    array_from_py(&array)
}

fn dtype_of(array: &Bound<'_, PyUntypedArray>) -> Option<DType> {
    let py = array.py();
    let descr = array.dtype();
    DType::ALL
        .into_iter()
        .find(|&d| with_element!(d, T => descr.is_equiv_to(&numpy::dtype::<T>(py))))
}

/// A numpy array asked for by value: numeric and bool dtypes become an [`NdArray`] (one copy, in
/// row-major order); other dtypes (object, str, datetime, byte-swapped) go through `tolist()`.
/// `None` when `obj` is not a numpy array.
pub(crate) fn array_from_py(obj: &Bound<'_, PyAny>) -> Result<Option<Value>> {
    if !is_numpy_array(obj) {
        return Ok(None);
    }
    let decode = |e: PyErr| Error::decode("numpy array", e.to_string());
    let untyped = obj.cast::<PyUntypedArray>().expect("checked above");
    let Some(dtype) = dtype_of(untyped) else {
        return Ok(Some(Value::List(
            obj.call_method0("tolist")
                .map_err(decode)?
                .extract::<Vec<Bound<'_, PyAny>>>()
                .map_err(decode)?
                .iter()
                .map(|item| {
                    super::convert::from_py(item, crate::data::return_policy::ReturnPolicy::Value)
                })
                .collect::<Result<_>>()?,
        )));
    };
    let shape = untyped.shape().to_vec();
    if let Some(own) = rust_buffer_of(untyped, dtype) {
        return Ok(Some(Value::Array(own)));
    }
    if dtype == DType::Bool {
        // Read bools as bytes: a bool array can hold bytes other than 0 and 1 (views of other
        // data), which must not become Rust `bool`s.
        let bytes = obj.call_method1("view", ("uint8",)).map_err(decode)?;
        let bytes = bytes
            .cast::<PyArrayDyn<u8>>()
            .map_err(|e| decode(e.into()))?;
        let data = bytes
            .readonly()
            .as_array()
            .iter()
            .map(|&b| b != 0)
            .collect();
        return NdArray::from_shape_vec(shape, data).map(|a| Some(Value::Array(a)));
    }
    with_element!(dtype, T => {
        let typed = obj.cast::<PyArrayDyn<T>>().map_err(|e| decode(e.into()))?;
        let readonly = typed.readonly();
        let mut data = large_vec::<T>(untyped.len());
        match readonly.as_slice() {
            Ok(contiguous) if untyped.is_c_contiguous() => data.extend_from_slice(contiguous),
            _ => data.extend(readonly.as_array().iter().copied()),
        }
        NdArray::from_shape_vec(shape, data).map(|a| Some(Value::Array(a)))
    })
}

/// The address of a numpy array's first element and its strides in elements of `dtype` (which
/// the caller has checked the array holds); strides that are not whole elements are an error.
fn element_layout(
    array: &Bound<'_, PyUntypedArray>,
    dtype: DType,
) -> Result<(*const u8, Vec<isize>)> {
    let size = dtype.size() as isize;
    let strides = array
        .strides()
        .iter()
        .map(|&bytes| (bytes % size == 0).then_some(bytes / size))
        .collect::<Option<Vec<isize>>>()
        .ok_or_else(|| {
            Error::decode(
                "array view",
                format!(
                    "strides {:?} are not whole elements; copy with `to_array()`",
                    array.strides()
                ),
            )
        })?;
    let data = with_element!(dtype, T => {
        array
            .cast::<PyArrayDyn<T>>()
            .map_err(|e| Error::decode("array view", e.to_string()))?
            .data()
            .cast_const()
            .cast::<u8>()
    });
    Ok((data, strides))
}

/// The `NdArray` behind a numpy array that Rust memory backs (made by [`array_to_py`], or a numpy
/// view of one): the same storage, shared again instead of copied. Such memory is immutable (the
/// arrays are read-only and numpy cannot make them writable: a capsule base exports no buffer).
fn rust_buffer_of(array: &Bound<'_, PyUntypedArray>, dtype: DType) -> Option<NdArray> {
    let mut base = array.getattr("base").ok()?;
    while base.cast::<PyUntypedArray>().is_ok() {
        base = base.getattr("base").ok()?;
    }
    let capsule = base.cast::<PyCapsule>().ok()?;
    let pointer = capsule.pointer_checked(Some(CAPSULE)).ok()?;
    // SAFETY: a capsule of this name is only ever made by `array_to_py`, around an `NdArray`;
    // the capsule (held by `base`) keeps it alive while we clone its storage.
    let owner = unsafe { pointer.cast::<NdArray>().as_ref() };
    let (data, strides) = element_layout(array, dtype).ok()?;
    owner.view_of_same_storage(dtype, array.shape().to_vec(), strides, data)
}

/// A read-only view of the numpy array that `r` holds, without a copy (see
/// [`PyRef::array_view`]).
#[cfg(feature = "ndarray")]
pub(crate) fn view_of<T: Element>(r: &PyRef) -> Result<ArrayViewD<'_, T>> {
    let obj = match &r.inner.handle {
        RefHandle::Embedded(obj) => obj,
        RefHandle::Remote(owner) => {
            return Err(Error::decode(
                "array view",
                format!(
                    "ref #{} lives in {}, another process: a zero-copy view needs the \
                     embedded client; copy it with `to_array()` instead",
                    r.id(),
                    owner.describe()
                ),
            ));
        }
    };
    Python::attach(|py| {
        let obj = obj.bind(py);
        if !is_numpy_array(obj) {
            return Err(Error::decode(
                "array view",
                format!("ref #{} is a {}, not a numpy array", r.id(), r.type_name()),
            ));
        }
        let untyped = obj.cast::<PyUntypedArray>().expect("checked above");
        match dtype_of(untyped) {
            Some(d) if d == T::DTYPE => {}
            other => {
                return Err(Error::decode(
                    format!("array view of {}", T::DTYPE),
                    format!(
                        "the numpy array's dtype is {}; ask for that element type or convert \
                         with `.astype(\"{}\")` first",
                        other.map_or_else(|| untyped.dtype().to_string(), |d| d.name().to_owned()),
                        T::DTYPE
                    ),
                ));
            }
        }
        let (data, strides) = element_layout(untyped, T::DTYPE)?;
        let data = data.cast::<T>();
        if !untyped.is_empty() && !data.is_aligned() {
            return Err(Error::decode(
                "array view",
                "the array's data is not aligned for its element type; copy with `to_array()`",
            ));
        }
        // SAFETY: the ref keeps the numpy array (and so its memory) alive for the borrow of `r`;
        // dtype, strides and alignment were checked above. Python code could still write into
        // the array through another reference while the view lives: that is the documented
        // contract of `PyRef::array_view`.
        Ok(unsafe { raw_view(data, untyped.shape(), &strides) })
    })
}

#[cfg(feature = "ndarray")]
impl PyRef {
    /// A read-only `ndarray` view of the numpy array this ref holds, without copying: the view
    /// reads numpy's memory, and borrows `self`, which keeps the array alive.
    ///
    /// Needs the embedded client (a pool worker's memory is in another process: use
    /// [`to_array`](Self::to_array)). A dtype other than `T`'s, or strides that are not whole
    /// elements, is an [`Error::Decode`](crate::Error::Decode); any layout numpy can make
    /// (transposed, reversed, sliced) is viewed as it is.
    ///
    /// The view is read-only on the Rust side; Python code that writes into the same array
    /// while the view lives (from another thread, or in a call made meanwhile) changes what it
    /// shows, as in numpy itself.
    ///
    /// ```no_run
    /// use snakebridge_runtime::{call, PyRef};
    ///
    /// let grid: PyRef = call("numpy", "arange", (6.0,))?;
    /// let grid: PyRef = grid.call_method("reshape", (2, 3))?;
    /// let view = grid.array_view::<f64>()?;
    /// assert_eq!(view[[1, 2]], 5.0);
    /// # Ok::<(), snakebridge_runtime::Error>(())
    /// ```
    pub fn array_view<T: Element>(&self) -> Result<ndarray::ArrayViewD<'_, T>> {
        view_of(self)
    }
}
