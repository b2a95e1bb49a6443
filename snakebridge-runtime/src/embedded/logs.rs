//! Python's `logging` records and warnings in the embedded interpreter as `tracing` events
//! (`client/python_log.rs`): a handler on the root logger that calls into Rust, the call each
//! record was raised in (a per-thread pointer to the running request), and the level it
//! forwards from, synced with the subscribers' filter when that may have changed.

use std::cell::Cell;
use std::ffi::CString;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyTuple};

use crate::client::python_log;
use crate::client::request::{CallSite, CallType, Request};

/// The call a thread runs in Python now: a request, or a typed call at a generated site
/// (`SiteCall`, which has no request).
#[derive(Clone, Copy)]
enum Running {
    Nothing,
    Request(*const Request),
    Site(&'static CallSite),
}

thread_local! {
    /// The call this thread runs in Python now, set by [`InCall`].
    static CALL: Cell<Running> = const { Cell::new(Running::Nothing) };
}

/// The handler (installed at start); `set_level` changes what it forwards.
static HANDLER: OnceLock<Py<PyAny>> = OnceLock::new();

/// [`python_log::filter_changes`] when the level was last set (`u64::MAX`: never).
static SYNCED: AtomicU64 = AtomicU64::new(u64::MAX);

const SOURCE: &str = r#"
import logging

class SnakebridgeForward(logging.Handler):
    """Forwards each record to Rust's tracing (snakebridge's embedded client)."""

    def __init__(self, emit):
        logging.Handler.__init__(self)
        self._snakebridge_emit = emit
        self._snakebridge_root_level = logging.getLogger().level
        self._snakebridge_attached = False

    def emit(self, record):
        try:
            message = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self._snakebridge_emit(record.name, record.levelno, message)

    def set_level(self, level):
        # 0: no subscriber in Rust; take the handler off, leave logging as Python has it.
        root = logging.getLogger()
        if level == 0:
            if self._snakebridge_attached:
                root.removeHandler(self)
                root.setLevel(self._snakebridge_root_level)
                logging.captureWarnings(False)
                self._snakebridge_attached = False
            return
        if not self._snakebridge_attached:
            self._snakebridge_root_level = root.level
            root.addHandler(self)
            logging.captureWarnings(True)
            self._snakebridge_attached = True
        self.setLevel(level)
        root.setLevel(level)

def install(emit):
    return SnakebridgeForward(emit)
"#;

/// Marks a request as running on this thread until it drops (the call records are tagged with).
pub(super) struct InCall(Running);

impl InCall {
    /// Also tells Python a new level if the subscribers' filter may have changed since.
    #[inline]
    pub(super) fn enter(py: Python<'_>, request: &Request) -> InCall {
        InCall::running(py, Running::Request(request))
    }

    /// [`InCall::enter`] for a typed call at a generated call site.
    #[inline]
    pub(super) fn enter_site(py: Python<'_>, site: &'static CallSite) -> InCall {
        InCall::running(py, Running::Site(site))
    }

    #[inline(always)]
    fn running(py: Python<'_>, call: Running) -> InCall {
        if python_log::filter_changes() != SYNCED.load(Ordering::Relaxed) {
            sync_level(py);
        }
        InCall(CALL.with(|c| c.replace(call)))
    }
}

impl Drop for InCall {
    #[inline]
    fn drop(&mut self) {
        CALL.with(|c| c.set(self.0));
    }
}

/// At start, before user code runs: the handler at the subscribers' level when a subscriber
/// already wants Python's records; without one, nothing, not even `import logging` (tens of
/// millions of instructions) until one comes, which the first call after it finds
/// ([`InCall::enter`] syncs the level, making the handler then).
pub(super) fn install(py: Python<'_>) -> PyResult<()> {
    SYNCED.store(python_log::filter_changes(), Ordering::Relaxed);
    let level = python_log::python_level();
    if level != python_log::PYTHON_UNSET {
        handler(py)?.bind(py).call_method1("set_level", (level,))?;
    }
    Ok(())
}

/// The handler, made (importing `logging`) the first time a subscriber wants records.
fn handler(py: Python<'_>) -> PyResult<&'static Py<PyAny>> {
    if let Some(handler) = HANDLER.get() {
        return Ok(handler);
    }
    let globals = PyDict::new(py);
    let code = CString::new(SOURCE).expect("no NUL in the handler's source");
    py.run(&code, Some(&globals), None)?;
    let emit = PyCFunction::new_closure(
        py,
        Some(c"snakebridge_emit"),
        None,
        |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| -> PyResult<()> {
            let (logger, level, message): (String, u64, String) = args.extract()?;
            let name = match CALL.with(Cell::get) {
                Running::Nothing => String::new(),
                // SAFETY: `InCall` points it at a request borrowed for as long as it is set,
                // on this thread only.
                Running::Request(request) => call_name(unsafe { &*request }),
                // As `call_name` names a module function's request.
                Running::Site(site) => format!("{}.{}", site.module, site.name),
            };
            python_log::emit(&logger, level, &message, &name, &"embedded");
            Ok(())
        },
    )?;
    let install = globals
        .get_item("install")?
        .ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("no install"))?;
    let handler = install.call1((emit,))?;
    // Another thread may have made one meanwhile (the import can let go of the GIL): the first
    // stays, this one was never attached.
    Ok(HANDLER.get_or_init(|| handler.unbind()))
}

/// Sets the handler's and the root logger's level from the subscribers' filter (making the
/// handler if a subscriber now wants records for the first time).
fn sync_level(py: Python<'_>) {
    SYNCED.store(python_log::filter_changes(), Ordering::Relaxed);
    let level = python_log::python_level();
    // No subscriber, and none ever wanted records: logging stays as Python has it.
    if level == python_log::PYTHON_UNSET && HANDLER.get().is_none() {
        return;
    }
    if let Err(e) = handler(py).and_then(|h| h.bind(py).call_method1("set_level", (level,))) {
        tracing::warn!(target: "snakebridge", error = %e, "cannot set Python's log level");
    }
}

/// `module.function` for a module's callable (as the pool's workers name calls), else the
/// request's display name (`Class.method`, `<ref type>.method`).
fn call_name(request: &Request) -> String {
    let name = request.display_name();
    let module: &str = &request.python_module;
    if request.target.is_none() && request.call_type != CallType::ClassMethod && !module.is_empty()
    {
        format!("{module}.{name}")
    } else {
        name
    }
}
