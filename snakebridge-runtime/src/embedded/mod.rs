//! The embedded client: CPython in this process, through pyo3.
//!
//! The fast path: each module function is resolved once and kept; values are converted directly
//! between Rust and Python objects (no JSON); refs hold their Python object directly, so a call
//! on a ref needs no lookup. Safe to use from many threads (calls serialise on the GIL).
//!
//! The interpreter is the `libpython` this program was linked against. Which packages it sees is
//! explicit: `SNAKEBRIDGE_PYTHON` (an interpreter whose `sys.path` is adopted, typically a venv's
//! `bin/python`) or else `VIRTUAL_ENV` (the venv's `site-packages` is added). See
//! [`EmbeddedClient::environment`].

mod array;

use std::collections::HashMap;
use std::ffi::CString;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use num_bigint::BigInt;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyBytes, PyComplex, PyDate, PyDateAccess, PyDateTime, PyDelta, PyDict, PyFloat,
    PyFrozenSet, PyInt, PyList, PySet, PyString, PyTime, PyTimeAccess, PyTuple, PyTzInfo,
    PyTzInfoAccess,
};

use crate::client::request::{CallOptions, CallSite, CallType, Request};
use crate::client::{RuntimeClient, ValueStream};
use crate::data::error::{CallContext, Error, ExceptionKind, PythonError, Result};
use crate::data::pyref::{PyRef, RefHandle};
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::{Date, DateTime, Time, Value};
use crate::telemetry;

static NEXT_REF_ID: AtomicU64 = AtomicU64::new(1);

/// Where the embedded interpreter's packages come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpreterSource {
    /// Only the linked interpreter's own `sys.path`.
    Linked,
    /// `SNAKEBRIDGE_PYTHON` named this interpreter; its `sys.path` was adopted.
    SnakebridgePython(PathBuf),
    /// `VIRTUAL_ENV` named this virtual environment; its `site-packages` was added.
    VirtualEnv(PathBuf),
}

/// The embedded interpreter's environment, as set up at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// `sys.version` of the embedded interpreter (`"3.11.7"`).
    pub python_version: String,
    /// Where the packages come from.
    pub source: InterpreterSource,
    /// Directories added to `sys.path` (ahead of the interpreter's own `site-packages`).
    pub added_paths: Vec<PathBuf>,
}

impl std::fmt::Display for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "embedded CPython {}", self.python_version)?;
        match &self.source {
            InterpreterSource::Linked => write!(f, " (its own site-packages)"),
            InterpreterSource::SnakebridgePython(p) => {
                write!(
                    f,
                    " with the packages of {} (SNAKEBRIDGE_PYTHON)",
                    p.display()
                )
            }
            InterpreterSource::VirtualEnv(p) => {
                write!(
                    f,
                    " with the virtual environment {} (VIRTUAL_ENV)",
                    p.display()
                )
            }
        }
    }
}

type Callables = HashMap<String, HashMap<String, Py<PyAny>>>;

/// The in-process CPython client. There is one interpreter per process: get it with
/// [`EmbeddedClient::shared`].
///
/// ```no_run
/// use snakebridge_runtime::{EmbeddedClient, RuntimeClient, Request, CallOptions, Value};
/// let client = EmbeddedClient::shared();
/// println!("{}", client.environment()?);
/// let mut req = Request::function("math", "sqrt");
/// req.args.push(Value::Float(16.0));
/// assert_eq!(client.execute(&req, &CallOptions::default())?, Value::Float(4.0));
/// # Ok::<(), snakebridge_runtime::Error>(())
/// ```
pub struct EmbeddedClient {
    environment: OnceLock<std::result::Result<Environment, String>>,
    /// Resolved module attributes: `module -> name -> object`.
    callables: Mutex<Callables>,
}

static SHARED: OnceLock<Arc<EmbeddedClient>> = OnceLock::new();

