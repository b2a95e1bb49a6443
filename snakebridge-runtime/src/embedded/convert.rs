//! Values to Python objects and back, directly (no JSON), and refs to embedded objects.

use std::sync::atomic::{AtomicU64, Ordering};

use num_bigint::BigInt;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyBytes, PyComplex, PyDate, PyDateAccess, PyDateTime, PyDelta, PyDict, PyFloat,
    PyFrozenSet, PyInt, PyList, PySet, PyString, PyTime, PyTimeAccess, PyTuple, PyTzInfo,
    PyTzInfoAccess,
};

use crate::data::error::{Error, Result};
use crate::data::nesting::{MAX_NESTING, deeper, inside, too_deep};
use crate::data::pyref::{PyRef, RefHandle};
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::{Date, DateTime, Scalar, Time, Value};

static NEXT_REF_ID: AtomicU64 = AtomicU64::new(1);

// Refs

pub(super) fn make_ref(obj: &Bound<'_, PyAny>) -> PyRef {
    let type_name = obj
        .get_type()
        .fully_qualified_name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned());
    PyRef::embedded(
        NEXT_REF_ID.fetch_add(1, Ordering::Relaxed),
        type_name,
        obj.clone().unbind(),
    )
}

pub(super) fn ref_object<'py>(py: Python<'py>, r: &PyRef) -> Result<Bound<'py, PyAny>> {
    match &r.inner.handle {
        RefHandle::Embedded(obj) => Ok(obj.bind(py).clone()),
        RefHandle::Remote(owner) => Err(Error::StaleRef {
            id: r.id(),
            reason: format!(
                "it belongs to {}, not to the embedded interpreter",
                owner.describe()
            ),
        }),
    }
}

// Conversions

/// Converts a value into a Python object.
#[inline]
pub(crate) fn to_py<'py>(py: Python<'py>, value: &Value) -> Result<Bound<'py, PyAny>> {
    match value {
        // Floats and ints inline, as `to_py_at` makes them: the arguments of most generated
        // calls, which then skip the call and the match over every kind of value.
        // SAFETY: `PyFloat_FromDouble` returns a new reference (`from_owned_ptr` panics on
        // NULL, as `PyFloat::new` does); called here directly, pyo3's wrapper is not inlined.
        Value::Float(x) => {
            Ok(unsafe { Bound::from_owned_ptr(py, pyo3::ffi::PyFloat_FromDouble(*x)) })
        }
        Value::Int(i) => {
            let Ok(i) = i.into_pyobject(py);
            Ok(i.into_any())
        }
        _ => to_py_at(py, value, 0),
    }
}

/// [`to_py`] of a value nested `depth` containers deep.
fn to_py_at<'py>(py: Python<'py>, value: &Value, depth: usize) -> Result<Bound<'py, PyAny>> {
    let encode = |e: PyErr| Error::encode(format!("{e}"));
    Ok(match value {
        Value::None => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Int(i) => {
            let Ok(i) = i.into_pyobject(py);
            i.into_any()
        }
        Value::BigInt(i) => i.into_pyobject(py).map_err(encode)?.into_any(),
        Value::Float(x) => PyFloat::new(py, *x).into_any(),
        Value::Str(s) => PyString::new(py, s).into_any(),
        Value::Bytes(b) => PyBytes::new(py, b).into_any(),
        Value::List(items) => PyList::new(py, to_py_all(py, items, depth, "list")?)
            .map_err(encode)?
            .into_any(),
        Value::Tuple(items) => PyTuple::new(py, to_py_all(py, items, depth, "tuple")?)
            .map_err(encode)?
            .into_any(),
        Value::Set(items) => PySet::new(py, to_py_all(py, items, depth, "set")?)
            .map_err(encode)?
            .into_any(),
        Value::FrozenSet(items) => PyFrozenSet::new(py, to_py_all(py, items, depth, "frozenset")?)
            .map_err(encode)?
            .into_any(),
        Value::Dict(items) => {
            let d = PyDict::new(py);
            let inner = inside(false, depth, "dict")?;
            for (k, v) in items {
                let (k, v) =
                    deeper(|| Ok::<_, Error>((to_py_at(py, k, inner)?, to_py_at(py, v, inner)?)))?;
                d.set_item(k, v).map_err(encode)?;
            }
            d.into_any()
        }
        Value::Date(d) => PyDate::new(py, d.year, d.month, d.day)
            .map_err(encode)?
            .into_any(),
        Value::Time(t) => {
            let tz = tzinfo(py, t.utc_offset).map_err(encode)?;
            PyTime::new(py, t.hour, t.minute, t.second, t.microsecond, tz.as_ref())
                .map_err(encode)?
                .into_any()
        }
        Value::DateTime(dt) => {
            let (d, t) = (dt.date, dt.time);
            let tz = tzinfo(py, t.utc_offset).map_err(encode)?;
            PyDateTime::new(
                py,
                d.year,
                d.month,
                d.day,
                t.hour,
                t.minute,
                t.second,
                t.microsecond,
                tz.as_ref(),
            )
            .map_err(encode)?
            .into_any()
        }
        Value::Complex { re, im } => PyComplex::from_doubles(py, *re, *im).into_any(),
        Value::Array(a) => super::array::array_to_py(py, a)?,
        Value::Ref(r) => ref_object(py, r)?,
        Value::Function(f) => super::callback::wrap(py, f).map_err(encode)?,
    })
}

