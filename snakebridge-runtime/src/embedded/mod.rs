//! The embedded client: CPython in this process, through pyo3.
//!
//! The fast path: each module function is resolved once and kept; values are converted directly
//! between Rust and Python objects (no JSON); refs hold their Python object directly, so a call
//! on a ref needs no lookup. Safe to use from many threads (calls serialise on the GIL).
//!
//! The interpreter is the `libpython` this program was linked against. Which packages it sees
//! follows the contract's interpreter rule ([`crate::client::contract::interpreter`]), as the introspector
//! and pool workers do: `SNAKEBRIDGE_PYTHON`, else `PYO3_PYTHON` (an interpreter whose `sys.path`
//! is adopted, typically a venv's `bin/python`), else `VIRTUAL_ENV` (the venv's `site-packages`
//! is added). See [`EmbeddedClient::environment`].
//!
//! Files: `convert` (values and refs), `callback` (Rust closures as Python callables),
//! `exceptions`, `environment` (start-up), `array` (numpy), `generator` (generators driven
//! step by step), `rules` (the rules shared with the pool's worker, from its Python source),
//! `logs` (Python's logging into `tracing`).

mod array;
mod async_call;
mod awaiting;
mod callback;
mod convert;
mod environment;
mod exceptions;
mod generator;
mod logs;
mod rules;
mod scalar_call;

use std::collections::HashMap;
use std::mem::MaybeUninit;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::client::request::{CallOptions, CallSite, CallType, Request};
use crate::client::telemetry;
use crate::client::{AsyncReply, RuntimeClient, ValueGenerator, ValueStream};
use crate::data::error::{CallContext, Error, Result};
use crate::data::return_policy::ReturnPolicy;
use crate::data::value::{FromValue, Value};

use convert::{from_py, ref_object, scalar_at, to_py};
use environment::start_interpreter;
pub use environment::{Environment, InterpreterSource};
use exceptions::{context_of, python_error, python_error_ctx};
pub(crate) use scalar_call::{scalar_call, scalar_call_ready};

type Callables = HashMap<String, HashMap<String, Py<PyAny>>>;

/// The in-process CPython client. There is one interpreter per process: get it with
/// [`EmbeddedClient::shared`].
///
/// ```no_run
/// use snakebridge_runtime::client::{CallOptions, Request, RuntimeClient};
/// use snakebridge_runtime::{EmbeddedClient, Value};
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