impl EmbeddedClient {
    /// The process's embedded client (created on first use; the interpreter starts lazily).
    pub fn shared() -> Arc<EmbeddedClient> {
        SHARED
            .get_or_init(|| {
                Arc::new(EmbeddedClient {
                    environment: OnceLock::new(),
                    callables: Mutex::new(HashMap::new()),
                })
            })
            .clone()
    }

    /// Starts the interpreter if needed and reports its environment (an [`Error::Config`] if the
    /// requested environment could not be used, e.g. `SNAKEBRIDGE_PYTHON` is another version).
    pub fn environment(&self) -> Result<Environment> {
        self.environment
            .get_or_init(start_interpreter)
            .clone()
            .map_err(Error::config)
    }

    /// Number of refs made by the embedded client that are still alive.
    pub fn live_refs() -> usize {
        crate::data::pyref::EMBEDDED_LIVE_REFS.load(Ordering::Relaxed)
    }

    fn ensure_started(&self) -> Result<()> {
        match self.environment.get_or_init(start_interpreter) {
            Ok(_) => Ok(()),
            Err(e) => Err(Error::config(e.clone())),
        }
    }

    fn module_attr<'py>(
        &self,
        py: Python<'py>,
        module: &str,
        name: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        {
            let cache = self.callables.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(obj) = cache.get(module).and_then(|m| m.get(name)) {
                return Ok(obj.bind(py).clone());
            }
        }
        // Import outside the lock: importing runs arbitrary Python code.
        let obj = py.import(module)?.getattr(name)?;
        let mut cache = self.callables.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(module.to_owned())
            .or_default()
            .entry(name.to_owned())
            .or_insert_with(|| obj.clone().unbind());
        Ok(obj)
    }

    /// The callable of a generated call site, resolved on first use and kept in the site.
    fn site_attr<'py>(&self, py: Python<'py>, site: &CallSite) -> PyResult<Bound<'py, PyAny>> {
        if let Some(obj) = site.embedded.get() {
            return Ok(obj.bind(py).clone());
        }
        let obj = self.module_attr(py, site.module, site.name)?;
        // Another thread may have won the race; either object is the same attribute.
        let _ = site.embedded.set(obj.clone().unbind());
        Ok(obj)
    }

    /// Runs a request and returns the raw Python result.
    fn run<'py>(&self, py: Python<'py>, req: &Request) -> Result<Bound<'py, PyAny>> {
        let result = match req.call_type {
            CallType::Function | CallType::Class => {
                // Hot path: a generated call site that already holds its callable.
                if let Some(f) = req.site.and_then(|site| site.embedded.get()) {
                    return call(py, f.bind(py), req);
                }
                let f = match req.site {
                    Some(site) => self.site_attr(py, site),
                    None => self.module_attr(py, &req.python_module, &req.name),
                }
                .map_err(|e| python_error(py, e, req))?;
                call(py, &f, req)
            }
            CallType::ClassMethod => {
                let class = req.class.as_deref().unwrap_or_default();
                let f = self
                    .module_attr(py, &req.python_module, class)
                    .and_then(|c| c.getattr(req.name.as_ref()))
                    .map_err(|e| python_error(py, e, req))?;
                call(py, &f, req)
            }
            CallType::Method => {
                let target = target(py, req)?;
                let f = target
                    .getattr(req.name.as_ref())
                    .map_err(|e| python_error(py, e, req))?;
                call(py, &f, req)
            }
            CallType::GetAttr => target(py, req)?
                .getattr(req.name.as_ref())
                .map_err(|e| python_error(py, e, req)),
            CallType::SetAttr => {
                let value = to_py(py, req.args.first().unwrap_or(&Value::None))?;
                target(py, req)?
                    .setattr(req.name.as_ref(), value)
                    .map_err(|e| python_error(py, e, req))?;
                Ok(py.None().into_bound(py))
            }
            CallType::ModuleAttr => self
                .module_attr(py, &req.python_module, &req.name)
                .map_err(|e| python_error(py, e, req)),
        }?;
        Ok(result)
    }
}