fn to_py_all<'py>(
    py: Python<'py>,
    items: &[Value],
    depth: usize,
    what: &str,
) -> Result<Vec<Bound<'py, PyAny>>> {
    let inner = inside(false, depth, what)?;
    deeper(|| items.iter().map(|v| to_py_at(py, v, inner)).collect())
}

fn tzinfo(py: Python<'_>, offset: Option<i32>) -> PyResult<Option<Bound<'_, PyTzInfo>>> {
    offset
        .map(|secs| {
            let delta = PyDelta::new(py, 0, secs, 0, true)?;
            PyTzInfo::fixed_offset(py, delta)
        })
        .transpose()
}

/// Converts a Python object into a value according to the return policy.
#[inline]
pub(crate) fn from_py(obj: &Bound<'_, PyAny>, policy: ReturnPolicy) -> Result<Value> {
    // An exact scalar comes back as itself under every policy but `Ref`: read inline, it is
    // the whole conversion of most typed calls (`math.sqrt -> f64`).
    if !matches!(policy, ReturnPolicy::Ref | ReturnPolicy::RefOrNone)
        && let Some(value) = exact_scalar(obj)
    {
        return Ok(value);
    }
    from_py_any(obj, policy)
}

/// `None`, `True`/`False`, an exact `float`, or an exact `int` that fits in `i64`, as the value
/// [`convert`] would make of it; `None` for anything else.
#[inline(always)]
fn exact_scalar(obj: &Bound<'_, PyAny>) -> Option<Value> {
    use pyo3::ffi;
    let p = obj.as_ptr();
    // SAFETY: `p` is a live object (borrowed from `obj`) and the GIL is held; the checks read
    // its type, and the getters are the ones for exactly that type.
    unsafe {
        if ffi::PyFloat_CheckExact(p) != 0 {
            return Some(Value::Float(ffi::PyFloat_AS_DOUBLE(p)));
        }
        if ffi::PyLong_CheckExact(p) != 0 {
            let mut overflow = 0;
            let i = ffi::PyLong_AsLongLongAndOverflow(p, &mut overflow);
            // An exact int raises nothing here; one beyond i64 takes the general path.
            return (overflow == 0).then_some(Value::Int(i));
        }
        if p == ffi::Py_None() {
            return Some(Value::None);
        }
        if p == ffi::Py_True() {
            return Some(Value::Bool(true));
        }
        if p == ffi::Py_False() {
            return Some(Value::Bool(false));
        }
    }
    None
}

/// The object at `p` as the [`Scalar`] [`from_py`] would make a value of under any policy but
/// a ref's: what [`exact_scalar`] reads, and an exact `str` (valid UTF-8; one with lone
/// surrogates is left to the general path, which reports it). `None` for anything else.
///
/// # Safety
///
/// `p` is a live object that stays alive for `'a` (the text borrows a str's UTF-8 buffer,
/// which lives as long as the str), and the GIL is held.
#[inline(always)]
pub(super) unsafe fn scalar_at<'a>(p: *mut pyo3::ffi::PyObject) -> Option<Scalar<'a>> {
    use pyo3::ffi;
    // SAFETY: as the caller promises; the checks read the object's type, and the getters are
    // the ones for exactly that type.
    unsafe {
        if ffi::PyFloat_CheckExact(p) != 0 {
            return Some(Scalar::Float(ffi::PyFloat_AS_DOUBLE(p)));
        }
        if ffi::PyLong_CheckExact(p) != 0 {
            let mut overflow = 0;
            let i = ffi::PyLong_AsLongLongAndOverflow(p, &mut overflow);
            return (overflow == 0).then_some(Scalar::Int(i));
        }
        if ffi::PyUnicode_CheckExact(p) != 0 {
            let mut len: ffi::Py_ssize_t = 0;
            let data = ffi::PyUnicode_AsUTF8AndSize(p, &mut len);
            if data.is_null() {
                // Lone surrogates: not UTF-8. The general path raises its own error for them.
                ffi::PyErr_Clear();
                return None;
            }
            let bytes = std::slice::from_raw_parts(data.cast::<u8>(), len as usize);
            return Some(Scalar::Str(std::str::from_utf8_unchecked(bytes)));
        }
        if p == ffi::Py_None() {
            return Some(Scalar::None);
        }
        if p == ffi::Py_True() {
            return Some(Scalar::Bool(true));
        }
        if p == ffi::Py_False() {
            return Some(Scalar::Bool(false));
        }
    }
    None
}

/// A [`Scalar`] as the Python object [`to_py`] makes of [`Scalar::to_value`]; `None` when
/// Python cannot make it (no memory: its exception is cleared, the general path reports it).
#[inline(always)]
pub(super) fn scalar_to_py<'py>(py: Python<'py>, scalar: Scalar<'_>) -> Option<Bound<'py, PyAny>> {
    use pyo3::ffi;
    // SAFETY: the GIL is held; each constructor returns a new reference or NULL with an
    // exception set; `None`, `True` and `False` are singletons, given a new reference here.
    unsafe {
        let p = match scalar {
            Scalar::Float(x) => ffi::PyFloat_FromDouble(x),
            Scalar::Int(i) => ffi::PyLong_FromLongLong(i),
            Scalar::Str(s) => {
                ffi::PyUnicode_FromStringAndSize(s.as_ptr().cast(), s.len() as ffi::Py_ssize_t)
            }
            Scalar::Bool(b) => {
                let p = if b { ffi::Py_True() } else { ffi::Py_False() };
                ffi::Py_IncRef(p);
                p
            }
            Scalar::None => {
                let p = ffi::Py_None();
                ffi::Py_IncRef(p);
                p
            }
        };
        if p.is_null() {
            ffi::PyErr_Clear();
            return None;
        }
        Some(Bound::from_owned_ptr(py, p))
    }
}

/// [`from_py`] of anything [`exact_scalar`] did not read.
fn from_py_any(obj: &Bound<'_, PyAny>, policy: ReturnPolicy) -> Result<Value> {
    match policy {
        ReturnPolicy::Ref => Ok(Value::Ref(make_ref(obj))),
        ReturnPolicy::RefOrNone if obj.is_none() => Ok(Value::None),
        ReturnPolicy::RefOrNone => Ok(Value::Ref(make_ref(obj))),
        ReturnPolicy::Auto => convert(obj, false),
        ReturnPolicy::Value => convert(obj, true),
        ReturnPolicy::Map => match super::rules::keyed_data(obj)? {
            Some(dict) => convert(dict.as_any(), true),
            None => convert(obj, true),
        },
    }
}

fn decode_err(obj: &Bound<'_, PyAny>, e: impl std::fmt::Display) -> Error {
    Error::decode(
        obj.get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default(),
        e.to_string(),
    )
}

/// Where a conversion is inside the object it converts: the containers it is in (to notice
/// cycles) and the index taken in each (to say where).
#[derive(Default)]
struct Walk {
    ancestors: Vec<*mut pyo3::ffi::PyObject>,
    path: Vec<usize>,
}

impl Walk {
    fn path(&self) -> String {
        self.path.iter().map(|i| format!("[{i}]")).collect()
    }

    /// Before converting the items of container `obj`: `Ok(None)` to go on (and `leave` after),
    /// `Ok(Some(ref))` when `obj` is one of its own ancestors and refs are allowed (the cycle
    /// stays in Python), else an error naming the path.
    fn enter(&mut self, obj: &Bound<'_, PyAny>, strict: bool) -> Result<Option<Value>> {
        let ptr = obj.as_ptr();
        if self.ancestors.contains(&ptr) {
            if !strict {
                return Ok(Some(Value::Ref(make_ref(obj))));
            }
            let at = self.ancestors.iter().position(|p| *p == ptr).unwrap_or(0);
            let outer: String = self.path[..at].iter().map(|i| format!("[{i}]")).collect();
            return Err(decode_err(
                obj,
                format!(
                    "the value contains itself: {} is the same object as {} (a cycle); ask for \
                     a ref (PyRef) to keep it in Python",
                    if self.path.is_empty() {
                        "the top".to_owned()
                    } else {
                        self.path()
                    },
                    if outer.is_empty() {
                        "the top".to_owned()
                    } else {
                        outer
                    },
                ),
            ));
        }
        if self.ancestors.len() >= MAX_NESTING {
            let what = obj
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            return Err(too_deep(true, &what, &self.path()));
        }
        self.ancestors.push(ptr);
        Ok(None)
    }

    fn leave(&mut self) {
        self.ancestors.pop();
    }

    /// Converts the item at `index` of the current container.
    fn item(&mut self, index: usize, item: &Bound<'_, PyAny>, strict: bool) -> Result<Value> {
        self.path.push(index);
        let value = deeper(|| convert_in(item, strict, self))?;
        self.path.pop();
        Ok(value)
    }
}

/// `strict == false`: exact plain types by value, others by ref. `strict == true`: subclasses
/// of plain types by value too, and no refs at all.
fn convert(obj: &Bound<'_, PyAny>, strict: bool) -> Result<Value> {
    // Scalars first, without the walk state only containers need: the hot path of typed calls.
    if let Some(v) = scalar(obj, strict)? {
        return Ok(v);
    }
    convert_walking(obj, strict)
}

/// [`convert`] of anything but a scalar, with the walk state containers need.
#[inline(never)]
fn convert_walking(obj: &Bound<'_, PyAny>, strict: bool) -> Result<Value> {
    convert_in(obj, strict, &mut Walk::default())
}

/// Whether `obj` is a `T`: exactly, or also a subclass when `strict`.
#[inline(always)]
fn is<T: pyo3::PyTypeInfo>(obj: &Bound<'_, PyAny>, strict: bool) -> bool {
    if strict {
        obj.is_instance_of::<T>()
    } else {
        obj.is_exact_instance_of::<T>()
    }
}

/// `None`, bools, ints, floats and strings (exact types, or subclasses when `strict`).
#[inline(always)]
fn scalar(obj: &Bound<'_, PyAny>, strict: bool) -> Result<Option<Value>> {
    if obj.is_none() {
        return Ok(Some(Value::None));
    }
    // `bool` cannot be subclassed: the exact check is the whole check, and it skips the MRO
    // walk a subclass check of every other object would take.
    if obj.is_exact_instance_of::<PyBool>() {
        return Ok(Some(Value::Bool(
            obj.is_truthy().map_err(|e| decode_err(obj, e))?,
        )));
    }
    if is::<PyInt>(obj, strict) {
        return Ok(Some(match obj.extract::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::from_bigint(obj.extract::<BigInt>().map_err(|e| decode_err(obj, e))?),
        }));
    }
    if is::<PyFloat>(obj, strict) {
        return Ok(Some(Value::Float(
            obj.extract().map_err(|e| decode_err(obj, e))?,
        )));
    }
    if is::<PyString>(obj, strict) {
        return Ok(Some(Value::Str(
            obj.extract().map_err(|e| decode_err(obj, e))?,
        )));
    }
    Ok(None)
}