/// [`crate::fallback_site_call`]: a function or class call at a generated call site this
/// client resolved before (so the interpreter runs), with no session, as
/// [`EmbeddedClient::execute`] would run it, decoded to `R` (as a constructor's result when
/// `constructed`); `None` for any other request.
///
/// Only arguments that fit an [`ArgBuffer`] take this path, in one function: conversion, the
/// `vectorcall` and the result's conversion inline; a scalar result `R` takes is read straight
/// into it ([`FromValue::from_scalar`]), anything else through a [`Value`]. It is not timed:
/// [`crate::Call::call`] takes it only when no subscriber wants call events, and a measured
/// call (whose nested calls are measured too) goes through [`EmbeddedClient::execute`].
#[inline(always)]
pub(crate) fn site_call<R: FromValue>(
    req: &Request,
    options: &CallOptions,
    constructed: bool,
) -> Option<Result<R>> {
    let f = req.site?.embedded.get()?;
    if options.session.is_some()
        || !matches!(req.call_type, CallType::Function | CallType::Class)
        || !fits_buffer(req)
    {
        return None;
    }
    Some(Python::attach(|py| {
        let _call = logs::InCall::enter(py, req);
        let _callbacks = callback::Scope::enter();
        // The arguments are released once the call returned (a block, not a `drop`, which
        // would move the buffer).
        let mut result = {
            let mut buf = ArgBuffer::new();
            buf.fill(py, &req.args)?;
            buf.call(py, f.bind(py), req)?
        };
        if awaiting::is_awaitable(&result) {
            result = awaiting::settle(result).map_err(|e| python_error(py, e, req))?;
        }
        // A scalar read in place is what `from_py` reads under these policies, and
        // `from_scalar` takes it to what `from_value` would make of that (constants: a type
        // that takes no scalars compiles to the general path only).
        if R::FROM_SCALAR
            && !constructed
            && matches!(options.returns, ReturnPolicy::Auto | ReturnPolicy::Value)
            // SAFETY: `result` lives until the end of this closure, past the scalar's use.
            && let Some(value) = unsafe { scalar_at(result.as_ptr()) }.and_then(R::from_scalar)
        {
            return Ok(value);
        }
        let value = from_py(&result, options.returns)?;
        if constructed {
            R::from_constructed(value)
        } else {
            R::from_value(value)
        }
    }))
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

/// Positional arguments up to this many go through `vectorcall` from a stack buffer (more take
/// the tuple path). Fewer than the contract's tuple arity: calls of more than 8 positional
/// arguments are rare, and a larger buffer would cost every call its initialisation.
const INLINE_ARGS: usize = 8;

/// Owned references to converted arguments, released when the call is done.
struct ArgBuffer {
    /// Slot 0 is scratch space that `PY_VECTORCALL_ARGUMENTS_OFFSET` lets the callee use;
    /// slots `1..=len` are filled (the others are never read: not initialised, which would
    /// cost every call a store per slot).
    ptrs: [MaybeUninit<*mut pyo3::ffi::PyObject>; INLINE_ARGS + 1],
    len: usize,
}

impl ArgBuffer {
    /// An empty buffer.
    #[inline(always)]
    fn new() -> ArgBuffer {
        ArgBuffer {
            ptrs: [MaybeUninit::uninit(); INLINE_ARGS + 1],
            len: 0,
        }
    }

    /// Converts `args` (at most [`INLINE_ARGS`]) into the buffer. (Filled in place: a buffer
    /// returned by value would be copied on every call.)
    #[inline(always)]
    fn fill(&mut self, py: Python<'_>, args: &[Value]) -> Result<()> {
        for (slot, v) in self.ptrs[1..].iter_mut().zip(args) {
            slot.write(to_py(py, v)?.into_ptr());
            self.len += 1;
        }
        Ok(())
    }

    /// `f(*args)` through `vectorcall`.
    #[inline(always)]
    fn call<'py>(
        &self,
        py: Python<'py>,
        f: &Bound<'py, PyAny>,
        req: &Request,
    ) -> Result<Bound<'py, PyAny>> {
        self.call_raw(py, f).map_err(|e| python_error(py, e, req))
    }

    /// Appends an argument (at most [`INLINE_ARGS`] in all).
    #[inline(always)]
    fn push(&mut self, arg: Bound<'_, PyAny>) {
        self.ptrs[1 + self.len].write(arg.into_ptr());
        self.len += 1;
    }

    /// [`ArgBuffer::call`], its failure Python's exception.
    #[inline(always)]
    fn call_raw<'py>(&self, py: Python<'py>, f: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        // SAFETY: `ptrs[1..=len]` are valid objects; the offset flag allows the callee to use
        // slot 0; the result is a new reference or NULL with an exception set.
        unsafe {
            let result = if self.len == 1 {
                // pyo3-ffi's inline form for one argument (what pyo3's own `call1` takes):
                // the callee's vectorcall slot called directly, not through libpython's
                // exported `PyObject_Vectorcall`.
                pyo3::ffi::PyObject_CallOneArg(f.as_ptr(), self.ptrs[1].assume_init())
            } else {
                pyo3::ffi::PyObject_Vectorcall(
                    f.as_ptr(),
                    self.ptrs.as_ptr().add(1).cast(),
                    self.len | pyo3::ffi::PY_VECTORCALL_ARGUMENTS_OFFSET,
                    std::ptr::null_mut(),
                )
            };
            Bound::from_owned_ptr_or_err(py, result)
        }
    }
}

impl Drop for ArgBuffer {
    #[inline(always)]
    fn drop(&mut self) {
        for p in &self.ptrs[1..=self.len] {
            // SAFETY: each filled slot holds a strong reference we own; the GIL is held (the
            // buffer never leaves the call that filled it).
            unsafe { pyo3::ffi::Py_DECREF(p.assume_init()) };
        }
    }
}

/// True when `req`'s arguments fit an [`ArgBuffer`]: positional ones only, at most
/// [`INLINE_ARGS`] (every generated call with a tuple of arguments).
#[inline(always)]
fn fits_buffer(req: &Request) -> bool {
    req.kwargs.is_empty() && req.args.len() <= INLINE_ARGS
}

/// Calls `f` with the request's arguments: through an [`ArgBuffer`] when they fit, else
/// through [`call_with_tuple`].
fn call<'py>(py: Python<'py>, f: &Bound<'py, PyAny>, req: &Request) -> Result<Bound<'py, PyAny>> {
    if fits_buffer(req) {
        let mut buf = ArgBuffer::new();
        telemetry::time_encode(|| buf.fill(py, &req.args))?;
        return buf.call(py, f, req);
    }
    call_with_tuple(py, f, req)
}