fn target<'py>(py: Python<'py>, req: &Request) -> Result<Bound<'py, PyAny>> {
    match &req.target {
        Some(r) => ref_object(py, r),
        None => Err(Error::config(format!(
            "{:?} request for `{}` has no target ref",
            req.call_type, req.name
        ))),
    }
}

/// Positional arguments up to this many go through `vectorcall` from a stack buffer.
const INLINE_ARGS: usize = 8;

/// Owned references to converted arguments, released when the call is done.
struct ArgBuffer {
    /// Slot 0 is scratch space that `PY_VECTORCALL_ARGUMENTS_OFFSET` lets the callee use.
    ptrs: [*mut pyo3::ffi::PyObject; INLINE_ARGS + 1],
    len: usize,
}

impl Drop for ArgBuffer {
    fn drop(&mut self) {
        for &p in &self.ptrs[1..=self.len] {
            // SAFETY: each filled slot holds a strong reference we own; the GIL is held (the
            // buffer never leaves `call`).
            unsafe { pyo3::ffi::Py_DECREF(p) };
        }
    }
}

fn call<'py>(py: Python<'py>, f: &Bound<'py, PyAny>, req: &Request) -> Result<Bound<'py, PyAny>> {
    if req.kwargs.is_empty() && req.args.len() <= INLINE_ARGS {
        let mut buf = ArgBuffer {
            ptrs: [std::ptr::null_mut(); INLINE_ARGS + 1],
            len: 0,
        };
        telemetry::time_encode(|| {
            for v in &req.args {
                buf.ptrs[buf.len + 1] = to_py(py, v)?.into_ptr();
                buf.len += 1;
            }
            Ok::<_, Error>(())
        })?;
        // SAFETY: `ptrs[1..=len]` are valid objects; the offset flag allows the callee to use
        // slot 0; the result is a new reference or NULL with an exception set.
        return unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                pyo3::ffi::PyObject_Vectorcall(
                    f.as_ptr(),
                    buf.ptrs.as_ptr().add(1),
                    buf.len | pyo3::ffi::PY_VECTORCALL_ARGUMENTS_OFFSET,
                    std::ptr::null_mut(),
                ),
            )
        }
        .map_err(|e| python_error(py, e, req));
    }
    // General path: an argument tuple (filled in place) and a keyword dict.
    let n = req.args.len() as pyo3::ffi::Py_ssize_t;
    // SAFETY: PyTuple_New returns a new reference (or NULL with an exception set).
    let args = unsafe { Bound::from_owned_ptr_or_err(py, pyo3::ffi::PyTuple_New(n)) }
        .map_err(|e| python_error(py, e, req))?;
    let kwargs = PyDict::new(py);
    telemetry::time_encode(|| {
        for (i, v) in req.args.iter().enumerate() {
            let item = to_py(py, v)?;
            // SAFETY: `args` is a fresh tuple of length n and slot i is empty; SET_ITEM steals
            // the reference. On an early return the tuple is freed with its filled slots (NULLs
            // are skipped by tuple dealloc).
            unsafe {
                pyo3::ffi::PyTuple_SET_ITEM(
                    args.as_ptr(),
                    i as pyo3::ffi::Py_ssize_t,
                    item.into_ptr(),
                )
            };
        }
        for (k, v) in &req.kwargs {
            kwargs
                .set_item(k.as_ref(), to_py(py, v)?)
                .map_err(|e| python_error(py, e, req))?;
        }
        Ok::<_, Error>(())
    })?;
    // SAFETY: all pointers are valid for the duration of the call; the result is a new reference.
    unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            pyo3::ffi::PyObject_Call(f.as_ptr(), args.as_ptr(), kwargs.as_ptr()),
        )
    }
    .map_err(|e| python_error(py, e, req))
}