fn convert_in(obj: &Bound<'_, PyAny>, strict: bool, walk: &mut Walk) -> Result<Value> {
    // A container's items, or the container as a ref when it closes a cycle.
    let items = |walk: &mut Walk, make: fn(Vec<Value>) -> Value| -> Result<Value> {
        if let Some(cycle) = walk.enter(obj, strict)? {
            return Ok(cycle);
        }
        let mut out = Vec::new();
        for (i, item) in obj.try_iter().map_err(|e| decode_err(obj, e))?.enumerate() {
            out.push(walk.item(i, &item.map_err(|e| decode_err(obj, e))?, strict)?);
        }
        walk.leave();
        Ok(make(out))
    };
    if let Some(v) = scalar(obj, strict)? {
        return Ok(v);
    }
    if is::<PyBytes>(obj, strict) {
        // SAFETY-free path: PyBytes::as_bytes on the checked object.
        return Ok(Value::Bytes(
            obj.cast::<PyBytes>()
                .map_err(|e| decode_err(obj, e))?
                .as_bytes()
                .to_vec(),
        ));
    }
    if is::<PyList>(obj, strict) {
        return items(walk, Value::List);
    }
    if is::<PyTuple>(obj, strict) {
        return items(walk, Value::Tuple);
    }
    if is::<PyDict>(obj, strict) {
        let dict = obj.cast::<PyDict>().map_err(|e| decode_err(obj, e))?;
        if let Some(cycle) = walk.enter(obj, strict)? {
            return Ok(cycle);
        }
        let mut out = Vec::with_capacity(dict.len());
        for (i, (k, v)) in dict.iter().enumerate() {
            out.push((walk.item(i, &k, strict)?, walk.item(i, &v, strict)?));
        }
        walk.leave();
        return Ok(Value::Dict(out));
    }
    if is::<PySet>(obj, strict) {
        return items(walk, Value::Set);
    }
    if is::<PyFrozenSet>(obj, strict) {
        return items(walk, Value::FrozenSet);
    }
    if is::<PyDateTime>(obj, strict) {
        let dt = obj.cast::<PyDateTime>().map_err(|e| decode_err(obj, e))?;
        return Ok(Value::DateTime(DateTime {
            date: Date {
                year: dt.get_year(),
                month: dt.get_month(),
                day: dt.get_day(),
            },
            time: Time {
                hour: dt.get_hour(),
                minute: dt.get_minute(),
                second: dt.get_second(),
                microsecond: dt.get_microsecond(),
                utc_offset: utc_offset(obj, dt.get_tzinfo().is_some())?,
            },
        }));
    }
    if is::<PyDate>(obj, strict) {
        let d = obj.cast::<PyDate>().map_err(|e| decode_err(obj, e))?;
        return Ok(Value::Date(Date {
            year: d.get_year(),
            month: d.get_month(),
            day: d.get_day(),
        }));
    }
    if is::<PyTime>(obj, strict) {
        let t = obj.cast::<PyTime>().map_err(|e| decode_err(obj, e))?;
        return Ok(Value::Time(Time {
            hour: t.get_hour(),
            minute: t.get_minute(),
            second: t.get_second(),
            microsecond: t.get_microsecond(),
            utc_offset: utc_offset(obj, t.get_tzinfo().is_some())?,
        }));
    }
    if is::<PyComplex>(obj, strict) {
        let c = obj.cast::<PyComplex>().map_err(|e| decode_err(obj, e))?;
        return Ok(Value::Complex {
            re: c.real(),
            im: c.imag(),
        });
    }
    if let Some(item) = numpy_scalar_item(obj) {
        return convert_in(&item, strict, walk);
    }
    // Arrays are data only when asked for by value; otherwise they stay in Python as refs.
    if strict && let Some(array) = super::array::array_from_py(obj)? {
        return Ok(array);
    }
    // Objects that carry an array (a pandas Series, a DataFrame) are data when data is asked
    // for: through `numpy.asarray`, as the pool's worker does.
    if strict && let Some(array) = super::array::carried_array(obj)? {
        return Ok(array);
    }
    if strict {
        // A sequence or set that is no list, tuple or set (a `range`, a `deque`): its items,
        // by its protocol (the rule shared with the worker).
        return match super::rules::items_kind(obj) {
            Some(super::rules::ItemsKind::List) => items(walk, Value::List),
            Some(super::rules::ItemsKind::Set) => items(walk, Value::Set),
            None => Err(decode_err(obj, snakebridge_contract::NOT_DATA_HINT)),
        };
    }
    Ok(Value::Ref(make_ref(obj)))
}

/// numpy scalars (`numpy.float64`, `numpy.int64`, `numpy.bool_`) are data: convert them through
/// `.item()` so `numpy.linalg.norm(...)` returns a float, not a ref.
fn numpy_scalar_item<'py>(obj: &Bound<'py, PyAny>) -> Option<Bound<'py, PyAny>> {
    let ty = obj.get_type();
    let module = ty.module().ok()?;
    if module.to_str().ok()? != "numpy" {
        return None;
    }
    let generic = obj.py().import("numpy").ok()?.getattr("generic").ok()?;
    if !obj.is_instance(&generic).ok()? {
        return None;
    }
    obj.call_method0("item").ok()
}

fn utc_offset(obj: &Bound<'_, PyAny>, aware: bool) -> Result<Option<i32>> {
    if !aware {
        return Ok(None);
    }
    let off = obj
        .call_method0("utcoffset")
        .map_err(|e| decode_err(obj, e))?;
    if off.is_none() {
        return Ok(None);
    }
    let secs: f64 = off
        .call_method0("total_seconds")
        .and_then(|s| s.extract())
        .map_err(|e| decode_err(obj, e))?;
    Ok(Some(secs.round() as i32))
}