/// [`call`] with keyword arguments or many positional ones: an argument tuple (filled in place)
/// and a keyword dict.
fn call_with_tuple<'py>(
    py: Python<'py>,
    f: &Bound<'py, PyAny>,
    req: &Request,
) -> Result<Bound<'py, PyAny>> {
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

/// A call that names a pool session reached the embedded client: running it here would lose
/// the session's worker affinity (and its state) without a word.
#[cold]
pub(super) fn session_without_pool(session: u64, request: &Request) -> Error {
    Error::config(format!(
        "{} was given session {session} (Call::session), but it runs on the embedded client, \
         which has no sessions; run it inside in_session(&session, ..) or with_client(pool, ..) \
         so that the session's pool runs it",
        request.display_name()
    ))
}

impl RuntimeClient for EmbeddedClient {
    fn execute(&self, request: &Request, options: &CallOptions) -> Result<Value> {
        self.ensure_started()?;
        if let Some(session) = options.session {
            return Err(session_without_pool(session, request));
        }
        Python::attach(|py| {
            let _call = logs::InCall::enter(py, request);
            // The callbacks among the arguments live until the call returns.
            let _callbacks = callback::Scope::enter();
            let mut result = self.run(py, request)?;
            if awaiting::is_awaitable(&result) {
                // An `async def` (or any awaitable): its value is the call's result.
                result = awaiting::settle(result).map_err(|e| python_error(py, e, request))?;
            }
            telemetry::time_decode(|| from_py(&result, options.returns))
        })
    }

    fn execute_stream(&self, request: &Request, options: &CallOptions) -> Result<ValueStream> {
        self.ensure_started()?;
        if let Some(session) = options.session {
            return Err(session_without_pool(session, request));
        }
        let policy = options.returns;
        Python::attach(|py| {
            let _call = logs::InCall::enter(py, request);
            let callbacks = callback::Scope::enter();
            let iterable = self.run(py, request)?;
            let (iterator, source) = match iterable.try_iter() {
                Ok(iterator) => (iterator.into_any(), iterable),
                // An async generator (or async iterator): driven on this thread's loop.
                Err(_) if iterable.hasattr("__aiter__").unwrap_or(false) => {
                    awaiting::iterate(iterable).map_err(|e| python_error(py, e, request))?
                }
                Err(e) => return Err(python_error(py, e, request)),
            };
            Ok(Box::new(EmbeddedStream {
                iterator: Some(iterator.unbind()),
                source: source.unbind(),
                context: context_of(request),
                policy,
                // Python calls them while the stream is consumed (`map(f, items)`).
                callbacks: callbacks.keep(),
            }) as ValueStream)
        })
    }

    fn execute_generator(
        &self,
        request: &Request,
        options: &CallOptions,
        returns: ReturnPolicy,
    ) -> Result<ValueGenerator> {
        self.ensure_started()?;
        if let Some(session) = options.session {
            return Err(session_without_pool(session, request));
        }
        Python::attach(|py| {
            let result = self.run(py, request)?;
            let driver = generator::EmbeddedGenerator::open(
                &result,
                context_of(request),
                options.returns,
                returns,
            )?;
            Ok(Box::new(driver) as ValueGenerator)
        })
    }

    fn name(&self) -> &str {
        "embedded"
    }

    fn execute_async(&self, request: &Request, options: &CallOptions, reply: AsyncReply) {
        self.start_async(request, options, reply);
    }
}

/// A Python iterator being consumed from Rust; dropping it early closes a generator.
struct EmbeddedStream {
    iterator: Option<Py<PyAny>>,
    source: Py<PyAny>,
    context: CallContext,
    policy: ReturnPolicy,
    /// The callbacks among the call's arguments, ended with the stream.
    callbacks: Vec<callback::Slot>,
}

impl Iterator for EmbeddedStream {
    type Item = Result<Value>;

    fn next(&mut self) -> Option<Result<Value>> {
        let iterator = self.iterator.as_ref()?;
        let item = Python::attach(|py| {
            let it = iterator.bind(py);
            // SAFETY: `it` came from `try_iter` or `awaiting::iterate` (a generator), so it is
            // an iterator.
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
                callback::end(std::mem::take(&mut self.callbacks));
            }
            Some(Ok(_)) => {}
        }
        item
    }
}

impl Drop for EmbeddedStream {
    fn drop(&mut self) {
        // After the generator's close below, whose `finally` blocks may still call them.
        let callbacks = std::mem::take(&mut self.callbacks);
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
        callback::end(callbacks);
    }
}