impl RuntimeClient for EmbeddedClient {
    fn execute(&self, request: &Request, options: &CallOptions) -> Result<Value> {
        self.ensure_started()?;
        Python::attach(|py| {
            let result = self.run(py, request)?;
            telemetry::time_decode(|| from_py(&result, options.returns))
        })
    }

    fn execute_stream(&self, request: &Request, options: &CallOptions) -> Result<ValueStream> {
        self.ensure_started()?;
        let policy = options.returns;
        Python::attach(|py| {
            let iterable = self.run(py, request)?;
            let iterator = iterable
                .try_iter()
                .map_err(|e| python_error(py, e, request))?;
            Ok(Box::new(EmbeddedStream {
                iterator: Some(iterator.into_any().unbind()),
                source: iterable.unbind(),
                context: context_of(request),
                policy,
            }) as ValueStream)
        })
    }

    fn name(&self) -> &str {
        "embedded"
    }
}

/// A Python iterator being consumed from Rust; dropping it early closes a generator.
struct EmbeddedStream {
    iterator: Option<Py<PyAny>>,
    source: Py<PyAny>,
    context: CallContext,
    policy: ReturnPolicy,
}

impl Iterator for EmbeddedStream {
    type Item = Result<Value>;

    fn next(&mut self) -> Option<Result<Value>> {
        let iterator = self.iterator.as_ref()?;
        let item = Python::attach(|py| {
            let it = iterator.bind(py);
            // SAFETY: `it` came from `try_iter`, so it is an iterator.
            let next = unsafe { pyo3::ffi::PyIter_Next(it.as_ptr()) };
            if next.is_null() {
                return match PyErr::take(py) {
                    Some(err) => Some(Err(python_error_ctx(py, err, self.context.clone()))),
                    None => None,
                };
            }
            // SAFETY: PyIter_Next returns a new reference.
            let obj = unsafe { Bound::from_owned_ptr(py, next) };
            Some(from_py(&obj, self.policy))
        });
        match item {
            None | Some(Err(_)) => {
                // Exhausted or failed: Python's iterator protocol ends here too.
                self.iterator = None;
            }
            Some(Ok(_)) => {}
        }
        item
    }
}

impl Drop for EmbeddedStream {
    fn drop(&mut self) {
        if self.iterator.take().is_some() {
            // Stopped early: close a generator so its `finally` blocks run now.
            Python::attach(|py| {
                let source = self.source.bind(py);
                if source.hasattr("close").unwrap_or(false)
                    && let Err(e) = source.call_method0("close")
                {
                    tracing::warn!(target: "snakebridge", error = %e, "closing a Python generator failed");
                }
            });
        }
    }
}

fn context_of(req: &Request) -> CallContext {
    CallContext {
        python_module: req.python_module.to_string(),
        function: req.display_name(),
        arity: req.arity(),
        rust_location: None,
    }
}

fn python_error(py: Python<'_>, err: PyErr, req: &Request) -> Error {
    python_error_ctx(py, err, context_of(req))
}

/// Converts a Python exception into [`Error::Python`], keeping class, message and traceback.
pub(crate) fn python_error_ctx(py: Python<'_>, err: PyErr, context: CallContext) -> Error {
    let value = err.value(py);
    let ty = value.get_type();
    let class = match (ty.module(), ty.qualname()) {
        (Ok(m), Ok(q)) if m.to_str().is_ok_and(|m| m == "builtins") => q.to_string(),
        (Ok(m), Ok(q)) => format!("{m}.{q}"),
        _ => "<unknown exception>".to_owned(),
    };
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
    Error::Python(Box::new(PythonError {
        kind: exception_kind(py, &err),
        class,
        message,
        traceback,
        context,
    }))
}

fn exception_kind(py: Python<'_>, err: &PyErr) -> ExceptionKind {
    use pyo3::exceptions::*;
    macro_rules! first_match {
        ($($kind:ident => $ty:ty),* $(,)?) => {
            $(if err.is_instance_of::<$ty>(py) { return ExceptionKind::$kind; })*
        };
    }
    first_match! {
        ModuleNotFoundError => PyModuleNotFoundError,
        ImportError => PyImportError,
        KeyError => PyKeyError,
        IndexError => PyIndexError,
        ZeroDivisionError => PyZeroDivisionError,
        OverflowError => PyOverflowError,
        ArithmeticError => PyArithmeticError,
        UnicodeError => PyUnicodeError,
        ValueError => PyValueError,
        TypeError => PyTypeError,
        AttributeError => PyAttributeError,
        NotImplementedError => PyNotImplementedError,
        RecursionError => PyRecursionError,
        RuntimeError => PyRuntimeError,
        FileNotFoundError => PyFileNotFoundError,
        PermissionError => PyPermissionError,
        TimeoutError => PyTimeoutError,
        OSError => PyOSError,
        StopIteration => PyStopIteration,
        AssertionError => PyAssertionError,
        NameError => PyNameError,
        LookupError => PyLookupError,
        MemoryError => PyMemoryError,
        KeyboardInterrupt => PyKeyboardInterrupt,
        SystemExit => PySystemExit,
    }
    ExceptionKind::Other
}

// ---------------------------------------------------------------------------------------------
// Refs

fn make_ref(obj: &Bound<'_, PyAny>) -> PyRef {
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

fn ref_object<'py>(py: Python<'py>, r: &PyRef) -> Result<Bound<'py, PyAny>> {
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

// ---------------------------------------------------------------------------------------------
// Conversions

/// Converts a value into a Python object.
pub(crate) fn to_py<'py>(py: Python<'py>, value: &Value) -> Result<Bound<'py, PyAny>> {
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
        Value::List(items) => PyList::new(py, to_py_all(py, items)?)
            .map_err(encode)?
            .into_any(),
        Value::Tuple(items) => PyTuple::new(py, to_py_all(py, items)?)
            .map_err(encode)?
            .into_any(),
        Value::Set(items) => PySet::new(py, to_py_all(py, items)?)
            .map_err(encode)?
            .into_any(),
        Value::FrozenSet(items) => PyFrozenSet::new(py, to_py_all(py, items)?)
            .map_err(encode)?
            .into_any(),
        Value::Dict(items) => {
            let d = PyDict::new(py);
            for (k, v) in items {
                d.set_item(to_py(py, k)?, to_py(py, v)?).map_err(encode)?;
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
        Value::Array(a) => crate::embedded::array::array_to_py(py, a)?,
        Value::Ref(r) => ref_object(py, r)?,
    })
}

fn to_py_all<'py>(py: Python<'py>, items: &[Value]) -> Result<Vec<Bound<'py, PyAny>>> {
    items.iter().map(|v| to_py(py, v)).collect()
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
pub(crate) fn from_py(obj: &Bound<'_, PyAny>, policy: ReturnPolicy) -> Result<Value> {
    match policy {
        ReturnPolicy::Ref => Ok(Value::Ref(make_ref(obj))),
        ReturnPolicy::Auto => convert(obj, false),
        ReturnPolicy::Value => convert(obj, true),
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

/// `strict == false`: exact plain types by value, others by ref. `strict == true`: subclasses
/// of plain types by value too, and no refs at all.
fn convert(obj: &Bound<'_, PyAny>, strict: bool) -> Result<Value> {
    macro_rules! is {
        ($t:ty) => {
            if strict {
                obj.is_instance_of::<$t>()
            } else {
                obj.is_exact_instance_of::<$t>()
            }
        };
    }
    let items = |seq: Bound<'_, PyAny>| -> Result<Vec<Value>> {
        seq.try_iter()
            .map_err(|e| decode_err(obj, e))?
            .map(|item| convert(&item.map_err(|e| decode_err(obj, e))?, strict))
            .collect()
    };
    if obj.is_none() {
        return Ok(Value::None);
    }
    if is!(PyBool) {
        return Ok(Value::Bool(
            obj.is_truthy().map_err(|e| decode_err(obj, e))?,
        ));
    }
    if is!(PyInt) {
        return Ok(match obj.extract::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::from_bigint(obj.extract::<BigInt>().map_err(|e| decode_err(obj, e))?),
        });
    }
    if is!(PyFloat) {
        return Ok(Value::Float(obj.extract().map_err(|e| decode_err(obj, e))?));
    }
    if is!(PyString) {
        return Ok(Value::Str(obj.extract().map_err(|e| decode_err(obj, e))?));
    }
    if is!(PyBytes) {
        // SAFETY-free path: PyBytes::as_bytes on the checked object.
        return Ok(Value::Bytes(
            obj.cast::<PyBytes>()
                .map_err(|e| decode_err(obj, e))?
                .as_bytes()
                .to_vec(),
        ));
    }
    if is!(PyList) {
        return Ok(Value::List(items(obj.clone())?));
    }
    if is!(PyTuple) {
        return Ok(Value::Tuple(items(obj.clone())?));
    }
    if is!(PyDict) {
        let dict = obj.cast::<PyDict>().map_err(|e| decode_err(obj, e))?;
        let mut out = Vec::with_capacity(dict.len());
        for (k, v) in dict.iter() {
            out.push((convert(&k, strict)?, convert(&v, strict)?));
        }
        return Ok(Value::Dict(out));
    }
    if is!(PySet) {
        return Ok(Value::Set(items(obj.clone())?));
    }
    if is!(PyFrozenSet) {
        return Ok(Value::FrozenSet(items(obj.clone())?));
    }
    if is!(PyDateTime) {
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
    if is!(PyDate) {
        let d = obj.cast::<PyDate>().map_err(|e| decode_err(obj, e))?;
        return Ok(Value::Date(Date {
            year: d.get_year(),
            month: d.get_month(),
            day: d.get_day(),
        }));
    }
    if is!(PyTime) {
        let t = obj.cast::<PyTime>().map_err(|e| decode_err(obj, e))?;
        return Ok(Value::Time(Time {
            hour: t.get_hour(),
            minute: t.get_minute(),
            second: t.get_second(),
            microsecond: t.get_microsecond(),
            utc_offset: utc_offset(obj, t.get_tzinfo().is_some())?,
        }));
    }
    if is!(PyComplex) {
        let c = obj.cast::<PyComplex>().map_err(|e| decode_err(obj, e))?;
        return Ok(Value::Complex {
            re: c.real(),
            im: c.imag(),
        });
    }
    if let Some(item) = numpy_scalar_item(obj) {
        return convert(&item, strict);
    }
    // Arrays are data only when asked for by value; otherwise they stay in Python as refs.
    if strict && let Some(array) = crate::embedded::array::array_from_py(obj)? {
        return Ok(array);
    }
    if strict {
        return Err(decode_err(
            obj,
            "the object is not plain data; ask for a ref (ReturnPolicy::Ref / PyRef) instead",
        ));
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

// ---------------------------------------------------------------------------------------------
// Interpreter start and environment

const ENV_SETUP: &str = r#"
def _snakebridge_adopt(dirs, executable):
    import site, sys
    before = list(sys.path)
    for d in dirs:
        site.addsitedir(d)
    added = [p for p in sys.path if p not in before]
    rest = [p for p in sys.path if p in before]
    # The chosen environment goes ahead of the interpreter's own site-packages.
    idx = next((i for i, p in enumerate(rest) if p.endswith("site-packages")), len(rest))
    sys.path[:] = rest[:idx] + added + rest[idx:]
    if executable:
        sys.executable = executable
    return added
"#;

fn start_interpreter() -> std::result::Result<Environment, String> {
    Python::initialize();
    let (source, dirs, executable) = chosen_environment()?;
    Python::attach(|py| {
        let version: String = py
            .import("platform")
            .and_then(|p| p.call_method0("python_version"))
            .and_then(|v| v.extract())
            .map_err(|e| format!("cannot read the embedded Python version: {e}"))?;
        if let Some((want, path)) = match &source {
            InterpreterSource::SnakebridgePython(p) => Some((p.clone(), p)),
            _ => None,
        }
        .and_then(|(p, path)| interpreter_version(&p).map(|v| (v, path)))
            && short_version(&want) != short_version(&version)
        {
            return Err(format!(
                "SNAKEBRIDGE_PYTHON is {} (Python {want}) but this program embeds Python \
                 {version}; point SNAKEBRIDGE_PYTHON at a Python {} interpreter or venv, or \
                 rebuild with PYO3_PYTHON set to it",
                path.display(),
                short_version(&version)
            ));
        }
        let globals = PyDict::new(py);
        let code = CString::new(ENV_SETUP).expect("no NUL in setup code");
        py.run(&code, Some(&globals), None)
            .map_err(|e| format!("environment setup failed: {e}"))?;
        let added: Vec<String> = globals
            .get_item("_snakebridge_adopt")
            .ok()
            .flatten()
            .ok_or("environment setup function missing")?
            .call1((dirs, executable))
            .and_then(|v| v.extract())
            .map_err(|e| format!("environment setup failed: {e}"))?;
        let env = Environment {
            python_version: version,
            source,
            added_paths: added.into_iter().map(PathBuf::from).collect(),
        };
        tracing::info!(target: "snakebridge", environment = %env, "started embedded Python");
        Ok(env)
    })
}

fn short_version(v: &str) -> &str {
    match v.match_indices('.').nth(1) {
        Some((i, _)) => &v[..i],
        None => v,
    }
}

fn interpreter_version(python: &PathBuf) -> Option<String> {
    let out = std::process::Command::new(python)
        .args(["-c", "import platform; print(platform.python_version())"])
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

type Chosen = (InterpreterSource, Vec<String>, Option<String>);

fn chosen_environment() -> std::result::Result<Chosen, String> {
    if let Some(python) = std::env::var_os("SNAKEBRIDGE_PYTHON").filter(|v| !v.is_empty()) {
        let python = PathBuf::from(python);
        let out = std::process::Command::new(&python)
            .args([
                "-c",
                "import sys, json; print(json.dumps([p for p in sys.path if p]))",
            ])
            .output()
            .map_err(|e| {
                format!(
                    "SNAKEBRIDGE_PYTHON={} cannot be run: {e}; set it to a Python interpreter \
                     (e.g. a venv's bin/python) or unset it",
                    python.display()
                )
            })?;
        if !out.status.success() {
            return Err(format!(
                "SNAKEBRIDGE_PYTHON={} failed to report its sys.path: {}",
                python.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let dirs: Vec<String> = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("SNAKEBRIDGE_PYTHON printed an unexpected sys.path: {e}"))?;
        let executable = python.to_string_lossy().into_owned();
        return Ok((
            InterpreterSource::SnakebridgePython(python),
            dirs,
            Some(executable),
        ));
    }
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV").filter(|v| !v.is_empty()) {
        let venv = PathBuf::from(venv);
        let lib = venv.join("lib");
        let dirs: Vec<String> = std::fs::read_dir(&lib)
            .map_err(|e| format!("VIRTUAL_ENV={} has no lib directory: {e}", venv.display()))?
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.path().join("site-packages"))
            .filter(|p| p.is_dir())
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let executable = venv.join("bin/python").to_string_lossy().into_owned();
        return Ok((InterpreterSource::VirtualEnv(venv), dirs, Some(executable)));
    }
    Ok((InterpreterSource::Linked, Vec::new(), None))
}
